import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { CalendarAdditions } from "@pencai/calendar";
import { conflict, type DomainError, isDomainError, rule, stale } from "@pencai/contracts/errors";
import type { Envelope } from "@pencai/contracts/events";
import { ddb, env } from "@pencai/runtime/clients";
import { retrying } from "@pencai/runtime/conflict";
import { encodeCursor, invalidCursor, parseCursor, startKey } from "@pencai/runtime/cursor";
import {
  getItem as getItemIn,
  itemsUnder,
  queryAll,
  withoutStorageKeys as strip,
} from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import { dueIndex, provisionalIndex, slaIndex } from "./domain/timers.js";
import type {
  ApprovalProposal,
  LedgerRecord,
  SlaKind,
  Timer,
  TimerState,
  TimerWrite,
} from "./domain/types.js";
import type { Transition } from "./domain/workflow.js";

/**
 * Approval's DynamoDB table (keys `pk`/`sk`; GSIs `gsi1` (due, sparse), `gsi2` (SLA list) and
 * `gsi3` (open provisional timers, sparse)).
 *
 * | item | pk | sk | index |
 * |---|---|---|---|
 * | proposal projection (or withdrawn tombstone) | `PROPOSAL#<id>` | `PROPOSAL` | |
 * | SLA timer | `PROPOSAL#<id>` | `TIMER#<kind>#<round>` | gsi1 `DUE#<bucket>` / `<nextActionAt>#<id>#<kind>` while an action is left; gsi2 `SLA#<district>#<kind>#<state>` / `<dueAt>#<id>#<round>`; gsi3 `PROVISIONAL` / `<dueAt>#<id>#<kind>#<round>` while open and provisional |
 * | disbursement | `PROPOSAL#<id>` | `DISBURSEMENT#<disbursementId>` | |
 * | community-year ledger | `BUDGET#<communityId>#<year>` | `BUDGET` | |
 * | runtime calendar additions | `CALENDAR#<year>` | `CALENDAR` | |
 * | sweeper watermark | `SWEEPER` | `WATERMARK` | |
 * | official calendar years the sweeper last saw | `SWEEPER` | `OFFICIAL_YEARS` | |
 *
 * Every invariant is a condition inside the one transaction of a request (state, outbox events
 * and idempotency record together); see services/approval/README.md.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());

export const DUE_INDEX = "gsi1";
export const SLA_INDEX = "gsi2";
export const PROVISIONAL_INDEX = "gsi3";

export const keys = {
  proposal: (id: string) => ({ pk: `PROPOSAL#${id}`, sk: "PROPOSAL" }),
  timer: (proposalId: string, kind: SlaKind, round: number) => ({
    pk: `PROPOSAL#${proposalId}`,
    sk: `TIMER#${kind}#${round}`,
  }),
  disbursement: (proposalId: string, id: string) => ({
    pk: `PROPOSAL#${proposalId}`,
    sk: `DISBURSEMENT#${id}`,
  }),
  ledger: (communityId: string, year: number) => ({
    pk: `BUDGET#${communityId}#${year}`,
    sk: "BUDGET",
  }),
  calendar: (year: number) => ({ pk: `CALENDAR#${year}`, sk: "CALENDAR" }),
  watermark: () => ({ pk: "SWEEPER", sk: "WATERMARK" }),
  /** the official calendar years the sweeper last saw deployed (a release adds years) */
  officialYears: () => ({ pk: "SWEEPER", sk: "OFFICIAL_YEARS" }),
};

// Optimistic-concurrency helpers shared by every service (handlers call them through the store).

// ---------------------------------------------------------------- item <-> record

/** A ProposalWithdrawn that arrived before its ProposalEndorsed: the endorsement is ignored. */
export interface WithdrawnTombstone {
  id: string;
  tombstone: true;
  withdrawnAt: string;
}
export type StoredProposal = ApprovalProposal | WithdrawnTombstone;
export const isTombstone = (p: StoredProposal): p is WithdrawnTombstone =>
  (p as WithdrawnTombstone).tombstone === true;

