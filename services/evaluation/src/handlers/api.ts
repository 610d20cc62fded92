import { currentCity } from "@pencai/config/current";
import { forbidden, notFound } from "@pencai/contracts/errors";
import {
  closeEvaluation,
  completeProject,
  getImplementation,
  getPublicSpending,
  getSpending,
  openEvaluation,
  rateProject,
  recordContribution,
  recordPayment,
  recordProcurement,
  reportProgress,
  startImplementation,
} from "@pencai/contracts/evaluation";
import { newEvents } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import type { Principal } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import {
  canReadImplementation,
  canReadSpending,
  isOfficialOver,
  requireStreetStaff,
} from "../domain/access.js";
import * as impl from "../domain/implementation.js";
import * as panel from "../domain/panel.js";
import * as procurement from "../domain/procurement.js";
import { isExit, reached } from "../domain/project.js";
import type { DomainEvent, Project } from "../domain/types.js";
import { implementationView, procurementView, spendingNotice } from "../domain/views.js";
import * as store from "../store.js";

// The evaluation service's routes (evaluationApiRoutes). Rules live in ../domain (one hop from
// each route: implementation.ts, panel.ts, views.ts); this file reads and decides, and returns
// the transaction. The runtime adds the idempotency record, commits, and on a lost race (409
// conflict) runs the route again.

const rules = () => currentCity().rules;

/** A project evaluation knows (its proposal was submitted, approved or funded). */
async function projectOf(id: string): Promise<Project> {
  const p = await store.getProject(id);
  if (!p || p.communityId === undefined) throw notFound(`project ${id}`);
  return p;
}

/** The outbox events of a change of the project, in a transaction with it. */
function withEvents(
  tx: ReturnType<typeof store.newTx>,
  p: Project,
  events: readonly DomainEvent[],
  principal: Principal,
  correlationId: string,
  now: Date,
) {
  for (const e of newEvents(events, {
    proposalId: p.id,
    ...(p.communityId && { communityId: p.communityId }),
    actor: principal,
    correlationId,
    now,
  })) {
    tx.event(e);
  }
  return tx;
}

