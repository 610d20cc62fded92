import { localDay } from "@pencai/calendar/days";
import { digestKey } from "@pencai/contracts/digest";
import { now } from "@pencai/runtime/clock";
import { logger } from "@pencai/runtime/logger";
import * as store from "../digest-store.js";
import { buildDigest, digestSummary } from "../domain/digest.js";

// The daily digest (EventBridge schedule, `pencai:job = digest`; `POST /dev/run/digest`
// locally): every public proposal's timeline head into a Merkle tree, the whole document to the
// object-locked bucket, its summary to the table. Once per day (Asia/Shanghai) however often it
// fires: a day already recorded is answered as it is; a document already in the bucket (a run
// that stopped before recording it) is recorded as it is, never replaced.

export async function runDigest(at: Date) {
  const date = localDay(at);
  const recorded = await store.getDigestRecord(date);
  if (recorded) {
    await store.advanceLatest(recorded); // a run that stopped before moving the pointer
    return { written: false, ...digestSummary(recorded) };
  }

  let doc = await buildDigest(await store.timelineHeads(), date, at.toISOString());
  const written = await store.putDigestDocument(doc);
  if (!written) {
    const first = await store.getDigestDocument(date);
    if (!first) throw new Error(`digest ${date}: the bucket refused the write but has no document`);
    doc = first;
  }
  const record = { ...digestSummary(doc), key: digestKey(date) };
  await store.recordDigest(record);
  await store.advanceLatest(record);
  logger.info("digest", { date, root: doc.root, count: doc.count, written });
  return { written, ...digestSummary(doc) };
}

export const handler = async () => runDigest(now());
