/**
 * `AWS::Events::Rule` schedules: `rate(...)` and `cron(...)` (UTC, AWS's six fields).
 * `PENCAI_SCHEDULE_SCALE` (e.g. 60) runs schedules that many times faster. A run never
 * overlaps the previous run of the same rule.
 */

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds between runs of `rate(5 minutes)`. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[(m[2] as string).replace(/s$/, "")] as number);
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function field(
  spec: string,
  min: number,
  max: number,
  names?: string[],
  offset = 0,
): Set<number> | null {
  if (spec === "*" || spec === "?") return null; // any
  const out = new Set<number>();
  for (const part of spec.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const value = (s: string) => {
      const i = names?.indexOf(s.toUpperCase()) ?? -1;
      const n = i >= 0 ? i + offset : Number(s);
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(`cron field value "${s}" not supported`);
      return n;
    };
    let lo: number;
    let hi: number;
    if (range === "*") [lo, hi] = [min, max];
    else if (range?.includes("-")) {
      const [a, b] = range.split("-");
      [lo, hi] = [value(a as string), value(b as string)];
    } else {
      lo = value(range as string);
      hi = stepText === undefined ? lo : max;
    }
    if (!Number.isInteger(step) || step < 1)
      throw new Error(`cron step "${stepText}" not supported`);
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

export interface Cron {
  next(after: Date): Date;
}

/** `cron(0 18 ? * MON-FRI *)` (minutes hours day-of-month month day-of-week year, UTC). */
export function parseCron(expression: string): Cron | undefined {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const parts = (m[1] as string).trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`cron needs 6 fields: ${expression}`);
  const [mi, h, dom, mon, dow, yr] = parts as [string, string, string, string, string, string];
  const minutes = field(mi, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12, MONTHS, 1);
  const weekdays = field(dow, 1, 7, DAYS, 1); // AWS: 1 = SUN
  const years = field(yr, 1970, 2199);
  const has = (s: Set<number> | null, n: number) => s === null || s.has(n);
  return {
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      for (let guard = 0; guard < 5 * 366 * 24 * 60; guard++) {
        const dayOk =
          has(years, t.getUTCFullYear()) &&
          has(months, t.getUTCMonth() + 1) &&
          has(days, t.getUTCDate()) &&
          has(weekdays, t.getUTCDay() + 1);
        if (!dayOk) {
          t.setUTCHours(0, 0, 0, 0);
          t.setUTCDate(t.getUTCDate() + 1);
          continue;
        }
        if (!has(hours, t.getUTCHours())) {
          t.setUTCMinutes(0);
          t.setUTCHours(t.getUTCHours() + 1);
          continue;
        }
        if (has(minutes, t.getUTCMinutes())) return t;
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      throw new Error(`cron never fires: ${expression}`);
    },
  };
}

/** Delay in ms until the next run of a schedule expression, divided by `scale`. */
export function nextDelayMs(expression: string, now: Date, scale = 1): number {
  const rate = rateMs(expression);
  if (rate !== undefined) return rate / scale;
  const cron = parseCron(expression);
  if (cron) return (cron.next(now).getTime() - now.getTime()) / scale;
  throw new Error(`unsupported schedule expression ${expression}`);
}

export interface ScheduledJob {
  id: string;
  expression: string;
  run(): Promise<unknown>;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private stopped = false;

  constructor(
    private readonly jobs: ScheduledJob[],
    private readonly opts: { scale?: number; onError?: (id: string, e: unknown) => void } = {},
  ) {}

  start(): void {
    for (const job of this.jobs) this.arm(job);
  }

  private arm(job: ScheduledJob): void {
    if (this.stopped) return;
    const delay = Math.max(10, nextDelayMs(job.expression, new Date(), this.opts.scale ?? 1));
    const timer = setTimeout(
      async () => {
        if (!this.running.has(job.id)) {
          this.running.add(job.id);
          try {
            await job.run();
          } catch (e) {
            this.opts.onError?.(job.id, e);
          } finally {
            this.running.delete(job.id);
          }
        }
        this.arm(job);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.unref();
    this.timers.set(job.id, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
