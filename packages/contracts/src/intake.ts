import * as z from "zod/mini";
import { slaKinds } from "./approval-events.js";
import { implementerSchema, milestoneSchema } from "./evaluation-events.js";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { once } from "./lazy.js";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";
import { type Role, roles } from "./roles.js";
import { text } from "./text.js";

export * from "./intake-events.js";
export { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";

// ---------------------------------------------------------------- building blocks

/** Ids minted by Pencai (needs, proposals, evidence): upper-case Crockford ULIDs. */
const ulid = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "must be a ULID")),
);
export const ulidSchema = /* @__PURE__ */ ulid();
/** Geography and category ids from the city file (`futian`, `elderly_care`). */
const cityId = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(/^[a-z][a-z0-9_-]{0,39}$/, "must be a lowercase ascii id")),
);
export const cityIdSchema = /* @__PURE__ */ cityId();
/** Organisation ids come from the identity provider (`orgId` claim). */
const orgId = /* @__PURE__ */ once(() =>
  z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be an organisation id (≤ 64)")),
);
export const orgIdSchema = /* @__PURE__ */ orgId();

const fen = /* @__PURE__ */ once(() => z.int().check(z.minimum(0), z.maximum(MAX_FEN)));
export const fenSchema = /* @__PURE__ */ fen();

const isoTime = /* @__PURE__ */ once(() => z.string());

/** Programme year (the year the budget belongs to). */
const year = /* @__PURE__ */ once(() => z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR)));
export const yearSchema = /* @__PURE__ */ year();

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;
/** `?limit=&cursor=`; the reply's `nextCursor` is `null` on the last page. */
const pageQuery = /* @__PURE__ */ once(() => ({
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(LIST_LIMIT_MAX))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
}));
const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

const idParams = /* @__PURE__ */ once(() => z.object({ id: ulid() }));

/** Roles that read within their jurisdiction (everyone but the public). */
const anyRole = roles satisfies readonly Role[];

// ---------------------------------------------------------------- proposals

export const proposalKinds = ["works", "service"] as const;
const proposalKind = /* @__PURE__ */ once(() => z.enum(proposalKinds));
export const proposalKindSchema = /* @__PURE__ */ proposalKind();

/** Lifecycle in order, then the two exits. */
export const proposalStatuses = [
  "submitted",
  "screened",
  "deliberated",
  "endorsed",
  "reported",
  "forwarded",
  "approved",
  "funded",
  "implementing",
  "completed",
  "evaluated",
  "withdrawn",
  "rejected",
] as const;
export type ProposalStatus = (typeof proposalStatuses)[number];
/** The lifecycle in order (the exits `withdrawn` and `rejected` are not in it). */
export const proposalLifecycle = proposalStatuses.filter(
  (s): s is Exclude<ProposalStatus, "withdrawn" | "rejected"> =>
    s !== "withdrawn" && s !== "rejected",
);
/** Approved or a later stage (the programme funds it); the exits are neither. */
export const isApprovedOrLater = (s: string): boolean =>
  proposalLifecycle.indexOf(s as (typeof proposalLifecycle)[number]) >=
  proposalLifecycle.indexOf("approved");
const proposalStatus = /* @__PURE__ */ once(() => z.enum(proposalStatuses));
export const proposalStatusSchema = /* @__PURE__ */ proposalStatus();

/** Where a rejected proposal stopped. */
export const rejectionStages = [
  "screening",
  "deliberation",
  "expert_review",
  "district_review",
  "approval",
] as const;
const rejectionStage = /* @__PURE__ */ once(() => z.enum(rejectionStages));
export const rejectionStageSchema = /* @__PURE__ */ rejectionStage();

/** The four publicities (四公开). */
export const publicStages = ["collection", "decision", "implementation", "effect"] as const;
export type PublicStage = (typeof publicStages)[number];
const publicStage = /* @__PURE__ */ once(() => z.enum(publicStages));
export const publicStageSchema = /* @__PURE__ */ publicStage();

/** Head count, or a description of who benefits. */
const beneficiaries = /* @__PURE__ */ once(() =>
  z.union([z.int().check(z.minimum(0), z.maximum(100_000_000)), text(1000)]),
);
export const beneficiariesSchema = /* @__PURE__ */ beneficiaries();
/** An address, or an address with coordinates. */
const location = /* @__PURE__ */ once(() =>
  z.union([
    text(500),
    z.strictObject({
      address: z.optional(text(500)),
      lat: z.optional(z.number().check(z.minimum(-90), z.maximum(90))),
      lng: z.optional(z.number().check(z.minimum(-180), z.maximum(180))),
    }),
  ]),
);
export const locationSchema = /* @__PURE__ */ location();

