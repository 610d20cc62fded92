import { orgsInboxEventTypes } from "@pencai/contracts/orgs";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import type { Tx } from "@pencai/runtime/tx";
import { noteEvent, type ProposalNote } from "../domain/record.js";
import * as store from "../store.js";

// The registry's inbox (orgsInboxEventTypes): each organisation's record of evaluated projects.
// A proposal's note keeps its applicant organisation (ProposalSubmitted) and its 一菜一评 result
// (EvaluationClosed), in either order; once both are in, the organisation's counters grow once.
// Duplicates are dropped by the inbox record; a lost race on the note is decided again.

async function note(id: string, change: Pick<ProposalNote, "orgId" | "evaluation">, tx: Tx) {
  const before = await store.getNote(id);
  const { note: after, add } = noteEvent(before?.note ?? { id, counted: false }, change);
  store.putNote(tx, after, before?.version, add);
}

const submitted: EventHandler<"ProposalSubmitted"> = async (e, tx) => {
  const orgId = e.data.applicantOrgId;
  if (orgId !== undefined) await note(e.data.proposalId, { orgId }, tx);
};

const evaluated: EventHandler<"EvaluationClosed"> = async (e, tx) => {
  const { proposalId, passed, satisfactionRate } = e.data;
  await note(proposalId, { evaluation: { passed, satisfactionRate } }, tx);
};

export const handler = eventConsumer({
  service: "orgs",
  inbox: orgsInboxEventTypes,
  handlers: { ProposalSubmitted: submitted, EvaluationClosed: evaluated },
});
