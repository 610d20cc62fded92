import { calendarsFrom } from "@pencai/calendar";
import { testCity } from "@pencai/config/testing";
import { DomainError } from "@pencai/contracts/errors";
import { createOrgBodySchema, creditCodeOf, isCreditCode } from "@pencai/contracts/orgs";
import type { Principal } from "@pencai/runtime/reach";
import { describe, expect, it } from "vitest";
import {
  type Area,
  checkObjection,
  noticeEnd,
  type OrgRecord,
  registerOrg,
  review,
  setStatus,
} from "../src/domain/org.js";

const calendars = calendarsFrom();
const city = testCity("jinjiang");
const rules = city.rules;
// Mon 2026-03-09 10:00 Beijing
const now = new Date("2026-03-09T02:00:00.000Z");
const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
const staff: Principal = { sub: "staff-c1", roles: ["community_staff"], ...c1 };
const civil: Principal = { sub: "civil-d1", roles: ["district_civil"], districtId: "d1" };
const resident = (at: typeof c1, sub = "r1"): Principal => ({
  sub,
  roles: ["resident"],
  ...at,
});
const code = creditCodeOf("52510104MJ0000001");
const body = {
  name: "锦江社工服务中心",
  track: "registered" as const,
  creditCode: code,
  communityId: "c1",
  services: ["elderly_care"],
};

const failsWith = (f: () => unknown, code: string) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
};

const register = (p: Principal = staff, area: Area = c1) =>
  registerOrg(body, { principal: p, area, rules, calendars, id: "O1", now });
const ended = (r: OrgRecord) => new Date(Date.parse(r.noticeEndsAt) + 1);

describe("the unified social credit code (GB 32100-2015)", () => {
  it("accepts a code whose check character fits and refuses one that does not", () => {
    expect(isCreditCode("91350100M000100Y43")).toBe(true);
    expect(isCreditCode("91350100M000100Y44")).toBe(false);
    expect(isCreditCode(code)).toBe(true);
  });
  it("refuses the letters the standard leaves out, lower case and other lengths", () => {
    expect(isCreditCode("91350100M000100I43")).toBe(false);
    expect(isCreditCode("91350100m000100y43")).toBe(false);
    expect(isCreditCode("91350100M000100Y4")).toBe(false);
  });
  it("writes the check character 31 as 0", () => {
    // every 17-character body gets one check character, and only it passes
    for (const b of ["00000000000000000", "Y0000000000000000", "12345678901234567"]) {
      const full = creditCodeOf(b);
      expect(isCreditCode(full)).toBe(true);
      expect(full.length).toBe(18);
    }
    expect(creditCodeOf("00000000000000000")).toBe("000000000000000000");
  });
});

describe("registration", () => {
  it("enters the public notice, ending 24:00 of the 5th working day after", () => {
    const r = register();
    expect(r.status).toBe("in_notice");
    expect(rules.organisations.noticeWorkingDays).toBe(5);
    // Mon 9 Mar -> Mon 16 Mar, 24:00 Beijing
    expect(r.noticeEndsAt).toBe("2026-03-16T16:00:00.000Z");
    expect(noticeEnd(now, rules, calendars).toISOString()).toBe(r.noticeEndsAt);
  });
  it("counts working days over a holiday (the notice of 30 Sep 2026 ends after National Day)", () => {
    const end = noticeEnd(new Date("2026-09-30T02:00:00.000Z"), rules, calendars);
    expect(end.getTime()).toBeGreaterThan(Date.parse("2026-10-08T00:00:00.000Z"));
  });
  it("is the registrar's own jurisdiction only", () => {
    failsWith(
      () => register(staff, { districtId: "d1", streetId: "s1", communityId: "c2" }),
      "forbidden",
    );
    // community staff do not register street-wide organisations
    failsWith(() => register(staff, { districtId: "d1", streetId: "s1" }), "forbidden");
    const street: Principal = {
      sub: "st",
      roles: ["street_staff"],
      districtId: "d1",
      streetId: "s1",
    };
    expect(register(street, { districtId: "d1", streetId: "s1" }).streetId).toBe("s1");
    failsWith(
      () => register(civil, { districtId: "d2", streetId: "s3", communityId: "c4" }),
      "forbidden",
    );
  });
  it("offers services the city's list allows", () => {
    failsWith(
      () =>
        registerOrg(
          { ...body, services: ["banquets_gifts"] },
          { principal: staff, area: c1, rules, calendars, id: "O1", now },
        ),
      "ineligible_category",
    );
  });
  it("needs a credit code on the registered track and a sponsor on the filed one", () => {
    expect(createOrgBodySchema.safeParse(body).success).toBe(true);
    const { creditCode: _, ...noCode } = body;
    expect(createOrgBodySchema.safeParse(noCode).success).toBe(false);
    expect(
      createOrgBodySchema.safeParse({ ...body, creditCode: "91350100M000100Y44" }).success,
    ).toBe(false);
    expect(createOrgBodySchema.safeParse({ ...noCode, track: "filed" }).success).toBe(false);
    expect(
      createOrgBodySchema.safeParse({
        ...noCode,
        track: "filed",
        sponsorOrgId: "01JQ0000000000000000000000",
      }).success,
    ).toBe(true);
    expect(createOrgBodySchema.safeParse({ ...body, streetId: "s1" }).success).toBe(false);
  });
});

