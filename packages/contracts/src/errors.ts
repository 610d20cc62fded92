import * as z from "zod/mini";

/** Every error code with its HTTP status. Services extend this list when they need a new code. */
export const errorStatus = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_state: 409,
  duplicate: 409,
  /** A concurrent request holds the same Idempotency-Key or item; retrying is safe. */
  conflict: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  budget_cap_exceeded: 422,
  community_cap_exceeded: 422,
  ineligible_category: 422,
  org_applicant_required: 422,
  need_not_found: 422,
  self_raised_invalid: 422,
  evidence_mismatch: 422,
  milestone_not_reached: 422,
  /** deliberation: a proposal id that is not a screened proposal of the community or agenda */
  proposal_not_found: 422,
  /** deliberation: household consent is required, so each proposal needs `affectedHouseholds` */
  consent_scope_required: 422,
  /** deliberation: attendance names someone who is not a member of the meeting */
  not_a_member: 422,
  /** deliberation: a works project passes expert review only if every review is feasible and lawful */
  expert_review_not_unanimous: 422,
  /** approval: a disbursement above what is approved and not yet disbursed */
  disbursement_exceeds_approved: 422,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorStatus, value);
}

/** Stable problem `type` URI of a code (RFC 9457). */
export const problemType = (code: string) => `https://pencai.dev/problems/${code}`;

/** Short human title of a code: `budget_cap_exceeded` -> `Budget cap exceeded`. */
export const problemTitle = (code: string) => {
  const words = code.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const fieldErrorSchema = /* @__PURE__ */ (() =>
  z.object({ path: z.string(), message: z.string() }))();
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** Body of every `application/problem+json` reply. */
export const problemSchema = /* @__PURE__ */ (() =>
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string(),
    detail: z.string(),
    errors: z.optional(z.array(fieldErrorSchema)),
  }))();
export type Problem = z.infer<typeof problemSchema>;
