import { duplicate, invalidState, rule } from "@pencai/contracts/errors";
import type { Principal } from "@pencai/runtime/reach";
import { requireStreetRole } from "./access.js";
import { round } from "./tally.js";
import type { ExpertDecision, ExpertReview, ProposalProjection } from "./types.js";

/** Which projects the city sends to the street's expert review (`rules.process.expertReview`). */
export type ExpertReviewMode = "all" | "works" | "none";

export function expertReviewRequired(kind: ProposalProjection["kind"], mode: ExpertReviewMode) {
  return mode === "all" || (mode === "works" && kind === "works");
}

/** A proposal experts may still review or decide on: sent to review, alive, council not failed. */
function requireUnderReview(p: ProposalProjection, mode: ExpertReviewMode): void {
  if (!expertReviewRequired(p.kind, mode)) {
    throw invalidState(`this city does not send ${p.kind} projects to expert review`);
  }
  if (p.status === "withdrawn") throw invalidState("the proposal was withdrawn");
  if (p.council && !p.council.passed) throw invalidState("the council did not pass the proposal");
}

/**
 * One review per expert of the proposal's street (the store's conditional put makes it once),
 * while the proposal is screened or council-passed and no decision is recorded.
 */
export function reviewProposal(
  p: ProposalProjection,
  principal: Principal,
  body: { feasible: boolean; lawful: boolean; score: number; comment?: string },
  mode: ExpertReviewMode,
  now: Date,
): ExpertReview {
  requireStreetRole(principal, "expert", p);
  requireUnderReview(p, mode);
  if (p.expert) throw invalidState("the expert decision is already recorded");
  return {
    proposalId: p.id,
    sub: principal.sub,
    feasible: body.feasible,
    lawful: body.lawful,
    score: body.score,
    ...(body.comment !== undefined && { comment: body.comment }),
    reviewedAt: now.toISOString(),
  };
}

/**
 * The street's decision, once (409 duplicate), on at least one review (409 invalid_state).
 * Works projects may only pass if every review found them feasible and lawful (422
 * expert_review_not_unanimous); service projects pass on the street's `pass` with at least one
 * review. The reviews are counted on the projection by the review transactions, and the
 * decision is conditional on that projection's version, so no review slips in unseen.
 */
export function decideExpertReview(
  p: ProposalProjection,
  principal: Principal,
  body: { decision: "pass" | "fail"; reason?: string },
  mode: ExpertReviewMode,
  now: Date,
): ExpertDecision {
  requireStreetRole(principal, "street_staff", p);
  requireUnderReview(p, mode);
  if (p.expert) throw duplicate(`the expert decision is already recorded: ${p.expert.decision}`);
  if (p.expertReviews < 1) throw invalidState("no expert has reviewed the proposal yet");
  if (body.decision === "pass" && p.kind === "works" && p.expertObjections > 0) {
    throw rule(
      "expert_review_not_unanimous",
      `a works project passes only if every review finds it feasible and lawful (${p.expertObjections} of ${p.expertReviews} did not)`,
    );
  }
  return {
    decision: body.decision,
    ...(body.reason !== undefined && { reason: body.reason }),
    reviews: p.expertReviews,
    averageScore: round(p.expertScoreSum / p.expertReviews, 1),
    at: now.toISOString(),
  };
}
