import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { buildEvent as BuildEvent } from "@pencai/local/apigw";
import type { LocalCloud } from "@pencai/local/cloud";
import { ulid } from "ulid";
import { median, percentile } from "./bundles.js";

/**
 * A warm handler against the bare DynamoDB calls it makes: the API handler runs in this process
 * (with the env the local cloud gives its function), every DynamoDB command it sends during one
 * request is recorded with when it started and ended, and the same commands (fresh ids in the
 * writes) are replayed as the baseline, those that were in flight together again together.
 */

interface Stats {
  median: number;
  p95: number;
}
export interface RouteLatency {
  route: string;
  n: number;
  handler: Stats;
  bare: Stats;
  /** the baseline's shape: each wave's commands, e.g. "GetItem | TransactWriteItems(4)" */
  calls: string;
  capacity: string;
}

const stats = (xs: number[]): Stats => ({ median: median(xs), p95: percentile(xs, 95) });

type Handler = (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
interface Call {
  name: string;
  input: Record<string, unknown>;
  start: number;
  end: number;
}
/** The low-level commands a handler sends (the document client marshals into these). */
const commands = {
  GetItemCommand,
  QueryCommand,
  BatchGetItemCommand,
  TransactWriteItemsCommand,
} as const;

/** The API function of a service, loaded in this process with its env. */
async function apiOf(cloud: LocalCloud, service: string) {
  const spec = [...cloud.functions.byId.values()]
    .map((f) => f.spec)
    .find((s) => s.entry.endsWith(`${service}/src/handlers/api.ts`));
  if (!spec) throw new Error(`no ${service} api function in the template`);
  Object.assign(process.env, spec.env);
  (globalThis as { __PENCAI_CITY__?: unknown }).__PENCAI_CITY__ = cloud.city;
  const { handler } = (await import(spec.entry)) as { handler: Handler };
  return { spec, handler };
}

/** Records what the runtime's DynamoDB client sends, while `recording` is set (one per process). */
let installed: ReturnType<typeof install> | undefined;
const recorder = () => {
  installed ??= install();
  return installed;
};
async function install() {
  const runtime = await import("@pencai/runtime/clients");
  let recording: Call[] | undefined;
  runtime.ddb.middlewareStack.add(
    (next, ctx) => async (args) => {
      const log = recording;
      const start = performance.now();
      const out = await next(args);
      log?.push({
        name: ctx.commandName ?? "unknown",
        input: structuredClone(args.input as Record<string, unknown>),
        start,
        end: performance.now(),
      });
      return out;
    },
    { step: "build", name: "benchRecord" },
  );
  return {
    async during<T>(fn: () => Promise<T>): Promise<{ out: T; calls: Call[] }> {
      recording = [];
      try {
        const out = await fn();
        return { out, calls: recording };
      } finally {
        recording = undefined;
      }
    },
  };
}

/** Calls grouped into waves: a call joins the wave it overlaps, else starts the next one. */
function waves(calls: Call[]): Call[][] {
  const out: Call[][] = [];
  let waveEnd = Number.NEGATIVE_INFINITY;
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    if (out.length && c.start < waveEnd) {
      out.at(-1)!.push(c);
      waveEnd = Math.max(waveEnd, c.end);
    } else {
      out.push([c]);
      waveEnd = c.end;
    }
  }
  return out;
}

/** A minted API Gateway event for the handler, with `token`. */
function sender(
  buildEvent: typeof BuildEvent,
  handler: Handler,
  functionName: string,
  token: string,
) {
  return (
    method: string,
    url: string,
    routeKey: string,
    body: unknown,
    pathParameters: Record<string, string> = {},
  ) => {
    const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
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
      functionName,
      getRemainingTimeInMillis: () => 30_000,
    });
  };
}
type Send = ReturnType<typeof sender>;

/**
 * Measures one route: `request` (warmed up first) against the replay of the calls it makes.
 * `keep` lists ids the replay must not renew (things the writes refer to, not create).
 */