export const MAX_NEEDS_PER_PROPOSAL = 20;
export const MAX_COURTYARDS_PER_PROPOSAL = 20;
export const MAX_COMMUNITIES_PER_PROPOSAL = 20;

/** One programme year's share of a phased works project. */
const yearShare = /* @__PURE__ */ once(() =>
  z.strictObject({ year: year(), programmeFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)) }),
);
export const yearShareSchema = /* @__PURE__ */ yearShare();
/** One community's share of a cross-community project. */
const communityShare = /* @__PURE__ */ once(() =>
  z.strictObject({
    communityId: cityId(),
    programmeFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)),
  }),
);
export const communityShareSchema = /* @__PURE__ */ communityShare();

const createProposalBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    communityId: cityId(),
    kind: proposalKind(),
    category: cityId(),
    title: text(200),
    summary: text(2000, { multiline: true }),
    plan: z.optional(text(20000, { multiline: true })),
    beneficiaries: beneficiaries(),
    /** the whole budget, every source of money together */
    budgetFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)),
    /** residents' own money (自筹) */
    selfRaisedFen: z.optional(z.int().check(z.maximum(MAX_FEN))),
    /** enterprises, 乡贤, units (Ningbo's 筹), where the city's programme takes sponsors */
    sponsorFen: z.optional(z.int().check(z.maximum(MAX_FEN))),
    /** the needs (需求库) this proposal answers: at least one, each of the same community */
    needIds: z.array(ulid()).check(z.minLength(1), z.maxLength(MAX_NEEDS_PER_PROPOSAL)),
    applicantOrgId: z.optional(orgId()),
    location: z.optional(location()),
    year: year(),
    /** packages of one split works need (拆开申报) share this id; each is checked on its own */
    packageGroupId: z.optional(orgId()),
    /** courtyards (院落) of the proposal's community it is for */
    courtyardIds: z.optional(
      z.array(cityId()).check(z.minLength(1), z.maxLength(MAX_COURTYARDS_PER_PROPOSAL)),
    ),
    /** a works project phased over consecutive programme years from `year` (Luohu 分年度实施) */
    phasing: z.optional(z.array(yearShare()).check(z.minLength(2), z.maxLength(3))),
    /** a cross-community project filed by the street: each community's programme share */
    communities: z.optional(
      z.array(communityShare()).check(z.minLength(2), z.maxLength(MAX_COMMUNITIES_PER_PROPOSAL)),
    ),
  }),
);
export const createProposalBodySchema = /* @__PURE__ */ createProposalBody();
export type CreateProposalBody = z.output<typeof createProposalBodySchema>;

const screening = /* @__PURE__ */ once(() =>
  z.object({
    decision: z.enum(["accept", "reject"]),
    needFit: z.optional(z.int()),
    reason: z.optional(z.string()),
    at: isoTime(),
  }),
);
export const screeningSchema = /* @__PURE__ */ screening();

/**
 * The decision record (四公开: decision is public), projected by intake's registry from
 * deliberation's `DeliberationConcluded` and `ExpertReviewConcluded` events: counts and
 * outcomes only, never who voted, consented or reviewed.
 */
const proposalDecision = /* @__PURE__ */ once(() =>
  z.object({
    /** the latest council vote on the proposal */
    council: z.optional(
      z.object({
        meetingId: z.optional(z.string()),
        members: z.int(),
        present: z.int(),
        yes: z.int(),
        no: z.int(),
        abstain: z.int(),
        quorumMet: z.boolean(),
        passed: z.boolean(),
        /** household consent, where the city requires it */
        consent: z.optional(
          z.object({
            households: z.int(),
            agreed: z.int(),
            disagreed: z.optional(z.int()),
            /** agreed / households */
            share: z.number(),
            /** whether the city requires consent for a proposal to pass */
            required: z.boolean(),
            /** share ≥ the city's threshold */
            met: z.boolean(),
          }),
        ),
        concludedAt: isoTime(),
      }),
    ),
    /** the street's expert review (专家论证) */
    expertReview: z.optional(
      z.object({
        passed: z.boolean(),
        decision: z.optional(z.enum(["pass", "fail"])),
        reviews: z.int(),
        averageScore: z.number(),
        reason: z.optional(z.string()),
        concludedAt: isoTime(),
      }),
    ),
  }),
);
export const proposalDecisionSchema = /* @__PURE__ */ proposalDecision();
export type ProposalDecision = z.output<typeof proposalDecisionSchema>;

/**
 * SLA timer states as intake projects them from approval's events (the same values as
 * approval's `slaStates`; approval.ts imports this file, so they are not imported from there).
 */
const proposalSlaStates = ["open", "met", "breached", "cancelled"] as const;
export type ProposalSlaState = (typeof proposalSlaStates)[number];

