import { describe, expect, it } from "vitest";
import {
  attendanceBodySchema,
  ballotBodySchema,
  consentBodySchema,
  createMeetingBodySchema,
  deliberationApiRoutes,
  deliberationConcludedDataSchema,
  deliberationInboxEventTypes,
  expertDecisionBodySchema,
  expertReviewBodySchema,
  MAX_AGENDA_PROPOSALS,
  MAX_MEETING_MEMBERS,
  rankingParamsSchema,
} from "../src/deliberation.js";
import { errorStatus } from "../src/errors.js";
import { routeKey } from "../src/http.js";
import { allRoutes } from "../src/index.js";
import { openApiDocument } from "../src/openapi.js";

const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const P2 = "01JBBBBBBBBBBBBBBBBBBBBBBB";
const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) =>
  schema.safeParse(v).success;
const meeting = {
  communityId: "baihua",
  scheduledAt: "2026-05-01T14:00:00+08:00",
  memberIds: ["m1", "m2"],
  proposalIds: [P1],
};

describe("deliberation schemas", () => {
  it("take a meeting with distinct, bounded members and proposals", () => {
    expect(ok(createMeetingBodySchema, meeting)).toBe(true);
    expect(
      ok(createMeetingBodySchema, {
        ...meeting,
        proposalDetails: [{ proposalId: P1, affectedHouseholds: 193, urgency: 80 }],
      }),
    ).toBe(true);
    for (const bad of [
      { ...meeting, memberIds: [] },
      { ...meeting, memberIds: ["m1", "m1"] },
      { ...meeting, memberIds: ["has#hash"] },
      { ...meeting, memberIds: Array.from({ length: MAX_MEETING_MEMBERS + 1 }, (_, i) => `m${i}`) },
      { ...meeting, proposalIds: [] },
      { ...meeting, proposalIds: [P1, P1] },
      { ...meeting, proposalIds: ["not-a-ulid"] },
      { ...meeting, proposalIds: Array.from({ length: MAX_AGENDA_PROPOSALS + 1 }, () => P1) },
      { ...meeting, scheduledAt: "tomorrow" },
      { ...meeting, communityId: "Baihua" },
      { ...meeting, extra: 1 },
      { ...meeting, proposalDetails: [{ proposalId: P1, affectedHouseholds: 0 }] },
      { ...meeting, proposalDetails: [{ proposalId: P1, urgency: 101 }] },
      { ...meeting, proposalDetails: [{ proposalId: P1 }, { proposalId: P1 }] },
    ]) {
      expect(ok(createMeetingBodySchema, bad), JSON.stringify(bad).slice(0, 80)).toBe(false);
    }
  });

  it("take ballots, attendance, consent and expert bodies strictly", () => {
    expect(ok(ballotBodySchema, { proposalId: P1, choice: "abstain" })).toBe(true);
    expect(ok(ballotBodySchema, { proposalId: P1, choice: "maybe" })).toBe(false);
    expect(ok(ballotBodySchema, { proposalId: P1, choice: "yes", sub: "x" })).toBe(false);
    expect(ok(attendanceBodySchema, { present: [] })).toBe(true);
    expect(ok(attendanceBodySchema, { present: ["a", "a"] })).toBe(false);
    expect(ok(consentBodySchema, { agree: false })).toBe(true);
    expect(ok(consentBodySchema, { agree: "yes" })).toBe(false);
    expect(ok(expertReviewBodySchema, { feasible: true, lawful: true, score: 100 })).toBe(true);
    for (const score of [-1, 101, 50.5, "80"]) {
      expect(ok(expertReviewBodySchema, { feasible: true, lawful: true, score })).toBe(false);
    }
    expect(
      ok(expertReviewBodySchema, {
        feasible: true,
        lawful: true,
        score: 1,
        comment: "x".repeat(2001),
      }),
    ).toBe(false);
    expect(ok(expertDecisionBodySchema, { decision: "pass" })).toBe(true);
    expect(ok(expertDecisionBodySchema, { decision: "approve" })).toBe(false);
    expect(ok(rankingParamsSchema, { communityId: "baihua", year: 2026 })).toBe(true);
    expect(ok(rankingParamsSchema, { communityId: "baihua", year: 1999 })).toBe(false);
  });

  it("event data carries no identities", () => {
    const data = {
      proposalId: P1,
      meetingId: P2,
      members: 5,
      present: 4,
      quorumMet: true,
      yes: 3,
      no: 1,
      abstain: 0,
      passed: true,
    };
    expect(deliberationConcludedDataSchema.parse({ ...data, voters: ["m1"] })).toEqual(data);
  });
});

describe("deliberation routes", () => {
  it("are the API.md paths, in allRoutes, with the new error codes at 422", () => {
    const keys = deliberationApiRoutes.map(routeKey);
    expect(keys).toEqual(
      expect.arrayContaining([
        "POST /v1/meetings",
        "POST /v1/meetings/{id}/attendance",
        "POST /v1/meetings/{id}/ballots",
        "POST /v1/meetings/{id}/close",
        "POST /v1/proposals/{id}/consents",
        "POST /v1/proposals/{id}/expert-reviews",
        "POST /v1/proposals/{id}/expert-decision",
      ]),
    );
    for (const r of deliberationApiRoutes) expect(allRoutes).toContain(r);
    expect(new Set(allRoutes.map(routeKey)).size).toBe(allRoutes.length);
    for (const code of [
      "proposal_not_found",
      "consent_scope_required",
      "not_a_member",
      "expert_review_not_unanimous",
    ] as const) {
      expect(errorStatus[code]).toBe(422);
    }
    expect(deliberationInboxEventTypes).toEqual(["ProposalScreened", "ProposalWithdrawn"]);
  });

  it("writes are idempotent; only the public ranking needs no token", () => {
    for (const r of deliberationApiRoutes) {
      if (r.method !== "GET") expect(r.idempotent, r.operationId).toBe(true);
    }
    expect(deliberationApiRoutes.filter((r) => r.auth === "public").map((r) => r.path)).toEqual([
      "/v1/public/rankings/{communityId}/{year}",
    ]);
  });

  it("are documented in the OpenAPI document", () => {
    const doc = openApiDocument(deliberationApiRoutes, { title: "t", version: "1" }) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.paths["/v1/meetings/{id}/ballots"]?.post?.responses).toHaveProperty("201");
    expect(doc.paths["/v1/meetings/{id}/ballots"]?.post?.responses).toHaveProperty("409");
    expect(doc.paths["/v1/proposals/{id}/expert-decision"]?.post?.responses).toHaveProperty("422");
    expect(doc.paths["/v1/proposals/{id}/consents"]).toHaveProperty("put");
  });
});
