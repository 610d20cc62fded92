import * as z from "zod/mini";
import type { EventType } from "./events.js";
import { defineRoute } from "./http.js";
import { type Role, roles } from "./roles.js";

export * from "./intake-events.js";

// ---------------------------------------------------------------- building blocks

/** Ids minted by Pencai (needs, proposals, evidence): upper-case Crockford ULIDs. */
export const ulidSchema = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "must be a ULID"));
/** Geography and category ids from the city file (`futian`, `elderly_care`). */
export const cityIdSchema = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9_-]{0,39}$/, "must be a lowercase ascii id"));
/** Organisation ids come from the identity provider (`orgId` claim). */
export const orgIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be an organisation id (≤ 64)"));

/** 10^11 fen = 1 billion CNY: far above any cap, rejects absurd amounts early. */
export const MAX_FEN = 100_000_000_000;
export const fenSchema = z.int().check(z.minimum(0), z.maximum(MAX_FEN));

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const isoTime = z.string();

export const MIN_YEAR = 2015;
export const MAX_YEAR = 2100;
/** Programme year (the year the budget belongs to). */
export const yearSchema = z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR));

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 200;
/** `?limit=&cursor=`; the reply's `nextCursor` is `null` on the last page. */
const pageQuery = {
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(LIST_LIMIT_MAX))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
};
const page = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });

const idParams = z.object({ id: ulidSchema });

/** Roles that read within their jurisdiction (everyone but the public). */
const anyRole = roles satisfies readonly Role[];

// ---------------------------------------------------------------- proposals

export const proposalKinds = ["works", "service"] as const;
export const proposalKindSchema = z.enum(proposalKinds);

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
export const proposalStatusSchema = z.enum(proposalStatuses);

/** Where a rejected proposal stopped. */
export const rejectionStages = [
  "screening",
  "deliberation",
  "expert_review",
  "district_review",
  "approval",
] as const;
export const rejectionStageSchema = z.enum(rejectionStages);

/** The four publicities (四公开). */
export const publicStages = ["collection", "decision", "implementation", "effect"] as const;
export type PublicStage = (typeof publicStages)[number];
export const publicStageSchema = z.enum(publicStages);

/** Head count, or a description of who benefits. */
export const beneficiariesSchema = z.union([
  z.int().check(z.minimum(0), z.maximum(100_000_000)),
  text(1000),
]);
/** An address, or an address with coordinates. */
export const locationSchema = z.union([
  text(500),
  z.strictObject({
    address: z.optional(text(500)),
    lat: z.optional(z.number().check(z.minimum(-90), z.maximum(90))),
    lng: z.optional(z.number().check(z.minimum(-180), z.maximum(180))),
  }),
]);

export const MAX_NEEDS_PER_PROPOSAL = 20;

export const createProposalBodySchema = z.strictObject({
  communityId: cityIdSchema,
  kind: proposalKindSchema,
  category: cityIdSchema,
  title: text(200),
  summary: text(2000),
  plan: z.optional(text(20000)),
  beneficiaries: beneficiariesSchema,
  budgetFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)),
  selfRaisedFen: z.optional(z.int().check(z.maximum(MAX_FEN))),
  /** the needs (需求库) this proposal answers: at least one, each of the same community */
  needIds: z.array(ulidSchema).check(z.minLength(1), z.maxLength(MAX_NEEDS_PER_PROPOSAL)),
  applicantOrgId: z.optional(orgIdSchema),
  location: z.optional(locationSchema),
  year: yearSchema,
  /** packages of one split works need (拆开申报) share this id; each is checked on its own */
  packageGroupId: z.optional(orgIdSchema),
});
export type CreateProposalBody = z.output<typeof createProposalBodySchema>;

export const screeningSchema = z.object({
  decision: z.enum(["accept", "reject"]),
  needFit: z.optional(z.int()),
  reason: z.optional(z.string()),
  at: isoTime,
});

