import * as z from "zod/mini";
import { consentTallySchema } from "./deliberation-events.js";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { cityIdSchema, MAX_YEAR, MIN_YEAR, ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { type Role, SUBJECT_PATTERN } from "./roles.js";
import { dayIn, instantIn, text } from "./text.js";

export * from "./deliberation-events.js";

// ---------------------------------------------------------------- building blocks

const isoTime = /* @__PURE__ */ once(() => z.string());
const count = /* @__PURE__ */ once(() => z.int().check(z.minimum(0)));

/**
 * A person's `sub` from the identity provider (Cognito: a UUID). No `#`: subs are parts of
 * DynamoDB keys (`BALLOT#<proposalId>#<sub>`).
 */
const sub = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(SUBJECT_PATTERN, "must be a user id (≤ 128)")),
);
export const subSchema = /* @__PURE__ */ sub();

const distinct = <T>(list: readonly T[]) => new Set(list).size === list.length;
/** A list of distinct values, bounded. */
const distinctList = <T extends z.ZodMiniType>(item: T, min: number, max: number) =>
  z.array(item).check(
    z.minLength(min),
    z.maxLength(max),
    z.refine((list) => distinct(list), "must not repeat an entry"),
  );

/** Council members of one meeting (居民议事会). */
export const MAX_MEETING_MEMBERS = 200;
/**
 * Proposals on one agenda: closing writes, per proposal, its projection, its
 * DeliberationConcluded and possibly its ProposalEndorsed in one transaction (≤ 100 items).
 */
export const MAX_AGENDA_PROPOSALS = 20;
export const MAX_HOUSEHOLDS = 1_000_000;

export const meetingStatuses = ["open", "closing", "closed"] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const ballotChoices = ["yes", "no", "abstain"] as const;
export type BallotChoice = (typeof ballotChoices)[number];

// ---------------------------------------------------------------- meetings

/** Per-proposal inputs the council records with the agenda (consent scope and ranking inputs). */
const proposalDetail = /* @__PURE__ */ once(() =>
  z.strictObject({
    proposalId: ulidSchema,
    /** households of the project area: the denominator of household consent (Panlong) */
    affectedHouseholds: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_HOUSEHOLDS))),
    /** 老旧小区改造需求急: the council's urgency rating, 0-100 */
    urgency: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
    /** 项目可复制性强: the council's replicability rating, 0-100 */
    replicability: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  }),
);
export const proposalDetailSchema = /* @__PURE__ */ proposalDetail();

export const meetingKinds = ["council", "consultation"] as const;
export type MeetingKind = (typeof meetingKinds)[number];
export const inviteeRoles = ["deputy", "department"] as const;
export const MAX_MEETING_COURTYARDS = 50;
export const MAX_INVITEES = 50;

/** 请你来协商: a people's congress deputy or CPPCC member (`deputy`), or a government department. */
const invitee = /* @__PURE__ */ once(() =>
  z.strictObject({
    name: text(60),
    role: z.enum(inviteeRoles),
    /** the deputy's congress or committee, or the department's name */
    unit: text(100),
  }),
);

/** What one invitee of a consultation said about one proposal (recorded by the staff). */
const opinionBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    proposalId: ulidSchema,
    /** the invitee's position in the meeting's `invitees` (0-based) */
    invitee: z.int().check(z.minimum(0), z.maximum(MAX_INVITEES - 1)),
    opinion: text(2000, { multiline: true }),
  }),
);
export const opinionBodySchema = /* @__PURE__ */ opinionBody();
const opinion = /* @__PURE__ */ once(() =>
  z.object({
    meetingId: z.string(),
    proposalId: z.string(),
    invitee: invitee(),
    opinion: z.string(),
    recordedAt: isoTime(),
  }),
);
export const opinionSchema = /* @__PURE__ */ opinion();

const createMeetingBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    communityId: cityIdSchema,
    /** when the council meets (ISO-8601; stored as UTC), within the programme's years */
    scheduledAt: instantIn(MIN_YEAR, MAX_YEAR),
    /** the council members who may vote (their `sub`s) */
    memberIds: distinctList(sub(), 1, MAX_MEETING_MEMBERS),
    /** screened proposals of the community to decide */
    proposalIds: distinctList(ulidSchema, 1, MAX_AGENDA_PROPOSALS),
    proposalDetails: z.optional(
      z.array(proposalDetail()).check(
        z.maxLength(MAX_AGENDA_PROPOSALS),
        z.refine((list) => distinct(list.map((d) => d.proposalId)), "must not repeat a proposalId"),
      ),
    ),
    /** `council` (default) votes; `consultation` (请你来协商) hears invitees and records opinions */
    kind: z.optional(z.enum(meetingKinds)),
    /** a courtyard council (院落议事会): courtyards of the community whose proposals it decides */
    courtyardIds: z.optional(distinctList(cityIdSchema, 1, MAX_MEETING_COURTYARDS)),
    /** a consultation's invited deputies and departments (at least one of each) */
    invitees: z.optional(z.array(invitee()).check(z.minLength(1), z.maxLength(MAX_INVITEES))),
  }),
);
export const createMeetingBodySchema = /* @__PURE__ */ createMeetingBody();
export type CreateMeetingBody = z.output<typeof createMeetingBodySchema>;

const attendanceBody = /* @__PURE__ */ once(() =>
  z.strictObject({ present: distinctList(sub(), 0, MAX_MEETING_MEMBERS) }),
);
export const attendanceBodySchema = /* @__PURE__ */ attendanceBody();

const ballotBody = /* @__PURE__ */ once(() =>
  z.strictObject({ proposalId: ulidSchema, choice: z.enum(ballotChoices) }),
);
export const ballotBodySchema = /* @__PURE__ */ ballotBody();

/** One proposal's result when the meeting closed. */
const councilResult = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    yes: count(),
    no: count(),
    abstain: count(),
    present: count(),
    quorumMet: z.boolean(),
    passed: z.boolean(),
    /** members listed for the meeting */
    members: count(),
    consent: z.optional(consentTallySchema),
  }),
);
export const councilResultSchema = /* @__PURE__ */ councilResult();
export type CouncilResult = z.output<typeof councilResultSchema>;

const meeting = /* @__PURE__ */ once(() =>
  z.object({
    id: ulidSchema,
    communityId: z.string(),
    streetId: z.string(),
    districtId: z.string(),
    scheduledAt: isoTime(),
    memberIds: z.array(z.string()),
    proposalIds: z.array(z.string()),
    proposalDetails: z.array(proposalDetail()),
    status: z.enum(meetingStatuses),
    /** members recorded present (sign-in sheet) */
    present: z.array(z.string()),
    attendanceRecordedAt: z.optional(isoTime()),
    /** once closed */
    results: z.optional(z.array(councilResult())),
    createdAt: isoTime(),
    closedAt: z.optional(isoTime()),
    kind: z.enum(meetingKinds),
    courtyardIds: z.optional(z.array(z.string())),
    invitees: z.optional(z.array(invitee())),
    /** the council roster version the members were checked against */
    councilVersion: z.optional(z.int()),
    /** the household roster version whose households are the consent denominators (snapshot) */
    householdRosterVersion: z.optional(z.int()),
    /** a consultation's recorded opinions (GET only) */
    opinions: z.optional(z.array(opinion())),
  }),
);
export const meetingSchema = /* @__PURE__ */ meeting();
export type MeetingView = z.output<typeof meetingSchema>;

const ballot = /* @__PURE__ */ once(() =>
  z.object({
    meetingId: z.string(),
    proposalId: z.string(),
    choice: z.enum(ballotChoices),
    castAt: isoTime(),
  }),
);
export const ballotSchema = /* @__PURE__ */ ballot();

const closeReply = /* @__PURE__ */ once(() =>
  z.object({
    meetingId: z.string(),
    status: z.literal("closed"),
    closedAt: isoTime(),
    results: z.array(councilResult()),
  }),
);
export const closeMeetingReplySchema = /* @__PURE__ */ closeReply();

// ---------------------------------------------------------------- consent

