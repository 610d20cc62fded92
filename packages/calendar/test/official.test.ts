import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  addDays,
  effectiveCalendar,
  isWorkingDay,
  officialCalendar,
  officialYears,
} from "../src/index.js";

/** Expands inclusive ranges ["2026-02-15", "2026-02-23"] into days. */
function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

describe("official data", () => {
  it("covers 2024 through 2026 with each year's notice named", () => {
    expect(officialYears()).toEqual([2024, 2025, 2026]);
    for (const y of officialYears()) {
      const cal = officialCalendar(y);
      expect(cal.provisional).toBe(false);
      expect(cal.source).toBe(`国务院办公厅关于${y}年部分节假日安排的通知`);
    }
  });

  it("matches the chinese-days library day by day for 2024-2026 (the source of truth)", () => {
    const require = createRequire(import.meta.url);
    const lib = require("chinese-days") as { isWorkday: (d: string) => boolean };
    for (const year of officialYears()) {
      const cal = effectiveCalendar(year);
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
        expect([d, isWorkingDay(d, cal)]).toEqual([d, lib.isWorkday(d)]);
      }
    }
  });

  // 国务院办公厅关于2025年部分节假日安排的通知
  it("2025 follows the State Council notice", () => {
    const cal = officialCalendar(2025);
    expect(cal.holidays).toEqual([
      "2025-01-01", // 元旦 1月1日（周三）
      ...range("2025-01-28", "2025-02-04"), // 春节 1月28日（除夕）至2月4日，共8天
      ...range("2025-04-04", "2025-04-06"), // 清明节 4月4日至6日
      ...range("2025-05-01", "2025-05-05"), // 劳动节 5月1日至5日
      ...range("2025-05-31", "2025-06-02"), // 端午节 5月31日至6月2日
      ...range("2025-10-01", "2025-10-08"), // 国庆节、中秋节 10月1日至8日，共8天
    ]);
    expect(cal.workdays).toEqual([
      "2025-01-26", // 春节 1月26日（周日）上班
      "2025-02-08", // 春节 2月8日（周六）上班
      "2025-04-27", // 劳动节 4月27日（周日）上班
      "2025-09-28", // 国庆 9月28日（周日）上班
      "2025-10-11", // 国庆 10月11日（周六）上班
    ]);
  });

  // 国务院办公厅关于2026年部分节假日安排的通知
  it("2026 follows the State Council notice", () => {
    const cal = officialCalendar(2026);
    expect(cal.holidays).toEqual([
      ...range("2026-01-01", "2026-01-03"), // 元旦 1月1日（周四）至3日
      ...range("2026-02-15", "2026-02-23"), // 春节 2月15日（腊月二十八）至23日，共9天
      ...range("2026-04-04", "2026-04-06"), // 清明节 4月4日至6日
      ...range("2026-05-01", "2026-05-05"), // 劳动节 5月1日至5日
      ...range("2026-06-19", "2026-06-21"), // 端午节 6月19日至21日
      ...range("2026-09-25", "2026-09-27"), // 中秋节 9月25日至27日
      ...range("2026-10-01", "2026-10-07"), // 国庆节 10月1日至7日
    ]);
    expect(cal.workdays).toEqual([
      "2026-01-04", // 元旦 1月4日（周日）上班
      "2026-02-14", // 春节 2月14日（周六）上班
      "2026-02-28", // 春节 2月28日（周六）上班
      "2026-05-09", // 劳动节 5月9日（周六）上班
      "2026-09-20", // 国庆 9月20日（周日）上班
      "2026-10-10", // 国庆 10月10日（周六）上班
    ]);
  });

  it("every make-up workday is a weekend day and no day is both", () => {
    for (const y of officialYears()) {
      const cal = officialCalendar(y);
      for (const d of cal.workdays)
        expect([d, new Date(`${d}T00:00:00Z`).getUTCDay() % 6]).toEqual([d, 0]);
      expect(cal.workdays.filter((d) => cal.holidays.includes(d))).toEqual([]);
    }
  });

  it("a year without official data is provisional: weekends only", () => {
    const cal = officialCalendar(2027);
    expect(cal).toEqual({ year: 2027, holidays: [], workdays: [], provisional: true });
    const eff = effectiveCalendar(2027);
    expect(eff.provisional).toBe(true);
    expect(isWorkingDay("2027-01-01", eff)).toBe(true); // a Friday: no New Year holiday yet
    expect(isWorkingDay("2027-01-02", eff)).toBe(false); // Saturday
    expect(officialCalendar(2023).provisional).toBe(true); // we ship 2024 onwards
  });
});
