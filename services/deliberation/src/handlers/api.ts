import { localDay } from "@pencai/calendar";
import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import {
  castBallot,
  changeConsent,
  closeMeeting,
  createMeeting,
  decideExpertReview,
  getCouncil,
  getDeliberation,
  getMeeting,
  getPublicRanking,
  getRanking,
  giveConsent,
  type ProposalEndorsedData,
  putCouncil,
  putHouseholds,
  recordAttendance,
  recordOpinion,
  submitExpertReview,
} from "@pencai/contracts/deliberation";
import { forbidden, notFound } from "@pencai/contracts/errors";
import { newEvent } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import { placeOf } from "@pencai/runtime/places";
import type { Principal } from "@pencai/runtime/reach";
import type { Tx } from "@pencai/runtime/tx";
import { ulid } from "ulid";
import {
  canReadMeeting,
  hasOfficialReach,
  requireMemberOf,
  requireStaffOf,
} from "../domain/access.js";
import { type CloseRules, concludeMeeting } from "../domain/close.js";
import { answerConsent } from "../domain/consent.js";
import { ballotsCounted } from "../domain/counted.js";
import { endorses } from "../domain/endorsement.js";
import { decideExpertReview as decide, reviewProposal } from "../domain/expert.js";
import * as meetings from "../domain/meeting.js";
import type { StoredRanking } from "../domain/ranking.js";
import {
  councilView,
  type HouseholdRoster,
  householdRosterView,
  planCouncil,
  planHouseholds,
} from "../domain/roster.js";
import { isTombstone, type ProposalProjection } from "../domain/types.js";
import { deliberationView, meetingView, opinionView, rankingView } from "../domain/views.js";
import * as store from "../store.js";

// Deliberation's routes. Rules live in ../domain (one hop from each route below); this file
// reads and decides, and returns the transaction: state + outbox events. The runtime adds the
// idempotency record, commits, and on a lost race (409 conflict) runs the route again.

const rules = () => currentCity().rules;

/** The community's courtyards (院落) in the city file. */
const courtyardsOf = (communityId: string) =>
  (geoIndex(currentCity()).communityById(communityId)?.courtyards ?? []).map((c) => c.id);

/** The household roster a meeting snapshotted (none: the meeting counts typed-in numbers). */
async function rosterOfMeeting(p: ProposalProjection): Promise<HouseholdRoster | undefined> {
  if (!p.meetingId) return undefined;
  const meeting = await store.getMeeting(p.meetingId);
  const version = meeting?.householdRosterVersion;
  return version ? store.getHouseholdRoster(p.communityId, version) : undefined;
}

async function meetingOf(id: string) {
  const meeting = await store.getMeeting(id);
  if (!meeting) throw notFound(`meeting ${id}`);
  return meeting;
}

/** A proposal deliberation knows (screened and accepted); tombstones are unknown. */
async function proposalOf(id: string): Promise<ProposalProjection> {
  const p = await store.getProposal(id);
  if (!p || isTombstone(p)) throw notFound(`proposal ${id} (not screened for deliberation)`);
  return p;
}

function closeRules(): CloseRules {
  const r = rules();
  return {
    council: r.thresholds.council,
    consent: r.thresholds.householdConsent,
    expertReview: r.process.expertReview,
    ...(r.thresholds.priorityCriteria && { weights: r.thresholds.priorityCriteria }),
    communityYearFen: r.caps.communityYearFen,
  };
}

type Actor = Principal | { sub: string; roles: string[] };
const endorsedEvent = (p: ProposalProjection, actor: Actor, correlationId: string, now: Date) =>
  newEvent({
    type: "ProposalEndorsed",
    proposalId: p.id,
    communityId: p.communityId,
    actor,
    correlationId,
    data: {
      proposalId: p.id,
      meetingId: p.meetingId!,
      communityId: p.communityId,
      streetId: p.streetId,
      districtId: p.districtId,
      kind: p.kind,
      title: p.title,
      budgetFen: p.budgetFen,
      programmeFen: p.programmeFen,
      year: p.year,
      ...(p.phasing !== undefined && { phasing: p.phasing }),
      ...(p.communities !== undefined && { communities: p.communities }),
    } satisfies ProposalEndorsedData,
    now,
  });

