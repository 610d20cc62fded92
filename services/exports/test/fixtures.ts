import type { ContractEventType, EventData, TypedEnvelope } from "@pencai/contracts/event-data";

let n = 0;
/** An envelope of `type` at `occurredAt` (ids increase with each call). */
export function envelope<T extends ContractEventType>(
  type: T,
  occurredAt: string,
  data: EventData<T>,
  extra: { proposalId?: string; communityId?: string; sub?: string } = {},
): TypedEnvelope<T> {
  n++;
  return {
    id: `01JEVENT${String(n).padStart(18, "0")}`,
    type,
    version: 1,
    occurredAt,
    cityId: "demo",
    ...(extra.proposalId ? { proposalId: extra.proposalId } : {}),
    communityId: extra.communityId ?? "c1",
    actor: { sub: extra.sub ?? "user-1", roles: ["street_staff"] },
    correlationId: "corr",
    data,
  } as TypedEnvelope<T>;
}

const place = { communityId: "c1", streetId: "s1", districtId: "d1" };

/** A proposal's life from submission to payment, in the order it happens. */
export function lifecycle(proposalId = "P1") {
  const facts = {
    proposalId,
    ...place,
    kind: "works" as const,
    category: "greening",
    title: "Pocket park",
    budgetFen: 10_000_00,
    selfRaisedFen: 1_000_00,
    sponsorFen: 0,
    programmeFen: 9_000_00,
    year: 2026,
  };
  const e = { proposalId };
  return [
    envelope("ProposalSubmitted", "2026-03-01T01:00:00Z", { ...facts, needIds: ["N1"] }, e),
    envelope(
      "ProposalScreened",
      "2026-03-02T01:00:00Z",
      {
        ...facts,
        decision: "accept",
        status: "screened",
        beneficiaries: 300,
      },
      e,
    ),
    envelope(
      "ProposalReported",
      "2026-03-05T01:00:00Z",
      {
        proposalId,
        ...place,
        reportedAt: "2026-03-05T01:00:00Z",
        reviewDueAt: "2026-03-12T16:00:00Z",
        reviewWorkingDays: 5,
        provisional: false,
        round: 1,
      },
      e,
    ),
    envelope(
      "DistrictReviewCompleted",
      "2026-03-09T01:00:00Z",
      {
        proposalId,
        decision: "forward",
        reviewedAt: "2026-03-09T01:00:00Z",
        reviewDueAt: "2026-03-12T16:00:00Z",
        sla: "met",
        round: 1,
      },
      e,
    ),
    envelope(
      "ProposalApproved",
      "2026-03-10T01:00:00Z",
      {
        proposalId,
        communityId: "c1",
        districtId: "d1",
        year: 2026,
        budgetFen: 10_000_00,
        programmeFen: 9_000_00,
        approvedAt: "2026-03-10T01:00:00Z",
        disbursementDueAt: "2026-03-31T16:00:00Z",
        disbursementWorkingDays: 15,
        provisional: false,
        committedFen: 9_000_00,
        capFen: 200_000_000,
      },
      e,
    ),
    envelope(
      "FundsDisbursed",
      "2026-03-20T01:00:00Z",
      {
        proposalId,
        communityId: "c1",
        year: 2026,
        disbursementId: `D-${proposalId}`,
        amountFen: 9_000_00,
        totalDisbursedFen: 9_000_00,
        approvedFen: 9_000_00,
        fullyDisbursed: true,
        reference: "V-1",
        disbursedAt: "2026-03-20T01:00:00Z",
        disbursementDueAt: "2026-03-31T16:00:00Z",
        provisional: false,
        sla: "met",
      },
      e,
    ),
    envelope(
      "PaymentMade",
      "2026-04-01T01:00:00Z",
      {
        proposalId,
        paymentId: `PAY-${proposalId}`,
        milestonePercent: 50,
        amountFen: 4_000_00,
        payee: "Greenworks Ltd",
        reference: "INV-1",
        paidAt: "2026-04-01T01:00:00Z",
      },
      e,
    ),
  ];
}
