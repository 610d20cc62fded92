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
  /** intake: the sources do not add up (sponsor money beyond the budget, no programme money left) */
  funding_invalid: 422,
  /** intake: sponsor money where the city's programme takes none (`process.sponsors`) */
  sponsor_not_allowed: 422,
  evidence_mismatch: 422,
  /** evaluation: a payment beyond the progress reported or the milestone's share of the budget */
  milestone_not_reached: 422,
  /** evaluation: a payment beyond the money received (disbursed programme money + contributions) */
  insufficient_funds: 422,
  /** evaluation: reported progress never goes down */
  progress_regressed: 422,
  /** evaluation: a progress report cites evidence that is not verified evidence of the proposal */
  evidence_not_verified: 422,
  /** evaluation: a satisfaction panel too small, without a required member type, or with a conflict of interest */
  panel_invalid: 422,
  /** deliberation: a proposal id that is not a screened proposal of the community or agenda */
  proposal_not_found: 422,
  /** deliberation: household consent is required, so each proposal needs `affectedHouseholds` */
  consent_scope_required: 422,
  /** deliberation: attendance names someone who is not a member of the meeting */
  not_a_member: 422,
  /** deliberation: the city requires a standing council roster (or a courtyard council needs one) */
  roster_required: 422,
  /** deliberation: a courtyard council may only decide proposals of its own courtyards */
  outside_courtyards: 422,
  /** deliberation: consultation meetings (请你来协商) are not part of this city's programme */
  consultation_not_offered: 422,
  /** deliberation: the household roster gives the consent denominator; `affectedHouseholds` is not taken */
  consent_scope_from_roster: 422,
  /** deliberation: a works project passes expert review only if every review is feasible and lawful */
  expert_review_not_unanimous: 422,
  /** approval: a disbursement above what is approved and not yet disbursed */
  disbursement_exceeds_approved: 422,
  /** intake: evidence declared beyond the per-user or per-proposal upload quota */
  evidence_quota_exceeded: 422,
  /** oversight: a finding on a proposal that is not in the inspection's sample */
  not_sampled: 422,
  /** intake, deliberation: a courtyard id that is not a courtyard (院落) of the community */
  courtyard_not_found: 422,
  /** intake: a packageGroupId where the city does not split needs, or on a service project */
  packages_not_allowed: 422,
  /** intake: a package of a group opened by another proposer, community or year */
  package_group_mismatch: 422,
  /** intake: phasing where the city does not phase (`process.phasingYears` 1), or on a service project */
  phasing_not_allowed: 422,
  /** intake: phasing years not consecutive from the proposal's year, too many, or not summing up */
  phasing_invalid: 422,
  /** intake: communities where the city takes no cross-community projects */
  cross_community_not_allowed: 422,
  /** intake: cross-community shares not of the street, repeated, or not summing up */
  communities_invalid: 422,
  /** intake: a proposal that is more than one of package, phased, cross-community */
  funding_plan_conflict: 422,
  /** intake: the applicant organisation is not active in the registry (in notice, suspended, exited, unknown) */
  org_not_active: 422,
  /** intake: a service category the city's purchase catalogue (购买服务指导目录) does not buy */
  not_in_catalogue: 422,
  /** intake: programme money outside the catalogue's range for the category */
  outside_price_range: 422,
  /** orgs: a filed organisation's sponsor is not an active registered organisation of the district */
  sponsor_not_active: 422,
  /** orgs: a decision that needs its reason (refusing; admitting over objections) */
  reason_required: 422,
  /** orgs: objections come during the public notice only */
  notice_ended: 409,
  /** orgs: the district reviews only after the public notice */
  notice_running: 409,
  /** intake: the city's programme has no escalation ladder for needs (`sla.escalation`) */
  escalation_not_available: 422,
  /** evaluation: the city's programme has no resident project groups (`process.projectGroups`) */
  procurement_not_available: 422,
  /** evaluation: too few quotes or group members, a chosen supplier not quoted, or no reason for passing over the cheapest */
  procurement_invalid: 422,
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

/**
 * The domain's own error: a code of the contract (`errorStatus`) and a detail, no HTTP. Domain
 * code throws it; the edge (the HTTP runtime) maps the code to its status and problem+json.
 * `cause` keeps what led to it (a cancelled transaction, an SDK error) for the logs.
 */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly errors?: FieldError[];
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    opts: { errors?: FieldError[]; cause?: unknown } = {},
  ) {
    super(`${code}: ${detail}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    if (opts.errors?.length) this.errors = opts.errors;
  }

  /** The error this one was made from by `because` (itself when it is an original). */
  readonly origin: DomainError = this;

  /** The same error, with what caused it this time (errors built once, thrown many times). */
  because(cause: unknown): DomainError {
    const copy = new DomainError(this.code, this.detail, {
      ...(this.errors ? { errors: this.errors } : {}),
      cause,
    });
    (copy as { origin: DomainError }).origin = this.origin;
    return copy;
  }

  /** Whether this is `template`, or was made from it (a transaction's `onFail`). */
  isFrom(template: DomainError): boolean {
    return this.origin === template;
  }
}

export const isDomainError = (err: unknown, code?: ErrorCode): err is DomainError =>
  err instanceof DomainError && (code === undefined || err.code === code);

export const notFound = (what: string) => new DomainError("not_found", `${what} not found`);
export const forbidden = (detail = "not allowed") => new DomainError("forbidden", detail);
export const unauthenticated = (detail = "a valid bearer token is required") =>
  new DomainError("unauthenticated", detail);
export const invalidState = (detail: string) => new DomainError("invalid_state", detail);
export const duplicate = (detail: string, errors?: FieldError[]) =>
  new DomainError("duplicate", detail, errors ? { errors } : {});
/** A concurrent writer changed what this request read: read again, decide again (retryable). */
export const conflict = (detail: string) => new DomainError("conflict", detail);
/** The optimistic-concurrency loss of `what` (a version or chain head that moved). */
export const stale = (what: string) => conflict(`${what} changed meanwhile; retry`);
export const validationFailed = (detail: string, errors?: FieldError[]) =>
  new DomainError("validation_failed", detail, errors ? { errors } : {});
/** A business rule (422 codes and any other). */
export const rule = (code: ErrorCode, detail: string, errors?: FieldError[]) =>
  new DomainError(code, detail, errors ? { errors } : {});