/**
 * One SLA timer of the proposal (四公开: whether the government met its own deadline), projected
 * by intake's registry from approval's events: the district review of each report round (5
 * working days) and the disbursement (15). `breached` is final.
 */
const proposalSla = /* @__PURE__ */ once(() =>
  z.object({
    kind: z.enum(slaKinds),
    /** review: the report round (1, then +1 after each return); disbursement: 1 */
    round: z.int(),
    state: z.enum(proposalSlaStates),
    startedAt: z.optional(isoTime()),
    dueAt: isoTime(),
    /** when the step was done (met/breached) or the proposal withdrawn (cancelled) */
    stoppedAt: z.optional(isoTime()),
    remindedAt: z.optional(isoTime()),
    breachedAt: z.optional(isoTime()),
    /** the deadline touches a year without official calendar data */
    provisional: z.boolean(),
  }),
);
export const proposalSlaSchema = /* @__PURE__ */ proposalSla();
export type ProposalSla = z.output<typeof proposalSlaSchema>;

/**
 * The compact SLA outcome per kind: `breached` if any round breached, else the latest round's
 * state.
 */
const proposalSlaSummary = /* @__PURE__ */ once(() =>
  z.object({
    review: z.optional(z.enum(proposalSlaStates)),
    disbursement: z.optional(z.enum(proposalSlaStates)),
    /** a failed sampling-inspection finding's rectification (整改) */
    rectification: z.optional(z.enum(proposalSlaStates)),
  }),
);
export const proposalSlaSummarySchema = /* @__PURE__ */ proposalSlaSummary();
export type ProposalSlaSummary = z.output<typeof proposalSlaSummarySchema>;

/** Where a project's money comes from (API.md "Funds by source"). */
export const fundingSources = ["programme", "self_raised", "sponsor", "street_subsidy"] as const;
export type FundingSource = (typeof fundingSources)[number];
const funding = /* @__PURE__ */ once(() =>
  z.object({
    /** the district's micro-project money: budgetFen - selfRaisedFen - sponsorFen */
    programmeFen: z.int(),
    selfRaisedFen: z.int(),
    sponsorFen: z.int(),
    /** street subsidies received (ContributionReceived) */
    streetSubsidyFen: z.int(),
  }),
);
export const fundingSchema = /* @__PURE__ */ funding();

const publicImplementation = /* @__PURE__ */ once(() =>
  z.object({
    /** the responsible unit; with `startedAt`, absent until the plan's event has arrived */
    implementer: z.optional(implementerSchema),
    milestones: z.array(milestoneSchema),
    percent: z.int(),
    payments: z.array(
      z.object({
        payee: z.string(),
        amountFen: z.int(),
        milestonePercent: z.int(),
        paidAt: isoTime(),
      }),
    ),
    totalPaidFen: z.int(),
    startedAt: z.optional(isoTime()),
    completedAt: z.optional(isoTime()),
  }),
);
const publicEffect = /* @__PURE__ */ once(() =>
  z.object({
    seats: z.int(),
    ratings: z.int(),
    satisfactionRate: z.number(),
    passed: z.boolean(),
    closedAt: isoTime(),
  }),
);

const proposalFields = /* @__PURE__ */ once(() => ({
  id: ulid(),
  status: proposalStatus(),
  /** four-publicity stage; absent for withdrawn proposals */
  stage: z.optional(publicStage()),
  /** the programme's step under way (the city's `process.steps`); absent for the exits */
  step: z.optional(z.object({ id: z.string(), name: z.string() })),
  communityId: z.string(),
  streetId: z.string(),
  districtId: z.string(),
  kind: proposalKind(),
  category: z.string(),
  title: z.string(),
  summary: z.string(),
  plan: z.optional(z.string()),
  beneficiaries: z.union([z.int(), z.string()]),
  budgetFen: z.int(),
  selfRaisedFen: z.int(),
  /** the budget by source: only programme money counts against caps and the yearly ceiling */
  funding: funding(),
  needIds: z.array(z.string()),
  applicantOrgId: z.optional(z.string()),
  location: z.optional(location()),
  year: z.int(),
  packageGroupId: z.optional(z.string()),
  courtyardIds: z.optional(z.array(z.string())),
  /** a phased works project: each programme year's share (approval commits each to its year) */
  phasing: z.optional(z.array(yearShare())),
  /** a cross-community project: each community's share (approval charges each community) */
  communities: z.optional(z.array(communityShare())),
  screening: z.optional(screening()),
  rejectedAt: z.optional(rejectionStage()),
  rejectionReason: z.optional(z.string()),
  decision: z.optional(proposalDecision()),
  /** SLA timers, review rounds then disbursement; every view but the public list */
  sla: z.optional(z.array(proposalSla())),
  /** the SLA outcome per kind; every view that has timers, lists included */
  slaSummary: z.optional(proposalSlaSummary()),
  /** 四公开's implementation stage: the responsible unit, the plan, progress and payments */
  implementation: z.optional(publicImplementation()),
  /** 四公开's effect stage: the satisfaction panel's result (counts, never who rated what) */
  effect: z.optional(publicEffect()),
  withdrawnAt: z.optional(isoTime()),
  createdAt: isoTime(),
  updatedAt: isoTime(),
  timelineSeq: z.int(),
  timelineHash: z.string(),
}));