const consentBody = /* @__PURE__ */ once(() => z.strictObject({ agree: z.boolean() }));
export const consentBodySchema = /* @__PURE__ */ consentBody();
const consent = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    householdId: z.string(),
    agree: z.boolean(),
    answeredAt: isoTime(),
  }),
);
export const consentSchema = /* @__PURE__ */ consent();

// ---------------------------------------------------------------- expert review

const expertReviewBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** 可行性 */
    feasible: z.boolean(),
    /** 合法性 */
    lawful: z.boolean(),
    score: z.int().check(z.minimum(0), z.maximum(100)),
    comment: z.optional(text(2000, { multiline: true })),
  }),
);
export const expertReviewBodySchema = /* @__PURE__ */ expertReviewBody();
const expertReview = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    feasible: z.boolean(),
    lawful: z.boolean(),
    score: z.int(),
    comment: z.optional(z.string()),
    reviewedAt: isoTime(),
  }),
);
export const expertReviewSchema = /* @__PURE__ */ expertReview();

const expertDecisionBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    decision: z.enum(["pass", "fail"]),
    reason: z.optional(text(2000, { multiline: true })),
  }),
);
export const expertDecisionBodySchema = /* @__PURE__ */ expertDecisionBody();
const expertDecision = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    decision: z.enum(["pass", "fail"]),
    reviews: count(),
    averageScore: z.number(),
    /** council and experts both passed: ProposalEndorsed was emitted with this decision */
    endorsed: z.boolean(),
  }),
);
export const expertDecisionSchema = /* @__PURE__ */ expertDecision();

// ---------------------------------------------------------------- decision record

/** Where a proposal stands in deliberation (no voter, household or expert identities). */
const deliberationRecord = /* @__PURE__ */ once(() =>
  z.object({
    proposalId: z.string(),
    communityId: z.string(),
    kind: z.enum(["works", "service"]),
    title: z.string(),
    year: z.int(),
    /** `screened` (accepted at screening) or `withdrawn` (final) */
    status: z.enum(["screened", "withdrawn"]),
    meetingId: z.optional(z.string()),
    council: z.optional(councilResult()),
    /** households that answered so far (counted into `council.consent` at close) */
    consents: z.object({ agreed: count(), disagreed: count() }),
    expert: z.object({
      reviews: count(),
      decision: z.optional(z.enum(["pass", "fail"])),
      averageScore: z.optional(z.number()),
    }),
    endorsedAt: z.optional(isoTime()),
  }),
);
export const deliberationRecordSchema = /* @__PURE__ */ deliberationRecord();

// ---------------------------------------------------------------- ranking

const rankingParams = /* @__PURE__ */ once(() =>
  z.object({
    communityId: cityIdSchema,
    year: z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR)),
  }),
);
export const rankingParamsSchema = /* @__PURE__ */ rankingParams();

const ranking = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.string(),
    year: z.int(),
    capFen: z.int(),
    /** sum of the council-passed proposals' budgets */
    requestedFen: z.int(),
    exceedsCap: z.boolean(),
    criteria: z.object({
      weights: z.object({
        breadth: z.number(),
        participation: z.number(),
        selfRaised: z.number(),
        urgency: z.number(),
        replicability: z.number(),
      }),
    }),
    items: z.array(
      z.object({
        proposalId: z.string(),
        title: z.string(),
        budgetFen: z.int(),
        rank: z.int(),
        score: z.number(),
        /** fits in the cap when funded in rank order */
        fundable: z.boolean(),
        /** each input normalised to 0..1 (see services/deliberation/README.md) */
        inputs: z.object({
          beneficiaries: z.number(),
          participation: z.number(),
          selfRaisedShare: z.number(),
          urgency: z.number(),
          replicability: z.number(),
        }),
      }),
    ),
    computedAt: isoTime(),
  }),
);
export const rankingSchema = /* @__PURE__ */ ranking();
export type RankingView = z.output<typeof rankingSchema>;

// ---------------------------------------------------------------- rosters

/** A standing council (居民议事会) holds at most as many members as a meeting may list. */
const MAX_COUNCIL_MEMBERS = MAX_MEETING_MEMBERS;
/**
 * Households of one community's roster: the roster is one DynamoDB item per version (≤ 400 KB),
 * so 4,000 ids of ≤ 64 characters fit with room to spare.
 */
