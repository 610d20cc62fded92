import * as z from "zod/mini";
import { slaKinds } from "./approval-events.js";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { cityIdSchema, LIST_LIMIT_MAX, MAX_FEN, MAX_YEAR, MIN_YEAR, ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import type { Role } from "./roles.js";
import { text } from "./text.js";

export * from "./approval-events.js";

// ---------------------------------------------------------------- building blocks

const isoTime = /* @__PURE__ */ once(() => z.string());
const fen = /* @__PURE__ */ once(() => z.int().check(z.minimum(0), z.maximum(MAX_FEN)));
const year = /* @__PURE__ */ once(() => z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR)));

/** SLA timer states: `cancelled` = the proposal was withdrawn before the deadline. */
export const slaStates = ["open", "met", "breached", "cancelled"] as const;
export type SlaState = (typeof slaStates)[number];

/** A calendar year has at most 366 days; a city lists far fewer additions. */
export const MAX_CALENDAR_DAYS = 366;

// ---------------------------------------------------------------- workflow bodies and replies

const idParams = /* @__PURE__ */ once(() => z.object({ id: ulidSchema }));

const reportReply = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    status: z.literal("reported"),
    reportedAt: isoTime(),
    /** 24:00 Asia/Shanghai of the n-th working day after the report day */
    reviewDueAt: isoTime(),
    provisional: z.boolean(),
  }),
);
export const reportReplySchema = /* @__PURE__ */ reportReply();

export const districtReviewDecisions = ["forward", "return", "reject"] as const;
const districtReviewBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    decision: z.enum(districtReviewDecisions),
    reason: z.optional(text(2000, { multiline: true })),
  }),
);
export const districtReviewBodySchema = /* @__PURE__ */ districtReviewBody();
export type DistrictReviewBody = z.output<typeof districtReviewBodySchema>;

const districtReviewReply = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    decision: z.enum(districtReviewDecisions),
    /** `forwarded`, `endorsed` (returned to the street: it may be reported again) or `rejected` */
    status: z.enum(["forwarded", "endorsed", "rejected"]),
    reviewedAt: isoTime(),
    reviewDueAt: isoTime(),
    /** the review timer's final state */
    sla: z.enum(["met", "breached"]),
  }),
);
export const districtReviewReplySchema = /* @__PURE__ */ districtReviewReply();

export const approvalDecisions = ["approve", "reject"] as const;
const approvalBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    decision: z.enum(approvalDecisions),
    reason: z.optional(text(2000, { multiline: true })),
  }),
);
export const approvalBodySchema = /* @__PURE__ */ approvalBody();
export type ApprovalBody = z.output<typeof approvalBodySchema>;

const approvalReply = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    decision: z.enum(approvalDecisions),
    status: z.enum(["approved", "rejected"]),
    decidedAt: isoTime(),
    /** on approve: 24:00 Asia/Shanghai of the n-th working day after the approval day */
    disbursementDueAt: z.optional(isoTime()),
    provisional: z.optional(z.boolean()),
    /** on approve: the amount committed against the community's yearly cap */
    committedFen: z.optional(fen()),
  }),
);
export const approvalReplySchema = /* @__PURE__ */ approvalReply();

const disbursementBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    amountFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)),
    /** finance's payment reference (voucher number) */
    reference: text(200),
  }),
);
export const disbursementBodySchema = /* @__PURE__ */ disbursementBody();
export type DisbursementBody = z.output<typeof disbursementBodySchema>;

const disbursement = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    proposalId: z.string(),
    amountFen: fen(),
    reference: z.string(),
    disbursedAt: isoTime(),
    totalDisbursedFen: fen(),
    approvedFen: fen(),
    fullyDisbursed: z.boolean(),
    status: z.enum(["approved", "funded"]),
  }),
);
export const disbursementSchema = /* @__PURE__ */ disbursement();

// ---------------------------------------------------------------- SLA and budgets

