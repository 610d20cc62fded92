import { describe, expect, it } from "vitest";
import { concludeMeeting } from "../src/domain/close.js";
import { answerConsent } from "../src/domain/consent.js";
import { castBallot, recordOpinion } from "../src/domain/meeting.js";
import {
  type CouncilRoster,
  type HouseholdRoster,
  householdRosterView,
  householdsIn,
  planCouncil,
  planHouseholds,
  requireRosterMembers,
} from "../src/domain/roster.js";
import type { MeetingRecord, StoredProposal } from "../src/domain/types.js";
import { M1, majority, NOW, P1, P2, planAt, projection, resident } from "./fixtures.js";

const courtyards = ["y1", "y2", "y3"];
const council = (members: CouncilRoster["members"], version = 4): CouncilRoster => ({
  communityId: "c1",
  version,
  members,
  updatedBy: "staff-1",
  updatedAt: NOW.toISOString(),
});
const roster = council([
  { sub: "m1", name: "甲", termEnds: "2027-12-31", courtyardId: "y1" },
  { sub: "m2", name: "乙", termEnds: "2027-12-31", courtyardId: "y1" },
  { sub: "m3", name: "丙", termEnds: "2026-04-30" },
  { sub: "m4", name: "丁", termEnds: "2027-12-31", courtyardId: "y2" },
]);
const households: HouseholdRoster = planHouseholds(
  {
    households: [
      { householdId: "h1", courtyardId: "y1" },
      { householdId: "h2", courtyardId: "y1" },
      { householdId: "h3", courtyardId: "y2" },
      { householdId: "h4" },
    ],
  },
  { communityId: "c1", courtyards, beforeVersion: 6, by: "staff-1", now: NOW },
);

const plan = (
  body: Record<string, unknown>,
  over: Parameters<typeof planAt>[2] = {},
  proposals: StoredProposal[] = [projection({ id: P1 }), projection({ id: P2 })],
) =>
  planAt(
    {
      communityId: "c1",
      scheduledAt: "2026-05-01T14:00:00+08:00",
      memberIds: ["m1", "m2"],
      proposalIds: [P1],
      ...body,
    },
    proposals,
    { courtyards, ...over },
  );
const deputies = [
  { name: "王代表", role: "deputy", unit: "区人大" },
  { name: "李科长", role: "department", unit: "区住建局" },
];

describe("council roster", () => {
  it("replaces the whole list under the next version; courtyards must be the community's", () => {
    const next = planCouncil(
      { members: [{ sub: "m9", name: "戊", termEnds: "2028-01-01", courtyardId: "y3" }] },
      { communityId: "c1", courtyards, before: roster, by: "staff-2", now: NOW },
    );
    expect(next).toMatchObject({ version: 5, members: [{ sub: "m9" }], updatedBy: "staff-2" });
    expect(
      planCouncil(
        { members: [] },
        { communityId: "c1", courtyards, before: undefined, by: "s", now: NOW },
      ).version,
    ).toBe(1);
    expect(() =>
      planCouncil(
        { members: [{ sub: "m9", name: "戊", termEnds: "2028-01-01", courtyardId: "elsewhere" }] },
        { communityId: "c1", courtyards, before: roster, by: "s", now: NOW },
      ),
    ).toThrow(expect.objectContaining({ code: "courtyard_not_found" }));
  });

  it("admits roster members in term on the meeting's day, of the council's courtyards", () => {
    expect(() => requireRosterMembers(["m1", "m4"], roster, "2026-05-01", undefined)).not.toThrow();
    // m3's term ended the day before
    expect(() => requireRosterMembers(["m1", "m3"], roster, "2026-05-01", undefined)).toThrow(
      expect.objectContaining({
        code: "not_a_member",
        detail: expect.stringContaining("m3's term"),
      }),
    );
    // ... and on its last day it still counts
    expect(() => requireRosterMembers(["m3"], roster, "2026-04-30", undefined)).not.toThrow();
    expect(() => requireRosterMembers(["stranger"], roster, "2026-05-01", undefined)).toThrow(
      expect.objectContaining({ code: "not_a_member" }),
    );
    expect(() => requireRosterMembers(["m1", "m2"], roster, "2026-05-01", ["y1"])).not.toThrow();
    expect(() => requireRosterMembers(["m1", "m4"], roster, "2026-05-01", ["y1"])).toThrow(
      expect.objectContaining({ code: "not_a_member" }),
    );
  });

  it("a meeting of a community with a roster takes roster members only, and records the version", () => {
    expect(plan({}, { council: roster }).meeting.councilVersion).toBe(4);
    expect(() => plan({ memberIds: ["m1", "x"] }, { council: roster })).toThrow(
      expect.objectContaining({ code: "not_a_member" }),
    );
    // without a roster: anyone listed, unless the city requires a roster
    expect(plan({ memberIds: ["x"] }).meeting.councilVersion).toBeUndefined();
    expect(() =>
      plan({}, { rules: { consentRequired: false, rosterRequired: true, consultation: false } }),
    ).toThrow(expect.objectContaining({ code: "roster_required" }));
  });
});