export const handler = httpApi({
  service: "evaluation",
  routes: [
    route(startImplementation, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = impl.startImplementation(before, principal, req.body, req.now);
      const tx = store.putProject(store.newTx(), step.project, before.version);
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      return {
        status: 201,
        body: implementationView(step.project, { progress: [], payments: [], ratings: 0 }, true),
        tx,
      };
    }),

    route(getImplementation, async (req) => {
      const principal = req.principal!;
      const p = await projectOf(req.params.id);
      if (!canReadImplementation(principal, p)) {
        throw forbidden(
          "only officials over the project, its proposer, implementer and panel read it",
        );
      }
      if (!p.implementation) throw notFound(`the implementation of project ${p.id} (not started)`);
      const [progress, payments, ratings] = await Promise.all([
        store.progressOf(p.id),
        store.paymentsOf(p.id),
        p.evaluation && !p.evaluation.result ? store.ratingsOf(p.id) : Promise.resolve([]),
      ]);
      return {
        body: implementationView(
          p,
          { progress, payments, ratings: ratings.length },
          isOfficialOver(principal, p),
        ),
      };
    }),

    route(reportProgress, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = impl.reportProgress(before, principal, req.body, req.now);
      const tx = store.addProgress(
        store.newTx(),
        step.project,
        before.version,
        step.record,
        ulid(req.now.getTime()),
      );
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      return {
        status: 201,
        body: {
          proposalId: before.id,
          percent: step.record.percent,
          status: "implementing" as const,
          reportedAt: step.record.reportedAt,
        },
        tx,
      };
    }),

    route(recordPayment, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = impl.planPayment(before, principal, req.body, req.now, ulid(req.now.getTime()));
      const tx = store.addPayment(store.newTx(), step.record, step.limits);
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      const { sub: _, ...payment } = step.record;
      return { status: 201, body: payment, tx };
    }),

    route(completeProject, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = impl.completeProject(before, principal, req.now);
      const tx = store.putProject(store.newTx(), step.project, before.version);
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      return {
        body: {
          proposalId: before.id,
          status: "completed" as const,
          completedAt: step.project.completedAt!,
        },
        tx,
      };
    }),

    route(openEvaluation, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = panel.openEvaluation(before, principal, req.body, rules().evaluation, req.now);
      const tx = store.putProject(store.newTx(), step.project, before.version);
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      const evaluation = step.project.evaluation!;
      return {
        status: 201,
        body: {
          proposalId: before.id,
          status: "evaluating" as const,
          seats: evaluation.panel.length,
          seatsByType: panel.seatsByType(evaluation.panel),
          openedAt: evaluation.openedAt,
        },
        tx,
      };
    }),

    route(rateProject, async (req) => {
      const p = await projectOf(req.params.id);
      const rating = panel.rate(p, req.principal!, req.body, req.now);
      return {
        status: 201,
        body: { proposalId: p.id, rating: rating.rating, ratedAt: rating.ratedAt },
        tx: store.addRating(store.newTx(), rating),
      };
    }),

    route(closeEvaluation, async (req) => {
      const principal = req.principal!;
      let p = await projectOf(req.params.id);
      requireStreetStaff(principal, p);
      const step = panel.closeStep(p);
      if (step === "done") return { body: p.evaluation!.result! };
      if (step === "begin") {
        // ratings stop first; then every rating that counts is read, then the result is written
        await store.beginClosing(store.newTx(), p.id).commit();
        p = { ...p, evaluation: { ...p.evaluation!, status: "closing" }, version: p.version + 1 };
      }
      const result = panel.tally(p, await store.ratingsOf(p.id), rules().evaluation, req.now);
      const after: Project = {
        ...p,
        status: "evaluated",
        evaluation: { ...p.evaluation!, status: "closed", result },
        version: p.version + 1,
      };
      const tx = store.putProject(store.newTx(), after, p.version);
      const { proposalId: _, ...data } = result;
      withEvents(
        tx,
        p,
        [{ type: "EvaluationClosed", data: { proposalId: p.id, ...data } }],
        principal,
        req.correlationId,
        req.now,
      );
      return { body: result, tx };
    }),

    route(recordContribution, async (req) => {
      const principal = req.principal!;
      const before = await projectOf(req.params.id);
      const step = impl.recordContribution(
        before,
        principal,
        req.body,
        rules(),
        req.now,
        ulid(req.now.getTime()),
      );
      const tx = store.addContribution(store.newTx(), step.project, before.version, step.record);
      withEvents(tx, before, step.events, principal, req.correlationId, req.now);
      const { sub: _, ...contribution } = step.record;
      return { status: 201, body: contribution, tx };
    }),

    route(recordProcurement, async (req) => {
      const before = await projectOf(req.params.id);
      const record = procurement.recordProcurement(
        before,
        req.principal!,
        req.body,
        rules(),
        req.now,
      );
      return {
        status: 201,
        body: procurementView(record, { showGroup: true }),
        tx: store.addProcurement(store.newTx(), before.version, record),
      };
    }),

    route(getSpending, async (req) => {
      const p = await projectOf(req.params.id);
      if (!canReadSpending(req.principal!, p)) {
        throw forbidden("only officials over the project, its proposer and organisations read it");
      }
      return { body: await notice(p, { showContributors: isOfficialOver(req.principal!, p) }) };
    }),

    route(getPublicSpending, async (req) => {
      const p = await projectOf(req.params.id);
      // public once the district approved the project, like the decision stage of 四公开
      if (isExit(p.status) || !reached(p, "approved")) throw notFound(`project ${p.id}`);
      return { body: await notice(p, { showContributors: false }) };
    }),
  ],
});

async function notice(p: Project, opts: { showContributors: boolean }) {
  const [disbursements, contributions, payments, procurement] = await Promise.all([
    store.disbursementsOf(p.id),
    store.contributionsOf(p.id),
    store.paymentsOf(p.id),
    store.procurementOf(p.id),
  ]);
  return spendingNotice(p, { disbursements, contributions, payments, procurement }, opts);
}