const proposalFields = {
  id: ulidSchema,
  status: proposalStatusSchema,
  /** four-publicity stage; absent for withdrawn proposals */
  stage: z.optional(publicStageSchema),
  communityId: z.string(),
  streetId: z.string(),
  districtId: z.string(),
  kind: proposalKindSchema,
  category: z.string(),
  title: z.string(),
  summary: z.string(),
  plan: z.optional(z.string()),
  beneficiaries: z.union([z.int(), z.string()]),
  budgetFen: z.int(),
  selfRaisedFen: z.int(),
  needIds: z.array(z.string()),
  applicantOrgId: z.optional(z.string()),
  location: z.optional(locationSchema),
  year: z.int(),
  packageGroupId: z.optional(z.string()),
  screening: z.optional(screeningSchema),
  rejectedAt: z.optional(rejectionStageSchema),
  rejectionReason: z.optional(z.string()),
  withdrawnAt: z.optional(isoTime),
  createdAt: isoTime,
  updatedAt: isoTime,
  timelineSeq: z.int(),
  timelineHash: z.string(),
};

/** A proposal as its proposer and officials see it. */
export const proposalSchema = z.object({
  ...proposalFields,
  proposer: z.object({ sub: z.string(), role: z.string() }),
});
export type ProposalView = z.output<typeof proposalSchema>;

/** A proposal as the public sees it: no proposer, household, phone or resident name. */
export const publicProposalSchema = z.object(proposalFields);
export type PublicProposalView = z.output<typeof publicProposalSchema>;

/**
 * One timeline entry. `hash` = lowercase hex SHA-256 of the UTF-8 string
 * `(prevHash ?? "") + JCS(item without hash)`; `actor` carries the role only.
 */
export const timelineItemSchema = z.object({
  seq: z.int(),
  type: z.string(),
  at: isoTime,
  actor: z.object({ role: z.string() }),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.nullable(z.string()),
  hash: z.string(),
});
export type TimelineItem = z.output<typeof timelineItemSchema>;
export const timelineSchema = z.object({ items: z.array(timelineItemSchema) });

export const listProposalsQuerySchema = z.object({
  communityId: z.optional(cityIdSchema),
  streetId: z.optional(cityIdSchema),
  districtId: z.optional(cityIdSchema),
  /** `true`: the caller's own proposals (no geography needed) */
  mine: z.optional(z.boolean()),
  status: z.optional(proposalStatusSchema),
  year: z.optional(yearSchema),
  ...pageQuery,
});

export const screeningBodySchema = z.strictObject({
  decision: z.enum(["accept", "reject"]),
  /** required when rejecting */
  reason: z.optional(text(2000)),
  /** fit with the needs library (契合度), 0-100; required where the city checks fit */
  needFit: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
});

export const withdrawBodySchema = z.optional(z.strictObject({ reason: z.optional(text(2000)) }));

// ---------------------------------------------------------------- needs

export const createNeedBodySchema = z.strictObject({
  communityId: cityIdSchema,
  title: text(200),
  description: text(4000),
  category: z.optional(cityIdSchema),
});

export const needSchema = z.object({
  id: ulidSchema,
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
  createdAt: isoTime,
});
export type NeedView = z.output<typeof needSchema>;

export const listNeedsQuerySchema = z.object({ communityId: cityIdSchema, ...pageQuery });
export const endorsementSchema = z.object({ needId: z.string(), endorsements: z.int() });

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

export const createEvidenceBodySchema = z.strictObject({
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
});

export const evidenceStatuses = ["pending", "verified", "rejected"] as const;

export const evidenceSchema = z.object({
  evidenceId: ulidSchema,
  proposalId: ulidSchema,
  purpose: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.int(),
  /** lowercase hex */
  sha256: z.string(),
  status: z.enum(evidenceStatuses),
  createdAt: isoTime,
  verifiedAt: z.optional(isoTime),
  rejectedAt: z.optional(isoTime),
  /** for rejected evidence: what did not match (`size`, `contentType`, `sha256`) */
  mismatches: z.optional(z.array(z.string())),
  /** verified evidence only: a short-lived (5 min) presigned GET */
  url: z.optional(z.string()),
  urlExpiresAt: z.optional(isoTime),
});
export type EvidenceView = z.output<typeof evidenceSchema>;

export const evidenceUploadSchema = z.object({
  evidenceId: ulidSchema,
  status: z.literal("pending"),
  upload: z.object({
    method: z.literal("PUT"),
    url: z.string(),
    /** send exactly these headers with the PUT (they are signed) */
    headers: z.record(z.string(), z.string()),
  }),
  expiresAt: isoTime,
});

