import * as z from "zod/mini";
import { subSchema } from "./deliberation.js";
import {
  contributionSources,
  implementerKinds,
  implementerSchema,
  milestoneSchema,
  panelTypes,
  ratings,
} from "./evaluation-events.js";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { fundingSchema, orgIdSchema, ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";
import { type Role, roles } from "./roles.js";
import { dayIn, text } from "./text.js";

export * from "./evaluation-events.js";

// Implementation and evaluation (API.md): the accountable owner and milestone plan, progress,
// payments gated by progress and money received, completion, the satisfaction panel
// (一菜一评), contributions by source and the spending notice (公示).

// ---------------------------------------------------------------- building blocks

const isoTime = /* @__PURE__ */ once(() => z.string());
const fen = /* @__PURE__ */ once(() => z.int().check(z.minimum(0), z.maximum(MAX_FEN)));
const positiveFen = /* @__PURE__ */ once(() => z.int().check(z.minimum(1), z.maximum(MAX_FEN)));
const idParams = /* @__PURE__ */ once(() => z.object({ id: ulidSchema }));
const distinct = <T>(list: readonly T[]) => new Set(list).size === list.length;

export const MAX_MILESTONES = 20;
export const MAX_PANEL = 200;
export const MAX_PROGRESS_EVIDENCE = 20;

/** A mainland mobile or landline number, digits with an optional + and dashes. */
const phone = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(/^\+?[0-9][0-9-]{5,19}$/, "must be a phone number")),
);

// ---------------------------------------------------------------- bodies

const implementationBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** 一方一厨: one named, accountable person at the street (private: never in events) */
    owner: z.strictObject({ sub: subSchema, name: text(60), phone: z.optional(phone()) }),
    implementer: z
      .strictObject({ kind: z.enum(implementerKinds), orgId: z.optional(orgIdSchema) })
      .check(
        z.refine(
          (i) => (i.kind === "org") === (i.orgId !== undefined),
          "orgId names the organisation when (and only when) kind is org",
        ),
      ),
    /** 一单一方: the plan, percent strictly rising, the last at 100 */
    milestones: z
      .array(
        z.strictObject({
          percent: z.int().check(z.minimum(1), z.maximum(100)),
          description: text(500),
          dueOn: dayIn(MIN_YEAR, MAX_YEAR),
        }),
      )
      .check(
        z.minLength(1),
        z.maxLength(MAX_MILESTONES),
        z.refine(
          (ms) => ms.every((m, i) => i === 0 || m.percent > ms[i - 1]!.percent),
          "milestone percents must rise strictly",
        ),
        z.refine((ms) => ms.at(-1)?.percent === 100, "the last milestone is 100 percent"),
      ),
  }),
);
export const implementationBodySchema = /* @__PURE__ */ implementationBody();
export type ImplementationBody = z.output<typeof implementationBodySchema>;

const progressBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    percent: z.int().check(z.minimum(0), z.maximum(100)),
    note: text(2000, { multiline: true }),
    /** verified evidence files of this proposal (photos, acceptance records) */
    evidenceIds: z.array(ulidSchema).check(
      z.maxLength(MAX_PROGRESS_EVIDENCE),
      z.refine((ids) => distinct(ids), "must not repeat an evidence id"),
    ),
  }),
);
export const progressBodySchema = /* @__PURE__ */ progressBody();
export type ProgressBody = z.output<typeof progressBodySchema>;

const paymentBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** the plan's milestone this payment is for */
    milestonePercent: z.int().check(z.minimum(1), z.maximum(100)),
    amountFen: positiveFen(),
    /** the organisation or company paid */
    payee: text(200),
    /** the payment's voucher reference */
    reference: text(200),
  }),
);
export const paymentBodySchema = /* @__PURE__ */ paymentBody();
export type PaymentBody = z.output<typeof paymentBodySchema>;

const evaluationBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    panel: z.array(z.strictObject({ sub: subSchema, type: z.enum(panelTypes) })).check(
      z.minLength(1),
      z.maxLength(MAX_PANEL),
      z.refine((p) => distinct(p.map((m) => m.sub)), "a member sits on the panel once"),
    ),
  }),
);
export const evaluationBodySchema = /* @__PURE__ */ evaluationBody();
export type EvaluationBody = z.output<typeof evaluationBodySchema>;

const ratingBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    rating: z.enum(ratings),
    comment: z.optional(text(2000, { multiline: true })),
  }),
);
export const ratingBodySchema = /* @__PURE__ */ ratingBody();

const contributionBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    source: z.enum(contributionSources),
    amountFen: positiveFen(),
    /** who gave it: a person, an enterprise, a unit (private: officials see it, the public not) */
    contributor: text(200),
    /** the receipt's reference */
    reference: text(200),
  }),
);
export const contributionBodySchema = /* @__PURE__ */ contributionBody();
export type ContributionBody = z.output<typeof contributionBodySchema>;

export const MAX_QUOTES = 20;
export const MAX_PROJECT_GROUP = 50;
/** Panlong's resident project group (项目小组) and the suppliers' quotes it compared (比价). */
const procurementBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** the residents in the group (their subs: private, the public sees only how many) */
    group: z.array(subSchema).check(
      z.minLength(1),
      z.maxLength(MAX_PROJECT_GROUP),
      z.refine((g) => distinct(g), "a resident is in the group once"),
    ),
    quotes: z
      .array(
        z.strictObject({
          /** the supplier or contractor (an organisation, public) */
          supplier: text(200),
          amountFen: positiveFen(),
          /** the quote itself: verified evidence of this proposal */
          evidenceId: ulidSchema,
        }),
      )
      .check(
        z.minLength(1),
        z.maxLength(MAX_QUOTES),
        z.refine((q) => distinct(q.map((x) => x.supplier)), "a supplier quotes once"),
        z.refine((q) => distinct(q.map((x) => x.evidenceId)), "each quote has its own evidence"),
      ),
    /** the supplier chosen: one of the quotes' */
    chosen: text(200),
    /** why; required when the chosen quote is not the cheapest */
    reason: z.optional(text(2000, { multiline: true })),
  }),
);
export const procurementBodySchema = /* @__PURE__ */ procurementBody();
export type ProcurementBody = z.output<typeof procurementBodySchema>;

// ---------------------------------------------------------------- replies

/** How the supplier was chosen, as the spending notice shows it. */
const procurement = /* @__PURE__ */ once(() =>
  z.object({
    groupSize: z.int(),
    /** officials over the project only: the group's residents */
    group: z.optional(z.array(z.string())),
    quotes: z.array(z.object({ supplier: z.string(), amountFen: fen(), evidenceId: z.string() })),
    chosen: z.string(),
    /** the chosen quote is the lowest */
    cheapest: z.boolean(),
    reason: z.optional(z.string()),
    recordedAt: isoTime(),
  }),
);
export const procurementSchema = /* @__PURE__ */ procurement();

export const projectStatuses = [
  "funded",
  "implementing",
  "completed",
  "evaluating",
  "evaluated",
] as const;

const progressReport = /* @__PURE__ */ once(() =>
  z.object({
    percent: z.int(),
    note: z.string(),
    evidenceIds: z.array(z.string()),
    reportedAt: isoTime(),
  }),
);
const payment = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    proposalId: z.string(),
    milestonePercent: z.int(),
    amountFen: fen(),
    payee: z.string(),
    reference: z.string(),
    paidAt: isoTime(),
  }),
);
export const paymentSchema = /* @__PURE__ */ payment();

const evaluationResult = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    seats: z.int(),
    ratings: z.int(),
    satisfiedCount: z.int(),
    satisfactionRate: z.number(),
    passed: z.boolean(),
    byType: z.record(z.string(), z.object({ ratings: z.int(), satisfied: z.int() })),
    closedAt: isoTime(),
  }),
);
export const evaluationResultSchema = /* @__PURE__ */ evaluationResult();

const implementationView = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    status: z.enum(projectStatuses),
    /** officials of the place only (the public view names the unit, never a person) */
    owner: z.optional(
      z.object({ sub: z.string(), name: z.string(), phone: z.optional(z.string()) }),
    ),
    implementer: implementerSchema,
    milestones: z.array(milestoneSchema),
    progressPercent: z.int(),
    progress: z.array(progressReport()),
    payments: z.array(payment()),
    totalPaidFen: fen(),
    /** disbursed programme money plus contributions received */
    receivedFen: fen(),
    startedAt: isoTime(),
    completedAt: z.optional(isoTime()),
    evaluation: z.optional(
      z.object({
        status: z.enum(["open", "closed"]),
        seats: z.int(),
        seatsByType: z.record(z.string(), z.int()),
        ratings: z.int(),
        openedAt: isoTime(),
        result: z.optional(evaluationResult()),
      }),
    ),
  }),
);
export const implementationViewSchema = /* @__PURE__ */ implementationView();
export type ImplementationView = z.output<typeof implementationViewSchema>;

