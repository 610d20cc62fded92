import type { ContractEventType, TypedEnvelope } from "@pencai/contracts/event-data";
import type { Envelope } from "@pencai/contracts/events";
import { intakeInboxEventTypes } from "@pencai/contracts/intake";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import { logger } from "@pencai/runtime/logger";
import type { Tx } from "@pencai/runtime/tx";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { applyLifecycleEvent, inWaves } from "../domain/registry.js";
import { orgChanged } from "../org-status.js";
import * as store from "../store.js";

// Intake's inbox (intakeInboxEventTypes). Its own ProposalSubmitted / ProposalWithdrawn keep the
// needs library's links; the other services' lifecycle events move the proposal registry (status
// + timeline) and ProposalApproved adds to the community-year committed projection used by the
// cap rule. The runtime has parsed each event's data against its contract before it gets here.

const proposalIdOf = (e: Pick<Envelope, "proposalId" | "data">) =>
  e.proposalId ??
  ((e.data as { proposalId?: unknown } | undefined)?.proposalId as string | undefined);

async function proposalOf(e: Envelope) {
  const id = proposalIdOf(e);
  const proposal = id ? await store.getProposal(id) : undefined;
  if (!proposal)
    logger.warn("event for an unknown proposal acknowledged", { eventId: e.id, type: e.type });
  return proposal;
}

/** A need lists the proposals that answer it; a withdrawn proposal never (re)appears. */
const linkNeeds: EventHandler<"ProposalSubmitted"> = async (e, tx) => {
  const proposal = await proposalOf(e);
  if (!proposal || proposal.status === "withdrawn") return;
  store.addNeedLinks(tx, proposal.needIds, proposal.id, "ADD");
};

const unlinkNeeds: EventHandler<"ProposalWithdrawn"> = async (e, tx) => {
  const proposal = await proposalOf(e);
  if (!proposal) return;
  store.addNeedLinks(tx, proposal.needIds, proposal.id, "DELETE");
};

/** Status (forward only), timeline entry and, on approval, the committed budget. */
async function project<T extends ContractEventType>(e: TypedEnvelope<T>, tx: Tx) {
  const before = await proposalOf(e);
  if (!before) return;
  const change = applyLifecycleEvent(before, e);
  store.addTransition(tx, before, change.proposal, change.entry);
  if (change.commitFen !== undefined) {
    store.addCommitment(tx, before.communityId, before.year, change.commitFen);
  }
  for (const s of change.commitShares ?? []) {
    store.addCommitment(tx, s.communityId, s.year, s.fen);
  }
}

const consume = eventConsumer({
  service: "intake",
  inbox: intakeInboxEventTypes,
  handlers: {
    ProposalSubmitted: linkNeeds,
    ProposalWithdrawn: unlinkNeeds,
    DeliberationConcluded: project,
    ExpertReviewConcluded: project,
    ProposalEndorsed: project,
    ProposalReported: project,
    DistrictReviewCompleted: project,
    ProposalApproved: project,
    ProposalRejected: project,
    FundsDisbursed: project,
    ImplementationStarted: project,
    ProgressReported: project,
    PaymentMade: project,
    ContributionReceived: project,
    ProjectCompleted: project,
    EvaluationOpened: project,
    EvaluationClosed: project,
    SlaReminder: project,
    SlaBreached: project,
    OrgRegistered: orgChanged,
    OrgStatusChanged: orgChanged,
  },
});

/**
 * The runtime's consumer runs a batch's records concurrently. Two events of one proposal in the
 * same batch (deliberation emits ExpertReviewConcluded and ProposalEndorsed in one transaction;
 * a sweep may republish what the stream already sent) would race for the proposal's timeline
 * head, and the loser would wait a whole visibility timeout (3 minutes) for its retry. So the
 * batch runs in waves: each wave holds at most one record per proposal, different proposals
 * still run side by side, and the partial-batch failures of all waves are reported together.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const Records of inWaves(event.Records, (r) => proposalKeyOf(r))) {
    const out = await consume({ ...event, Records }, context);
    batchItemFailures.push(...(out?.batchItemFailures ?? []));
  }
  return { batchItemFailures };
};

/** The proposal a message is about; a message we cannot read is a group of its own. */
function proposalKeyOf(r: SQSRecord): string {
  try {
    const e = JSON.parse(r.body) as Partial<Envelope> | null;
    const id = e && proposalIdOf(e as Envelope);
    if (typeof id === "string") return `P#${id}`;
  } catch {
    // not JSON: the consumer fails it on its own
  }
  return `M#${r.messageId}`;
}
