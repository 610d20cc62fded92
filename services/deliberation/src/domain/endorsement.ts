import { type ExpertReviewMode, expertReviewRequired } from "./expert.js";
import type { ProposalProjection } from "./types.js";

/**
 * Whether this state of the proposal endorses it (council passed and, where the city sends the
 * project to expert review, the expert decision passed) and it was not endorsed before. The
 * transaction that records the second of the two facts emits ProposalEndorsed; both
 * transactions are conditional on the projection's version, so exactly one of them sees both.
 */
export function endorses(p: ProposalProjection, mode: ExpertReviewMode): boolean {
  if (p.endorsedAt || p.status !== "screened" || !p.council?.passed) return false;
  return !expertReviewRequired(p.kind, mode) || p.expert?.decision === "pass";
}