/** Runtime calendar additions of one year (`PUT /v1/calendar/{year}`). */
export interface CalendarRecord {
  year: number;
  holidays: string[];
  workdays: string[];
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export const proposalItem = (p: StoredProposal) => ({
  ...keys.proposal(p.id),
  entity: isTombstone(p) ? "tombstone" : "proposal",
  ...p,
});

/** The timer with its index attributes: gsi1 only while an action is left, gsi2 always. */
export const timerItem = (t: Timer) => ({
  ...keys.timer(t.proposalId, t.kind, t.round),
  entity: "timer",
  ...t,
  ...slaIndex(t),
  ...dueIndex(t),
  ...provisionalIndex(t),
});

// ---------------------------------------------------------------- reads

const getItem = (key: { pk: string; sk: string }) => getItemIn(table(), key);

export async function getProposal(id: string): Promise<StoredProposal | undefined> {
  const item = await getItem(keys.proposal(id));
  return item && strip<StoredProposal>(item);
}

export async function getTimer(
  proposalId: string,
  kind: SlaKind,
  round: number,
): Promise<Timer | undefined> {
  const item = await getItem(keys.timer(proposalId, kind, round));
  return item && strip<Timer>(item);
}

/** Every timer of a proposal (consistent; all rounds). */
export async function timersOf(proposalId: string): Promise<Timer[]> {
  const items = await itemsUnder(table(), keys.proposal(proposalId).pk, "TIMER#");
  return items.map((i) => strip<Timer>(i));
}

export async function getLedger(
  communityId: string,
  year: number,
): Promise<LedgerRecord | undefined> {
  const item = await getItem(keys.ledger(communityId, year));
  return item && strip<LedgerRecord>(item);
}

export async function getCalendarAdditions(year: number): Promise<CalendarRecord | undefined> {
  const item = await getItem(keys.calendar(year));
  return item && strip<CalendarRecord>(item);
}

/** Runtime additions of the given years, as a `calendarsFrom` layer keyed by year. */
export async function calendarLayer(
  years: readonly number[],
): Promise<Record<string, CalendarAdditions>> {
  const layer: Record<string, CalendarAdditions> = {};
  const records = await Promise.all([...new Set(years)].map((y) => getCalendarAdditions(y)));
  for (const r of records) {
    if (r) layer[String(r.year)] = { holidays: r.holidays, workdays: r.workdays };
  }
  return layer;
}

/**
 * The timers of one due bucket whose next action is at or before `now` (gsi1, Query only; the
 * sort key `<nextActionAt>#<id>#<kind>` sorts by time, `#~` closes the range after `now`).
 * Eventually consistent: every write on a timer is conditional on the state read here.
 */
export async function dueTimers(bucket: string, now: Date): Promise<Timer[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: DUE_INDEX,
    KeyConditionExpression: "gsi1pk = :b AND gsi1sk <= :upto",
    ExpressionAttributeValues: { ":b": `DUE#${bucket}`, ":upto": `${now.toISOString()}#~` },
  });
  return items.filter((i) => i.entity === "timer").map((i) => strip<Timer>(i));
}

