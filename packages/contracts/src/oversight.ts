import * as z from "zod/mini";
import { slaKinds } from "./approval-events.js";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { cityIdSchema, type ProposalStatus, proposalStatuses, ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { MAX_YEAR, MIN_YEAR } from "./limits.js";
import type { Role } from "./roles.js";
import { text } from "./text.js";

export * from "./oversight-events.js";

// Oversight (API.md "Oversight"): stats from maintained aggregates, sampling inspection (抽检)
// with findings and rectification, street performance scores and awareness surveys.

// ---------------------------------------------------------------- building blocks

const year = /* @__PURE__ */ once(() => z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR)));
const count = /* @__PURE__ */ once(() => z.int().check(z.minimum(0)));
/** a share in [0, 1]; null when nothing was counted (no denominator) */
const share = /* @__PURE__ */ once(() => z.nullable(z.number().check(z.minimum(0), z.maximum(1))));
const idParams = /* @__PURE__ */ once(() => z.object({ id: ulidSchema }));

export const MAX_SAMPLE = 500;
export const MAX_RESPONDENTS = 10_000_000;
export const MAX_ISSUES = 50;

/** The stats count projects by status (API.md "Conventions"): the lifecycle, then the exits. */
export const statsStatuses = proposalStatuses;
export type StatsStatus = ProposalStatus;

// ---------------------------------------------------------------- stats

const statsQuery = /* @__PURE__ */ once(() =>
  z.object({
    districtId: z.optional(cityIdSchema),
    streetId: z.optional(cityIdSchema),
    communityId: z.optional(cityIdSchema),
    year: year(),
  }),
);
export const statsQuerySchema = /* @__PURE__ */ statsQuery();

const slaFigures = /* @__PURE__ */ once(() =>
  z.object({ open: count(), met: count(), breached: count(), complianceRate: share() }),
);

const stats = /* @__PURE__ */ once(() =>
  z.object({
    level: z.enum(["district", "street", "community"]),
    id: z.string(),
    year: z.int(),
    /** projects of the year by current status: how many, their budgets and programme money */
    byStatus: z.record(
      z.enum(statsStatuses),
      z.object({ count: count(), budgetFen: count(), programmeFen: count() }),
    ),
    projects: count(),
    /** programme money approved (committed), disbursed by finance, paid out by the street */
    money: z.object({ approvedFen: count(), disbursedFen: count(), paidFen: count() }),
    /** needs raised in the year, and those a proposal traces to */
    needs: z.object({ raised: count(), linked: count() }),
    /** residents' council meetings that counted ballots in the year */
    meetings: z.object({ held: count() }),
    sla: z.record(z.enum(slaKinds), slaFigures()),
    satisfaction: z.object({ evaluated: count(), averageRate: share(), passedShare: share() }),
    /** service projects, those applied for by an organisation, distinct organisations */
    orgParticipation: z.object({ serviceProjects: count(), byOrgs: count(), orgs: count() }),
  }),
);
export const statsSchema = /* @__PURE__ */ stats();
export type Stats = z.output<typeof statsSchema>;

// ---------------------------------------------------------------- inspections

const inspectionBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    districtId: cityIdSchema,
    year: year(),
    sampleSize: z.int().check(z.minimum(1), z.maximum(MAX_SAMPLE)),
    /** published before the draw; the same seed over the same population draws the same items */
    seed: text(200),
  }),
);
export const inspectionBodySchema = /* @__PURE__ */ inspectionBody();
export type InspectionBody = z.output<typeof inspectionBodySchema>;

const sampleItem = /* @__PURE__ */ once(() =>
  z.object({ proposalId: z.string(), streetId: z.string() }),
);

const inspectionDrawn = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    districtId: z.string(),
    year: z.int(),
    seed: z.string(),
    sampleSize: count(),
    population: z.object({ count: count(), hash: z.string() }),
    items: z.array(sampleItem()),
    drawnAt: z.string(),
  }),
);

const findingBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    proposalId: ulidSchema,
    passed: z.boolean(),
    issues: z.optional(z.array(text(1000)).check(z.maxLength(MAX_ISSUES))),
    /** working days to rectify a failed finding (default: the city's rule) */
    rectifyWorkingDays: z.optional(z.int().check(z.minimum(1), z.maximum(365))),
  }),
);
export const findingBodySchema = /* @__PURE__ */ findingBody();
export type FindingBody = z.output<typeof findingBodySchema>;

const finding = /* @__PURE__ */ once(() =>
  z.object({
    inspectionId: z.string(),
    proposalId: z.string(),
    communityId: z.string(),
    streetId: z.string(),
    passed: z.boolean(),
    issues: z.array(z.string()),
    recordedAt: z.string(),
    rectifyWorkingDays: z.optional(z.int()),
    rectifyDueAt: z.optional(z.string()),
    provisional: z.optional(z.boolean()),
    rectifiedAt: z.optional(z.string()),
  }),
);
export const findingSchema = /* @__PURE__ */ finding();
export type Finding = z.output<typeof findingSchema>;

const inspectionView = /* @__PURE__ */ once(() =>
  z.object({
    ...inspectionDrawn().shape,
    findings: z.array(finding()),
    /** findings passed / findings recorded; null before the first finding */
    passRate: share(),
  }),
);
export const inspectionViewSchema = /* @__PURE__ */ inspectionView();
export type InspectionView = z.output<typeof inspectionViewSchema>;

const findingParams = /* @__PURE__ */ once(() =>
  z.object({ id: ulidSchema, proposalId: ulidSchema }),
);

// ---------------------------------------------------------------- scores and surveys

const scoresQuery = /* @__PURE__ */ once(() =>
  z.object({ districtId: cityIdSchema, year: year() }),
);

const streetScore = /* @__PURE__ */ once(() =>
  z.object({
    streetId: z.string(),
    /** each component in [0, 1]; null = no data (its weight is spread over the others) */
    awareness: share(),
    satisfaction: share(),
    slaCompliance: share(),
    proceduralCompliance: share(),
    orgParticipation: share(),
    /** Σ weight × component over the components with data, divided by their weights; 0..100 */
    score: z.nullable(z.number()),
  }),
);
const scores = /* @__PURE__ */ once(() =>
  z.object({
    districtId: z.string(),
    year: z.int(),
    weights: z.record(z.string(), z.number()),
    streets: z.array(streetScore()),
  }),
);
export const scoresSchema = /* @__PURE__ */ scores();
export type Scores = z.output<typeof scoresSchema>;

const surveyBody = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      streetId: cityIdSchema,
      year: year(),
      respondents: z.int().check(z.minimum(1), z.maximum(MAX_RESPONDENTS)),
      aware: z.int().check(z.minimum(0), z.maximum(MAX_RESPONDENTS)),
    })
    .check(z.refine((s) => s.aware <= s.respondents, "aware must not exceed respondents")),
);
export const surveyBodySchema = /* @__PURE__ */ surveyBody();
export type SurveyBody = z.output<typeof surveyBodySchema>;

const survey = /* @__PURE__ */ once(() =>
  z.object({
    streetId: z.string(),
    districtId: z.string(),
    year: z.int(),
    respondents: count(),
    aware: count(),
    awareness: z.number(),
    recordedAt: z.string(),
  }),
);

const rectification = /* @__PURE__ */ once(() =>
  z.object({ inspectionId: z.string(), proposalId: z.string(), rectifiedAt: z.string() }),
);

// ---------------------------------------------------------------- routes

const statsReaders = [
  "analyst",
  "district_civil",
  "district_group",
  "district_finance",
  "street_staff",
  "admin",
] as const satisfies readonly Role[];
const inspectors = ["analyst", "district_civil"] as const satisfies readonly Role[];
const scoreReaders = [
  "analyst",
  "district_civil",
  "district_group",
  "district_finance",
  "admin",
] as const satisfies readonly Role[];

export const getStats = /* @__PURE__ */ defineRoute({
  operationId: "getStats",
  method: "GET",
  path: "/v1/stats",
  summary: "Figures of a district, street or community in a year, from maintained aggregates",
  tags: ["oversight"],
  auth: statsReaders,
  get query() {
    return statsQuery();
  },
  get response() {
    return stats();
  },
  status: 200,
  errors: ["not_found"],
});

