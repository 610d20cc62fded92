import type { Rules } from "@pencai/config";
import { duplicate, invalidState, rule, validationFailed } from "@pencai/contracts/errors";
import type {
  ContributionBody,
  ImplementationBody,
  PaymentBody,
  ProgressBody,
} from "@pencai/contracts/evaluation";
import type { Principal } from "@pencai/runtime/reach";
import { requireMoneyKeeper, requireReporter, requireStreetStaff } from "./access.js";
import { forward, isExit, reached } from "./project.js";
import {
  type Contribution,
  type DomainEvent,
  type Payment,
  type ProgressReport,
  type Project,
  receivedFen,
} from "./types.js";

/**
 * Implementation (step 9): 一方一厨 and 一单一方 once the project is funded, progress that never
 * goes down, payments tied to progress and to the money received, completion at 100%.
 * Checks run in this order: role and reach (403), state (409), business rules (422). Each
 * returns the next projection and the events; the store writes them with the conditions that
 * hold the invariants under concurrency.
 */

export interface Step<T = undefined> {
  project: Project;
  events: DomainEvent[];
  record: T;
}

const next = (p: Project, change: Partial<Project>): Project => ({
  ...p,
  ...change,
  version: p.version + 1,
});

/** The accountable owner and the milestone plan of a funded project, once. */
export function startImplementation(
  p: Project,
  principal: Principal,
  body: ImplementationBody,
  now: Date,
): Step {
  requireStreetStaff(principal, p);
  if (p.implementation) throw duplicate("the project's owner and plan are already set");
  if (p.status !== "funded") {
    throw invalidState(`a ${p.status} project cannot start: the approved money must be disbursed`);
  }
  const at = now.toISOString();
  const implementer = {
    kind: body.implementer.kind,
    ...(body.implementer.orgId !== undefined && { orgId: body.implementer.orgId }),
  };
  return {
    project: next(p, {
      implementation: {
        owner: body.owner,
        implementer,
        milestones: body.milestones,
        startedAt: at,
      },
    }),
    events: [
      {
        type: "ImplementationStarted",
        data: { proposalId: p.id, implementer, milestones: body.milestones, startedAt: at },
      },
    ],
    record: undefined,
  };
}

/** A progress report: never lower than the last; the first makes the project `implementing`. */
export function reportProgress(
  p: Project,
  principal: Principal,
  body: ProgressBody,
  now: Date,
): Step<ProgressReport> {
  requireReporter(principal, p);
  if (!p.implementation) {
    throw invalidState("the project has no owner and plan yet (POST .../implementation)");
  }
  if (p.status !== "funded" && p.status !== "implementing") {
    throw invalidState(`a ${p.status} project takes no progress reports`);
  }
  if (body.percent < p.progressPercent) {
    throw rule(
      "progress_regressed",
      `progress never goes down: it is ${p.progressPercent}%, not ${body.percent}%`,
    );
  }
  const at = now.toISOString();
  const report: ProgressReport = {
    proposalId: p.id,
    percent: body.percent,
    note: body.note,
    evidenceIds: body.evidenceIds,
    reportedAt: at,
    sub: principal.sub,
  };
  return {
    project: next(p, {
      progressPercent: body.percent,
      status: forward(p.status, "implementing"),
      reporters: p.reporters.includes(principal.sub)
        ? p.reporters
        : [...p.reporters, principal.sub],
    }),
    events: [
      {
        type: "ProgressReported",
        data: {
          proposalId: p.id,
          percent: body.percent,
          previousPercent: p.progressPercent,
          evidenceIds: body.evidenceIds,
          note: body.note,
          reportedAt: at,
        },
      },
    ],
    record: report,
  };
}

/** The most a milestone lets be paid in all: its percent of the whole budget. */
export const milestoneShareFen = (p: Project, milestonePercent: number) =>
  Math.floor(((p.budgetFen ?? 0) * milestonePercent) / 100);

/**
 * A payment for a milestone of the plan: reported progress must have reached it, and the
 * cumulative payments stay within its share of the budget (422 milestone_not_reached) and within
 * the money received, disbursed programme money plus contributions (422 insufficient_funds).
 */
