import { currentCity } from "@pencai/config/current";
import {
  type DigestDocument,
  type DigestSummary,
  digestDocumentSchema,
  digestKey,
} from "@pencai/contracts/digest";
import { conflict, isDomainError } from "@pencai/contracts/errors";
import { env } from "@pencai/runtime/clients";
import { getItem, queryAll, withoutStorageKeys } from "@pencai/runtime/items";
import { failure, objectRequest, ok, region, send, text } from "@pencai/runtime/s3";
import type { TimelineHead } from "./domain/digest.js";
import { newTx, proposalIndexes, table } from "./store.js";

// The digest's two homes: the whole document (leaves and root) in the object-locked digest
// bucket, written once per day and never replaced; a small record per day and a `LATEST`
// pointer in intake's table, so the public routes find the latest day without listing S3.

const bucket = () => env("DIGEST_BUCKET");

const digestKeys = {
  day: (date: string) => ({ pk: `DIGEST#${date}`, sk: "DIGEST" }),
  latest: { pk: "DIGEST#LATEST", sk: "DIGEST" },
};

/** What the table keeps of a digest: its summary and where the document is. */
export interface DigestRecord extends DigestSummary {
  key: string;
}

/**
 * Every public proposal's chain head (withdrawn proposals are not public and not in the digest):
 * one query of the district index per district of the city, never a Scan.
 */
export async function timelineHeads(): Promise<TimelineHead[]> {
  const ix = proposalIndexes.district;
  const heads: TimelineHead[] = [];
  for (const district of currentCity().districts) {
    const items = await queryAll({
      TableName: table(),
      IndexName: ix.index,
      KeyConditionExpression: `${ix.pk} = :pk`,
      FilterExpression: "attribute_exists(publicStage)",
      ProjectionExpression: "id, timelineSeq, timelineHash",
      ExpressionAttributeValues: { ":pk": `${ix.prefix}${district.id}` },
    });
    heads.push(...(items as unknown as TimelineHead[]));
  }
  return heads;
}

export async function getDigestRecord(date: string): Promise<DigestRecord | undefined> {
  const item = await getItem(table(), digestKeys.day(date));
  return item && withoutStorageKeys<DigestRecord>(item, ["entity"]);
}

export async function getLatestDigestRecord(): Promise<DigestRecord | undefined> {
  const item = await getItem(table(), digestKeys.latest);
  return item && withoutStorageKeys<DigestRecord>(item, ["entity"]);
}

/** The day's document from the bucket, or undefined when there is none. */
export async function getDigestDocument(date: string): Promise<DigestDocument | undefined> {
  const res = await send(
    objectRequest(await region(), "GET", bucket(), digestKey(date), { "x-id": "GetObject" }),
  );
  if (!ok(res)) {
    const err = await failure(res);
    if (err.code === "NoSuchKey" || res.status === 404) return undefined;
    throw err;
  }
  return digestDocumentSchema.parse(JSON.parse(await text(res)));
}

/**
 * Writes the day's document unless the bucket has one: `If-None-Match: *` (S3 answers 412 when
 * the key exists), so a second run never adds a version. `false` when one was there first.
 */
export async function putDigestDocument(doc: DigestDocument): Promise<boolean> {
  const body = Buffer.from(`${JSON.stringify(doc, null, 1)}\n`, "utf8");
  const request = objectRequest(await region(), "PUT", bucket(), digestKey(doc.date), {
    "x-id": "PutObject",
  });
  Object.assign(request.headers, {
    "content-type": "application/json",
    "content-length": String(body.length),
    "if-none-match": "*",
  });
  const res = await send(request, () => body);
  if (res.status === 412) {
    await text(res);
    return false;
  }
  if (!ok(res)) throw await failure(res);
  await text(res);
  return true;
}

/** Records the day's digest once; `false` when the day was recorded first. */
export async function recordDigest(record: DigestRecord): Promise<boolean> {
  try {
    await newTx()
      .put(
        { ...digestKeys.day(record.date), entity: "digest", ...record },
        { condition: "attribute_not_exists(pk)", onFail: conflict(`digest ${record.date} exists`) },
      )
      .commit();
    return true;
  } catch (err) {
    if (isDomainError(err, "conflict")) return false;
    throw err;
  }
}

/**
 * Moves the `LATEST` pointer forward to `record`, never back: a day made late (a missed day run
 * by hand) is recorded, and the pointer stays on the later day.
 */
export async function advanceLatest(record: DigestRecord): Promise<void> {
  try {
    await newTx()
      .put(
        { ...digestKeys.latest, entity: "digest", ...record },
        {
          condition: "attribute_not_exists(pk) OR #date < :date",
          names: { "#date": "date" },
          values: { ":date": record.date },
          onFail: conflict(`a later digest than ${record.date} is the latest`),
        },
      )
      .commit();
  } catch (err) {
    if (!isDomainError(err, "conflict")) throw err;
  }
}
