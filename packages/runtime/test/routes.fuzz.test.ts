import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { allRoutes, type RouteDef, roles } from "@pencai/contracts";
import { isDomainError } from "@pencai/contracts/errors";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "fuzz";
});

import { decodeCursor, encodeCursor } from "../src/cursor.js";
import { httpApi, route } from "../src/http.js";
import { context, httpEvent, startJwks, useTestCity } from "./support.js";

// Every route of the contract (`allRoutes`), fuzzed through the runtime's request pipeline: auth,
// coercion and validation of params, query and body, idempotency keys. The handlers behind it
// only record that they ran, with what: whatever the request, the answer is JSON or
// problem+json, never a 500, and a handler only ever sees values its route's schemas accept.

const ddb = mockClient(DynamoDBDocumentClient);
const seen: { route: RouteDef; body: unknown; query: unknown; params: unknown }[] = [];

const handler = httpApi({
  service: "fuzz",
  routes: allRoutes.map((def) =>
    route(def as RouteDef, async (req) => {
      seen.push({ route: def, body: req.body, query: req.query, params: req.params });
      return { body: {} as never };
    }),
  ),
});

let jwks: Awaited<ReturnType<typeof startJwks>>;
let tokens: string[];
beforeAll(async () => {
  useTestCity();
  ddb.on(GetCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
  jwks = await startJwks();
  // every role, with a place claim, without, and city-wide
  tokens = await Promise.all([
    jwks.sign({ sub: "u1", roles: [...roles], communityId: "c1", householdId: "h", orgId: "o" }),
    jwks.sign({ sub: "u2", roles: [...roles] }),
    jwks.sign({ sub: "u3", roles: ["admin", "analyst"], cityWide: true }),
    jwks.sign({ sub: "u4", roles: "admin" }),
  ]);
});
afterAll(async () => {
  ddb.reset();
  await jwks.close();
});

const fuzzValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "",
    " ",
    "\u200b",
    "\u202e",
    "c1",
    "01JAAAAAAAAAAAAAAAAAAAAAAA",
    "2026",
    "-1",
    "1e309",
    "NaN",
    "true",
    "a,b",
    "__proto__",
    "%E0%A4%A",
    "../../etc",
  ),
  fc.integer().map(String),
);
const anyJson = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constant('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}'),
);

/** A body shaped like the route's schema (its keys), with fuzzed values; or any JSON at all. */
function bodyFor(def: RouteDef) {
  const shape = (def.body as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)
    ?._zod?.def?.shape;
  const keys = shape ? Object.keys(shape) : [];
  const shaped = fc
    .dictionary(fc.constantFrom(...keys, "extra"), fc.jsonValue({ maxDepth: 2 }))
    .map((o) => JSON.stringify(o));
  return keys.length ? fc.oneof(shaped, anyJson) : anyJson;
}

const requestFor = (def: RouteDef) =>
  fc.record({
    token: fc.option(fc.nat({ max: tokens.length })),
    params: fc.dictionary(fc.constantFrom("id", "evidenceId", "communityId", "year"), fuzzValue),
    query: fc.dictionary(
      fc.constantFrom(
        "limit",
        "cursor",
        "communityId",
        "streetId",
        "districtId",
        "status",
        "year",
        "mine",
        "kind",
        "state",
        "stage",
      ),
      fuzzValue,
    ),
    body: fc.option(bodyFor(def)),
    base64: fc.boolean(),
    key: fc.option(fuzzValue),
  });

describe("request parsing of every route (fuzz)", () => {
  it.each(allRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: never a 500; JSON or problem+json; handlers see only what the schemas accept",
    async (_name, def) => {
      await fc.assert(
        fc.asyncProperty(requestFor(def as RouteDef), async (r) => {
          seen.length = 0;
          const token = r.token === null ? undefined : (tokens[r.token] ?? "junk.token.here");
          const res = await handler(
            httpEvent(`${def.method} ${def.path}`, {
              pathParameters: r.params,
              query: r.query,
              headers: r.key === null ? {} : { "idempotency-key": r.key },
              ...(r.body === null
                ? {}
                : {
                    rawBody: r.base64 ? Buffer.from(r.body).toString("base64") : r.body,
                    isBase64Encoded: r.base64,
                  }),
              ...(token ? { token } : {}),
            }),
            context,
          );
          const status = res.statusCode ?? 0;
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(500);
          if (status >= 400) {
            expect(res.headers?.["content-type"]).toBe("application/problem+json");
            expect(JSON.parse(res.body ?? "")).toMatchObject({ status, code: expect.any(String) });
          }
          for (const s of seen) {
            // what reached the handler satisfies the route's own schemas
            if (s.route.params) expect(s.route.params.safeParse(s.params).success).toBe(true);
            if (s.route.query) expect(s.route.query.safeParse(s.query).success).toBe(true);
            if (s.route.body) expect(s.route.body.safeParse(s.body).success).toBe(true);
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});

describe("cursors (fuzz)", () => {
  const partition = { gsi1pk: "PROPOSAL#C#c1" };
  const prefix = "2026#";
  const part = fc.oneof(
    fc.string(),
    fc.constantFrom("PROPOSAL#C#c1", "PROPOSAL#C#c2", "2026#submitted#x", "2025#x", "PROPOSAL"),
  );
  const keyish = fc.dictionary(
    fc.constantFrom("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "x", "__proto__"),
    fc.oneof(part, fc.integer(), fc.constant(null), fc.array(part, { maxLength: 2 })),
  );

  it("decodes only keys of the query's schema, in its partition and key range; anything else is a 400", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          keyish.map((k) => encodeCursor(k)!),
          fc.string(),
        ),
        (cursor) => {
          let key: Record<string, string> | undefined;
          try {
            key = decodeCursor(cursor, partition, prefix);
          } catch (err) {
            expect(isDomainError(err, "validation_failed")).toBe(true);
            return;
          }
          expect(Object.keys(key!).sort()).toEqual(["gsi1pk", "gsi1sk", "pk", "sk"]);
          expect(key!.gsi1pk).toBe(partition.gsi1pk);
          expect(key!.gsi1sk!.startsWith(prefix)).toBe(true);
          expect(Object.values(key!).every((v) => typeof v === "string")).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("round-trips every key it produced", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (pk, sk, rest) => {
        const key = { pk, sk, gsi1pk: partition.gsi1pk, gsi1sk: `${prefix}${rest}` };
        expect(decodeCursor(encodeCursor(key)!, partition, prefix)).toEqual(key);
      }),
    );
  });
});
