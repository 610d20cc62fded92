import type {
  DistrictReviewCompletedData,
  FundsDisbursedData,
  ProposalApprovedData,
  ProposalRejectedData,
  ProposalReportedData,
  SlaBreachedData,
  SlaKind,
  SlaReminderData,
} from "@pencai/contracts/approval-events";
import type { Charge } from "@pencai/contracts/charges";

/** Where a proposal lives (a community with its street and district). */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

/** The caller: a verified principal, whose roles reach places (`@pencai/runtime/reach`). */
export type { Principal as Actor } from "@pencai/runtime/reach";

/** Where approval's part of the lifecycle stands (`funded` = fully disbursed). */
export type ApprovalStatus =
  | "endorsed"
  | "reported"
  | "forwarded"
  | "approved"
  | "funded"
  | "rejected"
  | "withdrawn";

/**
 * Approval's projection of a proposal, created from the (enriched) ProposalEndorsed event and
 * moved by the workflow. Every change bumps `version`; every write is conditional on the
 * version it was computed from.
 */
export interface ApprovalProposal extends Place {
  id: string;
  kind: "works" | "service";
  title: string;
  /** the whole budget (every source of money) */
  budgetFen: number;
  /** the programme's part of it: what an approval commits and finance disburses */
  programmeFen: number;
  /** programme year: the ledger the approval commits against */
  year: number;
  /**
   * The community-year ledgers the approval charges when more than the proposal's own: a phased
   * works project's years, or a cross-community project's communities (see ledger.ts chargesOf)
   */
  charges?: Charge[];
  status: ApprovalStatus;
  version: number;
  endorsedAt: string;
  /** reports so far: 1 after the first, +1 after each return (names the review timer) */
  round: number;
  reportedAt?: string;
  reviewedAt?: string;
  approvedAt?: string;
  /** the committed amount, set on approval */
  approvedFen?: number;
  /** sum of the disbursements so far */
  disbursedFen: number;
  fundedAt?: string;
  rejection?: { stage: "district_review" | "approval"; reason?: string; at: string };
  withdrawnAt?: string;
}

export type TimerState = "open" | "met" | "breached" | "cancelled";

/**
 * One SLA timer: a review (report -> district review) or a disbursement (approval -> fully
 * disbursed). `open` until stopped or breached; `met`, `breached` and `cancelled` are final.
 */
export interface Timer {
  proposalId: string;
  communityId: string;
  districtId: string;
  kind: SlaKind;
  /** review timers: the proposal's report round; disbursement timers: 1; rectification: the
   * proposal's failed findings in order */
  round: number;
  /** rectification timers: the sampling inspection whose failed finding started it */
  inspectionId?: string;
  state: TimerState;
  workingDays: number;
  startedAt: string;
  /** 24:00 Asia/Shanghai of the n-th working day after the start day */
  dueAt: string;
  /** one working day before dueAt */
  reminderAt: string;
  /** the deadline depends on a year without official calendar data */
  provisional: boolean;
  /** years whose calendar the deadline depends on (recompute when one of them changes) */
  years: number[];
  remindedAt?: string;
  breachedAt?: string;
  stoppedAt?: string;
  /** why it stopped: the step was done, or the proposal was withdrawn */
  stopReason?: "completed" | "withdrawn";
}

/** One community-year ledger's share of a proposal's programme money. */
export type { Charge };

/** A community-year's ledger as stored (the cap comes from the city's rules). */
export interface LedgerRecord {
  communityId: string;
  year: number;
  committedFen: number;
  disbursedFen: number;
}

/** An event to put in the outbox with the state change. */
export type DomainEvent =
  | { type: "ProposalReported"; data: ProposalReportedData }
  | { type: "DistrictReviewCompleted"; data: DistrictReviewCompletedData }
  | { type: "ProposalApproved"; data: ProposalApprovedData }
  | { type: "ProposalRejected"; data: ProposalRejectedData }
  | { type: "FundsDisbursed"; data: FundsDisbursedData }
  | { type: "SlaReminder"; data: SlaReminderData }
  | { type: "SlaBreached"; data: SlaBreachedData };

/**
 * A timer write: `previous` absent = a new timer (put if absent); else update it conditional on
 * the state it was read in (`state` and `remindedAt` unchanged), so two writers never both act.
 */
export interface TimerWrite {
  timer: Timer;
  previous?: Timer;
}

export type { SlaKind };