/** Whether a due bucket still holds any timer (of any time: a later one keeps it non-empty). */
export async function bucketHasTimers(bucket: string): Promise<boolean> {
  const out = await ddb.send(
    new QueryCommand({
      TableName: table(),
      IndexName: DUE_INDEX,
      KeyConditionExpression: "gsi1pk = :b",
      ExpressionAttributeValues: { ":b": `DUE#${bucket}` },
      Limit: 1,
    }),
  );
  return (out.Items?.length ?? 0) > 0;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * SLA timers of a district (gsi2 `SLA#<district>#<kind>#<state>`, Query only). Several kinds or
 * states are read one partition after another; the cursor names the partition and the key.
 */
export async function querySla(
  districtId: string,
  kinds: readonly SlaKind[],
  states: readonly TimerState[],
  limit: number,
  cursor?: string,
  /** the caller's visibility (street staff: their street); pages still fill up to `limit` */
  keep: (t: Timer) => boolean = () => true,
): Promise<Page<Timer>> {
  const partitions = kinds.flatMap((k) => states.map((s) => `SLA#${districtId}#${k}#${s}`));
  let { p, key } = decodeSlaCursor(cursor, partitions);
  const items: Timer[] = [];
  while (p < partitions.length && items.length < limit) {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table(),
        IndexName: SLA_INDEX,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": partitions[p] },
        Limit: limit - items.length,
        ExclusiveStartKey: key,
      }),
    );
    items.push(...(out.Items ?? []).map((i) => strip<Timer>(i)).filter(keep));
    key = out.LastEvaluatedKey;
    if (!key) p++;
  }
  const more = key !== undefined || p < partitions.length;
  return { items, nextCursor: more ? encodeSlaCursor(p, key) : null };
}

/** The SLA list's cursor: the partition reached and, within it, DynamoDB's start key. */
const encodeSlaCursor = (p: number, key: Record<string, unknown> | undefined) =>
  encodeCursor({ p, ...(key && { k: key }) });

function decodeSlaCursor(
  cursor: string | undefined,
  partitions: readonly string[],
): { p: number; key?: Record<string, unknown> } {
  if (cursor === undefined) return { p: 0 };
  const { p, k } = (parseCursor(cursor) ?? {}) as { p?: unknown; k?: unknown };
  if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p >= partitions.length) {
    throw invalidCursor();
  }
  return k === undefined ? { p } : { p, key: startKey(k, { gsi2pk: partitions[p]! }) };
}

export interface Watermark {
  /** the oldest due bucket that may still hold a timer */
  bucket: string;
}

/** Open provisional timers (gsi3, sparse; see `provisionalIndex`). */
export async function provisionalTimers(): Promise<Timer[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: PROVISIONAL_INDEX,
    KeyConditionExpression: "gsi3pk = :p",
    ExpressionAttributeValues: { ":p": "PROVISIONAL" },
  });
  return items.map((i) => strip<Timer>(i));
}

/** The official years recorded by the last sweep that saw a release (undefined: never). */
export async function getOfficialYears(): Promise<number[] | undefined> {
  const item = await getItem(keys.officialYears());
  return item ? (item.years as number[]) : undefined;
}

export async function putOfficialYears(years: readonly number[]): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.officialYears(), entity: "official-years", years: [...years] },
    }),
  );
}

export async function getWatermark(): Promise<Watermark | undefined> {
  const item = await getItem(keys.watermark());
  return item ? { bucket: item.bucket as string } : undefined;
}

/** Moves the watermark from what the sweep read (a concurrent move wins; the next sweep retries). */
export function advanceWatermark(tx: Tx, read: Watermark | undefined, bucket: string): Tx {
  return tx.put(
    { ...keys.watermark(), entity: "watermark", bucket },
    read
      ? {
          condition: "#bucket = :read",
          names: { "#bucket": "bucket" },
          values: { ":read": read.bucket },
          onFail: stale("sweeper watermark"),
        }
      : { condition: "attribute_not_exists(pk)", onFail: stale("sweeper watermark") },
  );
}

/** A recompute moved a timer to an earlier bucket: watermark = min(watermark, bucket). */
export function lowerWatermark(
  tx: Tx,
  bucket: string,
  onFail = conflict("the watermark is already at or before this bucket"),
): Tx {
  return tx.update(keys.watermark(), {
    update: "SET #bucket = :b, entity = :entity",
    // no watermark yet: the first sweep's look-back covers the bucket; creating one here would
    // narrow that look-back and could skip older timers
    condition: "attribute_exists(#bucket) AND #bucket > :b",
    names: { "#bucket": "bucket" },
    values: { ":b": bucket, ":entity": "watermark" },
    onFail,
  });
}