async function measure(opts: {
  route: string;
  request: () => ReturnType<Send>;
  expect: number;
  keep: string[];
  n: number;
}): Promise<RouteLatency> {
  const rec = await recorder();
  let sample: Call[] = [];
  // warm up: JWKS fetch, connections, JIT
  for (let i = 0; i < 30; i++) {
    const { out, calls } = await rec.during(opts.request);
    if (out.statusCode !== opts.expect) {
      throw new Error(`${opts.route} answered ${out.statusCode}: ${out.body}`);
    }
    sample = calls;
  }
  if (!sample.some((c) => c.name === "TransactWriteItemsCommand")) {
    throw new Error(`${opts.route} sent no TransactWriteItems`);
  }
  const plan = waves(sample);
  const template = JSON.stringify(plan.map((w) => w.map(({ name, input }) => ({ name, input }))));
  const renew = [...new Set(template.match(/[0-9A-HJKMNP-TV-Z]{26}/g) ?? [])].filter(
    (id) => !opts.keep.includes(id),
  );
  const client = new DynamoDBClient({}); // the same env-driven config as the handler's client
  const replay = async (extra: Record<string, unknown> = {}) => {
    let s = template;
    for (const id of renew) s = s.replaceAll(id, ulid());
    const fresh = JSON.parse(s) as { name: keyof typeof commands; input: object }[][];
    const capacity: string[] = [];
    for (const wave of fresh) {
      await Promise.all(
        wave.map(async ({ name, input }) => {
          const isWrite = name === "TransactWriteItemsCommand";
          const Command = commands[name] as unknown as new (i: object) => never;
          if (!Command) throw new Error(`the replay does not know ${name}`);
          const out = (await client.send(new Command({ ...input, ...(isWrite ? extra : {}) }))) as {
            ConsumedCapacity?: { TableName?: string; CapacityUnits?: number }[];
          };
          for (const c of out.ConsumedCapacity ?? []) {
            capacity.push(`${c.TableName}: ${c.CapacityUnits} capacity units`);
          }
        }),
      );
    }
    return capacity;
  };

  const handlerMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < opts.n; i++) {
    let t = performance.now();
    const res = await opts.request();
    handlerMs.push(performance.now() - t);
    if (res.statusCode !== opts.expect) {
      throw new Error(`${opts.route} answered ${res.statusCode}: ${res.body}`);
    }
    t = performance.now();
    await replay();
    bareMs.push(performance.now() - t);
  }
  const capacity = await replay({ ReturnConsumedCapacity: "TOTAL" });
  const shape = plan
    .map((w) =>
      w
        .map((c) => {
          const name = c.name.replace(/Command$/, "");
          const items = (c.input as { TransactItems?: unknown[] }).TransactItems?.length;
          return items ? `${name}(${items} items)` : name;
        })
        .join(" + "),
    )
    .join(" -> ");
  return {
    route: opts.route,
    n: opts.n,
    handler: stats(handlerMs),
    bare: stats(bareMs),
    calls: shape,
    capacity: capacity.length
      ? `${capacity.join("; ")} (transactional writes count double)`
      : "not reported",
  };
}

/** POST /v1/proposals: a resident files a proposal (intake). */
async function proposalLatency(
  cloud: LocalCloud,
  buildEvent: typeof BuildEvent,
  n: number,
): Promise<RouteLatency> {
  const { spec, handler } = await apiOf(cloud, "intake");
  const district = cloud.city.districts[0]!;
  const street = district.streets[0]!;
  const community = street.communities[0]!;
  const token = await cloud.token({
    sub: "bench-resident",
    roles: ["resident"],
    districtId: district.id,
    streetId: street.id,
    communityId: community.id,
    householdId: "hh-bench",
  });
  const send = sender(buildEvent, handler, spec.name, token);
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
  const year = new Date().getUTCFullYear();
  return measure({
    route: "POST /v1/proposals",
    request: () =>
      send("POST", "/v1/proposals", "POST /v1/proposals", {
        communityId: community.id,
        kind: "works",
        category,
        title: "bench proposal",
        summary: "bench",
        beneficiaries: 10,
        budgetFen: 10_000,
        needIds: [needId],
        year,
      }),
    expect: 201,
    keep: [needId],
    n,
  });
}