/** A proposal as its proposer and officials see it. */
const proposal = /* @__PURE__ */ once(() =>
  z.object({
    ...proposalFields(),
    proposer: z.object({ sub: z.string(), role: z.string() }),
  }),
);
export const proposalSchema = /* @__PURE__ */ proposal();
export type ProposalView = z.output<typeof proposalSchema>;

/** A proposal as the public sees it: no proposer, household, phone or resident name. */
const publicProposal = /* @__PURE__ */ once(() => z.object(proposalFields()));
export const publicProposalSchema = /* @__PURE__ */ publicProposal();
export type PublicProposalView = z.output<typeof publicProposalSchema>;

/**
 * One timeline entry. `hash` = lowercase hex SHA-256 of the UTF-8 string
 * `(prevHash ?? "") + JCS(item without hash)`; `actor` carries the role only.
 */
const timelineItem = /* @__PURE__ */ once(() =>
  z.object({
    seq: z.int(),
    type: z.string(),
    at: isoTime(),
    actor: z.object({ role: z.string() }),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.nullable(z.string()),
    hash: z.string(),
  }),
);
export const timelineItemSchema = /* @__PURE__ */ timelineItem();
export type TimelineItem = z.output<typeof timelineItemSchema>;
const timeline = /* @__PURE__ */ once(() => z.object({ items: z.array(timelineItem()) }));
export const timelineSchema = /* @__PURE__ */ timeline();

const listProposalsQuery = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.optional(cityId()),
    streetId: z.optional(cityId()),
    districtId: z.optional(cityId()),
    /** `true`: the caller's own proposals (no geography needed) */
    mine: z.optional(z.boolean()),
    status: z.optional(proposalStatus()),
    year: z.optional(year()),
    ...pageQuery(),
  }),
);
export const listProposalsQuerySchema = /* @__PURE__ */ listProposalsQuery();

const screeningBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    decision: z.enum(["accept", "reject"]),
    /** required when rejecting */
    reason: z.optional(text(2000, { multiline: true })),
    /** fit with the needs library (契合度), 0-100; required where the city checks fit */
    needFit: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  }),
);
export const screeningBodySchema = /* @__PURE__ */ screeningBody();

const withdrawBody = /* @__PURE__ */ once(() =>
  z.optional(z.strictObject({ reason: z.optional(text(2000, { multiline: true })) })),
);
export const withdrawBodySchema = /* @__PURE__ */ withdrawBody();

// ---------------------------------------------------------------- needs

const createNeedBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    communityId: cityId(),
    title: text(200),
    description: text(4000, { multiline: true }),
    category: z.optional(cityId()),
  }),
);
export const createNeedBodySchema = /* @__PURE__ */ createNeedBody();

export const needLevels = [1, 2, 3] as const;
/** One step up the ladder: who, why, by when the level must answer, and its answer. */
const needEscalation = /* @__PURE__ */ once(() =>
  z.object({
    level: z.int(),
    reason: z.string(),
    escalatedAt: isoTime(),
    by: z.object({ role: z.string() }),
    /** 24:00 Asia/Shanghai of the last working day the level has (city rule `sla.escalation`) */
    dueAt: isoTime(),
    /** the deadline touches a year without official calendar data */
    provisional: z.boolean(),
    response: z.optional(
      z.object({ note: z.string(), respondedAt: isoTime(), by: z.object({ role: z.string() }) }),
    ),
  }),
);

const need = /* @__PURE__ */ once(() =>
  z.object({
    id: ulid(),
    communityId: z.string(),
    streetId: z.string(),
    districtId: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.optional(z.string()),
    status: z.literal("open"),
    /** residents who endorsed it (one each) */
    endorsements: z.int(),
    /** proposals that answer this need (withdrawn ones drop out) */
    proposalIds: z.array(z.string()),
    proposalCount: z.int(),
    raisedBy: z.object({ role: z.string() }),
    createdAt: isoTime(),
    /** Panlong's ladder: 1 residents solve it, 2 the street and community help, 3 the district */
    level: z.int(),
    /** each escalation in order, with its response deadline and response (roles only) */
    escalations: z.array(needEscalation()),
    /** the current level's response is late: past its deadline and not answered */
    overdue: z.boolean(),
  }),
);
export const needSchema = /* @__PURE__ */ need();
export type NeedView = z.output<typeof needSchema>;