const slaQuery = /* @__PURE__ */ once(() =>
  z.object({
    /** default: the caller's district */
    districtId: z.optional(cityIdSchema),
    kind: z.optional(z.enum(slaKinds)),
    state: z.optional(z.enum(slaStates)),
    limit: z.optional(z.int().check(z.minimum(1), z.maximum(LIST_LIMIT_MAX))),
    cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  }),
);
export const slaQuerySchema = /* @__PURE__ */ slaQuery();

const slaItem = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    communityId: z.string(),
    kind: z.enum(slaKinds),
    state: z.enum(slaStates),
    startedAt: isoTime(),
    dueAt: isoTime(),
    stoppedAt: z.optional(isoTime()),
    provisional: z.boolean(),
    districtId: z.string(),
    round: z.int(),
    remindedAt: z.optional(isoTime()),
    breachedAt: z.optional(isoTime()),
  }),
);
export const slaItemSchema = /* @__PURE__ */ slaItem();
const slaPage = /* @__PURE__ */ once(() =>
  z.object({ items: z.array(slaItem()), nextCursor: z.nullable(z.string()) }),
);
export const slaPageSchema = /* @__PURE__ */ slaPage();

const budgetParams = /* @__PURE__ */ once(() =>
  z.object({ communityId: cityIdSchema, year: year() }),
);
export const budgetParamsSchema = /* @__PURE__ */ budgetParams();
const budget = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.string(),
    year: z.int(),
    capFen: fen(),
    /** approved amounts of the year */
    committedFen: fen(),
    disbursedFen: fen(),
    /** capFen - committedFen */
    remainingFen: fen(),
  }),
);
export const budgetSchema = /* @__PURE__ */ budget();

// ---------------------------------------------------------------- calendar

const day = /* @__PURE__ */ once(() => z.iso.date("must be a calendar day YYYY-MM-DD"));
const calendarParams = /* @__PURE__ */ once(() => z.object({ year: year() }));
export const calendarParamsSchema = /* @__PURE__ */ calendarParams();

const dayList = () =>
  z.array(day()).check(
    z.maxLength(MAX_CALENDAR_DAYS),
    z.refine((list) => new Set(list).size === list.length, "must not repeat a day"),
  );
/** The city's runtime additions for one year; every day must lie in the path's year (handler). */
const calendarBody = /* @__PURE__ */ once(() =>
  z
    .strictObject({ holidays: dayList(), workdays: dayList() })
    .check(
      z.refine(
        (b) => !b.workdays.some((d) => b.holidays.includes(d)),
        "a day cannot be both a holiday and a workday",
      ),
    ),
);
export const calendarBodySchema = /* @__PURE__ */ calendarBody();
export type CalendarBody = z.output<typeof calendarBodySchema>;

const calendar = /* @__PURE__ */ once(() =>
  z.object({
    year: z.int(),
    /** days off: official holidays plus the city's additions */
    holidays: z.array(z.string()),
    /** make-up working weekend days (调休上班) plus the city's additions */
    workdays: z.array(z.string()),
    /** no official data for the year yet: weekends only (plus additions) */
    provisional: z.boolean(),
  }),
);
export const calendarSchema = /* @__PURE__ */ calendar();

// ---------------------------------------------------------------- routes

/** Officials who read SLA timers within their jurisdiction. */
const slaReaders = [
  "street_staff",
  "district_civil",
  "district_group",
  "district_finance",
  "analyst",
  "admin",
] as const satisfies readonly Role[];
/** Officials who read a community-year's ledger within their jurisdiction. */
const budgetReaders = ["community_staff", ...slaReaders] as const satisfies readonly Role[];

