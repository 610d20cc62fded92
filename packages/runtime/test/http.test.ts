import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "things";
});

import { rule, stale } from "@pencai/contracts/errors";
import { newEvent } from "../src/events.js";
import { httpApi, route } from "../src/http.js";
import { idempotencyKey, requestHash } from "../src/idempotency.js";
import { logger } from "../src/logger.js";
import { Tx } from "../src/tx.js";
import { bulkThings, createThing, getGeo, listThings, withdrawThing } from "./fixtures/routes.js";
import { context, httpEvent, json, startJwks, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);

/** How often createThing's handler ran, and its `after` hook. */
const runs = { handler: 0, after: 0 };

const handler = httpApi({
  service: "test",
  routes: [
    route(getGeo, async () => ({ body: { cityId: "testcity" } })),
    route(listThings, async (req) => ({ body: { items: [req.params, req.query] } })),
    route(createThing, async (req) => {
      runs.handler++;
      const event = newEvent({
        type: "NeedRaised",
        actor: req.principal!,
        correlationId: req.correlationId,
        data: { title: req.body.title },
        now: req.now,
      });
      const tx = new Tx("things")
        .put(
          { pk: `THING#${event.id}`, sk: "THING", title: req.body.title },
          { condition: "attribute_not_exists(pk)", onFail: stale("the thing") },
        )
        .check(
          { pk: "BUDGET#c1", sk: "BUDGET" },
          {
            condition: "remainingFen >= :b",
            values: { ":b": req.body.budgetFen },
            onFail: rule("budget_cap_exceeded", "over the cap"),
          },
        )
        .event(event);
      return {
        body: { id: event.id, title: req.body.title },
        tx,
        after: () => {
          runs.after++;
        },
      };
    }),
    route(withdrawThing, async () => ({ body: { status: "withdrawn" as const } })),
    route(bulkThings, async (req) => ({ body: { count: req.body.titles.length } })),
  ],
});

let jwks: Awaited<ReturnType<typeof startJwks>>;
let residentToken: string;
let staffToken: string;

beforeAll(async () => {
  useTestCity();
  jwks = await startJwks();
  residentToken = await jwks.sign({ sub: "u1", roles: ["resident"], communityId: "c1" });
  staffToken = await jwks.sign({
    sub: "s1",
    "cognito:groups": ["community_staff"],
    "custom:communityId": "c1",
  });
});
afterAll(() => jwks.close());
afterEach(() => {
  ddb.reset();
  runs.handler = 0;
  runs.after = 0;
});

const validBody = { communityId: "c1", title: "Benches", budgetFen: 100_000 };

function expectProblem(res: Awaited<ReturnType<typeof handler>>, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers?.["content-type"]).toBe("application/problem+json");
  const problem = json(res);
  expect(problem).toMatchObject({ status, code, type: `https://pencai.dev/problems/${code}` });
  expect(typeof problem.title).toBe("string");
  expect(typeof problem.detail).toBe("string");
  return problem;
}

describe("routing", () => {
  it("answers a public route without a token and ignores a bad one", async () => {
    const plain = await handler(httpEvent("GET /v1/geo"), context);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers?.["content-type"]).toBe("application/json");
    expect(json(plain)).toEqual({ cityId: "testcity" });

    const withJunk = await handler(httpEvent("GET /v1/geo", { token: "not-a-jwt" }), context);
    expect(withJunk.statusCode).toBe(200);
  });

  it("lets a public GET be cached and revalidated, and never a token's view", async () => {
    const first = await handler(httpEvent("GET /v1/geo"), context);
    const etag = first.headers?.etag as string;
    expect(first.headers?.["cache-control"]).toBe("public, max-age=60");
    expect(etag).toMatch(/^"[\w-]{22}"$/);

    const again = await handler(
      httpEvent("GET /v1/geo", { headers: { "If-None-Match": etag } }),
      context,
    );
    expect(again.statusCode).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers?.etag).toBe(etag);
    expect(again.headers?.["x-correlation-id"]).toBe("req-1");

    const staff = await handler(
      httpEvent("GET /v1/communities/{communityId}/things", {
        pathParameters: { communityId: "c1" },
        token: staffToken,
        headers: { "if-none-match": "*" },
      }),
      context,
    );
    expect(staff.statusCode).toBe(200);
    expect(staff.headers?.["cache-control"]).toBe("no-store");
    expect(staff.headers?.etag).toBeUndefined();
    const refused = await handler(httpEvent("GET /v1/nothing"), context);
    expect(refused.headers?.["cache-control"]).toBe("no-store");
  });

  it("404s an unknown route with problem+json", async () => {
    expectProblem(await handler(httpEvent("GET /v1/nothing"), context), 404, "not_found");
  });

  it("matches by method and path when the route key is $default", async () => {
    const event = httpEvent("GET /v1/communities/{communityId}/things", {
      path: "/v1/communities/c1/things",
      token: staffToken,
    });
    event.routeKey = "$default";
    const res = await handler(event, context);
    expect(res.statusCode).toBe(200);
    expect(json(res).items[0]).toEqual({ communityId: "c1" });
  });

  it("echoes the caller's correlation id, or uses the request id", async () => {
    const given = await handler(
      httpEvent("GET /v1/geo", { headers: { "x-correlation-id": "abc-123" } }),
      context,
    );
    expect(given.headers?.["x-correlation-id"]).toBe("abc-123");
    const fallback = await handler(
      httpEvent("GET /v1/geo", { headers: { "x-correlation-id": "bad id\n" } }),
      context,
    );
    expect(fallback.headers?.["x-correlation-id"]).toBe("req-1");
    const problem = await handler(httpEvent("GET /v1/nothing"), context);
    expect(problem.headers?.["x-correlation-id"]).toBe("req-1");
  });

  it("logs route, status and latency, never bodies or tokens", async () => {
    const info = vi.spyOn(logger, "info");
    ddb.on(TransactWriteCommand).resolves({});
    await handler(httpEvent("POST /v1/things", { token: residentToken, body: validBody }), context);
    const logged = JSON.stringify(info.mock.calls);
    expect(info).toHaveBeenCalledWith(
      "request",
      expect.objectContaining({ route: "POST /v1/things", status: 201 }),
    );
    expect(logged).not.toContain("Benches");
    expect(logged).not.toContain(residentToken);
    info.mockRestore();
  });
});

