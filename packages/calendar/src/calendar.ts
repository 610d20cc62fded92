import {
  addDays,
  type Day,
  DEFAULT_TIME_ZONE,
  dayNumber,
  endOfDay,
  isWeekend,
  localDay,
  yearOf,
} from "./days.js";
import { officialData } from "./official-data.js";

/** Local days added to the official calendar (a city file's `calendar[year]` or a runtime PUT). */
export interface CalendarAdditions {
  readonly holidays?: readonly Day[];
  readonly workdays?: readonly Day[];
}

export interface OfficialCalendar {
  year: number;
  /** days off: statutory holidays and the weekend days inside their ranges */
  holidays: Day[];
  /** make-up working days (调休上班) */
  workdays: Day[];
  /** true when the State Council has not published this year (weekends only) */
  provisional: boolean;
  /** the notice the year's schedule comes from */
  source?: string;
}

export interface EffectiveCalendar {
  year: number;
  holidays: Day[];
  workdays: Day[];
  provisional: boolean;
}

/** Resolves the effective calendar of any year, so arithmetic can cross year boundaries. */
export type Calendars = (year: number) => EffectiveCalendar;

export interface Deadline {
  /** 24:00 local of `dueDay` */
  dueAt: Date;
  dueDay: Day;
  /** true if any day consulted lies in a provisional year (no official data yet) */
  provisional: boolean;
}

/** Years with official data, ascending. */
export function officialYears(): number[] {
  return Object.keys(officialData)
    .map(Number)
    .sort((a, b) => a - b);
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new RangeError(`not a year: ${year}`);
}

export function officialCalendar(year: number): OfficialCalendar {
  checkYear(year);
  const data = officialData[year];
  if (!data) return { year, holidays: [], workdays: [], provisional: true };
  return {
    year,
    holidays: [...data.holidays],
    workdays: [...data.workdays],
    provisional: false,
    source: data.source,
  };
}

function checkDayIn(year: number, day: Day): void {
  dayNumber(day);
  if (yearOf(day) !== year) throw new RangeError(`${day} is not in ${year}`);
}

/**
 * Official calendar of `year` plus additions, applied in order (later ones win: a day added as
 * a workday leaves the holidays and vice versa; within one addition holidays apply first).
 * Additions never make a provisional year official.
 */
export function effectiveCalendar(
  year: number,
  additions: readonly (CalendarAdditions | undefined)[] = [],
): EffectiveCalendar {
  const official = officialCalendar(year);
  const holidays = new Set(official.holidays);
  const workdays = new Set(official.workdays);
  for (const a of additions) {
    for (const d of a?.holidays ?? []) {
      checkDayIn(year, d);
      workdays.delete(d);
      holidays.add(d);
    }
    for (const d of a?.workdays ?? []) {
      checkDayIn(year, d);
      holidays.delete(d);
      workdays.add(d);
    }
  }
  return {
    year,
    holidays: [...holidays].sort(),
    workdays: [...workdays].sort(),
    provisional: official.provisional,
  };
}

/**
 * A memoising `Calendars` resolver from layers of additions keyed by year (e.g. the city file's
 * `calendar` record, then the runtime additions); later layers win.
 */
export function calendarsFrom(
  ...layers: readonly (Readonly<Record<string, CalendarAdditions | undefined>> | undefined)[]
): Calendars {
  const cache = new Map<number, EffectiveCalendar>();
  return (year) => {
    let cal = cache.get(year);
    if (!cal) {
      cal = effectiveCalendar(
        year,
        layers.map((l) => l?.[String(year)]),
      );
      cache.set(year, cal);
    }
    return cal;
  };
}

const lookups = new WeakMap<EffectiveCalendar, { holidays: Set<Day>; workdays: Set<Day> }>();

