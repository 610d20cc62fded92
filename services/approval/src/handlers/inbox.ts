import { approvalInboxEventTypes } from "@pencai/contracts/approval";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import { newEvents } from "@pencai/runtime/events";
import { logger } from "@pencai/runtime/logger";
import { fromEndorsed, withdraw } from "../domain/projection.js";
import * as store from "../store.js";
import { countBreaches } from "./breach-metric.js";

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

export const handler = eventConsumer({
  service: "approval",
  inbox: approvalInboxEventTypes,
  handlers: { ProposalEndorsed: endorsed, ProposalWithdrawn: withdrawn },
});
