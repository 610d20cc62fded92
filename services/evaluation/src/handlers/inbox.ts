import { evaluationInboxEventTypes } from "@pencai/contracts/evaluation";
import type { ContractEventType, TypedEnvelope } from "@pencai/contracts/event-data";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import type { Tx } from "@pencai/runtime/tx";
import { onApproved, onDisbursed, onExit, onSubmitted, type Projected } from "../domain/project.js";
import type { Project } from "../domain/types.js";
import * as store from "../store.js";

// The evaluation service's inbox (evaluationInboxEventTypes): the project projection from
// intake's and approval's events (event-carried state: it never reads their tables), verified
// evidence, disbursements. Each event's data has passed its contract at the consumer's edge;
// duplicates are dropped by the inbox record; every projection write is conditional on the
// version read, so a race is decided again.

/** Applies a projection step: writes the project if it changed, and what the event records. */
async function project<T extends ContractEventType>(
  e: TypedEnvelope<T>,
  tx: Tx,
  step: (p: Project | undefined) => Projected,
): Promise<void> {
  const before = await store.getProject(
    e.proposalId ?? (e.data as { proposalId: string }).proposalId,
  );
  const out = step(before);
  if (out.changed) store.putProject(tx, out.project, before?.version);
  if (out.disbursement) store.addDisbursement(tx, out.disbursement);
}

const submitted: EventHandler<"ProposalSubmitted"> = (e, tx) =>
  project(e, tx, (p) => onSubmitted(p, e));
const approved: EventHandler<"ProposalApproved"> = (e, tx) =>
  project(e, tx, (p) => onApproved(p, e));
const disbursed: EventHandler<"FundsDisbursed"> = (e, tx) =>
  project(e, tx, (p) => onDisbursed(p, e));
const withdrawn: EventHandler<"ProposalWithdrawn"> = (e, tx) =>
  project(e, tx, (p) => onExit(p, e.data.proposalId, "withdrawn", e.occurredAt));
const rejected: EventHandler<"ProposalRejected"> = (e, tx) =>
  project(e, tx, (p) => onExit(p, e.data.proposalId, "rejected", e.occurredAt));

/** Verified evidence a progress report may cite (the project need not be known yet). */
const evidence: EventHandler<"EvidenceVerified"> = async (e, tx) => {
  store.addEvidence(tx, e.data.proposalId, e.data.evidenceId, e.data.verifiedAt);
};

export const handler = eventConsumer({
  service: "evaluation",
  inbox: evaluationInboxEventTypes,
  handlers: {
    ProposalSubmitted: submitted,
    ProposalWithdrawn: withdrawn,
    EvidenceVerified: evidence,
    ProposalApproved: approved,
    ProposalRejected: rejected,
    FundsDisbursed: disbursed,
  },
});
