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
  const patches = patchesOf(e as Parameters<typeof patchesOf>[0], await pseudonymizer());
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

export const handler = eventConsumer({
  service: "exports",
  inbox: exportsInboxEventTypes,
  handlers: Object.fromEntries(exportsInboxEventTypes.map((t) => [t, project])) as InboxHandlers<
    typeof exportsInboxEventTypes
  >,
});
