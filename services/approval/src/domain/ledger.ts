import { rule, validationFailed } from "@pencai/contracts/errors";
import type { LedgerRecord } from "./types.js";

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
