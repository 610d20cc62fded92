import { paginateQuery } from "@aws-sdk/lib-dynamodb";
import { isDomainError, stale } from "@pencai/contracts/errors";
import type { ExportEntityName } from "@pencai/contracts/exports";
import { ddb, env } from "@pencai/runtime/clients";
import { batchGetAll, getItem } from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import type { CouncilBallots } from "./domain/council.js";
import type { Row, Values } from "./domain/rows.js";

/**
 * The exports service's DynamoDB table (keys `pk`/`sk`):
 *
 * | item | pk | sk | gsi1 (changed on a day) | gsi2 (every row of an entity) |
 * |---|---|---|---|---|
 * | entity row | `ROW#<entity>#<id>` | `ROW` | `CHANGED#<entity>#<yyyy-mm-dd>` / id | `ROWS#<entity>` / id |
 * | export | `EXPORT#<exportId>` | `EXPORT` | | |
 * | daily export marker | `DAILY#<yyyy-mm-dd>` | `DAILY` | | |
 * | a meeting's counted ballots (pseudonymous voters; pabulib only) | `BALLOTS#<meetingId>` | `BALLOTS` | | |
 *
 * Ballots are listed by community through gsi3 (`BALLOTS#<communityId>` / meeting id).
 *
 * A row holds its slots (the newest patch of each fact, with the event behind it) and its
 * folded `columns`; each write is conditional on the version read. The change day is the day
 * (Asia/Shanghai) the row was last written, so "what changed on day D" is one index query.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());

const rowKey = (entity: string, id: string) => ({ pk: `ROW#${entity}#${id}`, sk: "ROW" });
const exportKey = (id: string) => ({ pk: `EXPORT#${id}`, sk: "EXPORT" });

export interface StoredRow extends Row {
  version: number;
}

/** The rows of `refs` that exist, by `<entity>#<id>`. */
export async function getRows(
  refs: readonly { entity: ExportEntityName; id: string }[],
): Promise<Map<string, StoredRow>> {
  const keys = [...new Map(refs.map((r) => [`${r.entity}#${r.id}`, r])).values()].map((r) =>
    rowKey(r.entity, r.id),
  );
  const items = await batchGetAll(table(), keys);
  return new Map(
    items.map((i) => [
      `${i.rowEntity}#${i.rowId}`,
      {
        entity: i.rowEntity as ExportEntityName,
        id: i.rowId as string,
        slots: i.slots as Row["slots"],
        columns: i.columns as Values,
        version: i.version as number,
      },
    ]),
  );
}

/** Writes a row changed on `day`, conditional on the version read (none: must not exist). */
export function putRow(tx: Tx, row: Row, readVersion: number | undefined, day: string): Tx {
  return tx.put(
    {
      ...rowKey(row.entity, row.id),
      entity: "row",
      rowEntity: row.entity,
      rowId: row.id,
      slots: row.slots,
      columns: row.columns,
      version: (readVersion ?? 0) + 1,
      changedOn: day,
      gsi1pk: `CHANGED#${row.entity}#${day}`,
      gsi1sk: row.id,
      gsi2pk: `ROWS#${row.entity}`,
      gsi2sk: row.id,
    },
    readVersion === undefined
      ? { condition: "attribute_not_exists(pk)", onFail: stale(`row ${row.entity} ${row.id}`) }
      : {
          condition: "version = :v",
          values: { ":v": readVersion },
          onFail: stale(`row ${row.entity} ${row.id}`),
        },
  );
}

/**
 * Every row's columns of an entity, page by page: rows last changed on `day`, or every row.
 * Only `columns` is read (the slots stay in the table).
 */
export async function* rowsOf(entity: ExportEntityName, day?: string): AsyncIterable<Values> {
  const input = day
    ? { IndexName: "gsi1", pk: "gsi1pk", value: `CHANGED#${entity}#${day}` }
    : { IndexName: "gsi2", pk: "gsi2pk", value: `ROWS#${entity}` };
  const pages = paginateQuery(
    { client: ddb, pageSize: 1000 },
    {
      TableName: table(),
      IndexName: input.IndexName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": input.pk, "#c": "columns" },
      ExpressionAttributeValues: { ":pk": input.value },
      ProjectionExpression: "#c",
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) yield item.columns as Values;
  }
}