/**
 * POST /v1/proposals/{id}/payments: the street pays 1 fen of a funded project at 100% progress
 * (evaluation). The project reaches evaluation's table through its own inbox code (the events
 * intake and approval would send), its plan and progress through the API.
 */
async function paymentLatency(
  cloud: LocalCloud,
  buildEvent: typeof BuildEvent,
  n: number,
): Promise<RouteLatency> {
  const { spec, handler } = await apiOf(cloud, "evaluation");
  const district = cloud.city.districts[0]!;
  const street = district.streets[0]!;
  const community = street.communities[0]!;
  const token = await cloud.token({
    sub: "bench-street",
    roles: ["street_staff"],
    districtId: district.id,
    streetId: street.id,
  });
  const send = sender(buildEvent, handler, spec.name, token);
  const id = ulid();
  const { onSubmitted, onApproved, onDisbursed } = await import(
    "../../services/evaluation/src/domain/project.js"
  );
  const store = await import("../../services/evaluation/src/store.js");
  const now = new Date().toISOString();
  const year = new Date().getUTCFullYear();
  const budgetFen = 50_000_000;
  const envelope = <T>(type: string, data: T) =>
    ({
      id: ulid(),
      type,
      version: 1,
      occurredAt: now,
      cityId: cloud.city.id,
      proposalId: id,
      communityId: community.id,
      actor: { sub: "bench-proposer", roles: ["resident"] },
      correlationId: "bench",
      data,
    }) as never;
  let p = onSubmitted(
    undefined,
    envelope("ProposalSubmitted", {
      proposalId: id,
      communityId: community.id,
      streetId: street.id,
      districtId: district.id,
      kind: "works",
      category: "bench",
      title: "bench project",
      budgetFen,
      selfRaisedFen: 0,
      sponsorFen: 0,
      programmeFen: budgetFen,
      year,
      needIds: [],
    }),
  ).project;
  p = onApproved(
    p,
    envelope("ProposalApproved", {
      proposalId: id,
      communityId: community.id,
      districtId: district.id,
      year,
      budgetFen,
      programmeFen: budgetFen,
      approvedAt: now,
    }),
  ).project;
  p = onDisbursed(
    p,
    envelope("FundsDisbursed", {
      proposalId: id,
      communityId: community.id,
      year,
      disbursementId: ulid(),
      amountFen: budgetFen,
      totalDisbursedFen: budgetFen,
      approvedFen: budgetFen,
      fullyDisbursed: true,
      reference: "bench",
      disbursedAt: now,
    }),
  ).project;
  await store.putProject(store.newTx(), p, undefined).commit();
  const base = `/v1/proposals/${id}`;
  const plan = await send(
    "POST",
    `${base}/implementation`,
    "POST /v1/proposals/{id}/implementation",
    {
      owner: { sub: "bench-owner", name: "负责人" },
      implementer: { kind: "street" },
      milestones: [{ percent: 100, description: "完工", dueOn: `${year}-12-31` }],
    },
    { id },
  );
  if (plan.statusCode !== 201) throw new Error(`implementation: ${plan.statusCode} ${plan.body}`);
  const progress = await send(
    "POST",
    `${base}/progress`,
    "POST /v1/proposals/{id}/progress",
    { percent: 100, note: "bench", evidenceIds: [] },
    { id },
  );
  if (progress.statusCode !== 201) throw new Error(`progress: ${progress.statusCode}`);
  return measure({
    route: "POST /v1/proposals/{id}/payments",
    request: () =>
      send(
        "POST",
        `${base}/payments`,
        "POST /v1/proposals/{id}/payments",
        { milestonePercent: 100, amountFen: 1, payee: "bench payee", reference: "bench" },
        { id },
      ),
    expect: 201,
    keep: [id],
    n,
  });
}

/** Both routes, one after the other (each loads its service's function with its env). */
export async function benchRouteLatency(
  cloud: LocalCloud,
  buildEvent: typeof BuildEvent,
  n = 300,
): Promise<RouteLatency[]> {
  return [await proposalLatency(cloud, buildEvent, n), await paymentLatency(cloud, buildEvent, n)];
}
