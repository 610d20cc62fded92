import { officialYears } from "@pencai/calendar";
import { conflict, isDomainError } from "@pencai/contracts/errors";
import { now as clock } from "@pencai/runtime/clock";
import { newEvents } from "@pencai/runtime/events";
import { logger } from "@pencai/runtime/logger";
import { ulid } from "ulid";
import { bucketsThrough, dueBucket, sweepTimer } from "../domain/timers.js";
import * as store from "../store.js";
import { countBreaches } from "./common.js";
import { recomputeProvisional } from "./recompute.js";

// The SLA sweeper (EventBridge schedule, `pencai:job = sla-sweep`): reads the due buckets from
// the watermark through now (gsi1 Query only: cost grows with the timers due, not open), and
// reminds or breaches each due timer exactly once: the timer write is conditional on the state
// read (remind: `#state = open AND attribute_not_exists(remindedAt)`; breach: `#state = open`)
// in the same transaction as the event's outbox item. A lost condition means another sweep (or
// a step) did it first: skipped, no event. A write that fails for another reason (throttling,
// a DynamoDB error) does not stop the sweep of the other timers: its bucket keeps the watermark,
// and the sweep fails at the end (after moving the watermark up to that bucket) so it is seen.

const system = { sub: "system:sla-sweep", roles: [] as string[] };

/** Without a watermark the first sweep looks back this far. */
const FIRST_LOOKBACK_MS = 7 * 24 * 3_600_000;

/** Thrown (and swallowed) when another writer changed the timer first. */
const alreadyDone = () => conflict("another writer acted on this timer first");

export interface SweepSummary {
  buckets: number;
  read: number;
  reminded: number;
  breached: number;
  skipped: number;
  /** timer writes that failed for another reason than "already done" (retried next sweep) */
  failed: number;
  watermark: string;
  /** official calendar years this sweep saw arrive (a release), and the deadlines it moved */
  officialYearsAdded?: number[];
  recomputed?: number;
}

/**
 * A release of @pencai/calendar with official data for a year that was provisional: its open
 * provisional timers get their official deadlines, once (the sweeper records the years it saw;
 * the first sweep ever checks every provisional timer against every official year).
 */
async function noticeCalendarRelease(): Promise<{ years: number[]; recomputed: number }> {
  const deployed = officialYears();
  const seen = await store.getOfficialYears();
  const added = seen ? deployed.filter((y) => !seen.includes(y)) : deployed;
  if (added.length === 0) return { years: [], recomputed: 0 };
  const recomputed = await recomputeProvisional(added);
  await store.putOfficialYears(deployed);
  logger.info("official calendar years arrived; provisional deadlines recomputed", {
    years: added,
    recomputed,
  });
  return { years: added, recomputed };
}

/**
 * The due buckets a sweep at `now` reads: from the watermark through now's. Without one (the
 * first sweep), or with one after now (the clock went back: the local cloud's /dev/clock, or
 * skew), it looks back 7 days rather than sweep nothing.
 */
export function bucketsToSweep(mark: store.Watermark | undefined, now: Date): string[] {
  const from =
    mark && mark.bucket <= dueBucket(now)
      ? new Date(`${mark.bucket}:00:00.000Z`)
      : new Date(now.getTime() - FIRST_LOOKBACK_MS);
  return bucketsThrough(from, now);
}

/** Timers acted on at once: a working day's end brings thousands due in the same minute. */
const PARALLEL = 16;

export async function sweep(now: Date): Promise<SweepSummary> {
  const release = await noticeCalendarRelease();
  const mark = await store.getWatermark();
  const buckets = bucketsToSweep(mark, now);
  const correlationId = `sla-sweep-${ulid(now.getTime())}`;
  const summary: SweepSummary = {
    buckets: buckets.length,
    read: 0,
    reminded: 0,
    breached: 0,
    skipped: 0,
    failed: 0,
    watermark: mark?.bucket ?? buckets[0] ?? dueBucket(now),
    ...(release.years.length > 0 && {
      officialYearsAdded: release.years,
      recomputed: release.recomputed,
    }),
  };
  let lowest: string | undefined;
  let firstError: unknown;
  for (const bucket of buckets) {
    const due = await store.dueTimers(bucket, now);
    summary.read += due.length;
    let left = false;
    const act = async (timer: (typeof due)[number]) => {
      const r = sweepTimer(timer, now);
      if (!r.event) {
        left = true; // a stale index copy; the next sweep sees the moved item
        return;
      }
      const tx = store.putTimer(store.newTx(), { timer: r.timer, previous: timer }, alreadyDone());
      for (const env of newEvents([r.event], {
        proposalId: timer.proposalId,
        communityId: timer.communityId,
        actor: system,
        correlationId,
        now,
      })) {
        tx.event(env);
      }
      try {
        await tx.commit();
      } catch (err) {
        left = true;
        if (isDomainError(err, "conflict")) {
          summary.skipped++;
        } else {
          summary.failed++;
          firstError ??= err;
          logger.error("sla sweep: timer write failed", {
            proposalId: timer.proposalId,
            kind: timer.kind,
            round: timer.round,
            error: err as Error,
          });
        }
        return;
      }
      if (r.event.type === "SlaBreached") summary.breached++;
      else summary.reminded++;
      countBreaches([r.event]);
    };
    for (let i = 0; i < due.length; i += PARALLEL) {
      await Promise.all(due.slice(i, i + PARALLEL).map(act));
    }
    // a bucket is done when nothing was left and it holds no later timer; the current hour's
    // bucket always stays (timers keep arriving in it)
    if (
      lowest === undefined &&
      (left || bucket === dueBucket(now) || (await store.bucketHasTimers(bucket)))
    ) {
      lowest = bucket;
    }
  }
  const next = lowest ?? buckets.at(-1) ?? dueBucket(now);
  if (next !== mark?.bucket) {
    try {
      await store.advanceWatermark(store.newTx(), mark, next).commit();
      summary.watermark = next;
    } catch (err) {
      if (!isDomainError(err, "conflict")) throw err;
    }
  }
  logger.info("sla sweep", { ...summary });
  if (firstError !== undefined) {
    throw new Error(`sla sweep: ${summary.failed} timer write(s) failed`, { cause: firstError });
  }
  return summary;
}

// Breaches are counted with metrics.singleMetric(), which publishes at once: nothing is left
// to flush at the end (a flush of nothing would log a warning every minute).
export const handler = async (): Promise<SweepSummary> => sweep(clock());
