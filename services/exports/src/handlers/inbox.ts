import { localDay } from "@pencai/calendar/days";
import { exportsInboxEventTypes } from "@pencai/contracts/exports";
import { type EventHandler, eventConsumer, type InboxHandlers } from "@pencai/runtime/consumer";
import { applyPatch, patchesOf, type Row } from "../domain/rows.js";
import { pseudonymizer } from "../pseudonym.js";
import * as store from "../store.js";

// The exports service's inbox (every event type): each event becomes patches of entity rows
// (../domain/rows.ts), applied to the rows read and written back conditionally on their
// versions, with the inbox record in the same transaction (a redelivered event is dropped).

type Exported = (typeof exportsInboxEventTypes)[number];

const project: EventHandler<Exported> = async (e, tx, ctx) => {
  const pseudonym = await pseudonymizer();
  const patches = patchesOf(e as Parameters<typeof patchesOf>[0], pseudonym);
  const rows = await store.getRows(patches);
  const read = new Map([...rows].map(([k, r]) => [k, r.version]));
  const changed = new Map<string, Row>();
  for (const patch of patches) {
    const k = `${patch.entity}#${patch.id}`;
    const after = applyPatch(changed.get(k) ?? rows.get(k), patch, e.occurredAt, e.id);
    if (after) changed.set(k, after);
  }
  const day = localDay(ctx.now);
  for (const [k, row] of changed) store.putRow(tx, row, read.get(k), day);
};

/** A closed meeting's ballots, kept for pabulib with pseudonymous voters (newest close wins). */
const counted: EventHandler<"BallotsCounted"> = async (e, tx, ctx) => {
  await project(e, tx, ctx);
  const d = e.data;
  const held = await store.getBallots(d.meetingId);
  if (held && Date.parse(held.closedAt) >= Date.parse(d.closedAt)) return;
  const pseudonym = await pseudonymizer();
  store.putBallots(
    tx,
    {
      meetingId: d.meetingId,
      communityId: d.communityId,
      closedAt: d.closedAt,
      proposalIds: d.proposals.map((p) => p.proposalId),
      ballots: d.ballots.map((b) => ({
        voter: pseudonym(b.sub),
        proposalId: b.proposalId,
        choice: b.choice,
      })),
    },
    held?.version,
  );
};

export const handler = eventConsumer({
  service: "exports",
  inbox: exportsInboxEventTypes,
  handlers: {
    ...Object.fromEntries(exportsInboxEventTypes.map((t) => [t, project])),
    BallotsCounted: counted,
  } as InboxHandlers<typeof exportsInboxEventTypes>,
});