describe("auth", () => {
  it("401s a missing, malformed, forged, expired or foreign token", async () => {
    const key = "POST /v1/things";
    const cases = [
      undefined,
      "garbage",
      await jwks.sign({ sub: "u1", roles: ["resident"] }, { key: "other" }),
      await jwks.sign(
        { sub: "u1", roles: ["resident"] },
        { expiresIn: Math.floor(Date.now() / 1000) - 120 }, // beyond the 60 s skew
      ),
      await jwks.sign({ sub: "u1", roles: ["resident"] }, { issuer: "https://evil.test" }),
      await jwks.sign({ sub: "u1", roles: ["resident"] }, { audience: "someone-else" }),
    ];
    for (const token of cases) {
      const res = await handler(
        httpEvent(key, { body: validBody, ...(token ? { token } : {}) }),
        context,
      );
      expectProblem(res, 401, "unauthenticated");
    }
    const notBearer = await handler(
      httpEvent(key, { body: validBody, headers: { authorization: `Basic ${residentToken}` } }),
      context,
    );
    expectProblem(notBearer, 401, "unauthenticated");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("401s Cognito access tokens: they carry groups but no jurisdiction claims", async () => {
    const token = await jwks.sign(
      { sub: "s9", client_id: "pencai-test", "cognito:groups": ["street_staff"] },
      { audience: null, tokenUse: "access" },
    );
    const res = await handler(
      httpEvent("GET /v1/communities/{communityId}/things", {
        pathParameters: { communityId: "c1" },
        token,
      }),
      context,
    );
    expectProblem(res, 401, "unauthenticated");
  });

  it("fetches the key set once per container (within its maximum age)", async () => {
    expect(jwks.requests()).toBe(1);
  });

  it("403s a caller without an allowed role", async () => {
    const res = await handler(
      httpEvent("GET /v1/communities/{communityId}/things", {
        pathParameters: { communityId: "c1" },
        token: residentToken,
      }),
      context,
    );
    expectProblem(res, 403, "forbidden");
  });
});

describe("validation", () => {
  it("400s malformed JSON", async () => {
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, rawBody: "{nope" }),
      context,
    );
    const problem = expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "body", message: "malformed JSON" }]);
  });

  it("400s schema failures with a path per field, including unknown fields", async () => {
    const res = await handler(
      httpEvent("POST /v1/things", {
        token: residentToken,
        body: { communityId: "c1", title: "", budgetFen: -5.5, extra: true },
      }),
      context,
    );
    const problem = expectProblem(res, 400, "validation_failed");
    const paths = problem.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["body.title", "body.budgetFen", "body"]));
    expect(problem.errors.find((e: { path: string }) => e.path === "body").message).toMatch(
      /extra/,
    );
    expect(problem.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
  });

  it("400s a missing body", async () => {
    expectProblem(
      await handler(httpEvent("POST /v1/things", { token: residentToken }), context),
      400,
      "validation_failed",
    );
  });

  it("coerces query and path strings to the schema's types", async () => {
    const res = await handler(
      httpEvent("GET /v1/communities/{communityId}/things", {
        pathParameters: { communityId: "c1" },
        query: { limit: "20", open: "true", ids: "a,b", year: "2026" },
        token: staffToken,
      }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(json(res).items[1]).toEqual({ limit: 20, open: true, ids: ["a", "b"], year: 2026 });
  });

  it("400s query values that are not what the schema expects", async () => {
    const res = await handler(
      httpEvent("GET /v1/communities/{communityId}/things", {
        pathParameters: { communityId: "c1" },
        query: { limit: "lots", year: "2026.5" },
        token: staffToken,
      }),
      context,
    );
    const problem = expectProblem(res, 400, "validation_failed");
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "query.limit",
      "query.year",
    ]);
  });

  it("413s a body over 64 KiB, also when base64-encoded", async () => {
    const big = JSON.stringify({ ...validBody, title: "x".repeat(70_000) });
    expectProblem(
      await handler(httpEvent("POST /v1/things", { token: residentToken, rawBody: big }), context),
      413,
      "payload_too_large",
    );
    const encoded = Buffer.from(big).toString("base64");
    expectProblem(
      await handler(
        httpEvent("POST /v1/things", {
          token: residentToken,
          rawBody: encoded,
          isBase64Encoded: true,
        }),
        context,
      ),
      413,
      "payload_too_large",
    );
  });

  it("takes a larger body where the route says so (maxBodyBytes), and 413s beyond it", async () => {
    const body = (bytes: number) => JSON.stringify({ titles: ["x".repeat(bytes)] });
    const ok = await handler(
      httpEvent("PUT /v1/things/bulk", { token: staffToken, rawBody: body(100_000) }),
      context,
    );
    expect(ok.statusCode).toBe(200);
    expect(json(ok)).toEqual({ count: 1 });
    expectProblem(
      await handler(
        httpEvent("PUT /v1/things/bulk", { token: staffToken, rawBody: body(140_000) }),
        context,
      ),
      413,
      "payload_too_large",
    );
  });

  it("decodes base64 bodies", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const rawBody = Buffer.from(JSON.stringify({ ...validBody, title: "长椅" })).toString("base64");
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, rawBody, isBase64Encoded: true }),
      context,
    );
    expect(res.statusCode).toBe(201);
    expect(json(res).title).toBe("长椅");
  });
});

