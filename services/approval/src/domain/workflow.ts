import type { Calendars } from "@pencai/calendar";
import { invalidState } from "@pencai/contracts/errors";
import { requireDistrictRole, requireStreetStaff } from "./access.js";
import {
  type CommitPlan,
  chargesOf,
  type DisbursementPlan,
  disbursementShares,
  type Ledger,
  type LedgerCommit,
  planCommits,
  planDisbursement,
} from "./ledger.js";
import { startTimer, stopTimer } from "./timers.js";
import type {
  Actor,
  ApprovalProposal,
  ApprovalStatus,
  DomainEvent,
  Timer,
  TimerWrite,
} from "./types.js";

/**
 * The approval state machine (steps 6-8 of the lifecycle):
 *
 *   endorsed --report (street_staff of the street)--> reported           [start review timer]
 *   reported --district-review (district_civil of the district)-->
 *       forward -> forwarded | return -> endorsed (report again) | reject -> rejected
 *                                                                       [stop review timer]
 *   forwarded --approval (district_group of the district)-->
 *       approve -> approved [commit budget to the ledger, start disbursement timer]
 *     | reject  -> rejected
 *   approved --disbursements (district_finance of the district)--> approved, or funded once the
 *       disbursements reach the approved amount                   [stop disbursement timer]
 *
 * Checks run in this order: role (403), jurisdiction (403), state (409 invalid_state), business
 * rules (422). Each transition returns the next projection (version + 1), the events for the
 * outbox, the timer writes and the ledger change: the store writes them in one transaction.
 */

export interface WorkflowRules {
  reviewWorkingDays: number;
  disbursementWorkingDays: number;
}

export interface Transition {
  proposal: ApprovalProposal;
  events: DomainEvent[];
  timers: TimerWrite[];
  /** approve: the commitment to the proposal's first ledger (conditional, see ledger.ts) */
  commit?: CommitPlan;
  /** approve: every ledger's commitment (one, or a phased/cross-community project's several) */
  commits?: LedgerCommit[];
  /** disbursement: the proposal's running total (conditional) and the ledgers' disbursedFen */
  disbursement?: DisbursementPlan & {
    id: string;
    reference: string;
    ledgers: { communityId: string; year: number; amountFen: number }[];
  };
}

function requireStatus(p: ApprovalProposal, allowed: ApprovalStatus, action: string): void {
  if (p.status !== allowed) {
    throw invalidState(`a ${p.status} proposal cannot be ${action}; it must be ${allowed}`);
  }
}

const next = (p: ApprovalProposal, change: Partial<ApprovalProposal>): ApprovalProposal => ({
  ...p,
  ...change,
  version: p.version + 1,
});

/** The street reports an endorsed proposal to district civil affairs: the review clock starts. */
export function report(
  p: ApprovalProposal,
  actor: Actor,
  now: Date,
  rules: WorkflowRules,
  calendars: Calendars,
): Transition {
  requireStreetStaff(actor, p);
  requireStatus(p, "endorsed", "reported");
  const round = p.round + 1;
  const timer = startTimer(
    { proposalId: p.id, communityId: p.communityId, districtId: p.districtId, round },
    "review",
    now,
    rules.reviewWorkingDays,
    calendars,
  );
  const reportedAt = now.toISOString();
  return {
    proposal: next(p, { status: "reported", round, reportedAt }),
    events: [
      {
        type: "ProposalReported",
        data: {
          proposalId: p.id,
          communityId: p.communityId,
          streetId: p.streetId,
          districtId: p.districtId,
          reportedAt,
          reviewDueAt: timer.dueAt,
          reviewWorkingDays: rules.reviewWorkingDays,
          provisional: timer.provisional,
          round,
        },
      },
    ],
    timers: [{ timer }],
  };
}

export interface DistrictReviewInput {
  decision: "forward" | "return" | "reject";
  reason?: string;
}

/**
 * Civil affairs decides within the review SLA: forward to the special group, return to the
 * street (back to `endorsed`; a new report starts a new review timer, the next round), or
 * reject (final; emits DistrictReviewCompleted and ProposalRejected). Stops the open review
 * timer: met iff on or before its deadline (a late stop records the breach if no sweep did).
 */
export function districtReview(
  p: ApprovalProposal,
  actor: Actor,
  input: DistrictReviewInput,
  now: Date,
  reviewTimer: Timer,
): Transition {
  requireDistrictRole(actor, "district_civil", p);
  requireStatus(p, "reported", "reviewed");
  const at = now.toISOString();
  const stopped = stopTimer(reviewTimer, now);
  const sla = stopped.timer.state === "met" ? "met" : "breached";
  const status: ApprovalStatus =
    input.decision === "forward"
      ? "forwarded"
      : input.decision === "return"
        ? "endorsed"
        : "rejected";
  const reason = input.reason !== undefined ? { reason: input.reason } : {};
  const events: DomainEvent[] = [];
  if (stopped.event) events.push(stopped.event);
  events.push({
    type: "DistrictReviewCompleted",
    data: {
      proposalId: p.id,
      decision: input.decision,
      ...reason,
      reviewedAt: at,
      reviewDueAt: reviewTimer.dueAt,
      sla,
      round: reviewTimer.round,
      provisional: stopped.timer.provisional,
    },
  });
  if (status === "rejected") {
    events.push({
      type: "ProposalRejected",
      data: { proposalId: p.id, stage: "district_review", ...reason, rejectedAt: at },
    });
  }
  return {
    proposal: next(p, {
      status,
      reviewedAt: at,
      ...(status === "rejected" && { rejection: { stage: "district_review", ...reason, at } }),
    }),
    events,
    timers: [{ timer: stopped.timer, previous: reviewTimer }],
  };
}