const listNeedsQuery = /* @__PURE__ */ once(() =>
  z.object({
    communityId: cityId(),
    /** only needs at this level of the ladder */
    level: z.optional(z.int().check(z.minimum(1), z.maximum(3))),
    /** true: only needs whose level is past its deadline unanswered; false: only the others */
    overdue: z.optional(z.boolean()),
    ...pageQuery(),
  }),
);
export const listNeedsQuerySchema = /* @__PURE__ */ listNeedsQuery();
const endorsement = /* @__PURE__ */ once(() =>
  z.object({ needId: z.string(), endorsements: z.int() }),
);
export const endorsementSchema = /* @__PURE__ */ endorsement();
const escalateNeedBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** the next level, one step up from the need's current one */
    level: z.union([z.literal(2), z.literal(3)]),
    reason: text(2000, { multiline: true }),
  }),
);
export const escalateNeedBodySchema = /* @__PURE__ */ escalateNeedBody();
const needResponseBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** the level answering: the need's current level */
    level: z.union([z.literal(2), z.literal(3)]),
    note: text(4000, { multiline: true }),
  }),
);
export const needResponseBodySchema = /* @__PURE__ */ needResponseBody();

// ---------------------------------------------------------------- evidence

export const evidenceContentTypes = [
  "application/pdf",
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "video/mp4",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
] as const;
export const MAX_EVIDENCE_BYTES = 50 * 1024 * 1024;

const createEvidenceBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** what it proves: `minutes`, `sign_in_sheet`, `photo`, `invoice`, … */
    purpose: z
      .string()
      .check(z.regex(/^[a-z][a-z0-9_-]{0,63}$/, "must be a lowercase word like minutes or photo")),
    fileName: text(255),
    contentType: z.enum(evidenceContentTypes),
    sizeBytes: z.int().check(z.minimum(1), z.maximum(MAX_EVIDENCE_BYTES)),
    /** SHA-256 of the file: 64 hex digits (or standard base64) */
    sha256: z
      .string()
      .check(
        z.regex(
          /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/,
          "must be a SHA-256 in hex (64 digits) or base64",
        ),
      ),
  }),
);
export const createEvidenceBodySchema = /* @__PURE__ */ createEvidenceBody();

export const evidenceStatuses = ["pending", "verified", "rejected"] as const;

const evidence = /* @__PURE__ */ once(() =>
  z.object({
    evidenceId: ulid(),
    proposalId: ulid(),
    purpose: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    sizeBytes: z.int(),
    /** lowercase hex */
    sha256: z.string(),
    status: z.enum(evidenceStatuses),
    createdAt: isoTime(),
    verifiedAt: z.optional(isoTime()),
    rejectedAt: z.optional(isoTime()),
    /** for rejected evidence: what did not match (`size`, `contentType`, `sha256`) */
    mismatches: z.optional(z.array(z.string())),
    /** verified evidence only: a short-lived (5 min) presigned GET */
    url: z.optional(z.string()),
    urlExpiresAt: z.optional(isoTime()),
  }),
);
export const evidenceSchema = /* @__PURE__ */ evidence();
export type EvidenceView = z.output<typeof evidenceSchema>;

const evidenceUpload = /* @__PURE__ */ once(() =>
  z.object({
    evidenceId: ulid(),
    status: z.literal("pending"),
    upload: z.object({
      method: z.literal("PUT"),
      url: z.string(),
      /** send exactly these headers with the PUT (they are signed) */
      headers: z.record(z.string(), z.string()),
    }),
    expiresAt: isoTime(),
  }),
);
export const evidenceUploadSchema = /* @__PURE__ */ evidenceUpload();

const evidenceParams = /* @__PURE__ */ once(() => z.object({ id: ulid(), evidenceId: ulid() }));

// ---------------------------------------------------------------- public, geo, rules

const publicListQuery = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.optional(cityId()),
    streetId: z.optional(cityId()),
    districtId: z.optional(cityId()),
    stage: z.optional(publicStage()),
    year: z.optional(year()),
    ...pageQuery(),
  }),
);
export const publicListQuerySchema = /* @__PURE__ */ publicListQuery();
const publicProposalDetail = /* @__PURE__ */ once(() =>
  z.object({
    ...proposalFields(),
    timeline: z.array(timelineItem()),
  }),
);
export const publicProposalDetailSchema = /* @__PURE__ */ publicProposalDetail();