export const reportProposal = /* @__PURE__ */ defineRoute({
  operationId: "reportProposal",
  method: "POST",
  path: "/v1/proposals/{id}/report",
  summary:
    "The street reports an endorsed proposal to district civil affairs (starts the review SLA)",
  tags: ["approval"],
  auth: ["street_staff"],
  get params() {
    return idParams();
  },
  get response() {
    return reportReply();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const districtReview = /* @__PURE__ */ defineRoute({
  operationId: "districtReview",
  method: "POST",
  path: "/v1/proposals/{id}/district-review",
  summary:
    "District civil affairs forwards, returns or rejects a reported proposal (stops the review SLA)",
  tags: ["approval"],
  auth: ["district_civil"],
  get params() {
    return idParams();
  },
  get body() {
    return districtReviewBody();
  },
  get response() {
    return districtReviewReply();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const decideApproval = /* @__PURE__ */ defineRoute({
  operationId: "decideApproval",
  method: "POST",
  path: "/v1/proposals/{id}/approval",
  summary:
    "The district special group approves (commits the budget, starts the disbursement SLA) or rejects",
  tags: ["approval"],
  auth: ["district_group"],
  get params() {
    return idParams();
  },
  get body() {
    return approvalBody();
  },
  get response() {
    return approvalReply();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "community_cap_exceeded"],
  idempotent: true,
});

export const recordDisbursement = /* @__PURE__ */ defineRoute({
  operationId: "recordDisbursement",
  method: "POST",
  path: "/v1/proposals/{id}/disbursements",
  summary: "District finance records a disbursement (never above the approved amount)",
  tags: ["approval"],
  auth: ["district_finance"],
  get params() {
    return idParams();
  },
  get body() {
    return disbursementBody();
  },
  get response() {
    return disbursement();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "disbursement_exceeds_approved"],
  idempotent: true,
});

export const listSla = /* @__PURE__ */ defineRoute({
  operationId: "listSla",
  method: "GET",
  path: "/v1/sla",
  summary: "SLA timers of a district by kind and state (review 5 / disbursement 15 working days)",
  tags: ["approval"],
  auth: slaReaders,
  get query() {
    return slaQuery();
  },
  get response() {
    return slaPage();
  },
  status: 200,
  errors: ["not_found"],
});

export const getBudget = /* @__PURE__ */ defineRoute({
  operationId: "getBudget",
  method: "GET",
  path: "/v1/budgets/{communityId}/{year}",
  summary: "A community-year's budget ledger: cap, committed, disbursed, remaining",
  tags: ["approval"],
  auth: budgetReaders,
  get params() {
    return budgetParams();
  },
  get response() {
    return budget();
  },
  status: 200,
  errors: ["not_found"],
});

export const getCalendar = /* @__PURE__ */ defineRoute({
  operationId: "getCalendar",
  method: "GET",
  path: "/v1/calendar/{year}",
  summary: "The effective working-day calendar of a year: official days plus the city's additions",
  tags: ["calendar"],
  auth: "public",
  get params() {
    return calendarParams();
  },
  get response() {
    return calendar();
  },
  status: 200,
  // an admin may replace the city's additions (PUT): ten minutes late at most
  maxAge: 600,
});

export const putCalendar = /* @__PURE__ */ defineRoute({
  operationId: "putCalendar",
  method: "PUT",
  path: "/v1/calendar/{year}",
  summary: "Replace the city's runtime additions (holidays, make-up workdays) for a year",
  tags: ["calendar"],
  auth: ["admin"],
  get params() {
    return calendarParams();
  },
  get body() {
    return calendarBody();
  },
  get response() {
    return calendar();
  },
  status: 200,
  idempotent: true,
});

/** Routes served by approval's api function. */
export const approvalApiRoutes = [
  reportProposal,
  districtReview,
  decideApproval,
  recordDisbursement,
  listSla,
  getBudget,
  getCalendar,
  putCalendar,
] as const;

/**
 * Events approval's inbox consumes: its proposal projection, and oversight's failed findings and
 * rectifications (the rectification SLA timers).
 */
export const approvalInboxEventTypes = /* @__PURE__ */ defineInbox([
  "ProposalEndorsed",
  "ProposalWithdrawn",
  "InspectionFinding",
  "RectificationCompleted",
]);
