import { approvalInboxEventTypes } from "@pencai/contracts/approval";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import { newEvents } from "@pencai/runtime/events";
import { logger } from "@pencai/runtime/logger";
import { fromEndorsed, withdraw } from "../domain/projection.js";
import { startRectification, stopRectification } from "../domain/timers.js";
import * as store from "../store.js";
import { calendarsFor, countBreaches, flagProvisional, yearsFrom } from "./common.js";

// Approval's inbox (approvalInboxEventTypes): the proposal projection from deliberation's
// ProposalEndorsed (event-carried state: approval never reads another service's table) and
// intake's ProposalWithdrawn. The runtime's consumer has parsed each event's data against its
// contract (an endorsement without the proposal's facts, or with a negative budget or a year no
// proposal can have, goes to the DLQ before it gets here) and drops duplicates by event id; a
// known proposal ignores a second ProposalEndorsed; a withdrawal that arrives first leaves a
// tombstone. A write that loses a race is decided again.

const system = { sub: "system:approval-inbox", roles: [] as string[] };

/** A first ProposalEndorsed creates the projection. */
const endorsed: EventHandler<"ProposalEndorsed"> = async (e, tx) => {
  const id = e.data.proposalId;
  const existing = await store.getProposal(id);
  if (existing) {
    logger.info("ProposalEndorsed not projected", {
      eventId: e.id,
      proposalId: id,
      why: store.isTombstone(existing) ? "withdrawn" : "known",
    });
    return;
  }
  store.addProposal(tx, fromEndorsed(e.data, e.occurredAt));
};

/**
 * Withdrawn before approval: the projection becomes `withdrawn`, its open timers stop
 * (`cancelled` before the deadline, `breached` with SlaBreached after it). Approved or funded:
 * ignored and logged (the commitment stands). Unknown: a tombstone.
 */
const withdrawn: EventHandler<"ProposalWithdrawn"> = async (e, tx, { correlationId, now }) => {
  const id = e.data.proposalId;
  const p = await store.getProposal(id);
  const at = new Date(e.occurredAt);
  if (!p) {
    store.addProposal(tx, { id, tombstone: true, withdrawnAt: e.occurredAt });
    return;
  }
  if (store.isTombstone(p)) return;
  const open = (await store.timersOf(id)).filter((t) => t.state === "open");
  const w = withdraw(p, open, at);
  if (!w.proposal) {
    if (p.status === "approved" || p.status === "funded") {
      logger.warn("ProposalWithdrawn after approval ignored: the commitment stands", {
        eventId: e.id,
        proposalId: id,
        status: p.status,
      });
    }
    return;
  }
  store.putProposal(tx, w.proposal, p.version);
  for (const t of w.timers) store.putTimer(tx, t);
  for (const env of newEvents(w.events, {
    proposalId: id,
    communityId: p.communityId,
    actor: system,
    correlationId,
    now,
  })) {
    tx.event(env);
  }
  // counted before the commit: a retried record may count a breach twice, never miss one
  countBreaches(w.events);
};

/**
 * A failed sampling-inspection finding (oversight) starts a rectification timer that the sweeper
 * watches like the others; the timer needs no projection of the proposal (the finding carries
 * its place). A redelivered finding finds its timer and adds nothing.
 */
const finding: EventHandler<"InspectionFinding"> = async (e, tx) => {
  const started = new Date(e.data.recordedAt);
  // a rectification may run up to 365 working days: the start year and the two after it
  const [y] = yearsFrom(started) as [number, number];
  const calendars = await calendarsFor([y, y + 1, y + 2]);
  const timer = startRectification(e.data, await store.timersOf(e.data.proposalId), calendars);
  if (!timer) return;
  store.putTimer(tx, { timer });
  flagProvisional([timer]);
};

/** The street reported the finding rectified: the timer stops (a late stop emits SlaBreached). */
const rectified: EventHandler<"RectificationCompleted"> = async (e, tx, { correlationId, now }) => {
  const timers = await store.timersOf(e.data.proposalId);
  const previous = timers.find(
    (t) => t.kind === "rectification" && t.inspectionId === e.data.inspectionId,
  );
  const stop = stopRectification(e.data, timers);
  if (!stop || !previous || stop.timer === previous) {
    logger.warn("RectificationCompleted without an open rectification timer", {
      eventId: e.id,
      proposalId: e.data.proposalId,
      inspectionId: e.data.inspectionId,
    });
    return;
  }
  store.putTimer(tx, { timer: stop.timer, previous });
  if (stop.event) {
    for (const env of newEvents([stop.event], {
      proposalId: e.data.proposalId,
      communityId: e.data.communityId,
      actor: system,
      correlationId,
      now,
    })) {
      tx.event(env);
    }
    countBreaches([stop.event]);
  }
};

export const handler = eventConsumer({
  service: "approval",
  inbox: approvalInboxEventTypes,
  handlers: {
    ProposalEndorsed: endorsed,
    ProposalWithdrawn: withdrawn,
    InspectionFinding: finding,
    RectificationCompleted: rectified,
  },
});
