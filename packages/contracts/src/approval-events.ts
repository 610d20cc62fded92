import * as z from "zod/mini";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";

/**
 * Data of the domain events approval emits (the envelope is `envelopeSchema` in events.ts; its
 * `proposalId` and `communityId` are set). Times are ISO-8601 UTC. No personal data: the
 * district's decisions and the SLA outcomes are public (四公开), the officials are the envelope's
 * `actor` only.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const fen = /* @__PURE__ */ z.int().check(z.minimum(0), z.maximum(MAX_FEN));
const year = /* @__PURE__ */ z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR));
const round = /* @__PURE__ */ z.int().check(z.minimum(1));
const workingDays = /* @__PURE__ */ z.int().check(z.minimum(1), z.maximum(365));
const time = /* @__PURE__ */ z.iso.datetime({ offset: true });

export const slaKinds = ["review", "disbursement", "rectification"] as const;
export type SlaKind = (typeof slaKinds)[number];

export const proposalReportedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    communityId: text,
    streetId: text,
    districtId: text,
    reportedAt: time,
    /** 24:00 Asia/Shanghai of the n-th working day after the report day */
    reviewDueAt: time,
    reviewWorkingDays: workingDays,
    /** the deadline depends on a year without official calendar data (recomputed later) */
    provisional: z.boolean(),
    /** 1 for the first report, +1 after each return by the district */
    round,
  }))();
export type ProposalReportedData = z.infer<typeof proposalReportedDataSchema>;

export const districtReviewCompletedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    decision: z.enum(["forward", "return", "reject"]),
    reason: z.optional(text),
    reviewedAt: time,
    reviewDueAt: time,
    /** the review timer's final state: `met` (on or before the deadline) or `breached` */
    sla: z.enum(["met", "breached"]),
    round,
    /** the deadline depended on a year without official calendar data */
    provisional: z.optional(z.boolean()),
  }))();
export type DistrictReviewCompletedData = z.infer<typeof districtReviewCompletedDataSchema>;

/** Intake's registry adds `programmeFen` to the community-year committed projection (cap check). */
export const proposalApprovedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    communityId: text,
    districtId: text,
    year,
    /** the proposal's whole budget (every source) */
    budgetFen: fen,
    /** the approved (committed) amount: the programme's part of the budget */
    programmeFen: fen,
    approvedAt: time,
    disbursementDueAt: time,
    disbursementWorkingDays: workingDays,
    provisional: z.boolean(),
    /** the community-year ledger after the commitment */
    committedFen: fen,
    capFen: fen,
    /** every community-year ledger the approval charged, when more than the proposal's own
     * (a phased or cross-community project); `committedFen`/`capFen` above are the first's */
    charges: z.optional(
      z.array(z.object({ communityId: text, year, programmeFen: fen, committedFen: fen })),
    ),
  }))();
export type ProposalApprovedData = z.infer<typeof proposalApprovedDataSchema>;

export const proposalRejectedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    /** where it stopped (intake's rejection stages) */
    stage: z.enum(["district_review", "approval"]),
    reason: z.optional(text),
    rejectedAt: time,
  }))();
export type ProposalRejectedData = z.infer<typeof proposalRejectedDataSchema>;

export const fundsDisbursedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    communityId: text,
    year,
    disbursementId: text,
    amountFen: fen,
    /** sum of every disbursement of the proposal, this one included */
    totalDisbursedFen: fen,
    approvedFen: fen,
    /** totalDisbursedFen = approvedFen: the proposal is `funded`, the timer stopped */
    fullyDisbursed: z.boolean(),
    /** finance's payment reference (voucher number) */
    reference: text,
    disbursedAt: time,
    /** the disbursement timer's deadline, and whether it was provisional */
    disbursementDueAt: z.optional(time),
    provisional: z.optional(z.boolean()),
    /** set when fullyDisbursed: the disbursement timer's final state (`met` on or before the deadline) */
    sla: z.optional(z.enum(["met", "breached"])),
  }))();
export type FundsDisbursedData = z.infer<typeof fundsDisbursedDataSchema>;

const slaFacts = {
  proposalId: text,
  communityId: text,
  districtId: text,
  kind: z.enum(slaKinds),
  round,
  startedAt: time,
  dueAt: time,
  provisional: z.boolean(),
  /** a rectification timer's inspection (a proposal sampled twice has two) */
  inspectionId: z.optional(text),
};

/** One working day before the deadline (at most once per timer). */
export const slaReminderDataSchema = /* @__PURE__ */ (() =>
  z.object({ ...slaFacts, remindedAt: time }))();
export type SlaReminderData = z.infer<typeof slaReminderDataSchema>;

/** The deadline passed with the timer still open (exactly once per timer; final). */
export const slaBreachedDataSchema = /* @__PURE__ */ (() =>
  z.object({ ...slaFacts, breachedAt: time }))();
export type SlaBreachedData = z.infer<typeof slaBreachedDataSchema>;

/** Data schema of each event approval emits, by type. */
export const approvalEventDataSchemas = {
  ProposalReported: proposalReportedDataSchema,
  DistrictReviewCompleted: districtReviewCompletedDataSchema,
  ProposalApproved: proposalApprovedDataSchema,
  ProposalRejected: proposalRejectedDataSchema,
  FundsDisbursed: fundsDisbursedDataSchema,
  SlaReminder: slaReminderDataSchema,
  SlaBreached: slaBreachedDataSchema,
} as const;