const named = /* @__PURE__ */ once(() => z.object({ id: z.string(), name: z.string() }));
const geo = /* @__PURE__ */ once(() =>
  z.object({
    cityId: z.string(),
    name: z.string(),
    districts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        streets: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            communities: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                courtyards: z.optional(z.array(named())),
              }),
            ),
          }),
        ),
      }),
    ),
  }),
);
export const geoSchema = /* @__PURE__ */ geo();

const rulesView = /* @__PURE__ */ once(() =>
  z.object({
    preset: z.string(),
    caps: z.object({ worksFen: z.int(), serviceFen: z.int(), communityYearFen: z.int() }),
    categoryList: z.object({
      mode: z.enum(["negative", "positive"]),
      categories: z.array(z.string()),
    }),
    categories: z.array(named()),
    thresholds: z.record(z.string(), z.unknown()),
    sla: z.object({
      reviewWorkingDays: z.int(),
      disbursementWorkingDays: z.int(),
      rectificationWorkingDays: z.int(),
      /** Panlong's ladder: response deadlines of levels 2 and 3; absent = no ladder */
      escalation: z.optional(z.object({ level2WorkingDays: z.int(), level3WorkingDays: z.int() })),
    }),
    process: z.optional(z.record(z.string(), z.unknown())),
    /** 一菜一评: the smallest panel, the member types it must include, the share that must rate, the pass rate */
    evaluation: z.object({
      panelMinSize: z.int(),
      panelRequiredTypes: z.array(z.string()),
      ratedShare: z.number(),
      passRate: z.number(),
    }),
    /** a street's yearly performance score: each component's weight (they sum to 1) */
    scores: z.object({
      weights: z.object({
        awareness: z.number(),
        satisfaction: z.number(),
        slaCompliance: z.number(),
        proceduralCompliance: z.number(),
        orgParticipation: z.number(),
      }),
    }),
    /** the organisation registry: working days of an organisation's public notice (公示) */
    organisations: z.optional(z.object({ noticeWorkingDays: z.int() })),
    /** 购买服务指导目录: the service categories bought and the programme money (fen) each may ask */
    purchaseCatalogue: z.optional(
      z.array(z.object({ category: z.string(), minFen: z.int(), maxFen: z.int() })),
    ),
  }),
);
export const rulesViewSchema = /* @__PURE__ */ rulesView();

// ---------------------------------------------------------------- routes

// Route schemas are read through getters: built when a route is first validated (or documented).
const needPage = /* @__PURE__ */ once(() => page(need()));
const proposalPage = /* @__PURE__ */ once(() => page(proposal()));
const evidencePage = /* @__PURE__ */ once(() => page(evidence()));
const publicProposalPage = /* @__PURE__ */ once(() => page(publicProposal()));
const pageOnlyQuery = /* @__PURE__ */ once(() => z.object(pageQuery()));

const proposerRoles = ["resident", "org", "community_staff", "street_staff"] as const;

export const createNeed = /* @__PURE__ */ defineRoute({
  operationId: "createNeed",
  method: "POST",
  path: "/v1/needs",
  summary: "Raise a need in a community's needs library (问需)",
  tags: ["intake"],
  auth: ["resident", "community_staff"],
  get body() {
    return createNeedBody();
  },
  get response() {
    return need();
  },
  status: 201,
  errors: ["not_found", "duplicate"],
  idempotent: true,
});

export const listNeeds = /* @__PURE__ */ defineRoute({
  operationId: "listNeeds",
  method: "GET",
  path: "/v1/needs",
  summary: "A community's needs library, newest first",
  tags: ["intake"],
  auth: anyRole,
  get query() {
    return listNeedsQuery();
  },
  get response() {
    return needPage();
  },
  status: 200,
  errors: ["not_found"],
});

export const getNeed = /* @__PURE__ */ defineRoute({
  operationId: "getNeed",
  method: "GET",
  path: "/v1/needs/{id}",
  summary: "One need with its endorsements and the proposals answering it",
  tags: ["intake"],
  auth: anyRole,
  get params() {
    return idParams();
  },
  get response() {
    return need();
  },
  status: 200,
  errors: ["not_found"],
});

export const endorseNeed = /* @__PURE__ */ defineRoute({
  operationId: "endorseNeed",
  method: "POST",
  path: "/v1/needs/{id}/endorsements",
  summary: "Endorse a need of one's own community (once per resident)",
  tags: ["intake"],
  auth: ["resident"],
  get params() {
    return idParams();
  },
  get response() {
    return endorsement();
  },
  status: 201,
  errors: ["not_found", "duplicate"],
  idempotent: true,
});