describe("courtyard councils (院落议事会)", () => {
  const inY1 = projection({ id: P1, courtyardIds: ["y1"] });
  const inY1Y2 = projection({ id: P2, courtyardIds: ["y1", "y2"] });
  const wide = projection({ id: P2 });

  it("decides proposals of its own courtyards only", () => {
    const p = plan({ courtyardIds: ["y1"] }, { council: roster }, [inY1, wide]);
    expect(p.meeting.courtyardIds).toEqual(["y1"]);
    expect(p.agenda).toHaveLength(1);
    for (const other of [wide, inY1Y2]) {
      expect(() =>
        plan({ courtyardIds: ["y1"], proposalIds: [other.id] }, { council: roster }, [other]),
      ).toThrow(expect.objectContaining({ code: "outside_courtyards" }));
    }
  });

  it("needs a roster, courtyards of the community, and members of those courtyards", () => {
    expect(() => plan({ courtyardIds: ["y1"] }, {}, [inY1])).toThrow(
      expect.objectContaining({ code: "roster_required" }),
    );
    expect(() => plan({ courtyardIds: ["nowhere"] }, { council: roster }, [inY1])).toThrow(
      expect.objectContaining({ code: "courtyard_not_found" }),
    );
    expect(() =>
      plan({ courtyardIds: ["y1"], memberIds: ["m1", "m4"] }, { council: roster }, [inY1]),
    ).toThrow(expect.objectContaining({ code: "not_a_member" }));
  });

  it("the community council may still decide a courtyard's proposal", () => {
    expect(plan({}, { council: roster }, [inY1]).agenda).toHaveLength(1);
  });
});

describe("household roster and the consent denominator", () => {
  it("groups households by courtyard and counts each area", () => {
    expect(households.version).toBe(7);
    expect(householdsIn(households, undefined).sort()).toEqual(["h1", "h2", "h3", "h4"]);
    expect(householdsIn(households, ["y1"]).sort()).toEqual(["h1", "h2"]);
    expect(householdsIn(households, ["y1", "y2"]).sort()).toEqual(["h1", "h2", "h3"]);
    expect(householdRosterView(households)).toMatchObject({
      households: 4,
      courtyards: [
        { courtyardId: "y1", households: 2 },
        { courtyardId: "y2", households: 1 },
      ],
    });
  });

  it("snapshots each proposal's denominator when the meeting opens", () => {
    const p = plan({ proposalIds: [P1, P2] }, { households }, [
      projection({ id: P1, courtyardIds: ["y1"] }),
      projection({ id: P2 }),
    ]);
    expect(p.meeting.householdRosterVersion).toBe(7);
    expect(p.meeting.proposalDetails).toEqual([
      { proposalId: P1, affectedHouseholds: 2 },
      { proposalId: P2, affectedHouseholds: 4 },
    ]);
    expect(p.agenda[0]!.after.agenda).toEqual({ affectedHouseholds: 2 });
  });

  it("refuses typed-in numbers where the roster counts, and an area with no households", () => {
    expect(() =>
      plan({ proposalDetails: [{ proposalId: P1, affectedHouseholds: 193 }] }, { households }),
    ).toThrow(expect.objectContaining({ code: "consent_scope_from_roster" }));
    const empty = projection({ id: P1, courtyardIds: ["y3"] });
    expect(() =>
      plan(
        {},
        {
          households,
          rules: { consentRequired: true, rosterRequired: false, consultation: false },
        },
        [empty],
      ),
    ).toThrow(expect.objectContaining({ code: "consent_scope_required" }));
  });

  it("only the roster's households of the proposal's area may answer (403)", () => {
    const onAgenda = projection({ meetingId: M1, courtyardIds: ["y1"] });
    expect(answerConsent(onAgenda, resident("h2"), true, NOW, households).consent.householdId).toBe(
      "h2",
    );
    for (const outsider of ["h3", "h4", "h-unknown"]) {
      expect(() => answerConsent(onAgenda, resident(outsider), true, NOW, households)).toThrow(
        expect.objectContaining({ code: "forbidden" }),
      );
    }
    // without a roster snapshot, any household of the community answers (the old path)
    expect(() => answerConsent(onAgenda, resident("h-unknown"), true, NOW)).not.toThrow();
  });
});

