import { duplicate, rule, stale } from "@pencai/contracts/errors";
import type { OrgStatus } from "@pencai/contracts/orgs";
import { env } from "@pencai/runtime/clients";
import {
  batchGetAll,
  getItem,
  itemsUnder,
  queryAll,
  withoutStorageKeys as strip,
} from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import type { OrgRecord } from "./domain/org.js";
import { noCounters, type OrgCounters, type ProposalNote } from "./domain/record.js";

/**
 * The organisation registry's DynamoDB table (keys `pk`/`sk`):
 *
 * | item | pk | sk |
 * |---|---|---|
 * | organisation | `ORG#<id>` | `ORG` |
 * | a resident's objection (one each) | `ORG#<id>` | `OBJECTION#<sub>` |
 * | its record of evaluated projects | `ORG#<id>` | `RECORD` |
 * | a credit code and its holder (`released` once refused or exited) | `CREDIT#<code>` | `CREDIT` |
 * | what it knows of a proposal | `PROPOSAL#<id>` | `PROPOSAL` |
 *
 * gsi1: organisations by place, `gsi1pk = DISTRICT#<districtId>`,
 * `gsi1sk = <streetId>#<communityId or ->#<id>` (a street or community is a key prefix).
 *
 * Every change of an organisation is conditional on the version and status read; an objection
 * is conditional on its own absence and on the notice still running.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());
export const PLACE_INDEX = "gsi1";

export const keys = {
  org: (id: string) => ({ pk: `ORG#${id}`, sk: "ORG" }),
  objection: (id: string, sub: string) => ({ pk: `ORG#${id}`, sk: `OBJECTION#${sub}` }),
  record: (id: string) => ({ pk: `ORG#${id}`, sk: "RECORD" }),
  credit: (code: string) => ({ pk: `CREDIT#${code}`, sk: "CREDIT" }),
  proposal: (id: string) => ({ pk: `PROPOSAL#${id}`, sk: "PROPOSAL" }),
};

const placeKey = (r: Pick<OrgRecord, "streetId" | "communityId">) =>
  `${r.streetId ?? "-"}#${r.communityId ?? "-"}#`;

const orgItem = (r: OrgRecord) => ({
  ...keys.org(r.id),
  entity: "org",
  gsi1pk: `DISTRICT#${r.districtId}`,
  gsi1sk: `${placeKey(r)}${r.id}`,
  ...r,
});

export async function getOrg(id: string): Promise<OrgRecord | undefined> {
  const item = await getItem(table(), keys.org(id));
  return item ? strip<OrgRecord>(item) : undefined;
}

/** The organisations of a district, or of a street or community of it (by key prefix). */
export async function orgsIn(
  districtId: string,
  under: { streetId?: string; communityId?: string },
  status?: OrgStatus,
): Promise<OrgRecord[]> {
  const prefix =
    under.streetId === undefined
      ? ""
      : `${under.streetId}#${under.communityId === undefined ? "" : `${under.communityId}#`}`;
  const items = await queryAll({
    TableName: table(),
    IndexName: PLACE_INDEX,
    ...(prefix === ""
      ? {
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": `DISTRICT#${districtId}` },
        }
      : {
          KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
          ExpressionAttributeValues: { ":pk": `DISTRICT#${districtId}`, ":prefix": prefix },
        }),
  });
  const orgs = items.map((i) => strip<OrgRecord>(i));
  return status === undefined ? orgs : orgs.filter((o) => o.status === status);
}

export async function objectionsOf(id: string): Promise<{ reason: string; at: string }[]> {
  const items = await itemsUnder(table(), `ORG#${id}`, "OBJECTION#");
  return items.map((i) => ({ reason: i.reason as string, at: i.at as string }));
}

/** The records of evaluated projects of these organisations, by id. */
export async function countersOf(ids: readonly string[]): Promise<Map<string, OrgCounters>> {
  const items = await batchGetAll(table(), ids.map(keys.record));
  const out = new Map<string, OrgCounters>();
  for (const i of items) {
    out.set((i.pk as string).slice("ORG#".length), {
      evaluated: (i.evaluated as number) ?? 0,
      passed: (i.passed as number) ?? 0,
      satisfactionSum: (i.satisfactionSum as number) ?? 0,
    });
  }
  for (const id of ids) if (!out.has(id)) out.set(id, noCounters);
  return out;
}