/** Whether `day` is a working day under `cal` (which must be the calendar of the day's year). */
export function isWorkingDay(day: Day, cal: EffectiveCalendar): boolean {
  if (yearOf(day) !== cal.year) throw new RangeError(`${day} is not in ${cal.year}`);
  let sets = lookups.get(cal);
  if (!sets) {
    sets = { holidays: new Set(cal.holidays), workdays: new Set(cal.workdays) };
    lookups.set(cal, sets);
  }
  if (sets.workdays.has(day)) return true;
  if (sets.holidays.has(day)) return false;
  return !isWeekend(day);
}

/** Longest run of days off tolerated before giving up (a misconfigured calendar). */
const MAX_DAYS_OFF_RUN = 3_660;

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`working days must be a non-negative integer: ${n}`);
}

/** The n-th working day after `day` (n = 0: `day` itself), and whether a provisional year was consulted. */
function nthWorkingDayAfter(
  day: Day,
  n: number,
  calendars: Calendars,
): { day: Day; provisional: boolean } {
  checkCount(n);
  let provisional = false;
  let cal: EffectiveCalendar | undefined;
  let run = 0;
  for (let count = 0; count < n; ) {
    day = addDays(day, 1);
    const year = yearOf(day);
    if (cal?.year !== year) {
      cal = calendars(year);
      if (cal.year !== year) throw new RangeError(`calendars(${year}) returned ${cal.year}`);
      provisional ||= cal.provisional;
    }
    if (isWorkingDay(day, cal)) {
      count++;
      run = 0;
    } else if (++run > MAX_DAYS_OFF_RUN) {
      throw new RangeError(`no working day for ${MAX_DAYS_OFF_RUN} days after ${day}`);
    }
  }
  return { day, provisional };
}

/**
 * The deadline of n working days for something filed at `start`: period counting excludes the
 * filing day D (any time of D, local), so it is due at 24:00 local of the n-th working day after D.
 * n = 0 is due at the end of D itself.
 */
export function addWorkingDays(
  start: Date,
  n: number,
  calendars: Calendars,
  tz: string = DEFAULT_TIME_ZONE,
): Deadline {
  const { day, provisional } = nthWorkingDayAfter(localDay(start, tz), n, calendars);
  return { dueAt: endOfDay(day, tz), dueDay: day, provisional };
}

/**
 * When to remind: one working day before the deadline, i.e. 24:00 local of the (n-1)-th working
 * day after the filing day (for n = 1, the end of the filing day itself). Requires n ≥ 1.
 */
export function reminderAt(
  start: Date,
  n: number,
  calendars: Calendars,
  tz: string = DEFAULT_TIME_ZONE,
): Date {
  checkCount(n);
  if (n < 1) throw new RangeError("a reminder needs at least 1 working day");
  return addWorkingDays(start, n - 1, calendars, tz).dueAt;
}

/** Working days in (from, to]; negative (the count in (to, from]) when `to` is before `from`. */
export function workingDaysBetween(from: Day, to: Day, calendars: Calendars): number {
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (b < a) return -workingDaysBetween(to, from, calendars);
  let count = 0;
  let cal: EffectiveCalendar | undefined;
  for (let day = from; day !== to; ) {
    day = addDays(day, 1);
    const year = yearOf(day);
    if (cal?.year !== year) cal = calendars(year);
    if (isWorkingDay(day, cal)) count++;
  }
  return count;
}

/**
 * Years whose calendar a deadline from `start` to `dueAt` depends on (local years of the filing
 * day through the due day), so a service can recompute open deadlines when a year's data arrives.
 */
export function yearsTouched(start: Date, dueAt: Date, tz: string = DEFAULT_TIME_ZONE): number[] {
  const first = yearOf(localDay(start, tz));
  // dueAt is 24:00 of the due day, i.e. the first instant of the next day
  const last = yearOf(localDay(new Date(dueAt.getTime() - 1), tz));
  const years: number[] = [];
  for (let y = first; y <= last; y++) years.push(y);
  return years;
}