describe("writes", () => {
  it("costs exactly one TransactWriteItems without an Idempotency-Key", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, body: validBody }),
      context,
    );
    expect(res.statusCode).toBe(201);
    expect(ddb.calls()).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3); // state, budget check, outbox; no idempotency record
    expect(items[2]!.Put!.Item).toMatchObject({ sk: "OUTBOX", outboxPending: "PENDING" });
  });

  it("maps a failed condition to the item's problem (422) and writes nothing else", async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        CancellationReasons: [
          { Code: "None" },
          { Code: "ConditionalCheckFailed" },
          { Code: "None" },
        ],
      }),
    );
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, body: validBody }),
      context,
    );
    expectProblem(res, 422, "budget_cap_exceeded");
  });

  it("runs the handler again when its commit loses an optimistic-concurrency race", async () => {
    const lost = new TransactionCanceledException({
      message: "cancelled",
      $metadata: {},
      CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }, { Code: "None" }],
    });
    ddb.on(TransactWriteCommand).rejectsOnce(lost).rejectsOnce(lost).resolves({});
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, body: validBody }),
      context,
    );
    expect(res.statusCode).toBe(201);
    expect(runs).toEqual({ handler: 3, after: 1 }); // read-decide-commit three times, after once
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });

  it("does not run `after` when the commit fails", async () => {
    ddb.on(TransactWriteCommand).rejects(new Error("socket hang up"));
    await handler(httpEvent("POST /v1/things", { token: residentToken, body: validBody }), context);
    expect(runs.after).toBe(0);
  });

  it("hides unexpected errors behind a 500 problem", async () => {
    ddb.on(TransactWriteCommand).rejects(new Error("socket hang up"));
    const res = await handler(
      httpEvent("POST /v1/things", { token: residentToken, body: validBody }),
      context,
    );
    const problem = expectProblem(res, 500, "internal");
    expect(problem.detail).not.toContain("socket");
  });
});