// ---------------------------------------------------------------- writes

/** A new organisation; a registered one claims its credit code, a filed one needs its sponsor active. */
export function addOrg(tx: Tx, r: OrgRecord): Tx {
  tx.put(orgItem(r), { condition: "attribute_not_exists(pk)" });
  if (r.creditCode !== undefined) {
    tx.put(
      { ...keys.credit(r.creditCode), entity: "credit", orgId: r.id },
      {
        condition: "attribute_not_exists(pk) OR released = :yes",
        values: { ":yes": true },
        onFail: duplicate(`credit code ${r.creditCode} is already registered`, [
          { path: "creditCode", message: "already registered" },
        ]),
      },
    );
  }
  if (r.sponsorOrgId !== undefined) {
    tx.check(keys.org(r.sponsorOrgId), {
      condition: "#status = :active AND track = :registered AND districtId = :district",
      names: { "#status": "status" },
      values: { ":active": "active", ":registered": "registered", ":district": r.districtId },
      onFail: sponsorNotActive(r.sponsorOrgId),
    });
  }
  return tx;
}

const sponsorNotActive = (id: string) =>
  rule(
    "sponsor_not_active",
    `sponsor ${id} is not an active registered organisation of this district`,
    [{ path: "sponsorOrgId", message: "not an active registered organisation here" }],
  );

/** One objection per resident, while the notice runs; the organisation's version moves on. */
export function addObjection(
  tx: Tx,
  org: OrgRecord,
  objection: { sub: string; reason: string; at: string },
): Tx {
  tx.put(
    { ...keys.objection(org.id, objection.sub), entity: "objection", ...objection },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("you have already objected to this organisation"),
    },
  );
  tx.update(keys.org(org.id), {
    update: "SET version = version + :one, updatedAt = :at ADD objections :one",
    condition: "#status = :notice AND noticeEndsAt > :at",
    names: { "#status": "status" },
    values: { ":one": 1, ":notice": "in_notice", ":at": objection.at },
    onFail: rule("notice_ended", `the public notice of ${org.id} has ended`),
  });
  return tx;
}

/** The organisation after a review or status change, if nothing changed it meanwhile. */
export function replaceOrg(tx: Tx, before: OrgRecord, after: OrgRecord): Tx {
  tx.put(orgItem(after), {
    condition: "version = :v AND #status = :s",
    names: { "#status": "status" },
    values: { ":v": before.version, ":s": before.status },
    onFail: stale(`organisation ${before.id}`),
  });
  // a refused or exited organisation gives its credit code back: it may register anew
  const gone: OrgStatus[] = ["refused", "exited"];
  if (after.creditCode !== undefined && gone.includes(after.status)) {
    tx.update(keys.credit(after.creditCode), {
      update: "SET released = :yes",
      condition: "orgId = :org",
      values: { ":yes": true, ":org": after.id },
    });
  }
  return tx;
}

// ---------------------------------------------------------------- the inbox's notes

export async function getNote(
  id: string,
): Promise<{ note: ProposalNote; version: number } | undefined> {
  const item = await getItem(table(), keys.proposal(id));
  if (!item) return undefined;
  const { version, ...note } = strip<ProposalNote & { version: number }>(item);
  return { note, version };
}

/** The note, conditional on the version read, and the counters it adds to its organisation. */
export function putNote(
  tx: Tx,
  note: ProposalNote,
  readVersion: number | undefined,
  add?: { orgId: string; counters: OrgCounters },
): Tx {
  tx.put(
    { ...keys.proposal(note.id), entity: "proposal", ...note, version: (readVersion ?? 0) + 1 },
    readVersion === undefined
      ? { condition: "attribute_not_exists(pk)", onFail: stale(`proposal ${note.id}`) }
      : {
          condition: "version = :v",
          values: { ":v": readVersion },
          onFail: stale(`proposal ${note.id}`),
        },
  );
  if (add) {
    tx.update(keys.record(add.orgId), {
      update: "SET entity = :e ADD evaluated :ev, passed :pa, satisfactionSum :ss",
      values: {
        ":e": "record",
        ":ev": add.counters.evaluated,
        ":pa": add.counters.passed,
        ":ss": add.counters.satisfactionSum,
      },
    });
  }
  return tx;
}
