import type { ProposalScreenedData } from "@pencai/contracts/intake-events";
import type { ProposalProjection, StoredProposal, WithdrawnTombstone } from "./types.js";

/**
 * The proposal projection, kept from intake's events. Only accepted screenings are
 * deliberable; an event for a proposal already known changes nothing (duplicates, late
 * arrivals), and withdrawn is final, even when the withdrawal arrives first (a tombstone).
 */

export type ScreenedOutcome =
  | { kind: "add"; proposal: ProposalProjection }
  | { kind: "ignore"; why: string };

/**
 * What a ProposalScreened means for the projection. Its data has passed the event's contract
 * at the consumer's edge, so the facts are there and in range.
 */
export function onScreened(
  existing: StoredProposal | undefined,
  d: ProposalScreenedData,
  at: string,
): ScreenedOutcome {
  if (existing) return { kind: "ignore", why: "already known (duplicate, or withdrawn first)" };
  if (d.decision !== "accept") return { kind: "ignore", why: "rejected at screening" };
  return {
    kind: "add",
    proposal: {
      id: d.proposalId,
      communityId: d.communityId,
      streetId: d.streetId,
      districtId: d.districtId,
      kind: d.kind,
      category: d.category,
      title: d.title,
      budgetFen: d.budgetFen,
      selfRaisedFen: d.selfRaisedFen,
      sponsorFen: d.sponsorFen,
      programmeFen: d.programmeFen,
      year: d.year,
      ...(d.beneficiaries !== undefined && { beneficiaries: d.beneficiaries }),
      ...(d.courtyardIds?.length && { courtyardIds: [...d.courtyardIds] }),
      status: "screened",
      version: 1,
      screenedAt: at,
      expertReviews: 0,
      expertScoreSum: 0,
      expertObjections: 0,
      ...(d.phasing !== undefined && { phasing: d.phasing }),
      ...(d.communities !== undefined && { communities: d.communities }),
    },
  };
}

export type WithdrawnOutcome =
  | { kind: "tombstone"; tombstone: WithdrawnTombstone }
  | { kind: "withdraw"; before: ProposalProjection; after: ProposalProjection }
  | { kind: "ignore" };

/** What a ProposalWithdrawn means for the projection. */
export function onWithdrawn(
  existing: StoredProposal | undefined,
  proposalId: string,
  at: string,
): WithdrawnOutcome {
  if (!existing) {
    return {
      kind: "tombstone",
      tombstone: { id: proposalId, tombstone: true, version: 1, withdrawnAt: at },
    };
  }
  if ("tombstone" in existing || existing.status === "withdrawn") return { kind: "ignore" };
  return {
    kind: "withdraw",
    before: existing,
    after: { ...existing, status: "withdrawn", withdrawnAt: at, version: existing.version + 1 },
  };
}
