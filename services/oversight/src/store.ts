import { duplicate, stale } from "@pencai/contracts/errors";
import { env } from "@pencai/runtime/clients";
import {
  batchGetAll,
  getItem,
  itemsUnder,
  queryAll,
  withoutStorageKeys as strip,
} from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import {
  type AggKey,
  addDelta,
  aggId,
  type Contribution,
  type Counters,
  type Place,
} from "./domain/counted.js";
import type { Member } from "./domain/draw.js";
import type { Project } from "./domain/project.js";
import type { FindingRecord, InspectionRecord, SurveyRecord } from "./domain/types.js";

/**
 * The oversight service's DynamoDB table (keys `pk`/`sk`):
 *
 * | item | pk | sk |
 * |---|---|---|
 * | project projection (+ its contribution) | `PROJECT#<id>` | `PROJECT` |
 * | need (+ its contribution) | `NEED#<id>` | `NEED` |
 * | council meeting (+ its contribution) | `MEETING#<id>` | `MEETING` |
 * | aggregate of a place-year: one attribute per counter | `AGG#<level>#<id>#<year>` | `TOTALS` |
 * | inspection with its sample | `INSPECTION#<id>` | `INSPECTION` |
 * | finding | `INSPECTION#<id>` | `FINDING#<proposalId>` |
 * | awareness survey | `SURVEY#<streetId>#<year>` | `SURVEY` |
 *
 * gsi1 (sparse): the inspection population, projects approved or later and not exited, by
 * district-year: `gsi1pk = POP#<districtId>#<year>`, `gsi1sk = <streetId>#<proposalId>`.
 *
 * A counted item (project, need, meeting) stores the contribution it last added to the
 * aggregates; each change writes the item conditional on the version read plus `after - before`
 * to each aggregate, in one transaction with the inbox record.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());
export const POPULATION_INDEX = "gsi1";

export const keys = {
  project: (id: string) => ({ pk: `PROJECT#${id}`, sk: "PROJECT" }),
  need: (id: string) => ({ pk: `NEED#${id}`, sk: "NEED" }),
  meeting: (id: string) => ({ pk: `MEETING#${id}`, sk: "MEETING" }),
  aggregate: (k: AggKey) => ({ pk: `AGG#${aggId(k)}`, sk: "TOTALS" }),
  inspection: (id: string) => ({ pk: `INSPECTION#${id}`, sk: "INSPECTION" }),
  finding: (id: string, proposalId: string) => ({
    pk: `INSPECTION#${id}`,
    sk: `FINDING#${proposalId}`,
  }),
  survey: (streetId: string, year: number) => ({ pk: `SURVEY#${streetId}#${year}`, sk: "SURVEY" }),
};

// ---------------------------------------------------------------- counted items

/** A counted item as stored: its record, version and last contribution. */
export interface Stored<T> {
  record: T;
  version: number;
  contribution?: Contribution;
}

async function getCounted<T>(key: { pk: string; sk: string }): Promise<Stored<T> | undefined> {
  const item = await getItem(table(), key);
  if (!item) return undefined;
  const { version, contribution, ...rest } = strip<Record<string, unknown>>(item);
  return {
    record: rest as T,
    version: version as number,
    ...(contribution ? { contribution: contribution as Contribution } : {}),
  };
}

export const getProject = (id: string) => getCounted<Project>(keys.project(id));
export const getNeed = (id: string) => getCounted<NeedRecord>(keys.need(id));
export const getMeeting = (id: string) => getCounted<MeetingRecord>(keys.meeting(id));

export interface NeedRecord {
  id: string;
  /** where and in which year it was raised (NeedRaised; a proposal may link it first) */
  raised?: { place: Place; year: number };
  linked: boolean;
}
export interface MeetingRecord {
  id: string;
}

/** Collects the counted items of one event and their aggregate deltas, then adds them to a Tx. */
export class Changes {
  private readonly deltas = new Map<string, { key: AggKey; counters: Counters }>();
  private readonly puts: Record<string, unknown>[] = [];
  private readonly conditions: ({ readVersion: number } | { absent: true })[] = [];

  /** A counted item after the event; nothing is written when neither it nor its share changed. */
  put<T extends object>(
    key: { pk: string; sk: string },
    before: Stored<T> | undefined,
    record: T,
    contribution: Contribution | undefined,
    index: Record<string, string> = {},
  ): void {
    const same =
      before &&
      JSON.stringify(before.record) === JSON.stringify(record) &&
      JSON.stringify(before.contribution) === JSON.stringify(contribution);
    if (same) return;
    addDelta(this.deltas, before?.contribution, contribution);
    this.puts.push({
      ...key,
      ...record,
      ...index,
      version: (before?.version ?? 0) + 1,
      ...(contribution ? { contribution } : {}),
    });
    this.conditions.push(before ? { readVersion: before.version } : { absent: true });
  }

