import { rule, stale } from "@pencai/contracts/errors";
import type { EventHandler } from "@pencai/runtime/consumer";
import { getItem } from "@pencai/runtime/items";
import type { Tx } from "@pencai/runtime/tx";
import { table } from "./store.js";

// Intake's side of the organisation registry (services/orgs): a small projection of each
// organisation's status in intake's table, kept from OrgRegistered / OrgStatusChanged (the
// highest `seq` wins, so order does not matter), which a proposal's creation checks in its own
// transaction (API.md "Organisations": an applicant organisation must be active).

/** The projection's item in intake's table. */
export const orgKey = (orgId: string) => ({ pk: `ORG#${orgId}`, sk: "ORG" });

/**
 * The registry's status, newer than what the projection holds (or nothing). A concurrent newer
 * write makes the condition fail: the event is decided again and then finds itself older.
 */
export const orgChanged: EventHandler<"OrgRegistered" | "OrgStatusChanged"> = async (e, tx) => {
  const { orgId, status, seq } = e.data;
  const before = await getItem(table(), orgKey(orgId));
  if (before && (before.seq as number) >= seq) return;
  tx.put(
    { ...orgKey(orgId), entity: "org", status, seq },
    {
      condition: "attribute_not_exists(pk) OR seq < :seq",
      values: { ":seq": seq },
      onFail: stale(`organisation ${orgId}`),
    },
  );
};

/** In the proposal's transaction: its applicant organisation is active in the registry. */
export function checkOrgActive(tx: Tx, orgId: string | undefined): Tx {
  if (orgId === undefined) return tx;
  return tx.check(orgKey(orgId), {
    condition: "#status = :active",
    names: { "#status": "status" },
    values: { ":active": "active" },
    onFail: rule(
      "org_not_active",
      `organisation ${orgId} is not active in the registry (in its notice, suspended, exited or unknown)`,
    ),
  });
}