const evidenceParams = z.object({ id: ulidSchema, evidenceId: ulidSchema });

// ---------------------------------------------------------------- public, geo, rules

export const publicListQuerySchema = z.object({
  communityId: z.optional(cityIdSchema),
  streetId: z.optional(cityIdSchema),
  districtId: z.optional(cityIdSchema),
  stage: z.optional(publicStageSchema),
  year: z.optional(yearSchema),
  ...pageQuery,
});
export const publicProposalDetailSchema = z.object({
  ...proposalFields,
  timeline: z.array(timelineItemSchema),
});

const named = z.object({ id: z.string(), name: z.string() });
export const geoSchema = z.object({
  cityId: z.string(),
  name: z.string(),
  districts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      streets: z.array(z.object({ id: z.string(), name: z.string(), communities: z.array(named) })),
    }),
  ),
});

export const rulesViewSchema = z.object({
  preset: z.string(),
  caps: z.object({ worksFen: z.int(), serviceFen: z.int(), communityYearFen: z.int() }),
  categoryList: z.object({
    mode: z.enum(["negative", "positive"]),
    categories: z.array(z.string()),
  }),
  categories: z.array(named),
  thresholds: z.record(z.string(), z.unknown()),
  sla: z.object({ reviewWorkingDays: z.int(), disbursementWorkingDays: z.int() }),
  process: z.optional(z.record(z.string(), z.unknown())),
});

// ---------------------------------------------------------------- routes

const proposerRoles = ["resident", "org", "community_staff", "street_staff"] as const;

export const createNeed = defineRoute({
  operationId: "createNeed",
  method: "POST",
  path: "/v1/needs",
  summary: "Raise a need in a community's needs library (问需)",
  tags: ["intake"],
  auth: ["resident", "community_staff"],
  body: createNeedBodySchema,
  response: needSchema,
  status: 201,
  errors: ["not_found", "duplicate"],
  idempotent: true,
});

export const listNeeds = defineRoute({
  operationId: "listNeeds",
  method: "GET",
  path: "/v1/needs",
  summary: "A community's needs library, newest first",
  tags: ["intake"],
  auth: anyRole,
  query: listNeedsQuerySchema,
  response: page(needSchema),
  status: 200,
  errors: ["not_found"],
});

export const getNeed = defineRoute({
  operationId: "getNeed",
  method: "GET",
  path: "/v1/needs/{id}",
  summary: "One need with its endorsements and the proposals answering it",
  tags: ["intake"],
  auth: anyRole,
  params: idParams,
  response: needSchema,
  status: 200,
  errors: ["not_found"],
});

export const endorseNeed = defineRoute({
  operationId: "endorseNeed",
  method: "POST",
  path: "/v1/needs/{id}/endorsements",
  summary: "Endorse a need of one's own community (once per resident)",
  tags: ["intake"],
  auth: ["resident"],
  params: idParams,
  response: endorsementSchema,
  status: 201,
  errors: ["not_found", "duplicate"],
  idempotent: true,
});

export const createProposal = defineRoute({
  operationId: "createProposal",
  method: "POST",
  path: "/v1/proposals",
  summary: "Propose a project (点菜)",
  tags: ["intake"],
  auth: proposerRoles,
  body: createProposalBodySchema,
  response: proposalSchema,
  status: 201,
  errors: [
    "not_found",
    "budget_cap_exceeded",
    "community_cap_exceeded",
    "ineligible_category",
    "org_applicant_required",
    "need_not_found",
    "self_raised_invalid",
  ],
  idempotent: true,
});

export const getProposal = defineRoute({
  operationId: "getProposal",
  method: "GET",
  path: "/v1/proposals/{id}",
  summary: "One proposal (its proposer, or officials of its jurisdiction)",
  tags: ["intake"],
  auth: anyRole,
  params: idParams,
  response: proposalSchema,
  status: 200,
  errors: ["not_found"],
});

export const listProposals = defineRoute({
  operationId: "listProposals",
  method: "GET",
  path: "/v1/proposals",
  summary: "Proposals of a community, street or district (or the caller's own), by status and year",
  tags: ["intake"],
  auth: anyRole,
  query: listProposalsQuerySchema,
  response: page(proposalSchema),
  status: 200,
  errors: ["not_found"],
});