const progressReply = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    percent: z.int(),
    status: z.enum(["implementing"]),
    reportedAt: isoTime(),
  }),
);
const completeReply = /* @__PURE__ */ once(() =>
  z.object({ proposalId: z.string(), status: z.literal("completed"), completedAt: isoTime() }),
);
const evaluationOpenReply = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    status: z.literal("evaluating"),
    seats: z.int(),
    seatsByType: z.record(z.string(), z.int()),
    openedAt: isoTime(),
  }),
);
const ratingReply = /* @__PURE__ */ once(() =>
  z.object({ proposalId: z.string(), rating: z.enum(ratings), ratedAt: isoTime() }),
);
const contribution = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    proposalId: z.string(),
    source: z.enum(contributionSources),
    amountFen: fen(),
    reference: z.string(),
    receivedAt: isoTime(),
    sourceTotalFen: fen(),
    /** officials only */
    contributor: z.optional(z.string()),
  }),
);
export const contributionSchema = /* @__PURE__ */ contribution();

/** The spending notice (公示): money in by source, money out by payment, the balance. */
const spendingNotice = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    budgetFen: fen(),
    /** the budget by source as planned */
    funding: fundingSchema,
    in: z.object({
      /** received so far, by source (programme = disbursed by district finance) */
      bySource: z.object({
        programme: fen(),
        self_raised: fen(),
        sponsor: fen(),
        street_subsidy: fen(),
      }),
      totalFen: fen(),
      entries: z.array(
        z.object({
          source: z.enum(["programme", ...contributionSources]),
          amountFen: fen(),
          reference: z.string(),
          at: isoTime(),
          /** officials only */
          contributor: z.optional(z.string()),
        }),
      ),
    }),
    out: z.object({
      totalFen: fen(),
      payments: z.array(
        z.object({
          milestonePercent: z.int(),
          amountFen: fen(),
          payee: z.string(),
          reference: z.string(),
          paidAt: isoTime(),
        }),
      ),
    }),
    balanceFen: fen(),
    /** the resident project group's choice of supplier (Panlong), once recorded */
    procurement: z.optional(procurement()),
  }),
);
export const spendingNoticeSchema = /* @__PURE__ */ spendingNotice();
export type SpendingNotice = z.output<typeof spendingNoticeSchema>;

// ---------------------------------------------------------------- routes

const everyone = roles satisfies readonly Role[];
const streetStaff = ["street_staff"] as const satisfies readonly Role[];

