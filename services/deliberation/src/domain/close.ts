import type { CouncilResult } from "@pencai/contracts/deliberation";
import { endorses } from "./endorsement.js";
import type { ExpertReviewMode } from "./expert.js";
import { closeResults } from "./meeting.js";
import {
  type PriorityWeights,
  participationOf,
  type RankingCandidate,
  rerank,
  type StoredRanking,
} from "./ranking.js";
import type { ConsentRules, CouncilRules } from "./tally.js";
import {
  type Ballot,
  type Consent,
  isTombstone,
  type MeetingRecord,
  type ProposalProjection,
  type StoredProposal,
} from "./types.js";

export interface CloseRules {
  council: CouncilRules;
  consent: ConsentRules;
  expertReview: ExpertReviewMode;
  /** the preset's priority weights; absent: the city does not rank */
  weights?: PriorityWeights;
  communityYearFen: number;
}

export interface Conclusion {
  before: ProposalProjection;
  after: ProposalProjection;
  result: CouncilResult;
  /** this close is the second of {council passed, expert passed}: emit ProposalEndorsed */
  endorsed: boolean;
}

export interface ClosePlan {
  meeting: MeetingRecord;
  conclusions: Conclusion[];
  rankings: { before: StoredRanking | undefined; after: Omit<StoredRanking, "version"> }[];
}

/**
 * Closing a meeting that is `closing` (no ballot or consent can arrive any more): the results,
 * each live agenda proposal's council outcome (withdrawn ones get a result in the minutes but
 * no event), endorsements where the expert decision already passed, and the re-ranked
 * community-years where the city ranks.
 */
export function concludeMeeting(args: {
  meeting: MeetingRecord;
  attendance: readonly string[];
  ballots: readonly Ballot[];
  consents: ReadonlyMap<string, readonly Consent[]>;
  proposals: ReadonlyMap<string, StoredProposal>;
  rankings: ReadonlyMap<number, StoredRanking | undefined>;
  rules: CloseRules;
  now: Date;
}): ClosePlan {
  const at = args.now.toISOString();
  const results = closeResults({
    meeting: args.meeting,
    attendance: args.attendance,
    ballots: args.ballots,
    consents: args.consents,
    council: args.rules.council,
    consent: args.rules.consent,
  });
  const conclusions: Conclusion[] = [];
  for (const result of results) {
    const before = args.proposals.get(result.proposalId);
    if (!before || isTombstone(before) || before.status !== "screened") continue;
    if (before.meetingId !== args.meeting.id || before.council) continue;
    const decided: ProposalProjection = { ...before, council: result };
    const endorsed = endorses(decided, args.rules.expertReview);
    conclusions.push({
      before,
      after: endorsed ? { ...decided, endorsedAt: at } : decided,
      result,
      endorsed,
    });
  }

  const rankings: ClosePlan["rankings"] = [];
  const weights = args.rules.weights;
  if (weights) {
    const passedByYear = new Map<number, RankingCandidate[]>();
    for (const c of conclusions) {
      if (!c.result.passed) continue;
      const list = passedByYear.get(c.after.year) ?? [];
      list.push(candidateOf(c.after, c.result, args.consents.get(c.after.id)?.length ?? 0));
      passedByYear.set(c.after.year, list);
    }
    for (const [year, add] of passedByYear) {
      const before = args.rankings.get(year);
      const place = {
        communityId: args.meeting.communityId,
        year,
        capFen: args.rules.communityYearFen,
      };
      rankings.push({ before, after: rerank(before, { add }, weights, place, args.now) });
    }
  }

  return {
    meeting: { ...args.meeting, status: "closed", closedAt: at, results },
    conclusions,
    rankings,
  };
}

function candidateOf(
  p: ProposalProjection,
  result: CouncilResult,
  answered: number,
): RankingCandidate {
  return {
    proposalId: p.id,
    title: p.title,
    budgetFen: p.budgetFen,
    programmeFen: p.programmeFen,
    selfRaisedFen: p.selfRaisedFen,
    ...(p.beneficiaries !== undefined && { beneficiaries: p.beneficiaries }),
    participation: participationOf({
      ...(p.agenda?.affectedHouseholds !== undefined && {
        affectedHouseholds: p.agenda.affectedHouseholds,
      }),
      answered,
      present: result.present,
      members: result.members,
    }),
    ...(p.agenda?.urgency !== undefined && { urgency: p.agenda.urgency }),
    ...(p.agenda?.replicability !== undefined && { replicability: p.agenda.replicability }),
  };
}
