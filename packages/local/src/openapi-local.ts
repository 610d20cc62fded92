/**
 * The OpenAPI document served at `/openapi.json`: every route of `@pencai/contracts`
 * (generated from the same zod schemas the handlers use) plus the local-only
 * endpoints, tagged `local` (they never exist in a deployed stack).
 */

import type { RouteDef } from "@pencai/contracts";
import * as contracts from "@pencai/contracts";

function isRouteDef(v: unknown): v is RouteDef {
  return (
    v !== null &&
    typeof v === "object" &&
    typeof (v as RouteDef).operationId === "string" &&
    typeof (v as RouteDef).method === "string" &&
    typeof (v as RouteDef).path === "string"
  );
}

/** `allRoutes` when contracts exports it; otherwise every exported route list, de-duplicated. */
export function contractRoutes(): RouteDef[] {
  const mod = contracts as Record<string, unknown>;
  const lists = Array.isArray(mod.allRoutes)
    ? [mod.allRoutes]
    : Object.values(mod).filter((v) => Array.isArray(v) && v.length > 0 && v.every(isRouteDef));
  const byOp = new Map<string, RouteDef>();
  for (const r of (lists as unknown[][]).flat()) if (isRouteDef(r)) byOp.set(r.operationId, r);
  return [...byOp.values()];
}

const json = (schema: object) => ({ "application/json": { schema } });
const problem = {
  description: "validation_failed",
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
};

export const localPaths: Record<string, Record<string, unknown>> = {
  "/dev/endpoints": {
    get: {
      operationId: "localEndpoints",
      summary: "Where DynamoDB Local and fauxqs (SNS, SQS, S3) listen (npm run query reads it)",
      tags: ["local"],
      security: [],
      responses: {
        "200": {
          description: "endpoint URLs",
          content: json({
            type: "object",
            properties: { dynamodb: { type: "string" }, fauxqs: { type: "string" } },
          }),
        },
      },
    },
  },
  "/dev/tables": {
    get: {
      operationId: "localTables",
      summary:
        "Exact item count of every table (tests check that a rejected request wrote nothing)",
      tags: ["local"],
      security: [],
      responses: {
        "200": {
          description: "counts by table name",
          content: json({ type: "object", properties: { tables: { type: "object" } } }),
        },
      },
    },
  },
  "/health": {
    get: {
      operationId: "localHealth",
      summary: "Liveness of the local cloud",
      tags: ["local"],
      security: [],
      responses: {
        "200": {
          description: "ok",
          content: json({ type: "object", properties: { status: { const: "ok" } } }),
        },
      },
    },
  },
  "/.well-known/jwks.json": {
    get: {
      operationId: "localJwks",
      summary: "Public key of the local token issuer (RS256)",
      tags: ["local"],
      security: [],
      responses: { "200": { description: "JWKS", content: json({ type: "object" }) } },
    },
  },
  "/dev/token": {
    post: {
      operationId: "localToken",
      summary: "Mint a token (RS256, 12 h) for any principal",
      tags: ["local"],
      security: [],
      requestBody: {
        required: true,
        content: json({
          type: "object",
          required: ["sub", "roles"],
          additionalProperties: false,
          properties: {
            sub: { type: "string", minLength: 1 },
            roles: { type: "array", minItems: 1, items: { enum: [...contracts.roles] } },
            districtId: { type: "string" },
            streetId: { type: "string" },
            communityId: { type: "string" },
            householdId: { type: "string" },
            orgId: { type: "string" },
          },
        }),
      },
      responses: {
        "200": {
          description: "token",
          content: json({ type: "object", properties: { token: { type: "string" } } }),
        },
        "400": problem,
      },
    },
  },
  "/dev/clock": {
    post: {
      operationId: "localClock",
      summary: "Move the clock every handler and sweeper sees",
      tags: ["local"],
      security: [],
      requestBody: {
        required: true,
        content: json({
          oneOf: [
            {
              type: "object",
              required: ["now"],
              properties: { now: { type: "string", format: "date-time" } },
            },
            {
              type: "object",
              required: ["advanceDays"],
              properties: { advanceDays: { type: "number" } },
            },
          ],
        }),
      },
      responses: {
        "200": {
          description: "the new local time",
          content: json({ type: "object", properties: { now: { type: "string" } } }),
        },
        "400": problem,
      },
    },
  },
  "/dev/run/{job}": {
    post: {
      operationId: "localRunJob",
      summary: "Run a scheduled job now (outbox-relay, sla-sweep, exports, digest) and wait for it",
      tags: ["local"],
      security: [],
      parameters: [{ name: "job", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        "200": {
          description: "summary",
          content: json({
            type: "object",
            properties: {
              job: { type: "string" },
              ran: { type: "array" },
              results: { type: "array" },
            },
          }),
        },
        "404": { description: "unknown job" },
      },
    },
  },
  "/dev/pollers": {
    post: {
      operationId: "localPollers",
      summary: "Pause or resume the queue and stream pollers (event source mappings)",
      tags: ["local"],
      security: [],
      requestBody: {
        required: true,
        content: json({
          type: "object",
          required: ["paused"],
          properties: { paused: { type: "boolean" } },
        }),
      },
      responses: {
        "200": {
          description: "state",
          content: json({ type: "object", properties: { paused: { type: "boolean" } } }),
        },
        "400": problem,
      },
    },
  },
};

export function servedOpenApi(info: {
  title: string;
  version: string;
  description?: string;
}): object {
  const doc = contracts.openApiDocument(contractRoutes(), info) as {
    paths: Record<string, unknown>;
  };
  return { ...doc, paths: { ...doc.paths, ...localPaths } };
}
