import { calendarsFrom } from "@pencai/calendar";
import type { Principal } from "@pencai/runtime/reach";
import { describe, expect, it } from "vitest";
import { escalateNeed, isOverdue, levelOf, respondToNeed } from "../src/domain/ladder.js";
import { raiseNeed } from "../src/domain/need.js";
import type { NeedRecord } from "../src/domain/types.js";
import { needView } from "../src/domain/views.js";
import { c1, c3, codeOf, resident, staff, streetStaff, testCity, ULID_N } from "./fixtures.js";

const panlong = testCity("panlong").rules;
const longgang = testCity("longgang").rules;
const calendars = calendarsFrom();
// Monday 2 March 2026, 10:00 in Shanghai
const now = new Date("2026-03-02T02:00:00.000Z");
const civil = (districtId = "d1"): Principal => ({
  sub: "civil-1",
  roles: ["district_civil"],
  districtId,
});

const need = (): NeedRecord =>
  raiseNeed(
    { communityId: "c1", title: "屋顶漏水", description: "顶楼漏水" },
    { principal: resident(), place: c1, rules: panlong, id: ULID_N, now },
  );
const up = (n: NeedRecord, level: 2 | 3, principal: Principal, rules = panlong, at = now) =>
  escalateNeed(n, { level, reason: "居民无法自行解决" }, { principal, rules, calendars, now: at })
    .need;

describe("Panlong's escalation ladder", () => {
  it("starts at level 1 with no deadline", () => {
    const n = need();
    expect(levelOf(n)).toBe(1);
    expect(needView(n, now)).toMatchObject({ level: 1, escalations: [], overdue: false });
  });

  it("level 2 is due at 24:00 Shanghai of the 5th working day, level 3 of the 15th", () => {
    const two = up(need(), 2, staff(c1));
    // Mon 2 March + 5 working days = Mon 9 March, 24:00 Shanghai
    expect(two.escalations?.[0]).toMatchObject({
      level: 2,
      dueAt: "2026-03-09T16:00:00.000Z",
      by: { role: "community_staff" },
    });
    const three = up(two, 3, streetStaff());
    // + 15 working days from Mon 2 March = Mon 23 March
    expect(three.escalations?.[1]).toMatchObject({ level: 3, dueAt: "2026-03-23T16:00:00.000Z" });
    expect(levelOf(three)).toBe(3);
  });

  it("counts the deadline's days in the city's time zone", () => {
    // Sunday 1 March 23:30 in Shanghai is still Sunday there, already Monday in Tokyo
    const late = new Date("2026-03-01T15:30:00.000Z");
    const dueIn = (tz: string) =>
      escalateNeed(
        need(),
        { level: 2, reason: "r" },
        {
          principal: staff(c1),
          rules: panlong,
          calendars,
          now: late,
          tz,
        },
      ).need.escalations?.[0]?.dueAt;
    expect(dueIn("Asia/Shanghai")).toBe("2026-03-06T16:00:00.000Z");
    expect(dueIn("Asia/Tokyo")).toBe("2026-03-09T15:00:00.000Z");
  });

  it("goes up one level at a time, never down or sideways", () => {
    expect(codeOf(() => up(need(), 3, streetStaff()))).toBe("invalid_state");
    const two = up(need(), 2, staff(c1));
    expect(codeOf(() => up(two, 2, staff(c1)))).toBe("invalid_state");
    const three = up(two, 3, streetStaff());
    expect(codeOf(() => up(three, 3, streetStaff()))).toBe("invalid_state");
  });

  it("community staff climb to 2, street staff to 2 or 3, each only in their own place", () => {
    expect(codeOf(() => up(need(), 2, streetStaff()))).toBe("ok");
    const two = up(need(), 2, staff(c1));
    expect(codeOf(() => up(two, 3, staff(c1)))).toBe("forbidden");
    expect(codeOf(() => up(need(), 2, staff(c3)))).toBe("forbidden");
    expect(codeOf(() => up(need(), 2, streetStaff("s2")))).toBe("forbidden");
    expect(codeOf(() => up(need(), 2, resident()))).toBe("forbidden");
    expect(codeOf(() => up(two, 3, civil()))).toBe("forbidden");
  });

  it("a city without a ladder refuses with 422, after the caller's reach is checked", () => {
    expect(codeOf(() => up(need(), 2, staff(c1), longgang))).toBe("escalation_not_available");
    expect(codeOf(() => up(need(), 2, staff(c3), longgang))).toBe("forbidden");
  });

  it("is overdue past its deadline until the level answers", () => {
    const two = up(need(), 2, staff(c1));
    expect(isOverdue(two, new Date("2026-03-09T15:59:59.999Z"))).toBe(false);
    const late = new Date("2026-03-09T16:00:00.001Z");
    expect(isOverdue(two, late)).toBe(true);
    const answered = respondToNeed(
      two,
      { level: 2, note: "街道协调物业维修" },
      { principal: streetStaff(), now: late },
    );
    expect(isOverdue(answered, late)).toBe(false);
    expect(needView(answered, late).escalations[0]?.response).toEqual({
      note: "街道协调物业维修",
      respondedAt: late.toISOString(),
      by: { role: "street_staff" },
    });
  });

  it("each level is answered once, by its own responders, at its own level", () => {
    const two = up(need(), 2, staff(c1));
    expect(
      codeOf(() => respondToNeed(two, { level: 3, note: "x" }, { principal: civil(), now })),
    ).toBe("invalid_state");
    expect(
      codeOf(() => respondToNeed(two, { level: 2, note: "x" }, { principal: civil(), now })),
    ).toBe("forbidden");
    const answered = respondToNeed(two, { level: 2, note: "x" }, { principal: staff(c1), now });
    expect(
      codeOf(() => respondToNeed(answered, { level: 2, note: "y" }, { principal: staff(c1), now })),
    ).toBe("duplicate");
    const three = up(answered, 3, streetStaff());
    expect(
      codeOf(() => respondToNeed(three, { level: 3, note: "x" }, { principal: civil("d2"), now })),
    ).toBe("forbidden");
    expect(
      codeOf(() =>
        respondToNeed(three, { level: 3, note: "区级统筹" }, { principal: civil(), now }),
      ),
    ).toBe("ok");
    expect(
      codeOf(() => respondToNeed(need(), { level: 2, note: "x" }, { principal: staff(c1), now })),
    ).toBe("invalid_state");
  });
});
