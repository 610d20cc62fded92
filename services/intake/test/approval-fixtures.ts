import { approvalEventDataSchemas } from "@pencai/contracts/approval-events";
import type { Envelope } from "@pencai/contracts/events";
import { ULID_A } from "./fixtures.js";

// Approval's events as approval emits them (every data object is checked against its contract
// schema), for the registry and SLA tests.

type ApprovalType = keyof typeof approvalEventDataSchemas;

const actors: Record<ApprovalType, Envelope["actor"]> = {
  ProposalReported: { sub: "street-secret-1", roles: ["street_staff"] },
  DistrictReviewCompleted: { sub: "civil-secret-1", roles: ["district_civil"] },
  ProposalApproved: { sub: "group-secret-1", roles: ["district_group"] },
  ProposalRejected: { sub: "group-secret-1", roles: ["district_group"] },
  FundsDisbursed: { sub: "finance-secret-1", roles: ["district_finance"] },
  SlaReminder: { sub: "system:sla-sweep", roles: [] },
  SlaBreached: { sub: "system:sla-sweep", roles: [] },
};

let n = 0;
export function approvalEvent(
  type: ApprovalType,
  data: Record<string, unknown>,
  at: string,
): Envelope {
  const full = { proposalId: ULID_A, ...data };
  const parsed = approvalEventDataSchemas[type].safeParse(full);
  if (!parsed.success) {
    throw new Error(`${type} data does not match approval's contract: ${parsed.error.message}`);
  }
  n++;
  return {
    id: `01JEVT${String(n).padStart(20, "0")}`,
    type,
    version: 1,
    occurredAt: at,
    cityId: "testcity",
    proposalId: ULID_A,
    communityId: "c1",
    actor: actors[type],
    correlationId: "corr",
    data: full,
  };
}

const place = { communityId: "c1", districtId: "d1" };

export const reported = (
  round: number,
  reportedAt: string,
  reviewDueAt: string,
  provisional = false,
) =>
  approvalEvent(
    "ProposalReported",
    { ...place, streetId: "s1", reportedAt, reviewDueAt, reviewWorkingDays: 5, provisional, round },
    reportedAt,
  );

export const reviewed = (
  decision: "forward" | "return" | "reject",
  round: number,
  reviewedAt: string,
  reviewDueAt: string,
  sla: "met" | "breached",
  provisional?: boolean,
) =>
  approvalEvent(
    "DistrictReviewCompleted",
    {
      decision,
      reviewedAt,
      reviewDueAt,
      sla,
      round,
      ...(provisional !== undefined && { provisional }),
    },
    reviewedAt,
  );

export const approved = (approvedAt: string, disbursementDueAt: string, budgetFen = 1_000_000) =>
  approvalEvent(
    "ProposalApproved",
    {
      ...place,
      year: 2026,
      budgetFen,
      programmeFen: budgetFen,
      approvedAt,
      disbursementDueAt,
      disbursementWorkingDays: 15,
      provisional: false,
      committedFen: budgetFen,
      capFen: 200_000_000,
    },
    approvedAt,
  );

export const disbursed = (
  amountFen: number,
  totalDisbursedFen: number,
  disbursedAt: string,
  disbursementDueAt: string,
  sla?: "met" | "breached",
  approvedFen = 1_000_000,
) =>
  approvalEvent(
    "FundsDisbursed",
    {
      communityId: "c1",
      year: 2026,
      disbursementId: `01JDIS${String(totalDisbursedFen).padStart(20, "0")}`,
      amountFen,
      totalDisbursedFen,
      approvedFen,
      fullyDisbursed: totalDisbursedFen === approvedFen,
      reference: `PZ-${totalDisbursedFen}`,
      disbursedAt,
      disbursementDueAt,
      ...(sla && { sla }),
    },
    disbursedAt,
  );

const timerFacts = (
  kind: "review" | "disbursement",
  round: number,
  startedAt: string,
  dueAt: string,
  provisional = false,
) => ({ ...place, kind, round, startedAt, dueAt, provisional });

export const reminded = (
  kind: "review" | "disbursement",
  round: number,
  startedAt: string,
  dueAt: string,
  remindedAt: string,
  provisional = false,
) =>
  approvalEvent(
    "SlaReminder",
    { ...timerFacts(kind, round, startedAt, dueAt, provisional), remindedAt },
    remindedAt,
  );

export const breached = (
  kind: "review" | "disbursement",
  round: number,
  startedAt: string,
  dueAt: string,
  breachedAt: string,
) =>
  approvalEvent(
    "SlaBreached",
    { ...timerFacts(kind, round, startedAt, dueAt), breachedAt },
    breachedAt,
  );
