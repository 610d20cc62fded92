import type { ImplementationView, SpendingNotice } from "@pencai/contracts/evaluation";
import { seatsByType } from "./panel.js";
import {
  type Contribution,
  type Disbursement,
  type Payment,
  type Procurement,
  type ProgressReport,
  type Project,
  receivedFen,
} from "./types.js";

/** The project's implementation record; `owner` only for officials over its place. */
export function implementationView(
  p: Project,
  parts: { progress: readonly ProgressReport[]; payments: readonly Payment[]; ratings: number },
  showOwner: boolean,
): ImplementationView {
  const impl = p.implementation!;
  const evaluation = p.evaluation;
  return {
    proposalId: p.id,
    status: p.status as ImplementationView["status"],
    ...(showOwner && { owner: impl.owner }),
    implementer: impl.implementer,
    milestones: impl.milestones,
    progressPercent: p.progressPercent,
    progress: parts.progress.map(({ percent, note, evidenceIds, reportedAt }) => ({
      percent,
      note,
      evidenceIds,
      reportedAt,
    })),
    payments: parts.payments.map(({ sub: _, ...payment }) => payment),
    totalPaidFen: p.paidFen,
    receivedFen: receivedFen(p),
    startedAt: impl.startedAt,
    ...(p.completedAt && { completedAt: p.completedAt }),
    ...(evaluation && {
      evaluation: {
        status: evaluation.status === "closed" ? ("closed" as const) : ("open" as const),
        seats: evaluation.panel.length,
        seatsByType: seatsByType(evaluation.panel),
        ratings: evaluation.result?.ratings ?? parts.ratings,
        openedAt: evaluation.openedAt,
        ...(evaluation.result && { result: evaluation.result }),
      },
    }),
  };
}

/**
 * The spending notice (公示): the budget by source as planned, money in by source (programme
 * money as district finance disbursed it, every contribution), money out by payment, the
 * balance, and how the project group chose its supplier. The public notice leaves out who
 * contributed and who sits in the group (a resident's name is not public).
 */
export function spendingNotice(
  p: Project,
  parts: {
    disbursements: readonly Disbursement[];
    contributions: readonly Contribution[];
    payments: readonly Payment[];
    procurement?: Procurement | undefined;
  },
  opts: { showContributors: boolean },
): SpendingNotice {
  const entries = [
    ...parts.disbursements.map((d) => ({
      source: "programme" as const,
      amountFen: d.amountFen,
      reference: d.reference,
      at: d.disbursedAt,
    })),
    ...parts.contributions.map((c) => ({
      source: c.source,
      amountFen: c.amountFen,
      reference: c.reference,
      at: c.receivedAt,
      ...(opts.showContributors && { contributor: c.contributor }),
    })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const total = receivedFen(p);
  return {
    proposalId: p.id,
    budgetFen: p.budgetFen ?? 0,
    funding: {
      programmeFen: p.programmeFen ?? 0,
      selfRaisedFen: p.selfRaisedFen ?? 0,
      sponsorFen: p.sponsorFen ?? 0,
      streetSubsidyFen: p.contributedFen.street_subsidy,
    },
    in: {
      bySource: {
        programme: p.disbursedFen,
        self_raised: p.contributedFen.self_raised,
        sponsor: p.contributedFen.sponsor,
        street_subsidy: p.contributedFen.street_subsidy,
      },
      totalFen: total,
      entries,
    },
    out: {
      totalFen: p.paidFen,
      payments: parts.payments.map((x) => ({
        milestonePercent: x.milestonePercent,
        amountFen: x.amountFen,
        payee: x.payee,
        reference: x.reference,
        paidAt: x.paidAt,
      })),
    },
    balanceFen: total - p.paidFen,
    ...(parts.procurement && {
      procurement: procurementView(parts.procurement, { showGroup: opts.showContributors }),
    }),
  };
}

/** The project group's choice: how many residents, never who, except to officials. */
export function procurementView(c: Procurement, opts: { showGroup: boolean }) {
  return {
    groupSize: c.group.length,
    ...(opts.showGroup && { group: c.group }),
    quotes: c.quotes,
    chosen: c.chosen,
    cheapest: c.cheapest,
    ...(c.reason !== undefined && { reason: c.reason }),
    recordedAt: c.recordedAt,
  };
}
