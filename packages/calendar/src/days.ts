/**
 * Calendar days (`YYYY-MM-DD`) and their relation to instants in a time zone.
 * Days are handled as epoch-day numbers (days since 1970-01-01) internally.
 */

export type Day = string;

const MS_PER_DAY = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

/** Epoch-day number of a `YYYY-MM-DD` day; throws RangeError for anything else. */
export function dayNumber(day: Day): number {
  const m = DAY_RE.exec(day);
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    // round-trips only for real dates (rejects 2026-02-30)
    if (dayFromNumber(ms / MS_PER_DAY) === day) return ms / MS_PER_DAY;
  }
  throw new RangeError(`not a calendar day YYYY-MM-DD: ${JSON.stringify(day)}`);
}

export function dayFromNumber(n: number): Day {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isDay(value: unknown): value is Day {
  if (typeof value !== "string") return false;
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

export const yearOf = (day: Day): number => Number(day.slice(0, 4));

/** Day of week, 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (day: Day): number => (dayNumber(day) + 4) % 7;

export const isWeekend = (day: Day): boolean => {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
};

export const addDays = (day: Day, n: number): Day => dayFromNumber(dayNumber(day) + n);

// ---- time zones ----------------------------------------------------------------------------

/** Zones on China Standard Time (UTC+8, no DST since 1991) are computed without Intl. */
const CST_ZONES = new Set([
  "Asia/Shanghai",
  "Asia/Chongqing",
  "Asia/Chungking",
  "Asia/Harbin",
  "PRC",
]);
const CST_OFFSET_MS = 8 * 3_600_000;
const OFFSET_RE = /^([+-])(\d{2}):(\d{2})$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** UTC offset (ms) of `tz` at instant `ms`: an IANA zone name or a fixed "+08:00" offset. */
function offsetMs(tz: string, ms: number): number {
  if (CST_ZONES.has(tz)) return CST_OFFSET_MS;
  const fixed = OFFSET_RE.exec(tz);
  if (fixed)
    return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, // throws RangeError for an unknown zone
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

function checkInstant(at: Date): number {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new RangeError("invalid Date");
  return ms;
}

/** The local calendar day of an instant in `tz`. */
export function localDay(at: Date, tz: string = DEFAULT_TIME_ZONE): Day {
  const ms = checkInstant(at);
  return dayFromNumber(Math.floor((ms + offsetMs(tz, ms)) / MS_PER_DAY));
}

/** The instant a local day starts (00:00 local) in `tz`. */
export function startOfDay(day: Day, tz: string = DEFAULT_TIME_ZONE): Date {
  const local = dayNumber(day) * MS_PER_DAY;
  // two refinements settle the offset even across a DST change
  let utc = local - offsetMs(tz, local);
  utc = local - offsetMs(tz, utc);
  return new Date(utc);
}

/** The instant a local day ends (24:00 local = 00:00 of the next day) in `tz`. */
export const endOfDay = (day: Day, tz: string = DEFAULT_TIME_ZONE): Date =>
  startOfDay(addDays(day, 1), tz);
