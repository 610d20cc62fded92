import {
  DynamoDBClient,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from "@aws-sdk/client-dynamodb";
import type { buildEvent as BuildEvent } from "@pencai/local/apigw";
import type { LocalCloud } from "@pencai/local/cloud";
import { ulid } from "ulid";
import { median, percentile } from "./bundles.js";

interface Stats {
  median: number;
  p95: number;
}

const stats = (xs: number[]): Stats => ({ median: median(xs), p95: percentile(xs, 95) });

/**
 * Runs the intake API handler in this process (with the env the local cloud
 * gives that function), records the TransactWriteItems it sends, and replays
 * the same transaction with fresh ids as the bare baseline.
 */
export async function benchProposalLatency(
  cloud: LocalCloud,
  buildEvent: typeof BuildEvent,
  n = 300,
) {
  const spec = [...cloud.functions.byId.values()]
    .map((f) => f.spec)
    .find((s) => s.entry.endsWith("intake/src/handlers/api.ts"));
  if (!spec) throw new Error("no intake api function in the template");
  Object.assign(process.env, spec.env);
  (globalThis as { __PENCAI_CITY__?: unknown }).__PENCAI_CITY__ = cloud.city;

  const runtime = await import("@pencai/runtime/clients");
  const { handler } = (await import(spec.entry)) as {
    handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
  };

  let captured: TransactWriteItemsCommandInput | undefined;
  runtime.ddb.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (ctx.commandName === "TransactWriteItemsCommand")
        captured = structuredClone(args.input as TransactWriteItemsCommandInput);
      return next(args);
    },
    { step: "build", name: "benchCapture" },
  );

  const district = cloud.city.districts[0]!;
  const street = district.streets[0]!;
  const community = street.communities[0]!;
  const claims = {
    sub: "bench-resident",
    roles: ["resident"],
    districtId: district.id,
    streetId: street.id,
    communityId: community.id,
    householdId: "hh-bench",
  };
  const token = await cloud.token(claims);
  const year = new Date().getUTCFullYear();

  const send = async (
    method: string,
    url: string,
    routeKey: string,
    body: unknown,
    pathParameters: Record<string, string> = {},
  ) => {
    const raw = Buffer.from(JSON.stringify(body));
    const event = buildEvent(
      {
        method,
        url,
        rawHeaders: ["authorization", `Bearer ${token}`, "content-type", "application/json"],
        body: raw,
        sourceIp: "127.0.0.1",
      },
      {
        routeKey,
        pathParameters,
        requestId: ulid(),
        timeEpoch: Date.now(),
        apiId: "bench",
        domainName: "127.0.0.1",
      },
    );
    return handler(event, {
      awsRequestId: ulid(),
      functionName: spec.name,
      getRemainingTimeInMillis: () => 30_000,
    });
  };

  const need = await send("POST", "/v1/needs", "POST /v1/needs", {
    communityId: community.id,
    title: `bench need ${ulid()}`,
    description: "bench",
  });
  const needId = JSON.parse(need.body).id as string;
  const rules = cloud.city.rules;
  const listed = new Set(rules.categoryList.categories);
  const category = rules.categories
    .map((c) => c.id)
    .find((c) => (rules.categoryList.mode === "positive" ? listed.has(c) : !listed.has(c)))!;
  const body = () => ({
    communityId: community.id,
    kind: "works",
    category,
    title: "bench proposal",
    summary: "bench",
    beneficiaries: 10,
    budgetFen: 10_000,
    needIds: [needId],
    year,
  });

  // warm up: JWKS fetch, connections, JIT
  for (let i = 0; i < 30; i++) await send("POST", "/v1/proposals", "POST /v1/proposals", body());
  if (!captured) throw new Error("the handler sent no TransactWriteItems");
  const template = JSON.stringify(captured);
  const oldIds = [...new Set(template.match(/[0-9A-HJKMNP-TV-Z]{26}/g) ?? [])].filter(
    (id) => id !== needId,
  );
  const fresh = (): TransactWriteItemsCommandInput => {
    let s = template;
    for (const id of oldIds) s = s.replaceAll(id, ulid());
    return JSON.parse(s);
  };

  const handlerMs: number[] = [];
  const bareMs: number[] = [];
  const client = new DynamoDBClient({}); // same env-driven config as the handler's client
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    const res = await send("POST", "/v1/proposals", "POST /v1/proposals", body());
    handlerMs.push(performance.now() - t);
    if (res.statusCode !== 201) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
    const input = fresh();
    t = performance.now();
    await client.send(new TransactWriteItemsCommand(input));
    bareMs.push(performance.now() - t);
  }
  const withCapacity = await client.send(
    new TransactWriteItemsCommand({ ...fresh(), ReturnConsumedCapacity: "TOTAL" }),
  );
  const capacity = (withCapacity.ConsumedCapacity ?? [])
    .map(
      (c) =>
        `${c.TableName}: ${c.CapacityUnits} capacity units (transactional writes count double)`,
    )
    .join("; ");
  return {
    n,
    handler: stats(handlerMs),
    bare: stats(bareMs),
    items: captured.TransactItems?.length ?? 0,
    capacity: capacity || "not reported",
  };
}
