import { describe, expect, it } from "vitest";
import { concludeMeeting } from "../src/domain/close.js";
import { canMove, castBallot, closeStep, recordAttendance } from "../src/domain/meeting.js";
import type { StoredProposal } from "../src/domain/types.js";
import {
  c1,
  c2,
  M1,
  majority,
  meeting,
  NOW,
  P1,
  P2,
  P3,
  planAt,
  projection,
  useTestCity,
} from "./fixtures.js";

const body = (over: Record<string, unknown> = {}) => ({
  communityId: "c1",
  scheduledAt: "2026-05-01T14:00:00+08:00",
  memberIds: ["m1", "m2", "m3"],
  proposalIds: [P1, P2],
  ...over,
});
const plan = (
  b = body(),
  proposals: StoredProposal[] = [projection({ id: P1 }), projection({ id: P2 })],
  consentRequired = false,
) =>
  planAt(b, proposals, {
    rules: { consentRequired, rosterRequired: false, consultation: false },
  });

describe("meeting state machine", () => {
  it("goes open -> closing -> closed and nowhere else", () => {
    expect(canMove("open", "closing")).toBe(true);
    expect(canMove("closing", "closed")).toBe(true);
    expect(canMove("open", "closed")).toBe(false);
    expect(canMove("closed", "open")).toBe(false);
    expect(canMove("closing", "open")).toBe(false);
    expect([closeStep("open"), closeStep("closing"), closeStep("closed")]).toEqual([
      "begin",
      "finish",
      "done",
    ]);
  });
});

describe("scheduling a meeting", () => {
  it("puts screened proposals of the community on the agenda, times in UTC", () => {
    const p = plan(body({ proposalDetails: [{ proposalId: P2, urgency: 80 }] }));
    expect(p.meeting).toMatchObject({
      id: M1,
      ...c1,
      scheduledAt: "2026-05-01T06:00:00.000Z",
      status: "open",
      proposalDetails: [{ proposalId: P1 }, { proposalId: P2, urgency: 80 }],
      createdBy: "staff-1",
    });
    expect(p.agenda.map((a) => [a.after.meetingId, a.after.agenda])).toEqual([
      [M1, {}],
      [M1, { urgency: 80 }],
    ]);
  });

  it("refuses unknown, foreign and tombstoned proposals with 422 proposal_not_found", () => {
    const tomb = { id: P2, tombstone: true as const, version: 1, withdrawnAt: "x" };
    for (const proposals of [
      [projection({ id: P1 })],
      [projection({ id: P1 }), projection({ id: P2, ...c2 })],
      [projection({ id: P1 }), tomb],
    ]) {
      expect(() => plan(body(), proposals)).toThrow(
        expect.objectContaining({ code: "proposal_not_found" }),
      );
    }
  });

  it("refuses withdrawn proposals and those already on an agenda with 409 invalid_state", () => {
    expect(() =>
      plan(body(), [projection({ id: P1 }), projection({ id: P2, status: "withdrawn" })]),
    ).toThrow(expect.objectContaining({ code: "invalid_state" }));
    expect(() =>
      plan(body(), [projection({ id: P1 }), projection({ id: P2, meetingId: "01JOTHER" })]),
    ).toThrow(expect.objectContaining({ code: "invalid_state" }));
  });

  it("requires affectedHouseholds where household consent is required (422 consent_scope_required)", () => {
    const proposals = [projection({ id: P1 }), projection({ id: P2 })];
    expect(() =>
      plan(
        body({ proposalDetails: [{ proposalId: P1, affectedHouseholds: 193 }] }),
        proposals,
        true,
      ),
    ).toThrow(
      expect.objectContaining({
        code: "consent_scope_required",
        detail: expect.stringContaining(P2),
      }),
    );
    const ok = plan(
      body({
        proposalDetails: [
          { proposalId: P1, affectedHouseholds: 193 },
          { proposalId: P2, affectedHouseholds: 40 },
        ],
      }),
      proposals,
      true,
    );
    expect(ok.agenda[0]!.after.agenda).toEqual({ affectedHouseholds: 193 });
  });

  it("refuses details for proposals off the agenda (400)", () => {
    expect(() => plan(body({ proposalDetails: [{ proposalId: P3 }] }))).toThrow(
      expect.objectContaining({ code: "validation_failed" }),
    );
  });
});

describe("attendance and ballots", () => {
  it("records members only, while open", () => {
    expect(recordAttendance(meeting(), ["m1", "m2"], NOW)).toEqual({
      meetingId: M1,
      present: ["m1", "m2"],
      recordedAt: NOW.toISOString(),
    });
    expect(() => recordAttendance(meeting(), ["m1", "x"], NOW)).toThrow(
      expect.objectContaining({ code: "not_a_member" }),
    );
    expect(() => recordAttendance(meeting({ status: "closed" }), ["m1"], NOW)).toThrow(
      expect.objectContaining({ code: "invalid_state" }),
    );
  });

  it("takes ballots on agenda proposals of open meetings", () => {
    expect(castBallot(meeting(), "m1", { proposalId: P1, choice: "yes" }, NOW)).toEqual({
      meetingId: M1,
      proposalId: P1,
      sub: "m1",
      choice: "yes",
      castAt: NOW.toISOString(),
    });
    expect(() => castBallot(meeting(), "m1", { proposalId: P2, choice: "yes" }, NOW)).toThrow(
      expect.objectContaining({ code: "proposal_not_found" }),
    );
    for (const status of ["closing", "closed"] as const) {
      expect(() =>
        castBallot(meeting({ status }), "m1", { proposalId: P1, choice: "no" }, NOW),
      ).toThrow(expect.objectContaining({ code: "invalid_state" }));
    }
  });
});

