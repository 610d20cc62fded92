import { rule, validationFailed } from "@pencai/contracts/errors";
import type { ApprovalProposal, Charge, LedgerRecord } from "./types.js";

/**
 * The community-year budget ledger (社区年度额度). `committedFen` = approved amounts of the
 * year, `disbursedFen` = what finance paid out of them, `remainingFen` = cap - committed.
 * The store keeps one item per community-year and makes every rule below a condition of the
 * transaction that records the approval or the disbursement, so concurrent requests cannot
 * overshoot: the domain computes the condition values, DynamoDB enforces them.
 */

export interface Ledger extends LedgerRecord {
  capFen: number;
  remainingFen: number;
}

/** The ledger view (`GET /v1/budgets/{communityId}/{year}`); no item yet = nothing committed. */
export function ledgerView(
  communityId: string,
  year: number,
  record: LedgerRecord | undefined,
  capFen: number,
): Ledger {
  const committedFen = record?.committedFen ?? 0;
  const disbursedFen = record?.disbursedFen ?? 0;
  return {
    communityId,
    year,
    capFen,
    committedFen,
    disbursedFen,
    remainingFen: Math.max(0, capFen - committedFen),
  };
}

export interface CommitPlan {
  amountFen: number;
  /** the ledger after the commitment, as this request read it */
  committedFen: number;
  /**
   * Store condition on the ledger item: `attribute_not_exists(pk) OR committedFen <=
   * :committedLimitFen` with `ADD committedFen :amountFen` (committed + amount ≤ cap).
   */
  committedLimitFen: number;
}

/** An approval fits iff committed + amount ≤ cap (exactly at the cap fits). */
export function planCommit(ledger: Ledger, amountFen: number): CommitPlan {
  requireFen(amountFen, "amountFen");
  const committedLimitFen = ledger.capFen - amountFen;
  if (ledger.committedFen > committedLimitFen) {
    throw rule(
      "community_cap_exceeded",
      `community ${ledger.communityId} has ${ledger.remainingFen} fen left of its ${ledger.year} cap of ${ledger.capFen}; this approval needs ${amountFen}`,
    );
  }
  return { amountFen, committedFen: ledger.committedFen + amountFen, committedLimitFen };
}

/**
 * The community-year ledgers a proposal's approval charges: its own community and year, or a
 * phased project's years (each year's share against THAT year's cap) or a cross-community
 * project's communities (each community's share against its own cap). Approval commits all of
 * them in one transaction, each conditional like a single commitment: all or nothing.
 */
export function chargesOf(p: ApprovalProposal): Charge[] {
  return p.charges ?? [{ communityId: p.communityId, year: p.year, programmeFen: p.programmeFen }];
}

export interface LedgerCommit extends CommitPlan {
  communityId: string;
  year: number;
}

/** One commitment per charge, each against its own ledger (422 community_cap_exceeded). */
export function planCommits(
  charges: readonly Charge[],
  ledgers: readonly Ledger[],
): LedgerCommit[] {
  return charges.map((c) => {
    const ledger = ledgers.find((l) => l.communityId === c.communityId && l.year === c.year);
    if (!ledger) throw new Error(`no ledger ${c.communityId}/${c.year} was read`);
    return { communityId: c.communityId, year: c.year, ...planCommit(ledger, c.programmeFen) };
  });
}

/**
 * Where a disbursement lands when the approval charged several ledgers: it fills the charges
 * in order (a phased project's first year first), so each ledger's disbursedFen never passes
 * what was committed to it.
 */
export function disbursementShares(
  charges: readonly Charge[],
  disbursedBeforeFen: number,
  amountFen: number,
): { communityId: string; year: number; amountFen: number }[] {
  const out: { communityId: string; year: number; amountFen: number }[] = [];
  let skip = disbursedBeforeFen;
  let left = amountFen;
  for (const c of charges) {
    const room = Math.max(0, c.programmeFen - skip);
    skip = Math.max(0, skip - c.programmeFen);
    const take = Math.min(room, left);
    if (take > 0) out.push({ communityId: c.communityId, year: c.year, amountFen: take });
    left -= take;
  }
  return out;
}

export interface DisbursementPlan {
  amountFen: number;
  /** the proposal's disbursements after this one */
  totalDisbursedFen: number;
  /** approved - total: what finance may still pay */
  outstandingFen: number;
  fullyDisbursed: boolean;
  /**
   * Store condition on the proposal item: `disbursedFen <= :disbursedLimitFen` with
   * `ADD disbursedFen :amountFen` (already disbursed + amount ≤ approved).
   */
  disbursedLimitFen: number;
}

/** A disbursement is never above approved - already disbursed (exactly the remainder fits). */
export function planDisbursement(
  approvedFen: number,
  disbursedFen: number,
  amountFen: number,
): DisbursementPlan {
  if (!Number.isSafeInteger(amountFen) || amountFen < 1) {
    throw validationFailed("amountFen must be a positive integer (fen)");
  }
  const disbursedLimitFen = approvedFen - amountFen;
  if (disbursedFen > disbursedLimitFen) {
    throw rule(
      "disbursement_exceeds_approved",
      `${approvedFen - disbursedFen} fen of the approved ${approvedFen} remain to disburse; this disbursement is ${amountFen}`,
    );
  }
  const totalDisbursedFen = disbursedFen + amountFen;
  return {
    amountFen,
    totalDisbursedFen,
    outstandingFen: approvedFen - totalDisbursedFen,
    fullyDisbursed: totalDisbursedFen === approvedFen,
    disbursedLimitFen,
  };
}

function requireFen(v: number, name: string): void {
  if (!Number.isSafeInteger(v) || v < 0) {
    throw validationFailed(`${name} must be a non-negative integer (fen)`);
  }
}