export const createProposal = /* @__PURE__ */ defineRoute({
  operationId: "createProposal",
  method: "POST",
  path: "/v1/proposals",
  summary: "Propose a project (点菜)",
  tags: ["intake"],
  auth: proposerRoles,
  get body() {
    return createProposalBody();
  },
  get response() {
    return proposal();
  },
  status: 201,
  errors: [
    "not_found",
    "budget_cap_exceeded",
    "community_cap_exceeded",
    "ineligible_category",
    "org_applicant_required",
    "need_not_found",
    "self_raised_invalid",
    "courtyard_not_found",
    "packages_not_allowed",
    "package_group_mismatch",
    "phasing_not_allowed",
    "phasing_invalid",
    "cross_community_not_allowed",
    "communities_invalid",
    "funding_plan_conflict",
  ],
  idempotent: true,
});

export const getProposal = /* @__PURE__ */ defineRoute({
  operationId: "getProposal",
  method: "GET",
  path: "/v1/proposals/{id}",
  summary: "One proposal (its proposer, or officials of its jurisdiction)",
  tags: ["intake"],
  auth: anyRole,
  get params() {
    return idParams();
  },
  get response() {
    return proposal();
  },
  status: 200,
  errors: ["not_found"],
});

export const listProposals = /* @__PURE__ */ defineRoute({
  operationId: "listProposals",
  method: "GET",
  path: "/v1/proposals",
  summary: "Proposals of a community, street or district (or the caller's own), by status and year",
  tags: ["intake"],
  auth: anyRole,
  get query() {
    return listProposalsQuery();
  },
  get response() {
    return proposalPage();
  },
  status: 200,
  errors: ["not_found"],
});