describe("closing a meeting", () => {
  const city = useTestCity();
  const rules = {
    council: majority,
    consent: { required: false, share: 2 / 3 },
    expertReview: city.rules.process.expertReview,
    communityYearFen: 2_000_000,
  };
  const m = meeting({
    status: "closing",
    memberIds: ["m1", "m2", "m3"],
    proposalIds: [P1, P2, P3],
    proposalDetails: [
      { proposalId: P1, affectedHouseholds: 4 },
      { proposalId: P2 },
      { proposalId: P3 },
    ],
  });
  const on = (over: Parameters<typeof projection>[0]) => projection({ meetingId: M1, ...over });
  const ballots = [
    { meetingId: M1, proposalId: P1, sub: "m1", choice: "yes" as const, castAt: "t" },
    { meetingId: M1, proposalId: P1, sub: "m2", choice: "yes" as const, castAt: "t" },
    { meetingId: M1, proposalId: P2, sub: "m1", choice: "no" as const, castAt: "t" },
    { meetingId: M1, proposalId: P3, sub: "m1", choice: "yes" as const, castAt: "t" },
    { meetingId: M1, proposalId: P3, sub: "m2", choice: "yes" as const, castAt: "t" },
  ];
  const conclude = (
    proposals: StoredProposal[],
    over: Partial<typeof rules> & { weights?: never } = {},
  ) =>
    concludeMeeting({
      meeting: m,
      attendance: ["m1", "m2", "m3"],
      ballots,
      consents: new Map([
        [P1, [{ proposalId: P1, householdId: "h1", agree: true, sub: "r", answeredAt: "t" }]],
      ]),
      proposals: new Map(proposals.map((p) => [p.id, p])),
      rankings: new Map(),
      rules: { ...rules, ...over },
      now: NOW,
    });

  it("tallies every agenda proposal, counts consent where households are known, closes the meeting", () => {
    const plan = conclude([on({ id: P1 }), on({ id: P2 }), on({ id: P3 })]);
    expect(plan.meeting).toMatchObject({ status: "closed", closedAt: NOW.toISOString() });
    expect(plan.meeting.results).toEqual([
      {
        proposalId: P1,
        yes: 2,
        no: 0,
        abstain: 0,
        present: 3,
        quorumMet: true,
        passed: true,
        members: 3,
        consent: {
          households: 4,
          agreed: 1,
          disagreed: 0,
          share: 0.25,
          required: false,
          met: false,
        },
      },
      {
        proposalId: P2,
        yes: 0,
        no: 1,
        abstain: 0,
        present: 3,
        quorumMet: true,
        passed: false,
        members: 3,
      },
      expect.objectContaining({ proposalId: P3, passed: true }),
    ]);
    expect(plan.conclusions.map((c) => [c.after.id, c.after.council?.passed, c.endorsed])).toEqual([
      [P1, true, false],
      [P2, false, false],
      [P3, true, false],
    ]);
    expect(plan.rankings).toEqual([]); // longgang ranks nothing
  });

  it("fails a proposal when required consent is not met", () => {
    const plan = conclude([on({ id: P1 }), on({ id: P2 }), on({ id: P3 })], {
      consent: { required: true, share: 2 / 3 },
    });
    expect(plan.meeting.results![0]).toMatchObject({
      passed: false,
      consent: { required: true, met: false },
    });
    // a required consent without known households is counted as not met
    expect(plan.meeting.results![2]).toMatchObject({ passed: false, consent: { households: 0 } });
  });

  it("endorses at close when the expert decision already passed; skips withdrawn and foreign ones", () => {
    const passedExperts = on({
      id: P1,
      expert: { decision: "pass", reviews: 1, averageScore: 90, at: "t" },
    });
    const plan = conclude([
      passedExperts,
      on({ id: P2, status: "withdrawn" }),
      projection({ id: P3 }),
    ]);
    expect(plan.conclusions).toHaveLength(1);
    expect(plan.conclusions[0]).toMatchObject({
      endorsed: true,
      after: { endorsedAt: NOW.toISOString() },
    });
    expect(plan.meeting.results).toHaveLength(3); // the minutes keep every result
  });

  it("ranks the council-passed proposals where the city has priority criteria", () => {
    const weights = useTestCity("panlong").rules.thresholds.priorityCriteria!;
    useTestCity();
    const plan = concludeMeeting({
      meeting: m,
      attendance: ["m1", "m2", "m3"],
      ballots,
      consents: new Map(),
      proposals: new Map(
        [on({ id: P1 }), on({ id: P2 }), on({ id: P3, year: 2027 })].map((p) => [p.id, p]),
      ),
      rankings: new Map(),
      rules: { ...rules, weights },
      now: NOW,
    });
    expect(
      plan.rankings.map((r) => [r.after.year, r.after.items.map((i) => i.proposalId)]),
    ).toEqual([
      [2026, [P1]],
      [2027, [P3]],
    ]);
    expect(plan.rankings[0]!.after.candidates[0]).toMatchObject({
      participation: 1,
      beneficiaries: 300,
    });
  });
});
