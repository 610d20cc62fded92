import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  type Calendars,
  calendarsFrom,
  effectiveCalendar,
  isWorkingDay,
  localDay,
  reminderAt,
  workingDaysBetween,
  yearsTouched,
} from "../src/index.js";

const official: Calendars = calendarsFrom();
/** An instant given as Beijing wall-clock time. */
const cst = (local: string) => new Date(`${local}+08:00`);

describe("addWorkingDays on the official calendar", () => {
  it("a report on the last working day before National Day 2025 lands after the holiday", () => {
    // Filed Tue 2025-09-30 (D, not counted). Oct 1-8 off (国庆+中秋), Sat Oct 11 a make-up day.
    // 1: Thu Oct 9, 2: Fri Oct 10, 3: Sat Oct 11 (调休), 4: Mon Oct 13, 5: Tue Oct 14.
    const d = addWorkingDays(cst("2025-09-30T17:30:00"), 5, official);
    expect(d.dueDay).toBe("2025-10-14");
    expect(d.dueAt.toISOString()).toBe("2025-10-14T16:00:00.000Z"); // 24:00 +08:00
    expect(d.provisional).toBe(false);
    // reminder one working day earlier: end of Mon Oct 13
    expect(reminderAt(cst("2025-09-30T17:30:00"), 5, official).toISOString()).toBe(
      "2025-10-13T16:00:00.000Z",
    );
  });

  it("National Day 2026 with the make-up Saturday Oct 10", () => {
    // Filed Wed 2026-09-30. Oct 1-7 off. 1: Thu Oct 8, 2: Fri Oct 9, 3: Sat Oct 10 (调休),
    // 4: Mon Oct 12, 5: Tue Oct 13.
    expect(addWorkingDays(cst("2026-09-30T09:00:00"), 5, official).dueDay).toBe("2026-10-13");
  });

  it("a deadline crossing the make-up Sunday 2026-09-20 counts it", () => {
    // Filed Thu 2026-09-17. 1: Fri 18, (Sat 19 off), 2: Sun 20 (调休), 3: Mon 21, 4: Tue 22,
    // 5: Wed 23.
    expect(addWorkingDays(cst("2026-09-17T10:00:00"), 5, official).dueDay).toBe("2026-09-23");
    // without the make-up day it would have been Thu 24
  });

  it("Spring Festival 2026 (Feb 15-23 off, make-up Saturdays Feb 14 and 28)", () => {
    // Filed Fri 2026-02-13. 1: Sat Feb 14 (调休), then Feb 15-23 off, 2: Tue 24, 3: Wed 25,
    // 4: Thu 26, 5: Fri 27.
    expect(addWorkingDays(cst("2026-02-13T15:00:00"), 5, official).dueDay).toBe("2026-02-27");
    // 15 working days: ... 5: Fri 27, 6: Sat 28 (调休), 7: Mon Mar 2 ... 15: Thu Mar 12.
    expect(addWorkingDays(cst("2026-02-13T15:00:00"), 15, official).dueDay).toBe("2026-03-12");
  });

  it("Spring Festival 2025 (Jan 28-Feb 4 off, make-up Jan 26 Sun and Feb 8 Sat)", () => {
    // Filed Fri 2025-01-24. 1: Sun Jan 26 (调休), 2: Mon 27, then off to Feb 4, 3: Wed Feb 5,
    // 4: Thu 6, 5: Fri 7.
    expect(addWorkingDays(cst("2025-01-24T11:00:00"), 5, official).dueDay).toBe("2025-02-07");
  });

  it("a filing on a holiday or weekend starts counting on the next working day", () => {
    // Filed on National Day Thu 2026-10-01: 1: Thu Oct 8, 2: Fri 9, 3: Sat 10, 4: Mon 12, 5: Tue 13.
    expect(addWorkingDays(cst("2026-10-01T12:00:00"), 5, official).dueDay).toBe("2026-10-13");
    // Filed Sat 2026-11-21: 1: Mon 23 ... 5: Fri 27.
    expect(addWorkingDays(cst("2026-11-21T12:00:00"), 5, official).dueDay).toBe("2026-11-27");
  });

  it("the filing day D is the local (Beijing) day: 23:59 vs 00:00", () => {
    // 23:59 on Thu 2026-11-19 local (15:59Z): D = Nov 19, 1 WD -> Fri Nov 20.
    const late = cst("2026-11-19T23:59:59.999");
    expect(localDay(late)).toBe("2026-11-19");
    expect(addWorkingDays(late, 1, official).dueDay).toBe("2026-11-20");
    // 00:00 on Fri 2026-11-20 local (16:00Z the previous UTC day): D = Nov 20, 1 WD -> Mon Nov 23.
    const midnight = cst("2026-11-20T00:00:00");
    expect(midnight.toISOString()).toBe("2026-11-19T16:00:00.000Z");
    expect(localDay(midnight)).toBe("2026-11-20");
    expect(addWorkingDays(midnight, 1, official).dueDay).toBe("2026-11-23");
    // a different time zone changes D
    expect(addWorkingDays(midnight, 1, official, "UTC").dueDay).toBe("2026-11-20");
    expect(addWorkingDays(midnight, 1, official, "UTC").dueAt.toISOString()).toBe(
      "2026-11-21T00:00:00.000Z",
    );
  });

  it("crosses into a provisional year (2027: weekends only) and says so", () => {
    // Filed Wed 2026-12-30. 1: Thu Dec 31, 2: Fri 2027-01-01 (no official New Year data yet!),
    // 3: Mon Jan 4, 4: Tue 5, 5: Wed 6.
    const d = addWorkingDays(cst("2026-12-30T10:00:00"), 5, official);
    expect(d).toEqual({
      dueDay: "2027-01-06",
      dueAt: new Date("2027-01-06T16:00:00.000Z"),
      provisional: true,
    });
    expect(yearsTouched(cst("2026-12-30T10:00:00"), d.dueAt)).toEqual([2026, 2027]);
    // 1 working day stays inside 2026: not provisional
    expect(addWorkingDays(cst("2026-12-30T10:00:00"), 1, official).provisional).toBe(false);
    expect(
      yearsTouched(
        cst("2026-12-30T10:00:00"),
        addWorkingDays(cst("2026-12-30T10:00:00"), 1, official).dueAt,
      ),
    ).toEqual([2026]);
  });

  it("n = 0 is due at the end of the filing day; negative or fractional n throws", () => {
    expect(addWorkingDays(cst("2026-11-21T12:00:00"), 0, official).dueDay).toBe("2026-11-21");
    expect(() => addWorkingDays(cst("2026-11-21T12:00:00"), -1, official)).toThrow(RangeError);
    expect(() => addWorkingDays(cst("2026-11-21T12:00:00"), 1.5, official)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date(Number.NaN), 1, official)).toThrow(RangeError);
    expect(() => reminderAt(cst("2026-11-21T12:00:00"), 0, official)).toThrow(RangeError);
  });
});

