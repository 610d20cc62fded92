import type { ProposalScreenedData } from "@pencai/contracts/intake-events";
import type { ProposalProjection, StoredProposal, WithdrawnTombstone } from "./types.js";

/**
 * The proposal projection, kept from intake's events. Only accepted screenings are
 * deliberable; an event for a proposal already known changes nothing (duplicates, late
 * arrivals), and withdrawn is final, even when the withdrawal arrives first (a tombstone).
 */

/** The facts a ProposalScreened must carry for deliberation (event-carried state). */
type ScreenedFacts = Pick<
  ProposalProjection,
  | "communityId"
  | "streetId"
  | "districtId"
  | "kind"
  | "category"
  | "title"
  | "budgetFen"
  | "selfRaisedFen"
  | "year"
>;

const factKeys = [
  "communityId",
  "streetId",
  "districtId",
  "kind",
  "category",
  "title",
  "budgetFen",
  "selfRaisedFen",
  "year",
] as const;

function factsOf(data: Record<string, unknown>): ScreenedFacts | undefined {
  for (const k of factKeys) if (data[k] === undefined) return undefined;
  const { kind, budgetFen, selfRaisedFen, year } = data;
  if (kind !== "works" && kind !== "service") return undefined;
  if (![budgetFen, selfRaisedFen, year].every((n) => Number.isSafeInteger(n))) return undefined;
  return Object.fromEntries(factKeys.map((k) => [k, data[k]])) as ScreenedFacts;
}

export type ScreenedOutcome =
  | { kind: "add"; proposal: ProposalProjection }
  | { kind: "ignore"; why: string };

/** What a ProposalScreened means for the projection. */
export function onScreened(
  existing: StoredProposal | undefined,
  data: ProposalScreenedData | Record<string, unknown>,
  at: string,
): ScreenedOutcome {
  const d = data as Record<string, unknown>;
  if (existing) return { kind: "ignore", why: "already known (duplicate, or withdrawn first)" };
  if (d.decision !== "accept") return { kind: "ignore", why: "rejected at screening" };
  const facts = factsOf(d);
  if (typeof d.proposalId !== "string" || !facts) {
    return { kind: "ignore", why: "event lacks the proposal's facts (not enriched)" };
  }
  const beneficiaries = d.beneficiaries;
  return {
    kind: "add",
    proposal: {
      id: d.proposalId,
      ...facts,
      ...(typeof beneficiaries === "number" && Number.isFinite(beneficiaries) && { beneficiaries }),
      status: "screened",
      version: 1,
      screenedAt: at,
      expertReviews: 0,
      expertScoreSum: 0,
      expertObjections: 0,
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
