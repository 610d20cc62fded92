import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventTypes } from "../src/events.js";
import { routeKey } from "../src/http.js";
import {
  createEvidenceBodySchema,
  createNeedBodySchema,
  createProposalBodySchema,
  intakeApiRoutes,
  intakeEvidenceRoutes,
  intakeInboxEventTypes,
  listProposalsQuerySchema,
  MAX_EVIDENCE_BYTES,
  screeningBodySchema,
  withdrawBodySchema,
} from "../src/intake.js";
import { openApiDocument } from "../src/openapi.js";

const proposal = {
  communityId: "baihua",
  kind: "works",
  category: "environment",
  title: "路灯更换",
  summary: "更换老化路灯",
  beneficiaries: 300,
  budgetFen: 1_000_000,
  needIds: ["01JNNNNNNNNNNNNNNNNNNNNNNN"],
  year: 2026,
};
const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) =>
  schema.safeParse(v).success;

describe("intake schemas", () => {
  it("accept a complete proposal and reject unknown fields", () => {
    expect(ok(createProposalBodySchema, proposal)).toBe(true);
    expect(ok(createProposalBodySchema, { ...proposal, status: "approved" })).toBe(false);
    expect(
      ok(createProposalBodySchema, {
        ...proposal,
        location: { address: "7栋", lat: 22.5, lng: 114 },
      }),
    ).toBe(true);
    expect(ok(createProposalBodySchema, { ...proposal, beneficiaries: "60岁以上老人" })).toBe(true);
  });

  it("take money as integer fen within sane bounds", () => {
    for (const budgetFen of [0, -1, 1.5, "100", 1e12, Number.NaN]) {
      expect(ok(createProposalBodySchema, { ...proposal, budgetFen }), String(budgetFen)).toBe(
        false,
      );
    }
    expect(ok(createProposalBodySchema, { ...proposal, selfRaisedFen: 10.5 })).toBe(false);
    // a negative self-raised amount is a business rule (422 self_raised_invalid), not a schema error
    expect(ok(createProposalBodySchema, { ...proposal, selfRaisedFen: -1 })).toBe(true);
  });

  it("bound strings, ids, years and need lists", () => {
    expect(ok(createProposalBodySchema, { ...proposal, title: "x".repeat(201) })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, title: "   " })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, summary: "x".repeat(2001) })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, plan: "x".repeat(20_001) })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, needIds: ["not-a-ulid"] })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, needIds: [] })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, year: 1999 })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, year: 2026.5 })).toBe(false);
    expect(ok(createProposalBodySchema, { ...proposal, communityId: "Bai Hua" })).toBe(false);
  });

  it("validate needs, screening and withdrawal bodies", () => {
    expect(ok(createNeedBodySchema, { communityId: "baihua", title: "t", description: "d" })).toBe(
      true,
    );
    expect(ok(createNeedBodySchema, { communityId: "baihua", description: "d" })).toBe(false);
    expect(ok(screeningBodySchema, { decision: "accept", needFit: 90 })).toBe(true);
    expect(ok(screeningBodySchema, { decision: "accept", needFit: 101 })).toBe(false);
    expect(ok(screeningBodySchema, { decision: "maybe" })).toBe(false);
    expect(ok(withdrawBodySchema, undefined)).toBe(true);
    expect(ok(withdrawBodySchema, { reason: "搬家" })).toBe(true);
    expect(ok(withdrawBodySchema, { other: 1 })).toBe(false);
  });

  it("limit evidence to known types, a size bound and a real SHA-256", () => {
    const e = {
      purpose: "minutes",
      fileName: "m.pdf",
      contentType: "application/pdf",
      sizeBytes: 10,
      sha256: "a".repeat(64),
    };
    expect(ok(createEvidenceBodySchema, e)).toBe(true);
    expect(
      ok(createEvidenceBodySchema, { ...e, sha256: Buffer.alloc(32).toString("base64") }),
    ).toBe(true);
    expect(ok(createEvidenceBodySchema, { ...e, sha256: "xyz" })).toBe(false);
    expect(ok(createEvidenceBodySchema, { ...e, contentType: "application/x-msdownload" })).toBe(
      false,
    );
    expect(ok(createEvidenceBodySchema, { ...e, sizeBytes: MAX_EVIDENCE_BYTES + 1 })).toBe(false);
    expect(ok(createEvidenceBodySchema, { ...e, sizeBytes: -1 })).toBe(false);
  });

  it("bound list limits at 200", () => {
    expect(ok(listProposalsQuerySchema, { communityId: "baihua", limit: 200 })).toBe(true);
    expect(ok(listProposalsQuerySchema, { communityId: "baihua", limit: 201 })).toBe(false);
    expect(ok(listProposalsQuerySchema, { communityId: "baihua", limit: 0 })).toBe(false);
  });

  it("never throw on arbitrary input (fuzz)", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        createProposalBodySchema.safeParse(v);
        createEvidenceBodySchema.safeParse(v);
        createNeedBodySchema.safeParse(v);
      }),
    );
    fc.assert(
      fc.property(
        fc.record({ budgetFen: fc.double(), year: fc.integer(), title: fc.string() }),
        (over) => {
          const r = createProposalBodySchema.safeParse({ ...proposal, ...over });
          if (r.success) {
            expect(Number.isInteger(r.data.budgetFen)).toBe(true);
            expect(r.data.budgetFen).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe("intake routes", () => {
  const all = [...intakeApiRoutes, ...intakeEvidenceRoutes];

  it("cover every Intake route of API.md plus geo, rules and public", () => {
    expect(all.map(routeKey).sort()).toEqual(
      [
        "POST /v1/needs",
        "GET /v1/needs",
        "GET /v1/needs/{id}",
        "POST /v1/needs/{id}/endorsements",
        "POST /v1/proposals",
        "GET /v1/proposals",
        "GET /v1/proposals/{id}",
        "POST /v1/proposals/{id}/screening",
        "POST /v1/proposals/{id}/withdraw",
        "GET /v1/proposals/{id}/timeline",
        "POST /v1/proposals/{id}/evidence",
        "POST /v1/proposals/{id}/evidence/{evidenceId}/confirm",
        "GET /v1/proposals/{id}/evidence",
        "GET /v1/public/proposals",
        "GET /v1/public/proposals/{id}",
        "GET /v1/geo",
        "GET /v1/rules",
        "GET /v1/package-groups/{id}",
      ].sort(),
    );
    expect(new Set(all.map((r) => r.operationId)).size).toBe(all.length);
  });

  it("mark every write idempotent and keep public routes token-free", () => {
    for (const r of all) {
      if (r.method === "POST") expect(r.idempotent, r.operationId).toBe(true);
      const isPublic =
        r.path.startsWith("/v1/public/") || r.path === "/v1/geo" || r.path === "/v1/rules";
      expect(r.auth === "public", r.operationId).toBe(isPublic);
    }
  });

  it("list only known event types for the inbox", () => {
    for (const t of intakeInboxEventTypes) expect(eventTypes).toContain(t);
  });

  it("generate an OpenAPI document for every route", () => {
    const doc = openApiDocument(all, { title: "intake", version: "1" });
    for (const r of all) {
      const op = (doc.paths[r.path] as Record<string, { operationId: string }>)[
        r.method.toLowerCase()
      ];
      expect(op?.operationId).toBe(r.operationId);
    }
  });
});