describe("other time zones", () => {
  it("IANA zones with DST get 24:00 local right", () => {
    // New York springs forward on Sun 2026-03-08. Filed Fri Mar 6, 1 WD -> Mon Mar 9, which ends
    // at 00:00 EDT (UTC-4) on Mar 10.
    const d = addWorkingDays(
      new Date("2026-03-06T12:00:00-05:00"),
      1,
      official,
      "America/New_York",
    );
    expect(d.dueDay).toBe("2026-03-09");
    expect(d.dueAt.toISOString()).toBe("2026-03-10T04:00:00.000Z");
    expect(addWorkingDays(cst("2026-11-20T09:00:00"), 1, official, "+08:00").dueAt).toEqual(
      addWorkingDays(cst("2026-11-20T09:00:00"), 1, official).dueAt,
    );
    expect(() => addWorkingDays(cst("2026-11-20T09:00:00"), 1, official, "Mars/Olympus")).toThrow(
      RangeError,
    );
  });
});

describe("city additions", () => {
  it("a local holiday pushes a deadline; a local workday pulls it", () => {
    // Filed Mon 2026-11-16; officially 5 WD -> Mon Nov 23.
    const start = cst("2026-11-16T09:00:00");
    expect(addWorkingDays(start, 5, official).dueDay).toBe("2026-11-23");
    // the city declares Wed Nov 18 a local holiday -> Tue Nov 24
    const withHoliday = calendarsFrom({ "2026": { holidays: ["2026-11-18"] } });
    expect(addWorkingDays(start, 5, withHoliday).dueDay).toBe("2026-11-24");
    // the city declares Sat Nov 21 a working day -> Sat Nov 21
    const withWorkday = calendarsFrom({ "2026": { workdays: ["2026-11-21"] } });
    expect(addWorkingDays(start, 5, withWorkday).dueDay).toBe("2026-11-21");
  });

  it("later additions win (city file, then runtime PUT)", () => {
    const city = { holidays: ["2026-11-18"], workdays: ["2026-10-03"] };
    const runtime = { workdays: ["2026-11-18"], holidays: ["2026-10-03", "2026-12-24"] };
    const cal = effectiveCalendar(2026, [city, runtime]);
    expect(isWorkingDay("2026-11-18", cal)).toBe(true);
    expect(isWorkingDay("2026-10-03", cal)).toBe(false);
    expect(cal.holidays).toContain("2026-12-24");
    expect(cal.holidays).not.toContain("2026-11-18");
    expect(cal.workdays).toContain("2026-11-18");
    expect(cal.workdays).not.toContain("2026-10-03");
    expect([...cal.holidays].sort()).toEqual(cal.holidays);
    expect(new Set(cal.holidays).size).toBe(cal.holidays.length);
    // the city can also cancel an official make-up day or an official holiday
    const c2 = effectiveCalendar(2026, [{ holidays: ["2026-10-10"], workdays: ["2026-10-07"] }]);
    expect(isWorkingDay("2026-10-10", c2)).toBe(false);
    expect(isWorkingDay("2026-10-07", c2)).toBe(true);
    expect(c2.provisional).toBe(false);
  });

  it("additions do not make a provisional year official, and must be days of that year", () => {
    expect(effectiveCalendar(2027, [{ holidays: ["2027-01-01"] }]).provisional).toBe(true);
    expect(() => effectiveCalendar(2026, [{ holidays: ["2027-01-01"] }])).toThrow(RangeError);
    expect(() => effectiveCalendar(2026, [{ workdays: ["2026-02-30"] }])).toThrow(RangeError);
    expect(() => isWorkingDay("2027-01-04", effectiveCalendar(2026))).toThrow(RangeError);
  });

  it("a city file's calendar record resolves per year", () => {
    const cals = calendarsFrom({ "2027": { holidays: ["2027-01-01"] } });
    // Filed Thu 2026-12-31: 1 WD -> Mon 2027-01-04 (local holiday Jan 1, provisional 2027)
    expect(addWorkingDays(cst("2026-12-31T10:00:00"), 1, cals)).toMatchObject({
      dueDay: "2027-01-04",
      provisional: true,
    });
  });
});

describe("workingDaysBetween", () => {
  it("counts working days in (from, to]", () => {
    expect(workingDaysBetween("2025-09-30", "2025-10-14", official)).toBe(5);
    expect(workingDaysBetween("2025-10-14", "2025-09-30", official)).toBe(-5);
    expect(workingDaysBetween("2026-11-20", "2026-11-20", official)).toBe(0);
    expect(workingDaysBetween("2026-01-01", "2026-12-31", official)).toBe(
      // 365 days - 104 weekend days - holidays on weekdays + make-up days on weekends
      (() => {
        const cal = effectiveCalendar(2026);
        let n = 0;
        for (
          let d = new Date("2026-01-02T00:00:00Z");
          d <= new Date("2026-12-31T00:00:00Z");
          d.setUTCDate(d.getUTCDate() + 1)
        )
          if (isWorkingDay(d.toISOString().slice(0, 10), cal)) n++;
        return n;
      })(),
    );
  });
});
