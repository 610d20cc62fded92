import { addDays, localDay } from "@pencai/calendar/days";
import { isDomainError } from "@pencai/contracts/errors";
import { exportEntityNames } from "@pencai/contracts/exports";
import { now } from "@pencai/runtime/clock";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { ulid } from "ulid";
import { claimExport, runExport } from "../run.js";
import * as store from "../store.js";

// The export worker, started two ways:
// - by the table stream, on each export POST /v1/exports recorded as `queued` (infra filters
//   the stream to those INSERTs): it claims the export and runs it;
// - by the daily schedule (01:00 Asia/Shanghai; `/dev/run/exports` locally): it exports every
//   row that changed the day before, once per day however often it fires.

const SYSTEM = "system:exports-daily";

/** The daily export of the day before `at` (Asia/Shanghai); its id, or undefined if it ran. */
export async function daily(at: Date): Promise<{ exportId?: string; day: string }> {
  const day = addDays(localDay(at), -1);
  const exportId = ulid(at.getTime());
  const record = {
    exportId,
    status: "running" as const,
    entities: exportEntityNames,
    from: day,
    to: day,
    day,
    requestedAt: at.toISOString(),
    requestedBy: SYSTEM,
    files: [],
  };
  try {
    await store.putExport(store.claimDaily(store.newTx(), day, exportId), record).commit();
  } catch (err) {
    if (isDomainError(err, "conflict")) return { day };
    throw err;
  }
  await runExport(record, now);
  return { exportId, day };
}

const isStream = (e: unknown): e is DynamoDBStreamEvent =>
  Array.isArray((e as { Records?: unknown }).Records);

export const handler = async (event: unknown) => {
  if (!isStream(event)) return daily(now());
  for (const r of event.Records) {
    const id = r.dynamodb?.NewImage?.exportId?.S;
    if (!id) continue;
    const record = await claimExport(id);
    if (record) await runExport(record, now);
  }
  return {};
};
