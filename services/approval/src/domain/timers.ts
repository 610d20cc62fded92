import { addWorkingDays, type Calendars, reminderAt, yearsTouched } from "@pencai/calendar";
import type { SlaBreachedData, SlaReminderData } from "@pencai/contracts/approval-events";
import type {
  InspectionFindingData,
  RectificationCompletedData,
} from "@pencai/contracts/oversight-events";
import type { DomainEvent, SlaKind, Timer } from "./types.js";

/**
 * SLA timers ("the district reviews within 5 working days, finance disburses within 15").
 *
 * - Deadline: `dueAt` = 24:00 Asia/Shanghai of the n-th working day after the start day
 *   (`@pencai/calendar`). Stopping at or before `dueAt` is **met**; the first instant after it,
 *   `breachAt = dueAt + 1 ms`, the timer is late.
 * - Reminder: at `reminderAt` (one working day before `dueAt`), at most once, and only while the
 *   breach is not yet due: a sweep that finds both due emits only the breach (a reminder after
 *   the deadline reminds nobody of anything).
 * - Breach: at most once, recorded by whichever comes first: the sweep (`breach`) or a late stop
 *   (`stopTimer` after `dueAt`, which then emits SlaBreached itself). Either way the transition
 *   `open -> breached` happens once, conditional on `state = open` in the store.
 * - `met`, `breached` and `cancelled` are final: nothing changes them again (a stop of a breached
 *   timer only records `stoppedAt`, once).
 * - Withdrawal cancels an open timer before its deadline (`cancelled`: neither met nor
 *   breached); after its deadline the government was already late: `breached`.
 */

export interface TimerOwner {
  proposalId: string;
  communityId: string;
  districtId: string;
  round?: number;
}

export function startTimer(
  owner: TimerOwner,
  kind: SlaKind,
  startedAt: Date,
  workingDays: number,
  calendars: Calendars,
): Timer {
  return {
    proposalId: owner.proposalId,
    communityId: owner.communityId,
    districtId: owner.districtId,
    kind,
    round: owner.round ?? 1,
    state: "open",
    workingDays,
    startedAt: startedAt.toISOString(),
    ...deadlineOf(startedAt, workingDays, calendars),
  };
}

function deadlineOf(startedAt: Date, workingDays: number, calendars: Calendars) {
  const due = addWorkingDays(startedAt, workingDays, calendars);
  return {
    dueAt: due.dueAt.toISOString(),
    reminderAt: reminderAt(startedAt, workingDays, calendars).toISOString(),
    provisional: due.provisional,
    years: yearsTouched(startedAt, due.dueAt),
  };
}

/** The first instant at which the timer is late (stopping at `dueAt` itself is met). */
export const breachAt = (t: Pick<Timer, "dueAt">): string =>
  new Date(Date.parse(t.dueAt) + 1).toISOString();

/**
 * When the sweep must next look at the timer: `reminderAt` until reminded, then `breachAt`;
 * `undefined` once it is no longer open (nothing left to do: the store drops it from the index).
 */
export function nextActionAt(t: Timer): string | undefined {
  if (t.state !== "open") return undefined;
  return t.remindedAt === undefined ? t.reminderAt : breachAt(t);
}

export type SweepAction = "remind" | "breach" | "none";

/** What a sweep at `now` does with the timer (each action at most once, see the file comment). */
export function sweepDecision(t: Timer, now: Date): SweepAction {
  if (t.state !== "open") return "none";
  const at = now.getTime();
  if (at >= Date.parse(breachAt(t))) return "breach";
  if (t.remindedAt === undefined && at >= Date.parse(t.reminderAt)) return "remind";
  return "none";
}

export interface SweepResult {
  timer: Timer;
  event?: DomainEvent;
}

/** Applies a sweep's action: the updated timer and its event (none for `none`). */
export function applySweep(t: Timer, action: SweepAction, now: Date): SweepResult {
  const at = now.toISOString();
  if (action === "remind") {
    const timer: Timer = { ...t, remindedAt: at };
    return { timer, event: { type: "SlaReminder", data: reminderData(timer, at) } };
  }
  if (action === "breach") {
    const timer: Timer = { ...t, state: "breached", breachedAt: at };
    return { timer, event: { type: "SlaBreached", data: breachedData(timer, at) } };
  }
  return { timer: t };
}

/** A sweep of one timer: decide, then apply. */
export const sweepTimer = (t: Timer, now: Date): SweepResult =>
  applySweep(t, sweepDecision(t, now), now);

/**
 * Stops the timer because the step was done at `at`: met iff `at ≤ dueAt`. A timer still open
 * after its deadline becomes breached here (with its SlaBreached: the sweep has not run yet). A
 * timer that is no longer open keeps its state; a breached one records `stoppedAt` once.
 */
export function stopTimer(t: Timer, at: Date): SweepResult {
  return finish(t, at, "completed");
}

/** The proposal was withdrawn at `at`: cancelled before the deadline, breached after it. */
export function cancelTimer(t: Timer, at: Date): SweepResult {
  return finish(t, at, "withdrawn");
}

function finish(t: Timer, at: Date, reason: "completed" | "withdrawn"): SweepResult {
  const iso = at.toISOString();
  if (t.state === "breached") {
    return t.stoppedAt ? { timer: t } : { timer: { ...t, stoppedAt: iso, stopReason: reason } };
  }
  if (t.state !== "open") return { timer: t };
  const stopped = { ...t, stoppedAt: iso, stopReason: reason };
  if (at.getTime() <= Date.parse(t.dueAt)) {
    return { timer: { ...stopped, state: reason === "completed" ? "met" : "cancelled" } };
  }
  const timer: Timer = { ...stopped, state: "breached", breachedAt: iso };
  return { timer, event: { type: "SlaBreached", data: breachedData(timer, iso) } };
}

