import * as z from "zod/mini";
import { MAX_YEAR, MIN_YEAR } from "./limits.js";

/**
 * Data of the domain events the oversight service emits (the envelope is `envelopeSchema` in
 * events.ts). Sampling inspection (抽检) is public in aggregate and by project (四公开); the
 * inspectors are the envelope's `actor` only. The exports service keeps them as the
 * `inspections` and `inspection_findings` entities; approval watches a failed finding's
 * rectification deadline as an SLA timer of kind `rectification`.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const count = /* @__PURE__ */ z.int().check(z.minimum(0));
const year = /* @__PURE__ */ z.int().check(z.minimum(MIN_YEAR), z.maximum(MAX_YEAR));
const time = /* @__PURE__ */ z.iso.datetime({ offset: true });

/** A sample was drawn: reproducible from `seed` over the population whose hash is given. */
export const inspectionDrawnDataSchema = /* @__PURE__ */ (() =>
  z.object({
    inspectionId: text,
    districtId: text,
    year,
    seed: text,
    /** approved-or-later projects of the district-year the sample was drawn from */
    populationCount: count,
    /** sha256 (hex) of the population's proposal ids, sorted, one per line */
    populationHash: text,
    sampleSize: count,
    items: z.array(z.object({ proposalId: text, streetId: text })),
    drawnAt: time,
  }))();
export type InspectionDrawnData = z.infer<typeof inspectionDrawnDataSchema>;

/**
 * A sampled project was inspected. A failed one has a rectification deadline in working days
 * (`rectifyDueAt`, 24:00 Asia/Shanghai of the n-th working day after the finding), which
 * approval's SLA sweeper watches like the review and disbursement deadlines.
 */
export const inspectionFindingDataSchema = /* @__PURE__ */ (() =>
  z.object({
    inspectionId: text,
    proposalId: text,
    communityId: text,
    streetId: text,
    districtId: text,
    year,
    passed: z.boolean(),
    /** how many issues the inspector listed (their text is in oversight's record) */
    issues: count,
    rectifyWorkingDays: z.optional(z.int().check(z.minimum(1), z.maximum(365))),
    rectifyDueAt: z.optional(time),
    /** the deadline depended on a year without official calendar data */
    provisional: z.optional(z.boolean()),
    recordedAt: time,
  }))();
export type InspectionFindingData = z.infer<typeof inspectionFindingDataSchema>;

/** The street reported a failed finding rectified: approval stops its rectification timer. */
export const rectificationCompletedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    inspectionId: text,
    proposalId: text,
    communityId: text,
    districtId: text,
    completedAt: time,
  }))();
export type RectificationCompletedData = z.infer<typeof rectificationCompletedDataSchema>;

/** Data schema of each event oversight emits, by type. */
export const oversightEventDataSchemas = {
  InspectionDrawn: inspectionDrawnDataSchema,
  InspectionFinding: inspectionFindingDataSchema,
  RectificationCompleted: rectificationCompletedDataSchema,
} as const;