export const MAX_ROSTER_HOUSEHOLDS = 4_000;
/** The household roster's request body limit (the runtime's default, 64 KiB, holds ~1,000). */
export const MAX_ROSTER_BODY_BYTES = 640 * 1024;
/** A household id as the `householdId` claim carries it (≤ 64, no `#`: ids are parts of keys). */
const householdId = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/, "must be a household id (≤ 64)")),
);

const councilMember = /* @__PURE__ */ once(() =>
  z.strictObject({
    sub: sub(),
    name: text(60),
    /** the last day of the member's term (YYYY-MM-DD, city time): no meeting after it */
    termEnds: dayIn(MIN_YEAR, MAX_YEAR),
    /** the member's courtyard, for courtyard councils (院落议事会) */
    courtyardId: z.optional(cityIdSchema),
  }),
);
const councilBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    members: z.array(councilMember()).check(
      z.minLength(1),
      z.maxLength(MAX_COUNCIL_MEMBERS),
      z.refine((list) => distinct(list.map((m) => m.sub)), "must not repeat a member's sub"),
    ),
  }),
);
export const councilBodySchema = /* @__PURE__ */ councilBody();
export type CouncilBody = z.output<typeof councilBodySchema>;
const council = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.string(),
    version: z.int(),
    members: z.array(
      z.object({
        sub: z.string(),
        name: z.string(),
        termEnds: z.string(),
        courtyardId: z.optional(z.string()),
      }),
    ),
    updatedAt: isoTime(),
  }),
);
export const councilSchema = /* @__PURE__ */ council();

const householdsBody = /* @__PURE__ */ once(() =>
  z.strictObject({
    households: z
      .array(z.strictObject({ householdId: householdId(), courtyardId: z.optional(cityIdSchema) }))
      .check(
        z.minLength(1),
        z.maxLength(MAX_ROSTER_HOUSEHOLDS),
        z.refine(
          (list) => distinct(list.map((h) => h.householdId)),
          "must not repeat a householdId",
        ),
      ),
  }),
);
export const householdsBodySchema = /* @__PURE__ */ householdsBody();
export type HouseholdsBody = z.output<typeof householdsBodySchema>;
/** The roster as counts (the household ids stay with the community's staff who sent them). */
const householdRoster = /* @__PURE__ */ once(() =>
  z.object({
    communityId: z.string(),
    version: z.int(),
    households: count(),
    /** households per courtyard; households of no courtyard are not listed here */
    courtyards: z.array(z.object({ courtyardId: z.string(), households: count() })),
    updatedAt: isoTime(),
  }),
);
export const householdRosterSchema = /* @__PURE__ */ householdRoster();

// ---------------------------------------------------------------- routes

const idParams = /* @__PURE__ */ once(() => z.object({ id: ulidSchema }));

const staff = ["community_staff"] as const satisfies readonly Role[];
/** Officials who read rankings within their jurisdiction. */
const rankingReaders = [
  "community_staff",
  "street_staff",
  "district_civil",
  "district_group",
  "district_finance",
  "analyst",
  "admin",
] as const satisfies readonly Role[];
/** Officials who read a proposal's decision record within their jurisdiction. */
const recordReaders = [
  ...rankingReaders,
  "council_member",
  "expert",
] as const satisfies readonly Role[];

export const createMeeting = /* @__PURE__ */ defineRoute({
  operationId: "createMeeting",
  method: "POST",
  path: "/v1/meetings",
  summary: "Schedule a residents' council meeting (居民议事会) on screened proposals",
  tags: ["deliberation"],
  auth: staff,
  get body() {
    return createMeetingBody();
  },
  get response() {
    return meeting();
  },
  status: 201,
  errors: [
    "not_found",
    "invalid_state",
    "proposal_not_found",
    "consent_scope_required",
    "not_a_member",
    "roster_required",
    "courtyard_not_found",
    "outside_courtyards",
    "consultation_not_offered",
    "consent_scope_from_roster",
  ],
  idempotent: true,
});