export const screenProposal = defineRoute({
  operationId: "screenProposal",
  method: "POST",
  path: "/v1/proposals/{id}/screening",
  summary: "Screen a submitted proposal for completeness and fit (审核)",
  tags: ["intake"],
  auth: ["community_staff"],
  params: idParams,
  body: screeningBodySchema,
  response: proposalSchema,
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const withdrawProposal = defineRoute({
  operationId: "withdrawProposal",
  method: "POST",
  path: "/v1/proposals/{id}/withdraw",
  summary: "Withdraw one's own proposal before approval",
  tags: ["intake"],
  auth: proposerRoles,
  params: idParams,
  body: withdrawBodySchema,
  response: proposalSchema,
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const getTimeline = defineRoute({
  operationId: "getProposalTimeline",
  method: "GET",
  path: "/v1/proposals/{id}/timeline",
  summary: "Every event of a proposal, hash-chained",
  tags: ["intake"],
  auth: anyRole,
  params: idParams,
  response: timelineSchema,
  status: 200,
  errors: ["not_found"],
});

export const createEvidence = defineRoute({
  operationId: "createEvidence",
  method: "POST",
  path: "/v1/proposals/{id}/evidence",
  summary: "Declare an evidence file and get a presigned upload",
  tags: ["intake", "evidence"],
  auth: proposerRoles,
  params: idParams,
  body: createEvidenceBodySchema,
  response: evidenceUploadSchema,
  status: 201,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const confirmEvidence = defineRoute({
  operationId: "confirmEvidence",
  method: "POST",
  path: "/v1/proposals/{id}/evidence/{evidenceId}/confirm",
  summary: "Verify the uploaded bytes (size, type, SHA-256)",
  tags: ["intake", "evidence"],
  auth: proposerRoles,
  params: evidenceParams,
  response: evidenceSchema,
  status: 200,
  errors: ["not_found", "invalid_state", "evidence_mismatch"],
  idempotent: true,
});

export const listEvidence = defineRoute({
  operationId: "listEvidence",
  method: "GET",
  path: "/v1/proposals/{id}/evidence",
  summary: "Evidence of a proposal; verified files carry a short-lived download URL",
  tags: ["intake", "evidence"],
  auth: anyRole,
  params: idParams,
  query: z.object(pageQuery),
  response: page(evidenceSchema),
  status: 200,
  errors: ["not_found"],
});

export const listPublicProposals = defineRoute({
  operationId: "listPublicProposals",
  method: "GET",
  path: "/v1/public/proposals",
  summary: "Four publicities (四公开): proposals of a community, street or district by stage",
  tags: ["public"],
  auth: "public",
  query: publicListQuerySchema,
  response: page(publicProposalSchema),
  status: 200,
  errors: ["not_found"],
});

export const getPublicProposal = defineRoute({
  operationId: "getPublicProposal",
  method: "GET",
  path: "/v1/public/proposals/{id}",
  summary: "One proposal's public record with its timeline",
  tags: ["public"],
  auth: "public",
  params: idParams,
  response: publicProposalDetailSchema,
  status: 200,
  errors: ["not_found"],
});

export const getGeo = defineRoute({
  operationId: "getGeo",
  method: "GET",
  path: "/v1/geo",
  summary: "The city's districts, streets and communities",
  tags: ["geo"],
  auth: "public",
  response: geoSchema,
  status: 200,
});

export const getRules = defineRoute({
  operationId: "getRules",
  method: "GET",
  path: "/v1/rules",
  summary: "The city's programme rules for forms",
  tags: ["geo"],
  auth: "public",
  response: rulesViewSchema,
  status: 200,
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
] as const;

/** Routes served by intake's evidence function (the only one that touches S3). */
export const intakeEvidenceRoutes = [createEvidence, confirmEvidence, listEvidence] as const;

/** Events intake's inbox consumes: its own (needs links) and the lifecycle of other services. */
export const intakeInboxEventTypes = [
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
  "ProgressReported",
  "PaymentMade",
  "ProjectCompleted",
  "EvaluationClosed",
] as const satisfies readonly EventType[];