/**
 * Commits `lowerWatermark`: false when the watermark already was at or before the bucket. A
 * transaction conflict (a sweep moving the watermark at the same moment) is tried again, never
 * taken for "already lower": a lost lowering would leave a timer behind the watermark.
 */
export async function lowerWatermarkTo(bucket: string): Promise<boolean> {
  const atOrBefore = conflict("the watermark is already at or before this bucket");
  return retrying(async () => {
    try {
      await lowerWatermark(newTx(), bucket, atOrBefore).commit();
      return true;
    } catch (err) {
      if (isDomainError(err) && err.isFrom(atOrBefore)) return false;
      throw err;
    }
  });
}

// ---------------------------------------------------------------- writes (added to a Tx)

/** Replaces a projection computed from `version` (the new one carries version + 1). */
export function putProposal(tx: Tx, after: ApprovalProposal, version: number): Tx {
  return tx.put(proposalItem(after), {
    condition: "version = :v",
    values: { ":v": version },
    onFail: stale(`proposal ${after.id}`),
  });
}

/** Inbox: a new projection or a tombstone (an existing item wins: nothing changes). */
export function addProposal(tx: Tx, p: StoredProposal): Tx {
  return tx.put(proposalItem(p), {
    condition: "attribute_not_exists(pk)",
    onFail: stale(`proposal ${p.id}`),
  });
}

/**
 * A timer write: a new timer is put if absent; a changed one replaces the item conditional on
 * what was read (`state`, `dueAt`, `reminderAt`, `remindedAt`, `stoppedAt` unchanged), so two writers never
 * both act: the sweep's remind is `#state = open AND attribute_not_exists(remindedAt)`, its
 * breach `#state = open`, a stop or recompute the same on the state it read.
 */
export function putTimer(tx: Tx, w: TimerWrite, onFail?: DomainError): Tx {
  const what = `timer ${w.timer.proposalId}/${w.timer.kind}/${w.timer.round}`;
  const fail = onFail ?? stale(what);
  if (!w.previous) {
    return tx.put(timerItem(w.timer), { condition: "attribute_not_exists(pk)", onFail: fail });
  }
  const prev = w.previous;
  const values: Record<string, unknown> = {
    ":state": prev.state,
    ":dueAt": prev.dueAt,
    ":reminderAt": prev.reminderAt,
  };
  const parts = ["#state = :state", "dueAt = :dueAt", "reminderAt = :reminderAt"];
  if (prev.remindedAt === undefined) parts.push("attribute_not_exists(remindedAt)");
  else {
    parts.push("remindedAt = :remindedAt");
    values[":remindedAt"] = prev.remindedAt;
  }
  if (prev.stoppedAt === undefined) parts.push("attribute_not_exists(stoppedAt)");
  else {
    parts.push("stoppedAt = :stoppedAt");
    values[":stoppedAt"] = prev.stoppedAt;
  }
  return tx.put(timerItem(w.timer), {
    condition: parts.join(" AND "),
    names: { "#state": "state" },
    values,
    onFail: fail,
  });
}

export const capExceeded = (communityId: string, year: number) =>
  rule(
    "community_cap_exceeded",
    `approving this would exceed the ${year} cap of community ${communityId} (a concurrent approval committed first)`,
  );

/**
 * Commits an approval's amount to the community-year ledger: `ADD committedFen` conditional on
 * `attribute_not_exists(pk) OR committedFen <= :limit` (= cap - amount), so concurrent approvals
 * can never overshoot the cap (422 community_cap_exceeded).
 */
