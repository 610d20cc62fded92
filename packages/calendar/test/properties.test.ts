import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  calendarsFrom,
  isWorkingDay,
  localDay,
  reminderAt,
  workingDaysBetween,
  yearsTouched,
} from "../src/index.js";

// 2024-01-01 .. 2027-12-31 local: three official years and one provisional year
const instant = fc.date({
  min: new Date("2023-12-31T16:00:00Z"),
  max: new Date("2027-12-31T15:59:59Z"),
  noInvalidDate: true,
});
const count = fc.integer({ min: 0, max: 40 });

// random city additions for 2025 and 2026 exercise more shapes than the official data alone
const day2026 = fc
  .integer({ min: 0, max: 364 })
  .map((i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
const additions = fc.record({
  holidays: fc.array(day2026, { maxLength: 20 }),
  workdays: fc.array(day2026, { maxLength: 10 }),
});
const calendars = additions.map((a) => calendarsFrom({ "2026": a }));

const cal = (cals: ReturnType<typeof calendarsFrom>, day: string) => cals(Number(day.slice(0, 4)));

describe("working-day arithmetic properties", () => {
  it("adding n then counting back gives n", () => {
    fc.assert(
      fc.property(instant, count, calendars, (start, n, cals) => {
        const d = addWorkingDays(start, n, cals);
        expect(workingDaysBetween(localDay(start), d.dueDay, cals)).toBe(n);
      }),
    );
  });

  it("deadlines never land on a day off, and end at 24:00 local", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 40 }), calendars, (start, n, cals) => {
        const d = addWorkingDays(start, n, cals);
        expect(isWorkingDay(d.dueDay, cal(cals, d.dueDay))).toBe(true);
        expect(localDay(new Date(d.dueAt.getTime() - 1))).toBe(d.dueDay);
        expect(localDay(d.dueAt)).not.toBe(d.dueDay);
        expect(d.dueAt.getTime()).toBeGreaterThan(start.getTime());
      }),
    );
  });

  it("is monotonic in the start time and in n", () => {
    fc.assert(
      fc.property(instant, instant, count, calendars, (a, b, n, cals) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(addWorkingDays(early, n, cals).dueAt.getTime()).toBeLessThanOrEqual(
          addWorkingDays(late, n, cals).dueAt.getTime(),
        );
        expect(addWorkingDays(early, n, cals).dueAt.getTime()).toBeLessThan(
          addWorkingDays(early, n + 1, cals).dueAt.getTime(),
        );
      }),
    );
  });

  it("the reminder is strictly before the deadline, one working day earlier, at a working day's end", () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 40 }), calendars, (start, n, cals) => {
        const due = addWorkingDays(start, n, cals);
        const remind = reminderAt(start, n, cals);
        expect(remind.getTime()).toBeLessThan(due.dueAt.getTime());
        const remindDay = localDay(new Date(remind.getTime() - 1));
        expect(workingDaysBetween(remindDay, due.dueDay, cals)).toBe(1);
        // for n >= 2 the reminder is the end of a working day; for n = 1 it is the end of the
        // filing day, which may itself be a day off
        if (n >= 2) expect(isWorkingDay(remindDay, cal(cals, remindDay))).toBe(true);
        else expect(remindDay).toBe(localDay(start));
      }),
    );
  });

  it("provisional exactly when a day after the filing day up to the due day is after 2026", () => {
    fc.assert(
      fc.property(instant, count, (start, n) => {
        const d = addWorkingDays(start, n, calendarsFrom());
        const years = yearsTouched(start, d.dueAt);
        const consultedLater = n > 0 && Number(d.dueDay.slice(0, 4)) >= 2027;
        expect(d.provisional).toBe(consultedLater);
        expect(years[years.length - 1]).toBe(Number(d.dueDay.slice(0, 4)));
        expect(years[0]).toBe(Number(localDay(start).slice(0, 4)));
      }),
    );
  });
});
