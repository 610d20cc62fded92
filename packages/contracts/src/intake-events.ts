import * as z from "zod/mini";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "./limits.js";

/**
 * Data of the domain events intake emits (the envelope is `envelopeSchema` in events.ts).
 * Events carry no personal data beyond the envelope's `actor`.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const fen = /* @__PURE__ */ z.int().check(z.minimum(0), z.maximum(MAX_FEN));
const year = /* @__PURE__ */ z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR));

export const needRaisedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    needId: text,
    communityId: text,
    streetId: text,
    districtId: text,
    title: text,
    category: z.optional(text),
  }))();
export type NeedRaisedData = z.infer<typeof needRaisedDataSchema>;

/** One programme year's share of a phased works project (Luohu 分年度实施). */
export const yearShareData = /* @__PURE__ */ (() =>
  z.object({ year, programmeFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)) }))();
/** One community's share of a cross-community project. */
export const communityShareData = /* @__PURE__ */ (() =>
  z.object({ communityId: text, programmeFen: z.int().check(z.minimum(1), z.maximum(MAX_FEN)) }))();

export const proposalSubmittedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    communityId: text,
    streetId: text,
    districtId: text,
    kind: z.enum(["works", "service"]),
    category: text,
    title: text,
    budgetFen: fen,
    selfRaisedFen: fen,
    sponsorFen: fen,
    /** budgetFen - selfRaisedFen - sponsorFen: what the programme pays */
    programmeFen: fen,
    year,
    needIds: z.array(text),
    applicantOrgId: z.optional(text),
    packageGroupId: z.optional(text),
    phasing: z.optional(z.array(yearShareData)),
    communities: z.optional(z.array(communityShareData)),
    courtyardIds: z.optional(z.array(text)),
  }))();
export type ProposalSubmittedData = z.infer<typeof proposalSubmittedDataSchema>;

/**
 * Event-carried state: besides the decision, what deliberation needs to know about the proposal
 * (place, kind, money, year, head count), so that it never reads intake's table.
 */
export const proposalScreenedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    decision: z.enum(["accept", "reject"]),
    /** `screened` on accept, `rejected` on reject */
    status: z.enum(["screened", "rejected"]),
    needFit: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
    reason: z.optional(text),
    communityId: text,
    streetId: text,
    districtId: text,
    kind: z.enum(["works", "service"]),
    category: text,
    title: text,
    budgetFen: fen,
    selfRaisedFen: fen,
    sponsorFen: fen,
    programmeFen: fen,
    year,
    /** only when the proposal gave a head count (its `beneficiaries` may also be a description) */
    beneficiaries: z.optional(z.int().check(z.minimum(0))),
    packageGroupId: z.optional(text),
    /** a phased works project: each year's programme share (approval commits each to its year) */
    phasing: z.optional(z.array(yearShareData)),
    /** a cross-community project: each community's programme share (approval charges each) */
    communities: z.optional(z.array(communityShareData)),
    courtyardIds: z.optional(z.array(text)),
  }))();
export type ProposalScreenedData = z.infer<typeof proposalScreenedDataSchema>;

export const proposalWithdrawnDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    needIds: z.array(text),
    /** the status the proposal left */
    previousStatus: text,
    reason: z.optional(text),
  }))();
export type ProposalWithdrawnData = z.infer<typeof proposalWithdrawnDataSchema>;

/** Intake verified an evidence file of the proposal (its own bytes, measured by the service). */
export const evidenceVerifiedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    proposalId: text,
    evidenceId: text,
    purpose: text,
    contentType: text,
    sizeBytes: z.int().check(z.minimum(1)),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
    verifiedAt: z.iso.datetime({ offset: true }),
  }))();
export type EvidenceVerifiedData = z.infer<typeof evidenceVerifiedDataSchema>;

/** Data schema of each event intake emits, by type. */
export const intakeEventDataSchemas = {
  NeedRaised: needRaisedDataSchema,
  ProposalSubmitted: proposalSubmittedDataSchema,
  ProposalScreened: proposalScreenedDataSchema,
  ProposalWithdrawn: proposalWithdrawnDataSchema,
  EvidenceVerified: evidenceVerifiedDataSchema,
} as const;