export function planPayment(
  p: Project,
  principal: Principal,
  body: PaymentBody,
  now: Date,
  id: string,
): Step<Payment> & { limits: { paidMaxFen: number; milestonePercent: number } } {
  requireStreetStaff(principal, p);
  if (!p.implementation || !reached(p, "implementing")) {
    throw invalidState(`a ${p.status} project pays nothing yet: progress comes first`);
  }
  if (!p.implementation.milestones.some((m) => m.percent === body.milestonePercent)) {
    throw validationFailed("not a milestone of the project's plan", [
      {
        path: "body.milestonePercent",
        message: `one of ${p.implementation.milestones.map((m) => m.percent).join(", ")}`,
      },
    ]);
  }
  if (p.progressPercent < body.milestonePercent) {
    throw rule(
      "milestone_not_reached",
      `progress is ${p.progressPercent}%: the ${body.milestonePercent}% milestone is not reached`,
    );
  }
  const share = milestoneShareFen(p, body.milestonePercent);
  const total = p.paidFen + body.amountFen;
  if (total > share) {
    throw rule(
      "milestone_not_reached",
      `the ${body.milestonePercent}% milestone lets ${share} fen be paid in all; ${p.paidFen} is paid`,
    );
  }
  const received = receivedFen(p);
  if (total > received) {
    throw rule(
      "insufficient_funds",
      `${received} fen have been received (disbursed and contributed); ${p.paidFen} is paid`,
    );
  }
  const at = now.toISOString();
  const payment: Payment = {
    id,
    proposalId: p.id,
    milestonePercent: body.milestonePercent,
    amountFen: body.amountFen,
    payee: body.payee,
    reference: body.reference,
    paidAt: at,
    sub: principal.sub,
  };
  return {
    project: next(p, { paidFen: total }),
    events: [
      {
        type: "PaymentMade",
        data: {
          proposalId: p.id,
          paymentId: id,
          milestonePercent: body.milestonePercent,
          amountFen: body.amountFen,
          payee: body.payee,
          reference: body.reference,
          paidAt: at,
        },
      },
    ],
    record: payment,
    // the store's condition: what must still hold when the payment commits. Racing payments
    // each add their amount to the running total without waiting on each other (so no payment
    // carries a running total: it would be the one its read saw, not the one it committed at)
    limits: {
      paidMaxFen: Math.min(share, received) - body.amountFen,
      milestonePercent: body.milestonePercent,
    },
  };
}

/** Completion: progress at 100. */
export function completeProject(p: Project, principal: Principal, now: Date): Step {
  requireStreetStaff(principal, p);
  if (p.status !== "implementing" || p.progressPercent !== 100) {
    throw invalidState(
      `a ${p.status} project at ${p.progressPercent}% cannot be completed: progress must reach 100%`,
    );
  }
  const at = now.toISOString();
  return {
    project: next(p, { status: "completed", completedAt: at }),
    events: [
      {
        type: "ProjectCompleted",
        data: { proposalId: p.id, completedAt: at, totalPaidFen: p.paidFen },
      },
    ],
    record: undefined,
  };
}

/**
 * Money received from residents (自筹), sponsors (筹, where the city's programme takes them) or
 * the street, once the project is approved and until it ends.
 */
export function recordContribution(
  p: Project,
  principal: Principal,
  body: ContributionBody,
  rules: Rules,
  now: Date,
  id: string,
): Step<Contribution> {
  requireMoneyKeeper(principal, p);
  if (isExit(p.status) || !reached(p, "approved")) {
    throw invalidState(`a ${p.status} project receives no money`);
  }
  if (body.source === "sponsor" && !rules.process.sponsors) {
    throw rule("sponsor_not_allowed", "this city's programme takes no sponsor money");
  }
  const at = now.toISOString();
  const sourceTotalFen = p.contributedFen[body.source] + body.amountFen;
  const contribution: Contribution = {
    id,
    proposalId: p.id,
    source: body.source,
    amountFen: body.amountFen,
    contributor: body.contributor,
    reference: body.reference,
    receivedAt: at,
    sourceTotalFen,
    sub: principal.sub,
  };
  return {
    project: next(p, { contributedFen: { ...p.contributedFen, [body.source]: sourceTotalFen } }),
    events: [
      {
        type: "ContributionReceived",
        data: {
          proposalId: p.id,
          contributionId: id,
          source: body.source,
          amountFen: body.amountFen,
          reference: body.reference,
          sourceTotalFen,
          receivedAt: at,
        },
      },
    ],
    record: contribution,
  };
}
