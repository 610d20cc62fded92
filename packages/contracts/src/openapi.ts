import * as z from "zod/mini";
import { errorStatus, problemSchema } from "./errors.js";
import type { RouteDef } from "./http.js";

type JsonSchema = Record<string, unknown>;

const PROBLEM = "#/components/schemas/Problem";
const problemContent = { "application/problem+json": { schema: { $ref: PROBLEM } } };

function jsonSchema(schema: z.ZodMiniType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}

function parameters(where: "path" | "query", schema: z.ZodMiniObject | undefined) {
  if (!schema) return [];
  const object = jsonSchema(schema, "input");
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: s,
  }));
}

function operation(r: RouteDef) {
  const codes = new Set<keyof typeof errorStatus>(["validation_failed", ...(r.errors ?? [])]);
  if (r.auth !== "public") {
    codes.add("unauthenticated");
    codes.add("forbidden");
  }
  if (r.idempotent) codes.add("idempotency_key_reused");
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }

  const responses: Record<string, unknown> = {
    [String(r.status)]: {
      description: "Success",
      content: { "application/json": { schema: jsonSchema(r.response, "output") } },
    },
  };
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = { description: list.join(", "), content: problemContent };
  }

  const parametersList: unknown[] = [
    ...parameters("path", r.params),
    ...parameters("query", r.query),
  ];
  if (r.idempotent) {
    parametersList.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      schema: { type: "string", minLength: 1, maxLength: 128 },
      description: "A retry with the same key and body returns the first reply.",
    });
  }

  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [...r.tags],
    ...(parametersList.length ? { parameters: parametersList } : {}),
    ...(r.body
      ? {
          requestBody: {
            // a body schema that accepts `undefined` (withdrawProposal's) makes the body optional
            required: !r.body.safeParse(undefined).success,
            content: { "application/json": { schema: jsonSchema(r.body, "input") } },
          },
        }
      : {}),
    responses,
    security: r.auth === "public" ? [] : [{ bearer: [] }],
    ...(r.auth === "public" ? {} : { "x-pencai-roles": [...r.auth] }),
  };
}

/** OpenAPI 3.1 document of the given routes, generated from the same zod schemas. */
export function openApiDocument(
  routes: readonly RouteDef[],
  info: { title: string; version: string; description?: string },
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation(r) };
  }
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, "output") },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