describe("idempotency", () => {
  const key = "8d3c6a7e-retry";
  const send = (
    body: unknown = validBody,
    headers: Record<string, string> = { "idempotency-key": key },
  ) => handler(httpEvent("POST /v1/things", { token: residentToken, body, headers }), context);
  const hashOf = (body: unknown) => requestHash("POST /v1/things", undefined, undefined, body);

  it("stores the reply in the same transaction as the state change", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const res = await send();
    expect(res.statusCode).toBe(201);
    const get = ddb.commandCalls(GetCommand)[0]!.args[0].input;
    expect(get).toMatchObject({ Key: { pk: `IDEM#u1#${key}`, sk: "IDEM" }, ConsistentRead: true });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const record = items.at(-1)!.Put!;
    expect(record.Item).toMatchObject({
      pk: `IDEM#u1#${key}`,
      sk: "IDEM",
      requestHash: hashOf(validBody),
      reply: { status: 201, body: res.body },
    });
    expect(record.ConditionExpression).toContain("attribute_not_exists(pk)");
  });

  it("replays the stored reply for the same body, without running the handler", async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        requestHash: hashOf(validBody),
        reply: { status: 201, body: '{"id":"first","title":"Benches"}' },
      },
    });
    const res = await send();
    expect(res.statusCode).toBe(201);
    expect(res.headers?.["idempotent-replayed"]).toBe("true");
    expect(json(res)).toEqual({ id: "first", title: "Benches" });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("422s the same key with a different body", async () => {
    ddb
      .on(GetCommand)
      .resolves({ Item: { requestHash: hashOf(validBody), reply: { status: 201, body: "{}" } } });
    expectProblem(await send({ ...validBody, budgetFen: 1 }), 422, "idempotency_key_reused");
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("hashes key order away (canonical JSON)", () => {
    expect(hashOf({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(hashOf({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(hashOf({ a: 1 })).not.toBe(
      requestHash("POST /v1/other", undefined, undefined, { a: 1 }),
    );
  });

  it("400s a key longer than 128 characters, or with spaces or control characters", async () => {
    for (const bad of ["k".repeat(129), "two words", "tab\there", "中文"]) {
      expectProblem(await send(validBody, { "idempotency-key": bad }), 400, "validation_failed");
    }
    expect(ddb.calls()).toHaveLength(0);
  });

  it("keys records so that no two (sub, key) pairs share one", () => {
    const pairs = [
      ["a", "b#c"],
      ["a#b", "c"],
      ["a", "b%23c"],
      ["a%23b", "c"],
    ] as const;
    const pks = pairs.map(([sub, k]) => idempotencyKey(sub, k).pk);
    expect(new Set(pks).size).toBe(pairs.length);
  });

  it("settles a race: the loser replays the winner's reply", async () => {
    const winner = '{"id":"winner","title":"Benches"}';
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: { requestHash: hashOf(validBody), reply: { status: 201, body: winner } } });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        // the budget check fails too (the winner used the budget): the replay still wins
        CancellationReasons: [
          { Code: "None" },
          { Code: "ConditionalCheckFailed" },
          { Code: "None" },
          { Code: "ConditionalCheckFailed" },
        ],
      }),
    );
    const res = await send();
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe(winner);
    expect(res.headers?.["idempotent-replayed"]).toBe("true");
  });

  it("ends two concurrent identical requests with the same reply", async () => {
    // A tiny model of DynamoDB: the first transaction to commit the record wins.
    const table = new Map<string, Record<string, unknown>>();
    ddb.on(GetCommand).callsFake(async (input) => ({ Item: table.get(input.Key.pk) }));
    ddb.on(TransactWriteCommand).callsFake(async (input) => {
      await new Promise((r) => setTimeout(r, 5));
      const items = input.TransactItems as { Put?: { Item: Record<string, unknown> } }[];
      const record = items.find((i) => String(i.Put?.Item.pk).startsWith("IDEM#"))!.Put!.Item;
      if (table.has(String(record.pk))) {
        throw new TransactionCanceledException({
          message: "cancelled",
          $metadata: {},
          CancellationReasons: items.map((i) => ({
            Code: i === items.at(-1) ? "ConditionalCheckFailed" : "None",
          })),
        });
      }
      table.set(String(record.pk), record);
      return {};
    });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(a.body).toBe(b.body);
    expect([a.headers?.["idempotent-replayed"], b.headers?.["idempotent-replayed"]].sort()).toEqual(
      ["true", undefined],
    );
  });

  it("ignores the header on routes that are not idempotent", async () => {
    const res = await handler(
      httpEvent("GET /v1/geo", { headers: { "idempotency-key": key } }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("stores a record for a handler that wrote nothing, so its retry replays it", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const res = await handler(
      httpEvent("POST /v1/things/{id}/withdraw", {
        pathParameters: { id: "t1" },
        token: residentToken,
        headers: { "idempotency-key": key },
      }),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: "withdrawn" });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(1);
    expect(items[0]!.Put!.Item).toMatchObject({ pk: `IDEM#u1#${key}`, reply: { status: 200 } });
  });
});
