import * as z from "zod/mini";
import { communityShareData, yearShareData } from "./intake-events.js";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";

/**
 * Data of the domain events deliberation emits (the envelope is `envelopeSchema` in events.ts;
 * its `proposalId` and `communityId` are set). No voter, household or expert identities: the
 * decision is public (四公开), the people who made it are not.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const count = /* @__PURE__ */ z.int().check(z.minimum(0));

/** Household consent of a proposal's affected area (Panlong), as counted when the meeting closed. */
export const consentTallySchema = /* @__PURE__ */ (() =>
  z.object({
    /** households of the project area (the meeting's `affectedHouseholds`) */
    households: count,
    agreed: count,
    disagreed: count,
    /** agreed / households */
    share: z.number(),
    /** whether the city requires consent for the proposal to pass */
    required: z.boolean(),
    /** share ≥ the city's threshold */
    met: z.boolean(),
  }))();
export type ConsentTally = z.infer<typeof consentTallySchema>;

export const deliberationConcludedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    meetingId: text,
    /** members listed for the meeting */
    members: count,
    present: count,
    quorumMet: z.boolean(),
    yes: count,
    no: count,
    abstain: count,
    passed: z.boolean(),
    consent: z.optional(consentTallySchema),
  }))();
export type DeliberationConcludedData = z.infer<typeof deliberationConcludedDataSchema>;

export const expertReviewConcludedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    passed: z.boolean(),
    decision: z.enum(["pass", "fail"]),
    /** number of expert reviews the decision rests on */
    reviews: count,
    averageScore: z.number(),
    reason: z.optional(text),
  }))();
export type ExpertReviewConcludedData = z.infer<typeof expertReviewConcludedDataSchema>;

/**
 * Carries the proposal's facts (event-carried state): approval builds its projection from this
 * event alone and never reads intake's or deliberation's table.
 */
export const proposalEndorsedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    /** the council meeting that passed it */
    meetingId: text,
    communityId: text,
    streetId: text,
    districtId: text,
    kind: z.enum(["works", "service"]),
    title: text,
    budgetFen: z.int().check(z.minimum(0), z.maximum(MAX_FEN)),
    /** the programme's part of the budget: what approval commits and finance disburses */
    programmeFen: z.int().check(z.minimum(0), z.maximum(MAX_FEN)),
    year: z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR)),
    /** a phased works project: each year's programme share (approval commits each to its year) */
    phasing: z.optional(z.array(yearShareData)),
    /** a cross-community project: each community's programme share (approval charges each) */
    communities: z.optional(z.array(communityShareData)),
  }))();
export type ProposalEndorsedData = z.infer<typeof proposalEndorsedDataSchema>;

/**
 * Every counted ballot of a closed council meeting, for research exports (pabulib's VOTES).
 * The one event that names voters, by their account id (`sub`, opaque: never a name): no public
 * surface consumes it (intake's timeline does not subscribe), and the exports service replaces
 * each `sub` with a pseudonym keyed by the city's secret before anything leaves the stack.
 */
export const ballotsCountedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    meetingId: text,
    communityId: text,
    /** the proposals on the agenda, each with its outcome */
    proposals: z.array(z.object({ proposalId: text, passed: z.boolean() })),
    /** one per member and proposal voted on (absent members and abstentions included as cast) */
    ballots: z.array(
      z.object({ sub: text, proposalId: text, choice: z.enum(["yes", "no", "abstain"]) }),
    ),
    closedAt: z.iso.datetime({ offset: true }),
  }))();
export type BallotsCountedData = z.infer<typeof ballotsCountedDataSchema>;

/** Data schema of each event deliberation emits, by type. */
export const deliberationEventDataSchemas = {
  BallotsCounted: ballotsCountedDataSchema,
  DeliberationConcluded: deliberationConcludedDataSchema,
  ExpertReviewConcluded: expertReviewConcludedDataSchema,
  ProposalEndorsed: proposalEndorsedDataSchema,
} as const;
