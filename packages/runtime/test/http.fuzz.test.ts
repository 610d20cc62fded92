import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "things";
});

import { httpApi, route } from "../src/http.js";
import { Tx } from "../src/tx.js";
import { createThing, getGeo, listThings, withdrawThing } from "./fixtures/routes.js";
import { context, httpEvent, startJwks, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);

const handler = httpApi({
  service: "fuzz",
  routes: [
    route(getGeo, async () => ({ body: { cityId: "testcity" } })),
    route(listThings, async () => ({ body: { items: [] } })),
    route(createThing, async (req) => {
      return {
        body: { id: "t1", title: req.body.title },
        tx: new Tx("things").put({ pk: "T#1", sk: "T", ...req.body }),
      };
    }),
    route(withdrawThing, async () => ({ body: { status: "withdrawn" as const } })),
  ],
});

let jwks: Awaited<ReturnType<typeof startJwks>>;
let tokens: string[];
beforeAll(async () => {
  useTestCity();
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  jwks = await startJwks();
  tokens = [
    await jwks.sign({ sub: "u1", roles: ["resident"], communityId: "c1" }),
    await jwks.sign({ sub: "s1", roles: ["community_staff", "street_staff"], streetId: "s1" }),
  ];
});
afterAll(async () => {
  ddb.reset();
  await jwks.close();
});

const routeKeys = [
  "GET /v1/geo",
  "GET /v1/communities/{communityId}/things",
  "POST /v1/things",
  "POST /v1/things/{id}/withdraw",
  "DELETE /v1/things",
  "$default",
];

const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc
    .record({
      communityId: fc.oneof(fc.string(), fc.integer()),
      title: fc.oneof(fc.string(), fc.constant(null)),
      budgetFen: fc.oneof(fc.integer(), fc.double(), fc.string()),
      tags: fc.option(fc.array(fc.string())),
    })
    .map((o) => JSON.stringify(o)),
  fc.constant('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}'),
);

const request = fc.record({
  routeKey: fc.constantFrom(...routeKeys),
  token: fc.option(fc.nat({ max: 3 })),
  rawBody: fc.option(jsonish),
  base64: fc.boolean(),
  headers: fc.dictionary(
    fc.constantFrom(
      "idempotency-key",
      "x-correlation-id",
      "content-type",
      "authorization",
      "X-Weird",
      "Idempotency-Key",
    ),
    fc.string({ maxLength: 200 }),
  ),
  query: fc.dictionary(
    fc.constantFrom("limit", "open", "ids", "year", "cursor", "zzz"),
    fc.string(),
  ),
  id: fc.string(),
});

describe("request parsing (fuzz)", () => {
  it("never crashes and always answers JSON or problem+json with a 2xx/4xx status", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const token = r.token === null ? undefined : (tokens[r.token] ?? "junk.token.here");
        const event = httpEvent(r.routeKey === "$default" ? "POST /v1/things" : r.routeKey, {
          pathParameters: { communityId: r.id || "c1", id: r.id || "t1" },
          query: r.query,
          headers: r.headers,
          ...(r.rawBody === null
            ? {}
            : {
                rawBody: r.base64 ? Buffer.from(r.rawBody).toString("base64") : r.rawBody,
                isBase64Encoded: r.base64,
              }),
          ...(token ? { token } : {}),
        });
        if (r.routeKey === "$default") event.routeKey = "$default";

        const res = await handler(event, context);

        const status = res.statusCode ?? 0;
        expect(status).toBeGreaterThanOrEqual(200);
        expect(status).toBeLessThan(500);
        if (res.body !== undefined) {
          expect(["application/json", "application/problem+json"]).toContain(
            res.headers?.["content-type"],
          );
          const body = JSON.parse(res.body);
          if (status >= 400)
            expect(body).toMatchObject({ status: res.statusCode, code: expect.any(String) });
        }
        expect(res.headers?.["x-correlation-id"]).toBeTruthy();
      }),
      { numRuns: 400 },
    );
  });
});
