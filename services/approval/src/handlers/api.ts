import { effectiveCalendar } from "@pencai/calendar";
import { currentCity } from "@pencai/config/current";
import {
  decideApproval,
  districtReview,
  getBudget,
  getCalendar,
  listSla,
  putCalendar,
  recordDisbursement,
  reportProposal,
  slaStates,
} from "@pencai/contracts/approval";
import { slaKinds } from "@pencai/contracts/approval-events";
import { forbidden, invalidState, notFound, validationFailed } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import { newEvents } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import { logger } from "@pencai/runtime/logger";
import { placeOf, scopeOfDistrict } from "@pencai/runtime/places";
import { type Principal, reaches, reachOf, requireReach } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import { requireDistrictRole } from "../domain/access.js";
import { chargesOf, ledgerView } from "../domain/ledger.js";
import type { ApprovalProposal } from "../domain/types.js";
import * as workflow from "../domain/workflow.js";
import * as store from "../store.js";
import { calendarsFor, countBreaches, flagProvisional, yearsFrom } from "./common.js";
import { recomputeYear } from "./recompute.js";

// Approval's routes (approvalApiRoutes). Rules live in ../domain (one hop from each route);
// this file reads and decides, and returns the transaction: state + outbox events. The runtime
// adds the idempotency record, commits, and on a lost race (409 conflict) runs the route again.

const rules = () => currentCity().rules;
const workflowRules = (): workflow.WorkflowRules => ({
  reviewWorkingDays: rules().sla.reviewWorkingDays,
  disbursementWorkingDays: rules().sla.disbursementWorkingDays,
});

/** A proposal approval knows (endorsed and projected); tombstones are unknown. */
async function proposalOf(id: string): Promise<ApprovalProposal> {
  const p = await store.getProposal(id);
  if (!p || store.isTombstone(p)) throw notFound(`proposal ${id} (not endorsed)`);
  return p;
}

interface Ctx {
  principal: Principal;
  correlationId: string;
  now: Date;
}

/** Writes a transition (plus the idempotency record, added by `finish`) and reports on it. */
function transitionTx(before: ApprovalProposal, t: workflow.Transition, ctx: Ctx) {
  const envs = newEvents(t.events, {
    proposalId: before.id,
    communityId: before.communityId,
    actor: ctx.principal,
    correlationId: ctx.correlationId,
    now: ctx.now,
  });
  return store.writeTransition(store.newTx(), before, t, envs, ctx.now.toISOString());
}

function afterCommit(t: workflow.Transition): void {
  countBreaches(t.events);
  flagProvisional(t.timers.filter((w) => !w.previous).map((w) => w.timer));
}

/**
 * May the principal read the district's SLA list: one of the route's roles reaches the whole
 * district, or a street of it (street staff then see their street's timers only).
 */
function canReadDistrict(p: Principal, roles: readonly Role[], districtId: string): boolean {
  return roles.some((role) => {
    const reach = reachOf(p, role);
    return (
      reach !== undefined &&
      (reach.level === "city" || ("districtId" in reach && reach.districtId === districtId))
    );
  });
}

function calendarView(
  year: number,
  runtime: { holidays: string[]; workdays: string[] } | undefined,
) {
  const cal = effectiveCalendar(year, [currentCity().calendar[String(year)], runtime]);
  return {
    year: cal.year,
    holidays: cal.holidays,
    workdays: cal.workdays,
    provisional: cal.provisional,
  };
}

