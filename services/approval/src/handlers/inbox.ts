import type { Envelope } from "@pencai/contracts/events";
import { MAX_FEN, MAX_YEAR, MIN_YEAR } from "@pencai/contracts/intake";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import { logger } from "@pencai/runtime/logger";
import { type EndorsedFacts, fromEndorsed, withdraw } from "../domain/projection.js";
import * as store from "../store.js";
import { countBreaches } from "./breach-metric.js";
import { envelopes } from "./envelopes.js";

// Approval's inbox (approvalInboxEventTypes): the proposal projection from deliberation's
// ProposalEndorsed (event-carried state: approval never reads another service's table) and
// intake's ProposalWithdrawn. Duplicates are dropped by the runtime's inbox record; a known
// proposal ignores a second ProposalEndorsed; a withdrawal that arrives first leaves a
// tombstone. A write that loses a race fails the record, and SQS redelivers it.

const system = { sub: "system:approval-inbox", roles: [] as string[] };

const proposalIdOf = (e: Envelope) =>
  e.proposalId ??
  ((e.data as { proposalId?: unknown } | undefined)?.proposalId as string | undefined);

/** An event of a proposal that does not name it fails its record (DLQ), like missing facts. */
function requireProposalId(e: Envelope): string {
  const id = proposalIdOf(e);
  if (!id) throw new Error(`${e.type} ${e.id} names no proposal`);
  return id;
}

/**
 * The enriched ProposalEndorsed's facts; undefined when the event lacks any of them or one is
 * out of range (a negative budget, a year no proposal can have): such a record fails to the DLQ.
 */
export function endorsedFacts(e: Envelope): EndorsedFacts | undefined {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const proposalId = proposalIdOf(e);
  const communityId = (d.communityId as string | undefined) ?? e.communityId;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const int = (v: unknown, min: number, max: number) =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : undefined;
  const facts = {
    proposalId,
    communityId: str(communityId),
    streetId: str(d.streetId),
    districtId: str(d.districtId),
    kind: d.kind === "works" || d.kind === "service" ? d.kind : undefined,
    title: str(d.title),
    budgetFen: int(d.budgetFen, 0, MAX_FEN),
    year: int(d.year, MIN_YEAR, MAX_YEAR),
  };
  return Object.values(facts).every((v) => v !== undefined) ? (facts as EndorsedFacts) : undefined;
}

/**
 * A first ProposalEndorsed creates the projection. One without the proposal's facts (a
 * deliberation that does not enrich it yet) fails the record: SQS redrives it to the DLQ,
 * from where it can be replayed once the producer is fixed (nothing is silently dropped).
 */
const endorsed: EventHandler = async (e, tx) => {
  const id = requireProposalId(e);
  const existing = await store.getProposal(id);
  if (existing) {
    logger.info("ProposalEndorsed not projected", {
      eventId: e.id,
      proposalId: id,
      why: store.isTombstone(existing) ? "withdrawn" : "known",
    });
    return;
  }
  const facts = endorsedFacts(e);
  if (!facts) {
    throw new Error(
      `ProposalEndorsed ${e.id} lacks the proposal's place, kind, title, budgetFen or year`,
    );
  }
  store.addProposal(tx, fromEndorsed(facts, e.occurredAt));
};

/**
 * Withdrawn before approval: the projection becomes `withdrawn`, its open timers stop
 * (`cancelled` before the deadline, `breached` with SlaBreached after it). Approved or funded:
 * ignored and logged (the commitment stands). Unknown: a tombstone.
 */
const withdrawn: EventHandler = async (e, tx, { correlationId, now }) => {
  const id = requireProposalId(e);
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
  for (const env of envelopes(w.events, {
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
  handlers: { ProposalEndorsed: endorsed, ProposalWithdrawn: withdrawn },
});