export const getMeeting = /* @__PURE__ */ defineRoute({
  operationId: "getMeeting",
  method: "GET",
  path: "/v1/meetings/{id}",
  summary: "A meeting with its attendance and, once closed, its results",
  tags: ["deliberation"],
  auth: ["community_staff", "council_member"],
  get params() {
    return idParams();
  },
  get response() {
    return meeting();
  },
  status: 200,
  errors: ["not_found"],
});

export const recordAttendance = /* @__PURE__ */ defineRoute({
  operationId: "recordAttendance",
  method: "POST",
  path: "/v1/meetings/{id}/attendance",
  summary: "Record who is present (sign-in sheet); replaces the list while the meeting is open",
  tags: ["deliberation"],
  auth: staff,
  get params() {
    return idParams();
  },
  get body() {
    return attendanceBody();
  },
  get response() {
    return meeting();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "not_a_member"],
  idempotent: true,
});

export const castBallot = /* @__PURE__ */ defineRoute({
  operationId: "castBallot",
  method: "POST",
  path: "/v1/meetings/{id}/ballots",
  summary: "Vote on one proposal of the agenda (票决; once per member and proposal)",
  tags: ["deliberation"],
  auth: ["council_member"],
  get params() {
    return idParams();
  },
  get body() {
    return ballotBody();
  },
  get response() {
    return ballot();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate", "proposal_not_found"],
  idempotent: true,
});

export const closeMeeting = /* @__PURE__ */ defineRoute({
  operationId: "closeMeeting",
  method: "POST",
  path: "/v1/meetings/{id}/close",
  summary: "Close the meeting and tally every proposal (idempotent)",
  tags: ["deliberation"],
  auth: staff,
  get params() {
    return idParams();
  },
  get response() {
    return closeReply();
  },
  status: 200,
  errors: ["not_found", "conflict"],
  idempotent: true,
});

export const giveConsent = /* @__PURE__ */ defineRoute({
  operationId: "giveConsent",
  method: "POST",
  path: "/v1/proposals/{id}/consents",
  summary: "A household's consent to a proposal of its community (once per household)",
  tags: ["deliberation"],
  auth: ["resident"],
  get params() {
    return idParams();
  },
  get body() {
    return consentBody();
  },
  get response() {
    return consent();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate"],
  idempotent: true,
});

export const changeConsent = /* @__PURE__ */ defineRoute({
  operationId: "changeConsent",
  method: "PUT",
  path: "/v1/proposals/{id}/consents",
  summary: "Change the household's answer until the meeting deciding the proposal closes",
  tags: ["deliberation"],
  auth: ["resident"],
  get params() {
    return idParams();
  },
  get body() {
    return consentBody();
  },
  get response() {
    return consent();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const submitExpertReview = /* @__PURE__ */ defineRoute({
  operationId: "submitExpertReview",
  method: "POST",
  path: "/v1/proposals/{id}/expert-reviews",
  summary: "An expert of the proposal's street reviews feasibility and legality (论证; once)",
  tags: ["deliberation"],
  auth: ["expert"],
  get params() {
    return idParams();
  },
  get body() {
    return expertReviewBody();
  },
  get response() {
    return expertReview();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate"],
  idempotent: true,
});

export const decideExpertReview = /* @__PURE__ */ defineRoute({
  operationId: "decideExpertReview",
  method: "POST",
  path: "/v1/proposals/{id}/expert-decision",
  summary: "The street records the expert review's decision (once)",
  tags: ["deliberation"],
  auth: ["street_staff"],
  get params() {
    return idParams();
  },
  get body() {
    return expertDecisionBody();
  },
  get response() {
    return expertDecision();
  },
  status: 200,
  errors: ["not_found", "invalid_state", "duplicate", "expert_review_not_unanimous"],
  idempotent: true,
});

export const getDeliberation = /* @__PURE__ */ defineRoute({
  operationId: "getDeliberation",
  method: "GET",
  path: "/v1/proposals/{id}/deliberation",
  summary: "A proposal's decision record: agenda, council result, consent, expert review",
  tags: ["deliberation"],
  auth: recordReaders,
  get params() {
    return idParams();
  },
  get response() {
    return deliberationRecord();
  },
  status: 200,
  errors: ["not_found"],
});

export const getRanking = /* @__PURE__ */ defineRoute({
  operationId: "getRanking",
  method: "GET",
  path: "/v1/rankings/{communityId}/{year}",
  summary: "Priority ranking of a community-year's council-passed proposals against its cap",
  tags: ["deliberation"],
  auth: rankingReaders,
  get params() {
    return rankingParams();
  },
  get response() {
    return ranking();
  },
  status: 200,
  errors: ["not_found"],
});

export const getPublicRanking = /* @__PURE__ */ defineRoute({
  operationId: "getPublicRanking",
  method: "GET",
  path: "/v1/public/rankings/{communityId}/{year}",
  summary: "The published priority ranking with its inputs (no personal data)",
  tags: ["public", "deliberation"],
  auth: "public",
  get params() {
    return rankingParams();
  },
  get response() {
    return ranking();
  },
  status: 200,
  errors: ["not_found"],
});

const communityParams = /* @__PURE__ */ once(() => z.object({ id: cityIdSchema }));

export const recordOpinion = /* @__PURE__ */ defineRoute({
  operationId: "recordOpinion",
  method: "POST",
  path: "/v1/meetings/{id}/opinions",
  summary:
    "Record an invitee's opinion at a consultation (请你来协商; once per invitee and proposal)",
  tags: ["deliberation"],
  auth: staff,
  get params() {
    return idParams();
  },
  get body() {
    return opinionBody();
  },
  get response() {
    return opinion();
  },
  status: 201,
  errors: ["not_found", "invalid_state", "duplicate", "proposal_not_found"],
  idempotent: true,
});

export const putCouncil = /* @__PURE__ */ defineRoute({
  operationId: "putCouncil",
  method: "PUT",
  path: "/v1/communities/{id}/council",
  summary: "Replace the community's standing residents' council roster (居民议事会); versioned",
  tags: ["deliberation"],
  auth: staff,
  get params() {
    return communityParams();
  },
  get body() {
    return councilBody();
  },
  get response() {
    return council();
  },
  status: 200,
  errors: ["not_found", "courtyard_not_found"],
  idempotent: true,
});

export const getCouncil = /* @__PURE__ */ defineRoute({
  operationId: "getCouncil",
  method: "GET",
  path: "/v1/communities/{id}/council",
  summary: "The community's council roster (names: officials of the jurisdiction only)",
  tags: ["deliberation"],
  auth: rankingReaders,
  get params() {
    return communityParams();
  },
  get response() {
    return council();
  },
  status: 200,
  errors: ["not_found"],
});

export const putHouseholds = /* @__PURE__ */ defineRoute({
  operationId: "putHouseholds",
  method: "PUT",
  path: "/v1/communities/{id}/households",
  summary: "Replace the community's household roster: who may consent, and the denominator",
  tags: ["deliberation"],
  auth: staff,
  get params() {
    return communityParams();
  },
  get body() {
    return householdsBody();
  },
  get response() {
    return householdRoster();
  },
  status: 200,
  errors: ["not_found", "courtyard_not_found", "payload_too_large"],
  idempotent: true,
  // 4,000 households with 64-character ids and courtyards (~140 bytes each) in one replacement
  maxBodyBytes: MAX_ROSTER_BODY_BYTES,
});

/** Routes served by deliberation's api function. */
export const deliberationApiRoutes = [
  createMeeting,
  getMeeting,
  recordAttendance,
  castBallot,
  closeMeeting,
  giveConsent,
  changeConsent,
  submitExpertReview,
  decideExpertReview,
  getDeliberation,
  getRanking,
  getPublicRanking,
  putCouncil,
  getCouncil,
  putHouseholds,
  recordOpinion,
] as const;

/** Events deliberation's inbox consumes (its proposal projection). */
export const deliberationInboxEventTypes = /* @__PURE__ */ defineInbox([
  "ProposalScreened",
  "ProposalWithdrawn",
]);