export const handler = httpApi({
  service: "approval",
  routes: [
    route(reportProposal, async (req) => {
      const ctx = { principal: req.principal!, correlationId: req.correlationId, now: req.now };
      const p = await proposalOf(req.params.id);
      const calendars = await calendarsFor(yearsFrom(req.now));
      const t = workflow.report(p, ctx.principal, req.now, workflowRules(), calendars);
      const timer = t.timers[0]!.timer;
      return {
        body: {
          proposalId: p.id,
          status: "reported" as const,
          reportedAt: req.now.toISOString(),
          reviewDueAt: timer.dueAt,
          provisional: timer.provisional,
        },
        tx: transitionTx(p, t, ctx),
        after: () => afterCommit(t),
      };
    }),

    route(districtReview, async (req) => {
      const ctx = { principal: req.principal!, correlationId: req.correlationId, now: req.now };
      const p = await proposalOf(req.params.id);
      const timer = await store.getTimer(p.id, "review", p.round);
      if (!timer) {
        // the review timer is written with the report: without one the proposal is not reported
        requireDistrictRole(ctx.principal, "district_civil", p);
        throw invalidState(`a ${p.status} proposal cannot be reviewed; it must be reported`);
      }
      const t = workflow.districtReview(p, ctx.principal, req.body, req.now, timer);
      const stopped = t.timers[0]!.timer;
      return {
        body: {
          proposalId: p.id,
          decision: req.body.decision,
          status: t.proposal.status as "forwarded" | "endorsed" | "rejected",
          reviewedAt: req.now.toISOString(),
          reviewDueAt: timer.dueAt,
          sla: stopped.state === "met" ? ("met" as const) : ("breached" as const),
        },
        tx: transitionTx(p, t, ctx),
        after: () => afterCommit(t),
      };
    }),

    route(decideApproval, async (req) => {
      const ctx = { principal: req.principal!, correlationId: req.correlationId, now: req.now };
      const p = await proposalOf(req.params.id);
      // every ledger the approval charges: the proposal's own, or a phased or cross-community
      // project's several (domain/ledger.ts chargesOf)
      const [ledgers, calendars] = await Promise.all([
        Promise.all(
          chargesOf(p).map(async (c) =>
            ledgerView(
              c.communityId,
              c.year,
              await store.getLedger(c.communityId, c.year),
              rules().caps.communityYearFen,
            ),
          ),
        ),
        calendarsFor(yearsFrom(req.now)),
      ]);
      const t = workflow.approve(
        p,
        ctx.principal,
        req.body,
        req.now,
        ledgers,
        workflowRules(),
        calendars,
      );
      const timer = t.timers[0]?.timer;
      return {
        body: {
          proposalId: p.id,
          decision: req.body.decision,
          status: t.proposal.status as "approved" | "rejected",
          decidedAt: req.now.toISOString(),
          ...(timer && { disbursementDueAt: timer.dueAt, provisional: timer.provisional }),
          ...(t.commits && { committedFen: t.commits.reduce((s, c) => s + c.amountFen, 0) }),
        },
        tx: transitionTx(p, t, ctx),
        after: () => afterCommit(t),
      };
    }),

    route(recordDisbursement, async (req) => {
      const ctx = { principal: req.principal!, correlationId: req.correlationId, now: req.now };
      const id = ulid(req.now.getTime());
      const p = await proposalOf(req.params.id);
      const timer = await store.getTimer(p.id, "disbursement", 1);
      const t = workflow.disburse(
        p,
        ctx.principal,
        { id, amountFen: req.body.amountFen, reference: req.body.reference },
        req.now,
        timer,
      );
      const d = t.disbursement!;
      return {
        status: 201,
        body: {
          id,
          proposalId: p.id,
          amountFen: d.amountFen,
          reference: d.reference,
          disbursedAt: req.now.toISOString(),
          totalDisbursedFen: d.totalDisbursedFen,
          approvedFen: p.approvedFen ?? p.programmeFen,
          fullyDisbursed: d.fullyDisbursed,
          status: t.proposal.status as "approved" | "funded",
        },
        tx: transitionTx(p, t, ctx),
        after: () => afterCommit(t),
      };
    }),

    // ---------------------------------------------------------------- reads

    route(listSla, async (req) => {
      const principal = req.principal!;
      const roles = req.route.auth as readonly Role[];
      const districtId = req.query.districtId ?? principal.districtId;
      if (!districtId) throw validationFailed("districtId is required for a city-wide role");
      scopeOfDistrict(districtId); // 404 for a district not in this city
      if (!canReadDistrict(principal, roles, districtId)) {
        throw forbidden(`only officials of district ${districtId} may read its SLA timers`);
      }
      const page = await store.querySla(
        districtId,
        req.query.kind ? [req.query.kind] : slaKinds,
        req.query.state ? [req.query.state] : slaStates,
        req.query.limit ?? 50,
        req.query.cursor,
        // street staff read the district's list narrowed to their street's communities
        (t) => reaches(principal, roles, placeOf(t.communityId)),
      );
      return {
        body: {
          items: page.items.map((t) => ({
            proposalId: t.proposalId,
            communityId: t.communityId,
            districtId: t.districtId,
            kind: t.kind,
            round: t.round,
            state: t.state,
            startedAt: t.startedAt,
            dueAt: t.dueAt,
            provisional: t.provisional,
            ...(t.stoppedAt && { stoppedAt: t.stoppedAt }),
            ...(t.remindedAt && { remindedAt: t.remindedAt }),
            ...(t.breachedAt && { breachedAt: t.breachedAt }),
          })),
          nextCursor: page.nextCursor,
        },
      };
    }),

    route(getBudget, async (req) => {
      const { communityId, year } = req.params;
      requireReach(req.principal!, req.route.auth as readonly Role[], placeOf(communityId));
      const record = await store.getLedger(communityId, year);
      return { body: ledgerView(communityId, year, record, rules().caps.communityYearFen) };
    }),

    route(getCalendar, async (req) => {
      const runtime = await store.getCalendarAdditions(req.params.year);
      return { body: calendarView(req.params.year, runtime) };
    }),

    route(putCalendar, async (req) => {
      // the calendar moves every district's deadlines: a city-wide write, for a city-wide admin
      if (reachOf(req.principal!, "admin")?.level !== "city") {
        throw forbidden(
          "the working-day calendar is the city's: only a city-wide admin changes it",
        );
      }
      const year = req.params.year;
      const errors = (["holidays", "workdays"] as const).flatMap((k) =>
        req.body[k].flatMap((d, i) =>
          d.startsWith(`${year}-`)
            ? []
            : [{ path: `body.${k}.${i}`, message: `${d} is not in ${year}` }],
        ),
      );
      if (errors.length) throw validationFailed(`every day must be in ${year}`, errors);
      const record = {
        year,
        holidays: [...req.body.holidays].sort(),
        workdays: [...req.body.workdays].sort(),
        updatedAt: req.now.toISOString(),
        updatedBy: req.principal!.sub,
      };
      const before = await store.getCalendarAdditions(year);
      return {
        body: calendarView(year, record),
        tx: store.putCalendarAdditions(store.newTx(), record, before),
        after: async () => {
          const changed = await recomputeYear(year);
          logger.info("calendar additions replaced; open timers recomputed", { year, changed });
        },
      };
    }),
  ],
});