export interface ApprovalInput {
  decision: "approve" | "reject";
  reason?: string;
}

/**
 * The district special group approves (commits the proposal's budget against the community-year
 * ledger: 422 community_cap_exceeded if committed + budget > cap; starts the disbursement timer)
 * or rejects (final).
 */
export function approve(
  p: ApprovalProposal,
  actor: Actor,
  input: ApprovalInput,
  now: Date,
  ledgers: Ledger | readonly Ledger[],
  rules: WorkflowRules,
  calendars: Calendars,
): Transition {
  requireDistrictRole(actor, "district_group", p);
  requireStatus(p, "forwarded", "decided");
  const at = now.toISOString();
  if (input.decision === "reject") {
    const reason = input.reason !== undefined ? { reason: input.reason } : {};
    return {
      proposal: next(p, { status: "rejected", rejection: { stage: "approval", ...reason, at } }),
      events: [
        {
          type: "ProposalRejected",
          data: { proposalId: p.id, stage: "approval", ...reason, rejectedAt: at },
        },
      ],
      timers: [],
    };
  }
  // only programme money counts against the community's yearly cap (API.md "Funds by source");
  // a phased or cross-community project charges each of its ledgers its share
  const read: readonly Ledger[] = Array.isArray(ledgers) ? ledgers : [ledgers as Ledger];
  const commits = planCommits(chargesOf(p), read);
  const { communityId: _c, year: _y, ...commit } = commits[0]!;
  const capFen = read[0]!.capFen;
  const timer = startTimer(
    { proposalId: p.id, communityId: p.communityId, districtId: p.districtId },
    "disbursement",
    now,
    rules.disbursementWorkingDays,
    calendars,
  );
  return {
    proposal: next(p, { status: "approved", approvedAt: at, approvedFen: p.programmeFen }),
    events: [
      {
        type: "ProposalApproved",
        data: {
          proposalId: p.id,
          communityId: p.communityId,
          districtId: p.districtId,
          year: p.year,
          budgetFen: p.budgetFen,
          programmeFen: p.programmeFen,
          approvedAt: at,
          disbursementDueAt: timer.dueAt,
          disbursementWorkingDays: rules.disbursementWorkingDays,
          provisional: timer.provisional,
          committedFen: commit.committedFen,
          capFen,
          ...(p.charges && {
            charges: commits.map((c) => ({
              communityId: c.communityId,
              year: c.year,
              programmeFen: c.amountFen,
              committedFen: c.committedFen,
            })),
          }),
        },
      },
    ],
    timers: [{ timer }],
    commit,
    commits,
  };
}

export interface DisbursementInput {
  /** the disbursement's id (a ULID minted by the handler) */
  id: string;
  amountFen: number;
  reference: string;
}

/**
 * District finance pays out of the approved amount (422 disbursement_exceeds_approved above
 * approved - already disbursed). The payment that reaches the approved amount makes the
 * proposal `funded` and stops the disbursement timer.
 */
export function disburse(
  p: ApprovalProposal,
  actor: Actor,
  input: DisbursementInput,
  now: Date,
  disbursementTimer: Timer | undefined,
): Transition {
  requireDistrictRole(actor, "district_finance", p);
  requireStatus(p, "approved", "paid");
  const approvedFen = p.approvedFen ?? p.programmeFen;
  const plan = planDisbursement(approvedFen, p.disbursedFen, input.amountFen);
  const at = now.toISOString();
  const events: DomainEvent[] = [];
  const timers: TimerWrite[] = [];
  let sla: "met" | "breached" | undefined;
  if (plan.fullyDisbursed && disbursementTimer) {
    const stopped = stopTimer(disbursementTimer, now);
    if (stopped.event) events.push(stopped.event);
    timers.push({ timer: stopped.timer, previous: disbursementTimer });
    if (stopped.timer.state === "met" || stopped.timer.state === "breached") {
      sla = stopped.timer.state;
    }
  }
  events.push({
    type: "FundsDisbursed",
    data: {
      proposalId: p.id,
      communityId: p.communityId,
      year: p.year,
      disbursementId: input.id,
      amountFen: input.amountFen,
      totalDisbursedFen: plan.totalDisbursedFen,
      approvedFen,
      fullyDisbursed: plan.fullyDisbursed,
      reference: input.reference,
      disbursedAt: at,
      ...(disbursementTimer && {
        disbursementDueAt: disbursementTimer.dueAt,
        provisional: disbursementTimer.provisional,
      }),
      ...(sla && { sla }),
    },
  });
  return {
    proposal: next(p, {
      disbursedFen: plan.totalDisbursedFen,
      ...(plan.fullyDisbursed && { status: "funded" as const, fundedAt: at }),
    }),
    events,
    timers,
    disbursement: {
      ...plan,
      id: input.id,
      reference: input.reference,
      ledgers: disbursementShares(chargesOf(p), p.disbursedFen, plan.amountFen),
    },
  };
}