/**
 * Closes a meeting: open -> closing (ballots and consents stop), then read everything with
 * consistent reads, then closing -> closed with results, each proposal's outcome, its events
 * and the re-ranking in one transaction (returned, for the caller to add its idempotency
 * record and commit). A meeting found `closing` (an earlier close crashed) is finished; a
 * closed one comes back as it is, with nothing to write.
 */
async function close(meetingId: string, principal: Principal, now: Date, correlationId: string) {
  let meeting = await meetingOf(meetingId);
  requireStaffOf(principal, meeting);
  const step = meetings.closeStep(meeting.status);
  if (step === "done") return { meeting, tx: undefined };
  if (step === "begin") {
    await store.beginClosing(store.newTx(), meeting.id, now.toISOString()).commit();
    meeting = { ...meeting, status: "closing" };
  }
  const [attendance, ballots, proposals] = await Promise.all([
    store.getAttendance(meeting.id),
    store.ballotsOf(meeting.id),
    store.getProposals(meeting.proposalIds),
  ]);
  const consents = new Map(
    await Promise.all(
      meeting.proposalIds.map(async (id) => [id, await store.consentsOf(id)] as const),
    ),
  );
  const r = closeRules();
  const rankings = new Map<number, StoredRanking | undefined>();
  if (r.weights) {
    const years = new Set([...proposals.values()].flatMap((p) => (isTombstone(p) ? [] : [p.year])));
    for (const year of years) rankings.set(year, await store.getRanking(meeting.communityId, year));
  }
  const plan = concludeMeeting({
    meeting,
    attendance: attendance?.present ?? [],
    ballots,
    consents,
    proposals,
    rankings,
    rules: r,
    now,
  });

  const tx = store.finishClosing(store.newTx(), plan.meeting);
  for (const c of plan.conclusions) {
    store.putProposal(tx, c.after, c.before.version);
    tx.event(
      newEvent({
        type: "DeliberationConcluded",
        proposalId: c.after.id,
        communityId: c.after.communityId,
        actor: principal,
        correlationId,
        data: { meetingId: meeting.id, ...c.result },
        now,
      }),
    );
    if (c.endorsed) tx.event(endorsedEvent(c.after, principal, correlationId, now));
  }
  for (const k of plan.rankings) store.putRanking(tx, k.after, k.before);
  // the counted ballots, for research exports (pabulib); one event unless the council is huge.
  // A consultation counts no ballots: it took none.
  const counted = plan.meeting.kind === "consultation" ? [] : ballotsCounted(plan.meeting, ballots);
  for (const data of counted) {
    tx.event(
      newEvent({
        type: "BallotsCounted",
        communityId: meeting.communityId,
        actor: principal,
        correlationId,
        data,
        now,
      }),
    );
  }
  return { meeting: plan.meeting, tx };
}

