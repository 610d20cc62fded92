import type { Envelope } from "@pencai/contracts/events";
import type { ProposalDecision } from "./types.js";

/**
 * The decision record of a proposal (四公开: the decision is public), projected from
 * deliberation's events: `DeliberationConcluded` gives the council tally (and household consent
 * where the city requires it), `ExpertReviewConcluded` the expert outcome. Only counts and
 * outcomes are copied, field by field, so an identity can never slip through even if a producer
 * adds one to its event data. The latest event of each kind wins (by `occurredAt`): a late or
 * redelivered older event changes nothing.
 */

type Council = NonNullable<ProposalDecision["council"]>;
type Consent = NonNullable<Council["consent"]>;
type ExpertReview = NonNullable<ProposalDecision["expertReview"]>;

const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isShare = (v: unknown): v is number =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;
const isScore = (v: unknown): v is number =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 100;
const shortText = (v: unknown, max: number): string | undefined =>
  typeof v === "string" && v.length > 0 ? v.slice(0, max) : undefined;

function consentOf(v: unknown): Consent | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const c = v as Record<string, unknown>;
  if (!isCount(c.households) || !isCount(c.agreed) || !isShare(c.share) || !isBool(c.met)) {
    return undefined;
  }
  return {
    households: c.households,
    agreed: c.agreed,
    ...(isCount(c.disagreed) && { disagreed: c.disagreed }),
    share: c.share,
    required: c.required === true,
    met: c.met,
  };
}

/** The council tally of a `DeliberationConcluded` event, or undefined when it is malformed. */
export function councilOf(data: Record<string, unknown>, at: string): Council | undefined {
  const { members, present, yes, no, abstain, quorumMet, passed } = data;
  if (
    !isCount(members) ||
    !isCount(present) ||
    !isCount(yes) ||
    !isCount(no) ||
    !isCount(abstain) ||
    !isBool(quorumMet) ||
    !isBool(passed)
  ) {
    return undefined;
  }
  const meetingId = shortText(data.meetingId, 64);
  const consent = consentOf(data.consent);
  return {
    ...(meetingId !== undefined && { meetingId }),
    members,
    present,
    yes,
    no,
    abstain,
    quorumMet,
    passed,
    ...(consent && { consent }),
    concludedAt: at,
  };
}

/** The expert outcome of an `ExpertReviewConcluded` event, or undefined when it is malformed. */
export function expertReviewOf(
  data: Record<string, unknown>,
  at: string,
): ExpertReview | undefined {
  const decision = data.decision === "pass" || data.decision === "fail" ? data.decision : undefined;
  const passed = isBool(data.passed) ? data.passed : decision && decision === "pass";
  if (passed === undefined || !isCount(data.reviews) || !isScore(data.averageScore)) {
    return undefined;
  }
  const reason = shortText(data.reason, 2000);
  return {
    passed,
    ...(decision && { decision }),
    reviews: data.reviews,
    averageScore: data.averageScore,
    ...(reason !== undefined && { reason }),
    concludedAt: at,
  };
}

const newer = (current: { concludedAt: string } | undefined, at: string) =>
  !current || current.concludedAt <= at;

/** The decision record after one event (the same object when the event changes nothing). */
export function decisionAfter(
  current: ProposalDecision | undefined,
  e: Envelope,
): ProposalDecision | undefined {
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (e.type === "DeliberationConcluded") {
    const council = councilOf(data, e.occurredAt);
    if (!council || !newer(current?.council, e.occurredAt)) return current;
    return { ...current, council };
  }
  if (e.type === "ExpertReviewConcluded") {
    const expertReview = expertReviewOf(data, e.occurredAt);
    if (!expertReview || !newer(current?.expertReview, e.occurredAt)) return current;
    return { ...current, expertReview };
  }
  return current;
}