export const startImplementation = /* @__PURE__ */ defineRoute({
  operationId: "startImplementation",
  method: "POST",
  path: "/v1/proposals/{id}/implementation",
  summary: "Name the accountable owner and the milestone plan of a funded project (once)",
  tags: ["evaluation"],
  auth: streetStaff,
  get params() {
    return idParams();
  },
  get body() {
    return implementationBody();
  },
  get response() {
    return implementationView();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate"],
  idempotent: true,
});

export const getImplementation = /* @__PURE__ */ defineRoute({
  operationId: "getImplementation",
  method: "GET",
  path: "/v1/proposals/{id}/implementation",
  summary: "Owner, implementer, milestones, progress, payments and evaluation of a project",
  tags: ["evaluation"],
  auth: everyone,
  get params() {
    return idParams();
  },
  get response() {
    return implementationView();
  },
  status: 200,
  errors: ["not_found"],
});

export const reportProgress = /* @__PURE__ */ defineRoute({
  operationId: "reportProgress",
  method: "POST",
  path: "/v1/proposals/{id}/progress",
  summary: "Report progress (never down) with verified evidence of the proposal",
  tags: ["evaluation"],
  auth: ["street_staff", "community_staff", "org"],
  get params() {
    return idParams();
  },
  get body() {
    return progressBody();
  },
  get response() {
    return progressReply();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "progress_regressed", "evidence_not_verified"],
  idempotent: true,
});

export const recordPayment = /* @__PURE__ */ defineRoute({
  operationId: "recordPayment",
  method: "POST",
  path: "/v1/proposals/{id}/payments",
  summary:
    "Pay for a milestone: within reported progress, its share of the budget and the money received",
  tags: ["evaluation"],
  auth: streetStaff,
  get params() {
    return idParams();
  },
  get body() {
    return paymentBody();
  },
  get response() {
    return payment();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "milestone_not_reached", "insufficient_funds"],
  idempotent: true,
});

export const completeProject = /* @__PURE__ */ defineRoute({
  operationId: "completeProject",
  method: "POST",
  path: "/v1/proposals/{id}/complete",
  summary: "Mark a project completed (progress 100)",
  tags: ["evaluation"],
  auth: streetStaff,
  get params() {
    return idParams();
  },
  get response() {
    return completeReply();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const openEvaluation = /* @__PURE__ */ defineRoute({
  operationId: "openEvaluation",
  method: "POST",
  path: "/v1/proposals/{id}/evaluation",
  summary: "Convene the satisfaction panel of a completed project (一菜一评)",
  tags: ["evaluation"],
  auth: streetStaff,
  get params() {
    return idParams();
  },
  get body() {
    return evaluationBody();
  },
  get response() {
    return evaluationOpenReply();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "panel_invalid"],
  idempotent: true,
});

export const rateProject = /* @__PURE__ */ defineRoute({
  operationId: "rateProject",
  method: "POST",
  path: "/v1/proposals/{id}/evaluation/ratings",
  summary: "A panel member's satisfaction rating (once)",
  tags: ["evaluation"],
  auth: everyone,
  get params() {
    return idParams();
  },
  get body() {
    return ratingBody();
  },
  get response() {
    return ratingReply();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate"],
  idempotent: true,
});

export const closeEvaluation = /* @__PURE__ */ defineRoute({
  operationId: "closeEvaluation",
  method: "POST",
  path: "/v1/proposals/{id}/evaluation/close",
  summary:
    "Close the panel: satisfaction rate and pass by the city's thresholds (closing again answers the same)",
  tags: ["evaluation"],
  auth: streetStaff,
  get params() {
    return idParams();
  },
  get response() {
    return evaluationResult();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const recordContribution = /* @__PURE__ */ defineRoute({
  operationId: "recordContribution",
  method: "POST",
  path: "/v1/proposals/{id}/contributions",
  summary: "Record money received from residents (自筹), sponsors (筹) or the street",
  tags: ["evaluation"],
  auth: ["community_staff", "street_staff"],
  get params() {
    return idParams();
  },
  get body() {
    return contributionBody();
  },
  get response() {
    return contribution();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "sponsor_not_allowed"],
  idempotent: true,
});

export const getSpending = /* @__PURE__ */ defineRoute({
  operationId: "getSpending",
  method: "GET",
  path: "/v1/proposals/{id}/spending",
  summary: "The spending notice (公示): money in by source, money out by payment, balance",
  tags: ["evaluation"],
  auth: everyone,
  get params() {
    return idParams();
  },
  get response() {
    return spendingNotice();
  },
  status: 200,
  errors: ["not_found"],
});

export const getPublicSpending = /* @__PURE__ */ defineRoute({
  operationId: "getPublicSpending",
  method: "GET",
  path: "/v1/public/proposals/{id}/spending",
  summary: "The public spending notice (公示), without contributors' names",
  tags: ["evaluation", "public"],
  auth: "public",
  get params() {
    return idParams();
  },
  get response() {
    return spendingNotice();
  },
  status: 200,
  errors: ["not_found"],
});

export const recordProcurement = /* @__PURE__ */ defineRoute({
  operationId: "recordProcurement",
  method: "POST",
  path: "/v1/proposals/{id}/procurement",
  summary: "Record how the resident project group chose its supplier (项目小组, quotes compared)",
  tags: ["evaluation"],
  auth: ["street_staff", "community_staff"],
  get params() {
    return idParams();
  },
  get body() {
    return procurementBody();
  },
  get response() {
    return procurement();
  },
  status: 201,
  errors: [
    "not_found",
    "invalid_state",
    "duplicate",
    "procurement_not_available",
    "procurement_invalid",
    "evidence_not_verified",
  ],
  idempotent: true,
});

/** Routes served by the evaluation service's api function. */
export const evaluationApiRoutes = [
  startImplementation,
  getImplementation,
  reportProgress,
  recordPayment,
  completeProject,
  openEvaluation,
  rateProject,
  closeEvaluation,
  recordContribution,
  getSpending,
  getPublicSpending,
  recordProcurement,
] as const;

/**
 * Events the evaluation service's inbox consumes: intake's (the proposal, its proposer and its
 * funding; verified evidence; withdrawal) and approval's (approval, disbursements, rejection).
 */
export const evaluationInboxEventTypes = /* @__PURE__ */ defineInbox([
  "ProposalSubmitted",
  "ProposalWithdrawn",
  "EvidenceVerified",
  "ProposalApproved",
  "ProposalRejected",
  "FundsDisbursed",
]);