export const handler = httpApi({
  service: "deliberation",
  routes: [
    // ---------------------------------------------------------------- meetings
    route(createMeeting, async (req) => {
      const principal = req.principal!;
      const place = placeOf(req.body.communityId);
      requireStaffOf(principal, place);
      const [proposals, council, households] = await Promise.all([
        store.getProposals(req.body.proposalIds),
        store.getCouncil(place.communityId),
        store.currentHouseholdRoster(place.communityId),
      ]);
      const t = rules().thresholds;
      const plan = meetings.planMeeting(req.body, {
        principal,
        place,
        proposals,
        rules: {
          consentRequired: t.householdConsent.required,
          rosterRequired: t.council.rosterRequired,
          consultation: t.council.consultation,
        },
        courtyards: courtyardsOf(place.communityId),
        council,
        households,
        meetingDay: localDay(new Date(req.body.scheduledAt), currentCity().timezone),
        id: ulid(req.now.getTime()),
        now: req.now,
      });
      return {
        status: 201,
        body: meetingView(plan.meeting, undefined),
        tx: store.addMeeting(store.newTx(), plan.meeting, plan.agenda, {
          councilVersion: council?.version,
          householdVersion: households?.version ?? 0,
        }),
      };
    }),

    route(getMeeting, async (req) => {
      const meeting = await meetingOf(req.params.id);
      if (!canReadMeeting(req.principal!, meeting)) {
        throw forbidden("only the community's staff and the meeting's members may read it");
      }
      const [attendance, opinions] = await Promise.all([
        store.getAttendance(meeting.id),
        meeting.kind === "consultation" ? store.opinionsOf(meeting.id) : undefined,
      ]);
      return { body: meetingView(meeting, attendance, opinions) };
    }),

    route(recordAttendance, async (req) => {
      const meeting = await meetingOf(req.params.id);
      requireStaffOf(req.principal!, meeting);
      const attendance = meetings.recordAttendance(meeting, req.body.present, req.now);
      return {
        body: meetingView(meeting, attendance),
        tx: store.setAttendance(store.newTx(), attendance),
      };
    }),

    route(recordOpinion, async (req) => {
      const meeting = await meetingOf(req.params.id);
      requireStaffOf(req.principal!, meeting);
      const opinion = meetings.recordOpinion(meeting, req.body, req.principal!.sub, req.now);
      return {
        status: 201,
        body: opinionView(opinion),
        tx: store.addOpinion(store.newTx(), opinion),
      };
    }),

    route(castBallot, async (req) => {
      const principal = req.principal!;
      const meeting = await meetingOf(req.params.id);
      requireMemberOf(principal, meeting);
      const ballot = meetings.castBallot(meeting, principal.sub, req.body, req.now);
      const requirePresence = rules().thresholds.council.requirePresence;
      return {
        status: 201,
        body: {
          meetingId: meeting.id,
          proposalId: ballot.proposalId,
          choice: ballot.choice,
          castAt: ballot.castAt,
        },
        tx: store.addBallot(store.newTx(), ballot, requirePresence),
      };
    }),

    route(closeMeeting, async (req) => {
      const { meeting, tx } = await close(
        req.params.id,
        req.principal!,
        req.now,
        req.correlationId,
      );
      return {
        body: {
          meetingId: meeting.id,
          status: "closed" as const,
          closedAt: meeting.closedAt!,
          results: meeting.results ?? [],
        },
        ...(tx && { tx }),
      };
    }),

    // ---------------------------------------------------------------- household consent
    route(giveConsent, async (req) => {
      const proposal = await proposalOf(req.params.id);
      const { consent, meetingId } = answerConsent(
        proposal,
        req.principal!,
        req.body.agree,
        req.now,
        await rosterOfMeeting(proposal),
      );
      return {
        status: 201,
        body: consentReply(consent),
        tx: store.addConsent(store.newTx(), consent, meetingId, proposal),
      };
    }),

    route(changeConsent, async (req) => {
      const proposal = await proposalOf(req.params.id);
      const { consent, meetingId } = answerConsent(
        proposal,
        req.principal!,
        req.body.agree,
        req.now,
        await rosterOfMeeting(proposal),
      );
      return {
        body: consentReply(consent),
        tx: store.changeConsent(store.newTx(), consent, meetingId, proposal),
      };
    }),

    // ---------------------------------------------------------------- expert review
    route(submitExpertReview, async (req) => {
      const before = await proposalOf(req.params.id);
      const review = reviewProposal(
        before,
        req.principal!,
        req.body,
        rules().process.expertReview,
        req.now,
      );
      const after: ProposalProjection = {
        ...before,
        expertReviews: before.expertReviews + 1,
        expertScoreSum: before.expertScoreSum + review.score,
        expertObjections: before.expertObjections + (review.feasible && review.lawful ? 0 : 1),
      };
      const { sub: _, ...shown } = review;
      return {
        status: 201,
        body: shown,
        tx: store.addReview(store.newTx(), review, before, after),
      };
    }),

    route(decideExpertReview, async (req) => {
      const principal = req.principal!;
      const before = await proposalOf(req.params.id);
      const mode = rules().process.expertReview;
      const expert = decide(before, principal, req.body, mode, req.now);
      const decided: ProposalProjection = { ...before, expert };
      const endorsed = endorses(decided, mode);
      const after = endorsed ? { ...decided, endorsedAt: req.now.toISOString() } : decided;
      const tx: Tx = store.putProposal(store.newTx(), after, before.version);
      tx.event(
        newEvent({
          type: "ExpertReviewConcluded",
          proposalId: before.id,
          communityId: before.communityId,
          actor: principal,
          correlationId: req.correlationId,
          data: {
            proposalId: before.id,
            passed: expert.decision === "pass",
            decision: expert.decision,
            reviews: expert.reviews,
            averageScore: expert.averageScore,
            ...(expert.reason !== undefined && { reason: expert.reason }),
          },
          now: req.now,
        }),
      );
      if (endorsed) tx.event(endorsedEvent(after, principal, req.correlationId, req.now));
      return {
        body: {
          proposalId: before.id,
          decision: expert.decision,
          reviews: expert.reviews,
          averageScore: expert.averageScore,
          endorsed,
        },
        tx,
      };
    }),

    // ---------------------------------------------------------------- rosters
    route(putCouncil, async (req) => {
      const place = placeOf(req.params.id);
      requireStaffOf(req.principal!, place);
      const roster = planCouncil(req.body, {
        communityId: place.communityId,
        courtyards: courtyardsOf(place.communityId),
        before: await store.getCouncil(place.communityId),
        by: req.principal!.sub,
        now: req.now,
      });
      return { body: councilView(roster), tx: store.putCouncil(store.newTx(), roster) };
    }),

    route(getCouncil, async (req) => {
      const place = placeOf(req.params.id);
      if (!hasOfficialReach(req.principal!, place)) throw forbidden("outside your jurisdiction");
      const roster = await store.getCouncil(place.communityId);
      if (!roster) throw notFound(`council roster of ${place.communityId}`);
      return { body: councilView(roster) };
    }),

    route(putHouseholds, async (req) => {
      const place = placeOf(req.params.id);
      requireStaffOf(req.principal!, place);
      const roster = planHouseholds(req.body, {
        communityId: place.communityId,
        courtyards: courtyardsOf(place.communityId),
        beforeVersion: await store.householdRosterVersion(place.communityId),
        by: req.principal!.sub,
        now: req.now,
      });
      return { body: householdRosterView(roster), tx: store.putHouseholds(store.newTx(), roster) };
    }),

    // ---------------------------------------------------------------- reads
    route(getDeliberation, async (req) => {
      const proposal = await proposalOf(req.params.id);
      if (!hasOfficialReach(req.principal!, proposal)) {
        throw forbidden("outside your jurisdiction");
      }
      return { body: deliberationView(proposal, await store.consentsOf(proposal.id)) };
    }),

    route(getRanking, async (req) => {
      const place = placeOf(req.params.communityId);
      if (!hasOfficialReach(req.principal!, place)) throw forbidden("outside your jurisdiction");
      return { body: rankingView(await rankingOf(place.communityId, req.params.year)) };
    }),

    route(getPublicRanking, async (req) => {
      const place = placeOf(req.params.communityId);
      return { body: rankingView(await rankingOf(place.communityId, req.params.year)) };
    }),
  ],
});

async function rankingOf(communityId: string, year: number): Promise<StoredRanking> {
  const ranking = await store.getRanking(communityId, year);
  if (!ranking) {
    throw notFound(
      rules().thresholds.priorityCriteria
        ? `ranking of ${communityId} ${year} (no council-passed proposals yet)`
        : "ranking (this city does not rank proposals: no priority criteria)",
    );
  }
  return ranking;
}

function consentReply(c: {
  proposalId: string;
  householdId: string;
  agree: boolean;
  answeredAt: string;
}) {
  return {
    proposalId: c.proposalId,
    householdId: c.householdId,
    agree: c.agree,
    answeredAt: c.answeredAt,
  };
}
