import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  allRoutes,
  defineRoute,
  envelopeSchema,
  errorStatus,
  eventTypes,
  hasDataContract,
  isEventType,
  isRole,
  openApiDocument,
  problemSchema,
  problemTitle,
  problemType,
  roles,
  routeKey,
} from "../src/index.js";

const createThing = defineRoute({
  operationId: "createThing",
  method: "POST",
  path: "/v1/communities/{communityId}/things",
  summary: "Create a thing",
  tags: ["things"],
  auth: ["resident", "community_staff"],
  params: z.object({ communityId: z.string() }),
  query: z.object({ dryRun: z.optional(z.boolean()) }),
  body: z.strictObject({
    title: z.string().check(z.minLength(1)),
    budgetFen: z.int().check(z.minimum(0)),
  }),
  response: z.object({ id: z.string(), title: z.string() }),
  status: 201,
  errors: ["budget_cap_exceeded", "not_found"],
  idempotent: true,
});

const getGeo = defineRoute({
  operationId: "getGeo",
  method: "GET",
  path: "/v1/geo",
  summary: "Geography",
  tags: ["geo"],
  auth: "public",
  response: z.object({ cityId: z.string() }),
  status: 200,
});

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
  security: unknown[];
};
const op = (doc: ReturnType<typeof openApiDocument>, path: string, method: string) =>
  doc.paths[path]![method] as Operation;

describe("roles, errors, events", () => {
  it("lists the roles and error statuses of the API contract", () => {
    expect(roles).toHaveLength(12);
    expect(isRole("district_finance")).toBe(true);
    expect(isRole("root")).toBe(false);
    expect(errorStatus).toMatchObject({
      validation_failed: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      invalid_state: 409,
      duplicate: 409,
      payload_too_large: 413,
      idempotency_key_reused: 422,
    });
    expect(problemType("not_found")).toBe("https://pencai.dev/problems/not_found");
    expect(problemTitle("budget_cap_exceeded")).toBe("Budget cap exceeded");
    expect(
      problemSchema.safeParse({ type: "t", title: "T", status: 400, code: "c", detail: "d" })
        .success,
    ).toBe(true);
  });

  it("lists every event type of API.md (but the oversight service's), each with a data contract", () => {
    const apiMd = [
      "NeedRaised",
      "ProposalSubmitted",
      "ProposalScreened",
      "ProposalWithdrawn",
      "DeliberationConcluded",
      "ExpertReviewConcluded",
      "ProposalEndorsed",
      "ProposalReported",
      "DistrictReviewCompleted",
      "ProposalApproved",
      "ProposalRejected",
      "FundsDisbursed",
      "ContributionReceived",
      "ImplementationStarted",
      "ProgressReported",
      "PaymentMade",
      "ProjectCompleted",
      "EvaluationOpened",
      "EvaluationClosed",
      "SlaReminder",
      "SlaBreached",
    ];
    expect(eventTypes).toEqual(expect.arrayContaining(apiMd));
    // a type without a data contract could never pass a consumer's edge
    expect(eventTypes.filter((t) => !hasDataContract(t))).toEqual([]);
    expect(isEventType("SlaBreached")).toBe(true);
  });

  it("validates envelopes", () => {
    const envelope = {
      id: "01J0000000000000000000000A",
      type: "ProposalSubmitted",
      version: 1,
      occurredAt: "2026-05-01T00:00:00.000Z",
      cityId: "demo",
      proposalId: "P1",
      actor: { sub: "u1", roles: ["resident"] },
      correlationId: "c",
      data: { budgetFen: 1 },
    };
    expect(envelopeSchema.parse(envelope)).toEqual(envelope);
    // unknown types are valid envelopes (consumers acknowledge them); missing fields are not
    expect(envelopeSchema.safeParse({ ...envelope, type: "FutureEvent", extra: 1 }).success).toBe(
      true,
    );
    expect(envelopeSchema.safeParse({ ...envelope, occurredAt: "yesterday" }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, actor: undefined }).success).toBe(false);
  });

  it("keys routes the way API Gateway does", () => {
    expect(routeKey(createThing)).toBe("POST /v1/communities/{communityId}/things");
  });
});

describe("openApiDocument", () => {
  const doc = openApiDocument([createThing, getGeo], { title: "Pencai", version: "1" });

  it("is OpenAPI 3.1 and survives JSON", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it("describes params, query, body and the success response from the zod schemas", () => {
    const o = op(doc, "/v1/communities/{communityId}/things", "post");
    expect(o.operationId).toBe("createThing");
    expect(o.parameters).toEqual([
      { name: "communityId", in: "path", required: true, schema: { type: "string" } },
      { name: "dryRun", in: "query", required: false, schema: { type: "boolean" } },
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false }),
    ]);
    const body = o.requestBody!.content["application/json"]!.schema;
    expect(body).toMatchObject({
      type: "object",
      required: ["title", "budgetFen"],
      additionalProperties: false,
      properties: {
        title: { type: "string", minLength: 1 },
        budgetFen: { type: "integer", minimum: 0 },
      },
    });
    expect(o.responses["201"]!.content["application/json"]!.schema).toMatchObject({
      type: "object",
      properties: { id: { type: "string" } },
    });
  });

  it("documents problem responses as application/problem+json and secures non-public routes", () => {
    const o = op(doc, "/v1/communities/{communityId}/things", "post");
    for (const status of ["400", "401", "403", "404", "422"]) {
      expect(o.responses[status]!.content["application/problem+json"]!.schema).toEqual({
        $ref: "#/components/schemas/Problem",
      });
    }
    expect(o.security).toEqual([{ bearer: [] }]);
    const geo = op(doc, "/v1/geo", "get");
    expect(geo.security).toEqual([]);
    expect(geo.responses["401"]).toBeUndefined();
    expect(doc.components.schemas.Problem).toMatchObject({
      required: expect.arrayContaining(["type", "code", "status"]),
    });
  });

  it("round-trips: what the body schema accepts matches what the document declares", () => {
    const declared = op(doc, "/v1/communities/{communityId}/things", "post").requestBody!.content[
      "application/json"
    ]!.schema as { properties: Record<string, unknown>; required: string[] };
    const sample = { title: "Benches", budgetFen: 100 };
    expect(createThing.body.parse(sample)).toEqual(sample);
    expect(Object.keys(declared.properties).sort()).toEqual(Object.keys(sample).sort());
    expect(createThing.body.safeParse({ ...sample, extra: 1 }).success).toBe(false); // additionalProperties: false
  });

  it("contains every route that contracts exports", () => {
    const full = openApiDocument(allRoutes, { title: "Pencai", version: "1" });
    const operations = Object.values(full.paths).flatMap(
      (item) => Object.values(item) as Operation[],
    );
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      allRoutes.map((r) => r.operationId).sort(),
    );
    for (const r of allRoutes) expect(full.paths[r.path]?.[r.method.toLowerCase()]).toBeDefined();
    expect(JSON.parse(JSON.stringify(full))).toEqual(full);
  });
});
