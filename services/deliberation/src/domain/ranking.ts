import type { RankingView } from "@pencai/contracts/deliberation";
import { round } from "./tally.js";

/** The preset's priority weights (`rules.thresholds.priorityCriteria`, summing to 1). */
export interface PriorityWeights {
  breadth: number;
  participation: number;
  selfRaised: number;
  urgency: number;
  replicability: number;
}

/** What ranking needs of one council-passed proposal (raw, before normalising). */
export interface RankingCandidate {
  proposalId: string;
  title: string;
  budgetFen: number;
  /** what the community's yearly ceiling is charged (programme money only) */
  programmeFen?: number;
  selfRaisedFen: number;
  /** head count, if the proposal gave one */
  beneficiaries?: number;
  /** 0..1: households that answered the consent / affected households, else council turnout */
  participation: number;
  /** council ratings 0-100 */
  urgency?: number;
  replicability?: number;
}

export type Ranking = Omit<RankingView, "computedAt">;

/** The stored ranking of a community-year: the published view plus the raw candidates. */
export interface StoredRanking extends Ranking {
  candidates: RankingCandidate[];
  computedAt: string;
  version: number;
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);

/**
 * Participation of one proposal, 0..1: the share of affected households that answered the
 * consent (agree or not) when the council gave `affectedHouseholds`, else the council's turnout
 * (present / members).
 */
export function participationOf(args: {
  affectedHouseholds?: number;
  answered: number;
  present: number;
  members: number;
}): number {
  if (args.affectedHouseholds && args.affectedHouseholds > 0) {
    return clamp01(args.answered / args.affectedHouseholds);
  }
  return args.members > 0 ? clamp01(args.present / args.members) : 0;
}

/**
 * Ranks a community-year's council-passed proposals by the preset's weights.
 *
 * Inputs, each normalised to 0..1:
 * - `beneficiaries` (breadth): head count / the largest head count among the candidates
 *   (0 without a head count);
 * - `participation`: see `participationOf`;
 * - `selfRaisedShare`: selfRaisedFen / budgetFen;
 * - `urgency`, `replicability`: the council's 0-100 rating / 100 (0 when not rated).
 *
 * `score` = Σ weight × input (4 decimals). Order: score descending, then proposal id ascending
 * (deterministic). `fundable`: funded greedily in rank order, a proposal is fundable when it
 * still fits in what the cap leaves (a later, smaller one may fit after a larger one did not).
 */
export function rankProposals(
  candidates: readonly RankingCandidate[],
  weights: PriorityWeights,
  place: { communityId: string; year: number; capFen: number },
): Ranking {
  const widest = Math.max(0, ...candidates.map((c) => c.beneficiaries ?? 0));
  const scored = candidates.map((c) => {
    const inputs = {
      beneficiaries: widest > 0 ? round(clamp01((c.beneficiaries ?? 0) / widest), 4) : 0,
      participation: round(clamp01(c.participation), 4),
      selfRaisedShare: c.budgetFen > 0 ? round(clamp01(c.selfRaisedFen / c.budgetFen), 4) : 0,
      urgency: round(clamp01((c.urgency ?? 0) / 100), 4),
      replicability: round(clamp01((c.replicability ?? 0) / 100), 4),
    };
    const score = round(
      weights.breadth * inputs.beneficiaries +
        weights.participation * inputs.participation +
        weights.selfRaised * inputs.selfRaisedShare +
        weights.urgency * inputs.urgency +
        weights.replicability * inputs.replicability,
      4,
    );
    return { c, inputs, score };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      (a.c.proposalId < b.c.proposalId ? -1 : a.c.proposalId > b.c.proposalId ? 1 : 0),
  );
  let left = place.capFen;
  const items = scored.map(({ c, inputs, score }, i) => {
    // the community's yearly ceiling counts programme money only (a stored ranking from before
    // funds by source has none: its whole budget was programme money)
    const charged = c.programmeFen ?? c.budgetFen;
    const fundable = charged <= left;
    if (fundable) left -= charged;
    return {
      proposalId: c.proposalId,
      title: c.title,
      budgetFen: c.budgetFen,
      rank: i + 1,
      score,
      fundable,
      inputs,
    };
  });
  const requestedFen = candidates.reduce((sum, c) => sum + c.budgetFen, 0);
  return {
    communityId: place.communityId,
    year: place.year,
    capFen: place.capFen,
    requestedFen,
    exceedsCap: requestedFen > place.capFen,
    criteria: { weights: { ...weights } },
    items,
  };
}

/**
 * The community-year's ranking after adding newly passed proposals and dropping withdrawn
 * ones (the stored candidates keep their raw inputs, so every re-rank normalises afresh).
 */
export function rerank(
  before: StoredRanking | undefined,
  change: { add?: readonly RankingCandidate[]; remove?: readonly string[] },
  weights: PriorityWeights,
  place: { communityId: string; year: number; capFen: number },
  now: Date,
): Omit<StoredRanking, "version"> {
  const gone = new Set([...(change.remove ?? []), ...(change.add ?? []).map((c) => c.proposalId)]);
  const candidates = [
    ...(before?.candidates ?? []).filter((c) => !gone.has(c.proposalId)),
    ...(change.add ?? []),
  ];
  return {
    ...rankProposals(candidates, weights, place),
    candidates,
    computedAt: now.toISOString(),
  };
}
