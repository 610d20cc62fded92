import { currentCity } from "@pencai/config/current";
import { slaKinds } from "@pencai/contracts/approval-events";
import { retrying } from "@pencai/runtime/conflict";
import { dependsOnYear, dueBucket, nextActionAt, recomputed } from "../domain/timers.js";
import type { Timer } from "../domain/types.js";
import * as store from "../store.js";
import { calendarsFor, flagProvisional, yearsFrom } from "./common.js";

// Recomputing open deadlines when a year's calendar changes: the city's additions
// (`PUT /v1/calendar/{year}`, any open timer of the year) or a release of @pencai/calendar with
// a new official year (the sweeper notices; only provisional timers can change).

/**
 * Open timers of a year: gsi2 `open` partitions of every district and kind of the city (Query
 * only), filtered by `dependsOnYear`.
 */
async function openTimersOf(year: number): Promise<Timer[]> {
  const found: Timer[] = [];
  for (const d of currentCity().districts) {
    let cursor: string | undefined;
    do {
      const page = await store.querySla(d.id, slaKinds, ["open"], 100, cursor);
      found.push(...page.items.filter((t) => dependsOnYear(t, year)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return found;
}

/** Whether a recompute changed what the timer stores about its deadline. */
const deadlineChanged = (a: Timer, b: Timer) =>
  a.dueAt !== b.dueAt ||
  a.reminderAt !== b.reminderAt ||
  a.provisional !== b.provisional ||
  a.years.join() !== b.years.join();

/**
 * Gives each candidate timer that depends on one of `years` its new deadline (each its own
 * conditional write on the state read: a timer the sweep or a step changed meanwhile is re-read
 * and tried again), then lowers the sweeper's watermark once, to the earliest due bucket of those
 * timers. The bucket counts every candidate, changed now or not, so a repeat after a crash
 * between a timer write and the watermark still lowers it (a timer behind the watermark would
 * never be swept). Lowering below what the sweeper has to read is harmless: it re-advances.
 */
async function recomputeTimers(candidates: readonly Timer[], years: readonly number[]) {
  let changed = 0;
  let lowest: string | undefined;
  const relevant = (t: Timer) => years.some((y) => dependsOnYear(t, y));
  for (const first of candidates) {
    const done = await retrying(async () => {
      const t = await store.getTimer(first.proposalId, first.kind, first.round);
      if (!t || !relevant(t)) return undefined;
      const calendars = await calendarsFor(t.years.concat(yearsFrom(new Date(t.startedAt))));
      const next = recomputed(t, calendars);
      if (!deadlineChanged(t, next)) return { timer: t, changed: false };
      await store.putTimer(store.newTx(), { timer: next, previous: t }).commit();
      return { timer: next, changed: true };
    });
    if (!done) continue;
    if (done.changed) {
      changed++;
      flagProvisional([done.timer]);
    }
    const at = nextActionAt(done.timer);
    if (at && (lowest === undefined || dueBucket(at) < lowest)) lowest = dueBucket(at);
  }
  if (lowest !== undefined) await store.lowerWatermarkTo(lowest);
  return changed;
}

/** After the city's additions for `year` changed: every open timer of the year. */
export async function recomputeYear(year: number): Promise<number> {
  return recomputeTimers(await openTimersOf(year), [year]);
}

/**
 * After a release brought official data for `years`: the open provisional timers (gsi3) that
 * depend on them. Timers computed with official data are right already.
 */
export async function recomputeProvisional(years: readonly number[]): Promise<number> {
  return recomputeTimers(await store.provisionalTimers(), years);
}