export const screenProposal = /* @__PURE__ */ defineRoute({
  operationId: "screenProposal",
  method: "POST",
  path: "/v1/proposals/{id}/screening",
  summary: "Screen a submitted proposal for completeness and fit (审核)",
  tags: ["intake"],
  auth: ["community_staff"],
  get params() {
    return idParams();
  },
  get body() {
    return screeningBody();
  },
  get response() {
    return proposal();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const withdrawProposal = /* @__PURE__ */ defineRoute({
  operationId: "withdrawProposal",
  method: "POST",
  path: "/v1/proposals/{id}/withdraw",
  summary: "Withdraw one's own proposal before approval",
  tags: ["intake"],
  auth: proposerRoles,
  get params() {
    return idParams();
  },
  get body() {
    return withdrawBody();
  },
  get response() {
    return proposal();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const getTimeline = /* @__PURE__ */ defineRoute({
  operationId: "getProposalTimeline",
  method: "GET",
  path: "/v1/proposals/{id}/timeline",
  summary: "Every event of a proposal, hash-chained",
  tags: ["intake"],
  auth: anyRole,
  get params() {
    return idParams();
  },
  get response() {
    return timeline();
  },
  status: 200,
  errors: ["not_found"],
});

export const createEvidence = /* @__PURE__ */ defineRoute({
  operationId: "createEvidence",
  method: "POST",
  path: "/v1/proposals/{id}/evidence",
  summary: "Declare an evidence file and get a presigned upload",
  tags: ["intake", "evidence"],
  auth: proposerRoles,
  get params() {
    return idParams();
  },
  get body() {
    return createEvidenceBody();
  },
  get response() {
    return evidenceUpload();
  },
  status: 201,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const confirmEvidence = /* @__PURE__ */ defineRoute({
  operationId: "confirmEvidence",
  method: "POST",
  path: "/v1/proposals/{id}/evidence/{evidenceId}/confirm",
  summary: "Verify the uploaded bytes (size, type, SHA-256)",
  tags: ["intake", "evidence"],
  auth: proposerRoles,
  get params() {
    return evidenceParams();
  },
  get response() {
    return evidence();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "evidence_mismatch"],
  idempotent: true,
});

export const listEvidence = /* @__PURE__ */ defineRoute({
  operationId: "listEvidence",
  method: "GET",
  path: "/v1/proposals/{id}/evidence",
  summary: "Evidence of a proposal; verified files carry a short-lived download URL",
  tags: ["intake", "evidence"],
  auth: anyRole,
  get params() {
    return idParams();
  },
  get query() {
    return pageOnlyQuery();
  },
  get response() {
    return evidencePage();
  },
  status: 200,
  errors: ["not_found"],
});

export const listPublicProposals = /* @__PURE__ */ defineRoute({
  operationId: "listPublicProposals",
  method: "GET",
  path: "/v1/public/proposals",
  summary: "Four publicities (四公开): proposals of a community, street or district by stage",
  tags: ["public"],
  auth: "public",
  get query() {
    return publicListQuery();
  },
  get response() {
    return publicProposalPage();
  },
  status: 200,
  errors: ["not_found"],
});

export const getPublicProposal = /* @__PURE__ */ defineRoute({
  operationId: "getPublicProposal",
  method: "GET",
  path: "/v1/public/proposals/{id}",
  summary: "One proposal's public record with its timeline",
  tags: ["public"],
  auth: "public",
  get params() {
    return idParams();
  },
  get response() {
    return publicProposalDetail();
  },
  status: 200,
  errors: ["not_found"],
});

/** A split works need's packages (拆开申报、分开审议、合并实施) and their totals. */
const packageGroup = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    communityId: z.string(),
    year: z.int(),
    members: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        status: proposalStatus(),
        programmeFen: z.int(),
        budgetFen: z.int(),
      }),
    ),
    totals: z.object({
      members: z.int(),
      budgetFen: z.int(),
      programmeFen: z.int(),
      /** programme money of the members approved or later */
      approvedFen: z.int(),
    }),
    /** 合并实施: the packages go to one tender once every package still in the group is approved */
    implementation: z.object({
      ready: z.boolean(),
      /** packages not yet approved (withdrawn packages leave the group; a rejected one blocks it) */
      waitingFor: z.array(z.string()),
    }),
  }),
);
export const packageGroupSchema = /* @__PURE__ */ packageGroup();

export const getPackageGroup = /* @__PURE__ */ defineRoute({
  operationId: "getPackageGroup",
  method: "GET",
  path: "/v1/package-groups/{id}",
  summary: "A split works need's packages, their totals and whether they may be implemented",
  tags: ["intake"],
  auth: anyRole,
  get params() {
    return z.object({ id: orgId() });
  },
  get response() {
    return packageGroup();
  },
  status: 200,
  errors: ["not_found"],
});

export const getGeo = /* @__PURE__ */ defineRoute({
  operationId: "getGeo",
  method: "GET",
  path: "/v1/geo",
  summary: "The city's districts, streets and communities",
  tags: ["geo"],
  auth: "public",
  get response() {
    return geo();
  },
  status: 200,
  // the city file, changed only by a deploy: an hour late after one is harmless
  maxAge: 3600,
});

export const getRules = /* @__PURE__ */ defineRoute({
  operationId: "getRules",
  method: "GET",
  path: "/v1/rules",
  summary: "The city's programme rules for forms",
  tags: ["geo"],
  auth: "public",
  get response() {
    return rulesView();
  },
  status: 200,
  // the city file, changed only by a deploy: an hour late after one is harmless
  maxAge: 3600,
});

export const escalateNeed = /* @__PURE__ */ defineRoute({
  operationId: "escalateNeed",
  method: "POST",
  path: "/v1/needs/{id}/escalate",
  summary: "Raise a need one level up Panlong's ladder (2: street and community, 3: district)",
  tags: ["intake"],
  auth: ["community_staff", "street_staff"],
  get params() {
    return idParams();
  },
  get body() {
    return escalateNeedBody();
  },
  get response() {
    return need();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "escalation_not_available"],
  idempotent: true,
});

export const respondToNeed = /* @__PURE__ */ defineRoute({
  operationId: "respondToNeed",
  method: "POST",
  path: "/v1/needs/{id}/response",
  summary: "The escalated level answers the need (ends its deadline)",
  tags: ["intake"],
  auth: ["community_staff", "street_staff", "district_civil"],
  get params() {
    return idParams();
  },
  get body() {
    return needResponseBody();
  },
  get response() {
    return need();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "duplicate"],
  idempotent: true,
});

/** Routes served by intake's api function. */
export const intakeApiRoutes = [
  createNeed,
  listNeeds,
  getNeed,
  endorseNeed,
  createProposal,
  listProposals,
  getProposal,
  screenProposal,
  withdrawProposal,
  getTimeline,
  listPublicProposals,
  getPublicProposal,
  getGeo,
  getRules,
  getPackageGroup,
  escalateNeed,
  respondToNeed,
] as const;

/** Routes served by intake's evidence function (the only one that touches S3). */
export const intakeEvidenceRoutes = [createEvidence, confirmEvidence, listEvidence] as const;

/** Events intake's inbox consumes: its own (needs links) and the lifecycle of other services. */
export const intakeInboxEventTypes = /* @__PURE__ */ defineInbox([
  "ProposalSubmitted",
  "ProposalWithdrawn",
  "DeliberationConcluded",
  "ExpertReviewConcluded",
  "ProposalEndorsed",
  "ProposalReported",
  "DistrictReviewCompleted",
  "ProposalApproved",
  "ProposalRejected",
  "FundsDisbursed",
  "ImplementationStarted",
  "ProgressReported",
  "PaymentMade",
  "ContributionReceived",
  "ProjectCompleted",
  "EvaluationOpened",
  "EvaluationClosed",
  "SlaReminder",
  "SlaBreached",
  "OrgRegistered",
  "OrgStatusChanged",
]);