/**
 * A failed sampling-inspection finding starts a rectification timer (整改), watched like the
 * others: it starts at the finding and runs the working days the finding gives (the due time is
 * computed here, with the effective calendars, like every other deadline). One per inspection
 * and proposal, numbered after the proposal's earlier ones; a passed finding starts nothing.
 */
export function startRectification(
  f: InspectionFindingData,
  existing: readonly Timer[],
  calendars: Calendars,
): Timer | undefined {
  if (f.passed || f.rectifyWorkingDays === undefined) return undefined;
  const rectifications = existing.filter((t) => t.kind === "rectification");
  if (rectifications.some((t) => t.inspectionId === f.inspectionId)) return undefined;
  const timer = startTimer(
    { ...f, round: rectifications.length + 1 },
    "rectification",
    new Date(f.recordedAt),
    f.rectifyWorkingDays,
    calendars,
  );
  return { ...timer, inspectionId: f.inspectionId };
}

/** The street reported the finding rectified: its timer stops (met iff on time). */
export function stopRectification(
  r: RectificationCompletedData,
  existing: readonly Timer[],
): SweepResult | undefined {
  const t = existing.find((x) => x.kind === "rectification" && x.inspectionId === r.inspectionId);
  return t && stopTimer(t, new Date(r.completedAt));
}

export interface Recomputed {
  dueAt: string;
  reminderAt: string;
  provisional: boolean;
  years: number[];
}

/**
 * New deadline of an open timer after a year's calendar changed (official data arrived, or the
 * city's additions changed): same start and working days. `undefined` for a timer that is no
 * longer open (final states never change). The sweep then acts on the new times: a reminder
 * already sent is not sent again; a deadline moved into the past breaches at the next sweep.
 */
export function recompute(t: Timer, calendars: Calendars): Recomputed | undefined {
  if (t.state !== "open") return undefined;
  return deadlineOf(new Date(t.startedAt), t.workingDays, calendars);
}

/** The timer with its recomputed deadline (unchanged when not open). */
export function recomputed(t: Timer, calendars: Calendars): Timer {
  const r = recompute(t, calendars);
  return r ? { ...t, ...r } : t;
}

/** Whether the timer depends on `year`'s calendar and is still open (recompute candidates). */
export const dependsOnYear = (t: Timer, year: number) =>
  t.state === "open" && t.years.includes(year);

// ---------------------------------------------------------------- index keys

/** The hour bucket of an instant, `YYYY-MM-DDTHH` (UTC). */
export const dueBucket = (at: Date | string): string =>
  (typeof at === "string" ? new Date(at) : at).toISOString().slice(0, 13);

const HOUR = 3_600_000;

/**
 * The buckets a sweep at `now` reads, oldest first: from `from`'s bucket (the sweeper's
 * watermark: the oldest bucket that may still hold a timer) through `now`'s. At most `max`.
 */
export function bucketsThrough(from: Date, now: Date, max = 24 * 31): string[] {
  const buckets: string[] = [];
  const start = Math.floor(from.getTime() / HOUR) * HOUR;
  for (let t = start; t <= now.getTime() && buckets.length < max; t += HOUR) {
    buckets.push(dueBucket(new Date(t)));
  }
  return buckets;
}

/**
 * The due-time index of a timer (gsi1): `gsi1pk = DUE#<bucket of nextActionAt>`, `gsi1sk =
 * <nextActionAt>#<proposalId>#<kind>`; `undefined` = remove both attributes (nothing left to
 * do), so the index holds only timers with a pending action.
 */
export function dueIndex(t: Timer): { gsi1pk: string; gsi1sk: string } | undefined {
  const next = nextActionAt(t);
  if (next === undefined) return undefined;
  return { gsi1pk: `DUE#${dueBucket(next)}`, gsi1sk: `${next}#${t.proposalId}#${t.kind}` };
}

/** The SLA list index (gsi2): by district, kind and state, newest deadline last. */
export function slaIndex(t: Timer): { gsi2pk: string; gsi2sk: string } {
  return {
    gsi2pk: `SLA#${t.districtId}#${t.kind}#${t.state}`,
    gsi2sk: `${t.dueAt}#${t.proposalId}#${t.round}`,
  };
}

/**
 * The provisional index (gsi3, sparse): open timers whose deadline depends on a year without
 * official data. Few at any time (those started late in a year before the next year's schedule
 * is published), so a new calendar release recomputes them without reading every open timer.
 */
export function provisionalIndex(t: Timer): { gsi3pk: string; gsi3sk: string } | undefined {
  if (t.state !== "open" || !t.provisional) return undefined;
  return {
    gsi3pk: "PROVISIONAL",
    gsi3sk: `${t.dueAt}#${t.proposalId}#${t.kind}#${t.round}`,
  };
}

// ---------------------------------------------------------------- events

function facts(t: Timer) {
  return {
    proposalId: t.proposalId,
    communityId: t.communityId,
    districtId: t.districtId,
    kind: t.kind,
    round: t.round,
    startedAt: t.startedAt,
    dueAt: t.dueAt,
    provisional: t.provisional,
    ...(t.inspectionId && { inspectionId: t.inspectionId }),
  };
}

const reminderData = (t: Timer, remindedAt: string): SlaReminderData => ({
  ...facts(t),
  remindedAt,
});
const breachedData = (t: Timer, breachedAt: string): SlaBreachedData => ({
  ...facts(t),
  breachedAt,
});