describe("objections", () => {
  const r = register();
  it("come from residents of the area during the notice", () => {
    expect(() => checkObjection(resident(c1), r, now)).not.toThrow();
    failsWith(() => checkObjection(resident({ ...c1, communityId: "c2" }), r, now), "forbidden");
    failsWith(() => checkObjection(resident(c1), r, ended(r)), "notice_ended");
  });
  it("of a street-wide organisation, from any community of the street", () => {
    const s = register(
      { sub: "st", roles: ["street_staff"], districtId: "d1", streetId: "s1" },
      {
        districtId: "d1",
        streetId: "s1",
      },
    );
    expect(() => checkObjection(resident({ ...c1, communityId: "c2" }), s, now)).not.toThrow();
    failsWith(
      () =>
        checkObjection(resident({ districtId: "d1", streetId: "s2", communityId: "c3" }), s, now),
      "forbidden",
    );
  });
});

describe("the review and the status machine", () => {
  const r = register();
  it("waits for the notice to end", () => {
    failsWith(() => review(r, { decision: "admit" }, civil, now), "notice_running");
  });
  it("is the district's", () => {
    const other: Principal = { sub: "c2", roles: ["district_civil"], districtId: "d2" };
    failsWith(() => review(r, { decision: "admit" }, other, ended(r)), "forbidden");
  });
  it("admits; a refusal, or an admission over objections, gives its reason", () => {
    const admitted = review(r, { decision: "admit" }, civil, ended(r));
    expect(admitted.record).toMatchObject({ status: "active", version: 2 });
    expect(admitted.event).toMatchObject({
      orgId: "O1",
      status: "active",
      previousStatus: "in_notice",
    });
    failsWith(() => review(r, { decision: "refuse" }, civil, ended(r)), "reason_required");
    const objected = { ...r, objections: 2 };
    failsWith(() => review(objected, { decision: "admit" }, civil, ended(r)), "reason_required");
    expect(
      review(objected, { decision: "admit", reason: "已核实" }, civil, ended(r)).record.status,
    ).toBe("active");
    failsWith(
      () => review(admitted.record, { decision: "admit" }, civil, ended(r)),
      "invalid_state",
    );
  });
  it("suspends, restores and exits; exited and refused are final", () => {
    const active = review(r, { decision: "admit" }, civil, ended(r)).record;
    const suspended = setStatus(active, { status: "suspended", reason: "整改" }, civil, now).record;
    expect(suspended.status).toBe("suspended");
    expect(
      setStatus(suspended, { status: "active", reason: "整改完成" }, civil, now).record.status,
    ).toBe("active");
    const exited = setStatus(suspended, { status: "exited", reason: "注销" }, civil, now).record;
    for (const status of ["active", "suspended", "exited"] as const) {
      failsWith(() => setStatus(exited, { status, reason: "x" }, civil, now), "invalid_state");
    }
    failsWith(
      () => setStatus(active, { status: "active", reason: "x" }, civil, now),
      "invalid_state",
    );
    failsWith(() => setStatus(r, { status: "active", reason: "x" }, civil, now), "invalid_state");
    const refused = review(r, { decision: "refuse", reason: "材料不实" }, civil, ended(r)).record;
    failsWith(
      () => setStatus(refused, { status: "active", reason: "x" }, civil, now),
      "invalid_state",
    );
  });
});
