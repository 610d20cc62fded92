import * as z from "zod/mini";

/** Every domain event type (SNS message attribute `type`). */
export const eventTypes = [
  "NeedRaised",
  "ProposalSubmitted",
  "ProposalScreened",
  "ProposalWithdrawn",
  "DeliberationConcluded",
  "ExpertReviewConcluded",
  "ProposalEndorsed",
  "ProposalReported",
  "DistrictReviewCompleted",
  "ProposalApproved",
  "ProposalRejected",
  "FundsDisbursed",
  "EvidenceVerified",
  "ContributionReceived",
  "ImplementationStarted",
  "ProgressReported",
  "PaymentMade",
  "ProjectCompleted",
  "EvaluationOpened",
  "EvaluationClosed",
  "SlaReminder",
  "SlaBreached",
  "BallotsCounted",
  "InspectionDrawn",
  "InspectionFinding",
  "RectificationCompleted",
  "OrgRegistered",
  "OrgStatusChanged",
] as const;

export type EventType = (typeof eventTypes)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (eventTypes as readonly string[]).includes(value);
}

/**
 * The envelope on the wire (SNS message / SQS body). `type` is any non-empty string so a
 * consumer can acknowledge event types it does not know yet; unknown envelope fields pass
 * through for forward compatibility.
 */
export const envelopeSchema = /* @__PURE__ */ (() =>
  z.looseObject({
    id: z.string().check(z.minLength(1)),
    type: z.string().check(z.minLength(1)),
    version: z.int().check(z.positive()),
    occurredAt: z.iso.datetime(),
    cityId: z.string(),
    proposalId: z.optional(z.string()),
    communityId: z.optional(z.string()),
    actor: z.object({ sub: z.string(), roles: z.array(z.string()) }),
    correlationId: z.string(),
    data: z.unknown(),
  }))();

export interface Envelope<T = unknown> {
  id: string;
  type: EventType;
  version: number;
  occurredAt: string;
  cityId: string;
  proposalId?: string;
  communityId?: string;
  actor: { sub: string; roles: string[] };
  correlationId: string;
  data: T;
}
