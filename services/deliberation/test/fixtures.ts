import type { ProposalScreenedData } from "@pencai/contracts/intake-events";
import type { Principal } from "@pencai/runtime/reach";
import { planMeeting } from "../src/domain/meeting.js";
import type { MeetingRecord, ProposalProjection, StoredProposal } from "../src/domain/types.js";

export { useTestCity } from "@pencai/config/testing";

export const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
export const c2 = { districtId: "d1", streetId: "s1", communityId: "c2" };
export const c3 = { districtId: "d1", streetId: "s2", communityId: "c3" };

export const staff = (place = c1, sub = "staff-1"): Principal => ({
  sub,
  roles: ["community_staff"],
  ...place,
});
export const member = (sub: string, place = c1): Principal => ({
  sub,
  roles: ["council_member"],
  ...place,
});
export const resident = (householdId = "hh-1", place = c1): Principal => ({
  sub: `res-${householdId}`,
  roles: ["resident"],
  ...place,
  householdId,
});
export const expert = (sub = "expert-1", streetId = "s1"): Principal => ({
  sub,
  roles: ["expert"],
  districtId: "d1",
  streetId,
});
export const streetStaff = (streetId = "s1"): Principal => ({
  sub: `street-${streetId}`,
  roles: ["street_staff"],
  districtId: "d1",
  streetId,
});

export const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
export const P2 = "01JBBBBBBBBBBBBBBBBBBBBBBB";
export const P3 = "01JCCCCCCCCCCCCCCCCCCCCCCC";
export const M1 = "01JMMMMMMMMMMMMMMMMMMMMMMM";
export const NOW = new Date("2026-05-01T08:00:00.000Z");

/** Intake's ProposalScreened data for `projection()`'s proposal (accepted, with its facts). */
export const screenedData: ProposalScreenedData = {
  proposalId: P1,
  decision: "accept",
  status: "screened",
  ...c1,
  kind: "works",
  category: "environment",
  title: "路灯更换",
  budgetFen: 1_000_000,
  selfRaisedFen: 100_000,
  sponsorFen: 0,
  programmeFen: 900_000,
  year: 2026,
  beneficiaries: 300,
};

export function projection(over: Partial<ProposalProjection> = {}): ProposalProjection {
  return {
    id: P1,
    ...c1,
    kind: "works",
    category: "environment",
    title: "路灯更换",
    budgetFen: 1_000_000,
    selfRaisedFen: 100_000,
    sponsorFen: 0,
    programmeFen: 900_000,
    year: 2026,
    beneficiaries: 300,
    status: "screened",
    version: 1,
    screenedAt: "2026-04-01T00:00:00.000Z",
    expertReviews: 0,
    expertScoreSum: 0,
    expertObjections: 0,
    ...over,
  };
}

export function meeting(over: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    id: M1,
    ...c1,
    scheduledAt: "2026-05-01T06:00:00.000Z",
    memberIds: ["m1", "m2", "m3", "m4", "m5"],
    proposalIds: [P1],
    proposalDetails: [{ proposalId: P1 }],
    status: "open",
    createdBy: "staff-1",
    createdAt: "2026-04-20T00:00:00.000Z",
    ...over,
  };
}

export const majority = { quorumShare: 0.5, passShare: 0.5, requirePresence: true };

type PlanContext = Parameters<typeof planMeeting>[1];
/** planMeeting for staff of c1 on 2026-05-01, in a city with no roster, consent or consultation rule. */
export const planAt = (
  body: Record<string, unknown>,
  proposals: readonly StoredProposal[],
  over: Partial<PlanContext> = {},
) =>
  planMeeting(body as Parameters<typeof planMeeting>[0], {
    principal: staff(),
    place: c1,
    proposals: new Map(proposals.map((p) => [p.id, p])),
    rules: { consentRequired: false, rosterRequired: false, consultation: false },
    courtyards: [],
    council: undefined,
    households: undefined,
    meetingDay: "2026-05-01",
    id: M1,
    now: NOW,
    ...over,
  });