export const getPublicStats = /* @__PURE__ */ defineRoute({
  operationId: "getPublicStats",
  method: "GET",
  path: "/v1/public/stats",
  summary: "The same figures, public (四公开): aggregates only",
  tags: ["oversight", "public"],
  auth: "public",
  get query() {
    return statsQuery();
  },
  get response() {
    return stats();
  },
  status: 200,
  errors: ["not_found"],
});

export const drawInspection = /* @__PURE__ */ defineRoute({
  operationId: "drawInspection",
  method: "POST",
  path: "/v1/inspections",
  summary:
    "Draw a sampling inspection (抽检): stratified by street, reproducible from the seed and the population",
  tags: ["oversight"],
  auth: inspectors,
  get body() {
    return inspectionBody();
  },
  get response() {
    return inspectionDrawn();
  },
  status: 201,
  errors: ["not_found"],
  idempotent: true,
});

export const recordFinding = /* @__PURE__ */ defineRoute({
  operationId: "recordFinding",
  method: "POST",
  path: "/v1/inspections/{id}/findings",
  summary:
    "Record the finding on a sampled project (once); a failed one opens a rectification deadline",
  tags: ["oversight"],
  auth: inspectors,
  get params() {
    return idParams();
  },
  get body() {
    return findingBody();
  },
  get response() {
    return finding();
  },
  status: 201,
  errors: ["not_found", "not_sampled", "duplicate"],
  idempotent: true,
});

export const getInspection = /* @__PURE__ */ defineRoute({
  operationId: "getInspection",
  method: "GET",
  path: "/v1/inspections/{id}",
  summary: "An inspection's sample, findings and pass rate",
  tags: ["oversight"],
  auth: inspectors,
  get params() {
    return idParams();
  },
  get response() {
    return inspectionView();
  },
  status: 200,
  errors: ["not_found"],
});

export const reportRectification = /* @__PURE__ */ defineRoute({
  operationId: "reportRectification",
  method: "POST",
  path: "/v1/inspections/{id}/findings/{proposalId}/rectification",
  summary: "The street reports a failed finding rectified: the rectification deadline stops",
  tags: ["oversight"],
  auth: ["street_staff"],
  get params() {
    return findingParams();
  },
  get response() {
    return rectification();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const getScores = /* @__PURE__ */ defineRoute({
  operationId: "getScores",
  method: "GET",
  path: "/v1/scores",
  summary: "Street performance scores of a district-year, weights from the city's rules",
  tags: ["oversight"],
  auth: scoreReaders,
  get query() {
    return scoresQuery();
  },
  get response() {
    return scores();
  },
  status: 200,
  errors: ["not_found"],
});

export const recordAwarenessSurvey = /* @__PURE__ */ defineRoute({
  operationId: "recordAwarenessSurvey",
  method: "POST",
  path: "/v1/surveys/awareness",
  summary: "Record a street-year's awareness survey (知晓率); a later one replaces it",
  tags: ["oversight"],
  auth: inspectors,
  get body() {
    return surveyBody();
  },
  get response() {
    return survey();
  },
  status: 201,
  errors: ["not_found"],
  idempotent: true,
});

/** Routes served by the oversight service's api function. */
export const oversightApiRoutes = [
  getStats,
  getPublicStats,
  drawInspection,
  recordFinding,
  getInspection,
  reportRectification,
  getScores,
  recordAwarenessSurvey,
] as const;

/**
 * Events the oversight inbox consumes: the whole lifecycle (the projection and the aggregates),
 * evidence (minutes and sign-in sheets), meetings, SLA outcomes, and its own inspection events
 * (rectification deadlines count in the SLA figures).
 */
export const oversightInboxEventTypes = /* @__PURE__ */ defineInbox([
  "NeedRaised",
  "ProposalSubmitted",
  "ProposalScreened",
  "ProposalWithdrawn",
  "EvidenceVerified",
  "BallotsCounted",
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
  "ProjectCompleted",
  "EvaluationClosed",
  "SlaBreached",
  "InspectionFinding",
  "RectificationCompleted",
]);