describe("consultation meetings (请你来协商)", () => {
  const on = { consentRequired: false, rosterRequired: false, consultation: true };

  it("needs the city's rule and at least one deputy and one department", () => {
    expect(() => plan({ kind: "consultation", invitees: deputies })).toThrow(
      expect.objectContaining({ code: "consultation_not_offered" }),
    );
    expect(() => plan({ kind: "consultation", invitees: [deputies[0]] }, { rules: on })).toThrow(
      expect.objectContaining({ code: "validation_failed" }),
    );
    expect(() => plan({ invitees: deputies }, { rules: on })).toThrow(
      expect.objectContaining({ code: "validation_failed" }),
    );
  });

  it("claims no agenda, takes no ballots and decides nothing", () => {
    const p = plan({ kind: "consultation", invitees: deputies }, { rules: on });
    expect(p.meeting).toMatchObject({ kind: "consultation", invitees: deputies });
    expect(p.agenda).toEqual([]);
    expect(() => castBallot(p.meeting, "m1", { proposalId: P1, choice: "yes" }, NOW)).toThrow(
      expect.objectContaining({ code: "invalid_state" }),
    );
    const closing = { ...p.meeting, status: "closing" as const };
    const closed = concludeMeeting({
      meeting: closing,
      attendance: ["m1", "m2"],
      ballots: [],
      consents: new Map(),
      proposals: new Map([[P1, projection()]]),
      rankings: new Map(),
      rules: {
        council: majority,
        consent: { required: false, share: 2 / 3 },
        expertReview: "none",
        communityYearFen: 1,
      },
      now: NOW,
    });
    expect(closed.meeting.results).toEqual([]);
    expect(closed.conclusions).toEqual([]);
  });

  it("records each invitee's opinion on its proposals, only while open, only at consultations", () => {
    const c = plan({ kind: "consultation", invitees: deputies }, { rules: on }).meeting;
    expect(
      recordOpinion(c, { proposalId: P1, invitee: 1, opinion: "住建局可协调改造" }, "staff-1", NOW),
    ).toMatchObject({
      meetingId: M1,
      proposalId: P1,
      index: 1,
      invitee: deputies[1],
    });
    const attempts: [MeetingRecord, { proposalId: string; invitee: number }, string][] = [
      [c, { proposalId: P2, invitee: 0 }, "proposal_not_found"],
      [c, { proposalId: P1, invitee: 2 }, "validation_failed"],
      [{ ...c, status: "closing" }, { proposalId: P1, invitee: 0 }, "invalid_state"],
      [plan({}).meeting, { proposalId: P1, invitee: 0 }, "invalid_state"],
    ];
    for (const [m, body, code] of attempts) {
      expect(() => recordOpinion(m, { ...body, opinion: "意见" }, "staff-1", NOW)).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });

  it("a proposal heard by a consultation can still go to its council", () => {
    expect(plan({}, { rules: on }).agenda[0]!.after.meetingId).toBe(M1);
  });
});
