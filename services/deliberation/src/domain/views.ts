import type { MeetingView, RankingView } from "@pencai/contracts/deliberation";
import type { StoredRanking } from "./ranking.js";
import type { Attendance, Consent, MeetingRecord, Opinion, ProposalProjection } from "./types.js";

/** A meeting with its sign-in sheet (who created it stays private). */
export function meetingView(
  m: MeetingRecord,
  attendance: Attendance | undefined,
  opinions?: readonly Opinion[],
): MeetingView {
  return {
    id: m.id,
    communityId: m.communityId,
    streetId: m.streetId,
    districtId: m.districtId,
    scheduledAt: m.scheduledAt,
    memberIds: m.memberIds,
    proposalIds: m.proposalIds,
    proposalDetails: m.proposalDetails,
    status: m.status,
    present: attendance?.present ?? [],
    ...(attendance && { attendanceRecordedAt: attendance.recordedAt }),
    ...(m.results && { results: m.results }),
    createdAt: m.createdAt,
    ...(m.closedAt && { closedAt: m.closedAt }),
    kind: m.kind ?? "council",
    ...(m.courtyardIds && { courtyardIds: m.courtyardIds }),
    ...(m.invitees && { invitees: m.invitees }),
    ...(m.councilVersion !== undefined && { councilVersion: m.councilVersion }),
    ...(m.householdRosterVersion !== undefined && {
      householdRosterVersion: m.householdRosterVersion,
    }),
    ...(opinions && { opinions: opinions.map(opinionView) }),
  };
}

/** An opinion as recorded (who typed it in stays private). */
export const opinionView = (o: Opinion) => ({
  meetingId: o.meetingId,
  proposalId: o.proposalId,
  invitee: o.invitee,
  opinion: o.opinion,
  recordedAt: o.recordedAt,
});

/** A proposal's decision record: no voter, household or expert identities. */
export function deliberationView(p: ProposalProjection, consents: readonly Consent[]) {
  const agreed = consents.filter((c) => c.agree).length;
  return {
    proposalId: p.id,
    communityId: p.communityId,
    kind: p.kind,
    title: p.title,
    year: p.year,
    status: p.status,
    ...(p.meetingId && { meetingId: p.meetingId }),
    ...(p.council && { council: p.council }),
    consents: { agreed, disagreed: consents.length - agreed },
    expert: {
      reviews: p.expertReviews,
      ...(p.expert && { decision: p.expert.decision, averageScore: p.expert.averageScore }),
    },
    ...(p.endorsedAt && { endorsedAt: p.endorsedAt }),
  };
}

export function rankingView(r: StoredRanking): RankingView {
  return {
    communityId: r.communityId,
    year: r.year,
    capFen: r.capFen,
    requestedFen: r.requestedFen,
    exceedsCap: r.exceedsCap,
    criteria: r.criteria,
    items: r.items,
    computedAt: r.computedAt,
  };
}