// ---------------------------------------------------------------- exports

export interface ExportFile {
  entity: string;
  key: string;
  rows: number;
  bytes: number;
}

export interface ExportRecord {
  exportId: string;
  status: "queued" | "running" | "done" | "failed";
  entities: ExportEntityName[];
  from?: string;
  to?: string;
  /** the `dt` partition of its files */
  day: string;
  requestedAt: string;
  /** an account id (the analyst), kept here for audit; never exported */
  requestedBy: string;
  /** also write the community-year pabulib (.pb) files */
  pabulib?: boolean;
  finishedAt?: string;
  error?: string;
  files: ExportFile[];
}

const exportOf = (item: Record<string, unknown>): ExportRecord => {
  const { pk: _pk, sk: _sk, entity: _e, ...rest } = item;
  return rest as unknown as ExportRecord;
};

export async function getExport(id: string): Promise<ExportRecord | undefined> {
  const item = await getItem(table(), exportKey(id));
  return item && exportOf(item);
}

/** A new export (`queued` ones start the worker through the table stream). */
export function putExport(tx: Tx, record: ExportRecord): Tx {
  return tx.put(
    { ...exportKey(record.exportId), entity: "export", ...record },
    { condition: "attribute_not_exists(pk)" },
  );
}

/** The daily export of `day` runs once, however often the schedule fires. */
export function claimDaily(tx: Tx, day: string, exportId: string): Tx {
  return tx.put(
    { pk: `DAILY#${day}`, sk: "DAILY", entity: "daily", exportId },
    { condition: "attribute_not_exists(pk)", onFail: stale(`daily export ${day}`) },
  );
}

/** Moves an export from `from` to `to` status (false: it was not in `from`). */
export async function moveExport(
  id: string,
  from: ExportRecord["status"],
  to: Partial<ExportRecord> & { status: ExportRecord["status"] },
): Promise<boolean> {
  const tx = newTx().update(exportKey(id), {
    update: `SET ${Object.keys(to)
      .map((k) => `#${k} = :${k}`)
      .join(", ")}`,
    condition: "#status = :from",
    names: Object.fromEntries(Object.keys(to).map((k) => [`#${k}`, k])),
    values: {
      ":from": from,
      ...Object.fromEntries(Object.entries(to).map(([k, v]) => [`:${k}`, v])),
    },
    onFail: stale(`export ${id}`),
  });
  try {
    await tx.commit();
    return true;
  } catch (err) {
    if (isDomainError(err, "conflict")) return false;
    throw err;
  }
}

// ---------------------------------------------------------------- council ballots (pabulib)

const ballotsKey = (meetingId: string) => ({ pk: `BALLOTS#${meetingId}`, sk: "BALLOTS" });

/** A meeting's counted ballots as kept (undefined: none yet). */
export async function getBallots(
  meetingId: string,
): Promise<(CouncilBallots & { version: number }) | undefined> {
  const item = await getItem(table(), ballotsKey(meetingId));
  return item && (item.council as CouncilBallots & { version: number });
}

/** Keeps a meeting's ballots, conditional on the version read (none: must not exist). */
export function putBallots(tx: Tx, council: CouncilBallots, readVersion: number | undefined): Tx {
  const version = (readVersion ?? 0) + 1;
  return tx.put(
    {
      ...ballotsKey(council.meetingId),
      entity: "ballots",
      council: { ...council, version },
      version,
      gsi3pk: `BALLOTS#${council.communityId}`,
      gsi3sk: council.meetingId,
    },
    readVersion === undefined
      ? { condition: "attribute_not_exists(pk)", onFail: stale(`ballots ${council.meetingId}`) }
      : {
          condition: "version = :v",
          values: { ":v": readVersion },
          onFail: stale(`ballots ${council.meetingId}`),
        },
  );
}

/** Every meeting's ballots of a community. */
export async function* ballotsOf(communityId: string): AsyncIterable<CouncilBallots> {
  const pages = paginateQuery(
    { client: ddb, pageSize: 100 },
    {
      TableName: table(),
      IndexName: "gsi3",
      KeyConditionExpression: "gsi3pk = :pk",
      ExpressionAttributeValues: { ":pk": `BALLOTS#${communityId}` },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) yield item.council as CouncilBallots;
  }
}