export function commitToLedger(
  tx: Tx,
  communityId: string,
  year: number,
  amountFen: number,
  committedLimitFen: number,
): Tx {
  return tx.update(keys.ledger(communityId, year), {
    update:
      "SET entity = :entity, communityId = :c, #year = :y ADD committedFen :amount, disbursedFen :zero",
    condition: "attribute_not_exists(pk) OR committedFen <= :limit",
    names: { "#year": "year" },
    values: {
      ":entity": "ledger",
      ":c": communityId,
      ":y": year,
      ":amount": amountFen,
      ":zero": 0,
      ":limit": committedLimitFen,
    },
    onFail: capExceeded(communityId, year),
  });
}

/**
 * A disbursement on the proposal item: `ADD disbursedFen :amount` conditional on the version
 * read and `disbursedFen <= :limit` (= approved - amount): never above the approved amount. A
 * failure is `stale`: the handler re-reads, and the domain answers 422
 * disbursement_exceeds_approved if a concurrent disbursement used the remainder.
 */
export function recordDisbursement(
  tx: Tx,
  before: ApprovalProposal,
  after: ApprovalProposal,
  d: NonNullable<Transition["disbursement"]>,
  at: string,
): Tx {
  const values: Record<string, unknown> = {
    ":v": before.version,
    ":next": after.version,
    ":amount": d.amountFen,
    ":limit": d.disbursedLimitFen,
  };
  const sets = ["version = :next"];
  if (after.status !== before.status) {
    sets.push("#status = :status", "fundedAt = :fundedAt");
    values[":status"] = after.status;
    values[":fundedAt"] = after.fundedAt;
  }
  tx.update(keys.proposal(before.id), {
    update: `SET ${sets.join(", ")} ADD disbursedFen :amount`,
    condition: "version = :v AND disbursedFen <= :limit",
    ...(after.status !== before.status && { names: { "#status": "status" } }),
    values,
    onFail: stale(`proposal ${before.id}`),
  });
  tx.put(
    {
      ...keys.disbursement(before.id, d.id),
      entity: "disbursement",
      id: d.id,
      proposalId: before.id,
      amountFen: d.amountFen,
      reference: d.reference,
      disbursedAt: at,
      totalDisbursedFen: d.totalDisbursedFen,
    },
    { condition: "attribute_not_exists(pk)", onFail: stale(`disbursement ${d.id}`) },
  );
  for (const l of d.ledgers) {
    tx.update(keys.ledger(l.communityId, l.year), {
      update: "ADD disbursedFen :amount",
      condition: "attribute_exists(pk)",
      values: { ":amount": l.amountFen },
      onFail: stale(`ledger ${l.communityId}/${l.year}`),
    });
  }
  return tx;
}

/**
 * One transition in one transaction: the projection (on the version read), its timers, the
 * ledger commitment or the disbursement, and the outbox events. The caller adds the
 * idempotency record and commits.
 */
export function writeTransition(
  tx: Tx,
  before: ApprovalProposal,
  t: Transition,
  events: readonly Envelope[],
  at: string,
): Tx {
  if (t.disbursement) recordDisbursement(tx, before, t.proposal, t.disbursement, at);
  else putProposal(tx, t.proposal, before.version);
  for (const w of t.timers) putTimer(tx, w);
  for (const c of t.commits ?? []) {
    commitToLedger(tx, c.communityId, c.year, c.amountFen, c.committedLimitFen);
  }
  for (const e of events) tx.event(e);
  return tx;
}

/** Replaces a year's runtime additions (conditional on the version read). */
export function putCalendarAdditions(
  tx: Tx,
  record: Omit<CalendarRecord, "version">,
  before: CalendarRecord | undefined,
): Tx {
  const version = before?.version ?? 0;
  return tx.put(
    { ...keys.calendar(record.year), entity: "calendar", ...record, version: version + 1 },
    before
      ? {
          condition: "version = :v",
          values: { ":v": version },
          onFail: stale(`calendar ${record.year}`),
        }
      : { condition: "attribute_not_exists(pk)", onFail: stale(`calendar ${record.year}`) },
  );
}
