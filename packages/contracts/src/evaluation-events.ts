import * as z from "zod/mini";
import { MAX_FEN } from "./limits.js";

/**
 * Data of the domain events the evaluation service emits (the envelope is `envelopeSchema` in events.ts; its `proposalId` and `communityId` are
 * set). Implementation and effect are public (四公开): these events feed the public timeline, so
 * they never carry a person's name, phone or user id. The accountable owner, the panel's members
 * and contributors' names stay in the evaluation service's table.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const fen = /* @__PURE__ */ z.int().check(z.minimum(0), z.maximum(MAX_FEN));
const time = /* @__PURE__ */ z.iso.datetime({ offset: true });
const day = /* @__PURE__ */ z.iso.date();
const percent = /* @__PURE__ */ z.int().check(z.minimum(0), z.maximum(100));
const count = /* @__PURE__ */ z.int().check(z.minimum(0));
const share = /* @__PURE__ */ z.number().check(z.minimum(0), z.maximum(1));

export const implementerKinds = ["street", "community", "org"] as const;
export type ImplementerKind = (typeof implementerKinds)[number];
export const contributionSources = ["self_raised", "sponsor", "street_subsidy"] as const;
export type ContributionSource = (typeof contributionSources)[number];
export const ratings = ["very_satisfied", "satisfied", "neutral", "dissatisfied"] as const;
export type Rating = (typeof ratings)[number];
/**
 * Who sits on a satisfaction panel (一菜一评; Longgang: 两代表一委员, party members, resident
 * representatives, owners' committee members, project experts). A city's rules name the types
 * every panel must include.
 */
export const panelTypes = [
  "deputy",
  "party_member",
  "resident_rep",
  "owners_committee",
  "expert",
] as const;
export type PanelType = (typeof panelTypes)[number];

/** The responsible unit (一方一厨): a street office, a community, or an organisation. */
export const implementerSchema = /* @__PURE__ */ (() =>
  z.object({ kind: z.enum(implementerKinds), orgId: z.optional(text) }))();
export const milestoneSchema = /* @__PURE__ */ (() =>
  z.object({ percent, description: text, dueOn: day }))();

/** 一方一厨 and 一单一方: the responsible unit and the milestone plan (the owner stays private). */
export const implementationStartedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    implementer: implementerSchema,
    milestones: z.array(milestoneSchema).check(z.minLength(1)),
    startedAt: time,
  }))();
export type ImplementationStartedData = z.infer<typeof implementationStartedDataSchema>;

export const progressReportedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    percent,
    previousPercent: percent,
    /** verified evidence of the proposal the report cites */
    evidenceIds: z.array(text),
    note: z.optional(text),
    reportedAt: time,
  }))();
export type ProgressReportedData = z.infer<typeof progressReportedDataSchema>;

export const paymentMadeDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    paymentId: text,
    milestonePercent: percent,
    amountFen: fen,
    /** the organisation or company paid (public in the spending notice) */
    payee: text,
    reference: text,
    paidAt: time,
  }))();
export type PaymentMadeData = z.infer<typeof paymentMadeDataSchema>;

/** Money received from a source other than the programme (the contributor stays private). */
export const contributionReceivedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    contributionId: text,
    source: z.enum(contributionSources),
    amountFen: fen,
    reference: text,
    /** every contribution of this source to the project, this one included */
    sourceTotalFen: fen,
    receivedAt: time,
  }))();
export type ContributionReceivedData = z.infer<typeof contributionReceivedDataSchema>;

export const projectCompletedDataSchema = /* @__PURE__ */ (() =>
  z.object({ proposalId: text, completedAt: time, totalPaidFen: fen }))();
export type ProjectCompletedData = z.infer<typeof projectCompletedDataSchema>;

/** A satisfaction panel was convened: its size and make-up, never its people. */
export const evaluationOpenedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    seats: count,
    /** seats per member type */
    seatsByType: z.record(z.string(), count),
    openedAt: time,
  }))();
export type EvaluationOpenedData = z.infer<typeof evaluationOpenedDataSchema>;

/** 一菜一评's result: counts and the rate, per member type, never who rated what. */
export const evaluationClosedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    seats: count,
    ratings: count,
    satisfiedCount: count,
    /** (very satisfied + satisfied) / ratings */
    satisfactionRate: share,
    /** enough of the panel rated, and the rate reached the city's pass rate */
    passed: z.boolean(),
    byType: z.record(z.string(), z.object({ ratings: count, satisfied: count })),
    closedAt: time,
  }))();
export type EvaluationClosedData = z.infer<typeof evaluationClosedDataSchema>;

/** Data schema of each event the evaluation service emits, by type. */
export const evaluationEventDataSchemas = {
  ImplementationStarted: implementationStartedDataSchema,
  ProgressReported: progressReportedDataSchema,
  PaymentMade: paymentMadeDataSchema,
  ContributionReceived: contributionReceivedDataSchema,
  ProjectCompleted: projectCompletedDataSchema,
  EvaluationOpened: evaluationOpenedDataSchema,
  EvaluationClosed: evaluationClosedDataSchema,
} as const;
