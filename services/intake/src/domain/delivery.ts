import type {
  ContributionReceivedData,
  EvaluationClosedData,
  ImplementationStartedData,
  PaymentMadeData,
  ProgressReportedData,
  ProjectCompletedData,
} from "@pencai/contracts/evaluation-events";
import type { Envelope } from "@pencai/contracts/events";
import type { ProposalRecord } from "./types.js";

/**
 * Implementation and effect (四公开's last two stages), projected from the evaluation service's
 * events, field by field: the responsible unit, the plan, progress, payments (payee and amount)
 * and the panel's result, never a person. Order-free: progress only rises, a payment is kept
 * once by its id and the total paid is their sum, the plan and the result are set once; a
 * street subsidy's total is the largest seen.
 */
export function deliveryAfter(p: ProposalRecord, e: Envelope): Partial<ProposalRecord> {
  // an event that overtook ImplementationStarted: the unit, plan and start come with it
  const impl: NonNullable<ProposalRecord["implementation"]> = p.implementation ?? {
    milestones: [],
    percent: 0,
    payments: [],
    totalPaidFen: 0,
  };
  switch (e.type) {
    case "ImplementationStarted": {
      const d = e.data as ImplementationStartedData;
      return {
        implementation: {
          ...impl,
          implementer: {
            kind: d.implementer.kind,
            ...(d.implementer.orgId !== undefined && { orgId: d.implementer.orgId }),
          },
          milestones: d.milestones.map(({ percent, description, dueOn }) => ({
            percent,
            description,
            dueOn,
          })),
          startedAt: d.startedAt,
        },
      };
    }
    case "ProgressReported": {
      const d = e.data as ProgressReportedData;
      return { implementation: { ...impl, percent: Math.max(impl.percent, d.percent) } };
    }
    case "PaymentMade": {
      const d = e.data as PaymentMadeData;
      if (impl.payments.some((x) => x.paymentId === d.paymentId)) return {};
      const payments = [
        ...impl.payments,
        {
          paymentId: d.paymentId,
          payee: d.payee,
          amountFen: d.amountFen,
          milestonePercent: d.milestonePercent,
          paidAt: d.paidAt,
        },
      ].sort((a, b) => (a.paidAt < b.paidAt ? -1 : a.paidAt > b.paidAt ? 1 : 0));
      return {
        implementation: {
          ...impl,
          payments,
          totalPaidFen: impl.totalPaidFen + d.amountFen,
        },
      };
    }
    case "ProjectCompleted": {
      const d = e.data as ProjectCompletedData;
      return { implementation: { ...impl, percent: 100, completedAt: d.completedAt } };
    }
    case "ContributionReceived": {
      const d = e.data as ContributionReceivedData;
      if (d.source !== "street_subsidy") return {};
      return { streetSubsidyFen: Math.max(p.streetSubsidyFen ?? 0, d.sourceTotalFen) };
    }
    case "EvaluationClosed": {
      if (p.effect) return {};
      const d = e.data as EvaluationClosedData;
      return {
        effect: {
          seats: d.seats,
          ratings: d.ratings,
          satisfactionRate: d.satisfactionRate,
          passed: d.passed,
          closedAt: d.closedAt,
        },
      };
    }
    default:
      return {};
  }
}