  /** The item writes (conditional on the version read) and one ADD per aggregate touched. */
  into(tx: Tx): Tx {
    this.puts.forEach((item, i) => {
      const c = this.conditions[i]!;
      const onFail = stale(`${item.pk}`);
      tx.put(
        item,
        "absent" in c
          ? { condition: "attribute_not_exists(pk)", onFail }
          : { condition: "version = :v", values: { ":v": c.readVersion }, onFail },
      );
    });
    for (const { key, counters } of this.deltas.values()) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const parts = Object.entries(counters).map(([name, v], i) => {
        names[`#c${i}`] = name;
        values[`:c${i}`] = v;
        return `#c${i} :c${i}`;
      });
      names["#level"] = "level";
      names["#id"] = "id";
      names["#year"] = "year";
      values[":level"] = key.level;
      values[":id"] = key.id;
      values[":year"] = key.year;
      tx.update(keys.aggregate(key), {
        update: `SET #level = :level, #id = :id, #year = :year ADD ${parts.join(", ")}`,
        names,
        values,
      });
    }
    return tx;
  }
}

// ---------------------------------------------------------------- aggregates

const aggregateAttributes = new Set(["level", "id", "year"]);

/** The counters of a place-year (empty when nothing was counted there). */
export async function getCounters(k: AggKey): Promise<Counters> {
  const item = await getItem(table(), keys.aggregate(k));
  return countersOf(item);
}

const countersOf = (item: Record<string, unknown> | undefined): Counters => {
  const out: Counters = {};
  for (const [name, v] of Object.entries(strip<Record<string, unknown>>(item ?? {}))) {
    if (!aggregateAttributes.has(name) && typeof v === "number") out[name] = v;
  }
  return out;
};

/** The counters of several place-years, in the order asked. */
export async function getCountersOf(ks: readonly AggKey[]): Promise<Counters[]> {
  const items = await batchGetAll(table(), ks.map(keys.aggregate));
  const byPk = new Map(items.map((i) => [i.pk as string, i]));
  return ks.map((k) => countersOf(byPk.get(keys.aggregate(k).pk)));
}

// ---------------------------------------------------------------- inspections

/** Projects approved or later of a district-year (the inspection population), from gsi1. */
export async function population(
  districtId: string,
  year: number,
): Promise<(Member & { communityId: string })[]> {
  const items = await queryAll({
    TableName: table(),
    IndexName: POPULATION_INDEX,
    KeyConditionExpression: "gsi1pk = :pk",
    ExpressionAttributeValues: { ":pk": `POP#${districtId}#${year}` },
    ProjectionExpression: "gsi1sk, #place",
    ExpressionAttributeNames: { "#place": "place" },
  });
  return items.map((i) => {
    const [streetId, proposalId] = (i.gsi1sk as string).split("#") as [string, string];
    return { streetId, proposalId, communityId: (i.place as { communityId: string }).communityId };
  });
}

/** The population index of a project (none unless approved or later and not exited). */
export function populationIndex(
  districtId: string,
  year: number,
  streetId: string,
  proposalId: string,
) {
  return { gsi1pk: `POP#${districtId}#${year}`, gsi1sk: `${streetId}#${proposalId}` };
}

export async function getInspection(id: string): Promise<InspectionRecord | undefined> {
  const item = await getItem(table(), keys.inspection(id));
  return item && strip<InspectionRecord>(item);
}

export async function findingsOf(id: string): Promise<FindingRecord[]> {
  const items = await itemsUnder(table(), keys.inspection(id).pk, "FINDING#");
  return items.map((i) => strip<FindingRecord>(i));
}

export async function getFinding(id: string, proposalId: string) {
  const item = await getItem(table(), keys.finding(id, proposalId));
  return item && strip<FindingRecord>(item);
}

export function addInspection(tx: Tx, r: InspectionRecord): Tx {
  return tx.put(
    { ...keys.inspection(r.id), entity: "inspection", ...r },
    { condition: "attribute_not_exists(pk)" },
  );
}

/** One finding per sampled project: a second one (or a racing one) is a 409 duplicate. */
export function addFinding(tx: Tx, f: FindingRecord): Tx {
  return tx.put(
    { ...keys.finding(f.inspectionId, f.proposalId), entity: "finding", ...f },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate(`project ${f.proposalId} already has a finding in this inspection`),
    },
  );
}

/** A failed finding is rectified once. */
export function rectify(tx: Tx, f: FindingRecord, at: string): Tx {
  return tx.update(keys.finding(f.inspectionId, f.proposalId), {
    update: "SET rectifiedAt = :at",
    condition: "attribute_exists(pk) AND passed = :false AND attribute_not_exists(rectifiedAt)",
    values: { ":at": at, ":false": false },
    onFail: stale(`finding of ${f.proposalId}`),
  });
}

// ---------------------------------------------------------------- surveys

export async function surveysOf(streetIds: readonly string[], year: number) {
  const items = await batchGetAll(
    table(),
    streetIds.map((s) => keys.survey(s, year)),
  );
  return new Map(items.map((i) => [i.streetId as string, strip<SurveyRecord>(i)]));
}

/** The street-year's survey (a later one replaces it). */
export function putSurvey(tx: Tx, s: SurveyRecord): Tx {
  return tx.put({ ...keys.survey(s.streetId, s.year), entity: "survey", ...s });
}
