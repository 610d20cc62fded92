import { DomainError } from "@pencai/contracts/errors";
import type { Principal } from "@pencai/runtime/reach";
import { describe, expect, it } from "vitest";
import {
  requireInspector,
  requireRectifier,
  requireScoreReader,
  requireStatsReader,
} from "../src/domain/access.js";

// Reach from the claims, as everywhere: a district-scoped analyst sees its district, a city-wide
// one every district, a missing claim never widens reach.

const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
const refused = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError && e.code === "forbidden";
  }
  return false;
};
const who = (roles: Principal["roles"], claims: Partial<Principal> = {}): Principal => ({
  sub: "x",
  roles,
  ...claims,
});

describe("oversight reach", () => {
  it("stats: district roles and analysts of the district, street staff of the street", () => {
    expect(refused(() => requireStatsReader(who(["analyst"], { districtId: "d1" }), c1))).toBe(
      false,
    );
    expect(refused(() => requireStatsReader(who(["analyst"], { districtId: "d2" }), c1))).toBe(
      true,
    );
    expect(refused(() => requireStatsReader(who(["analyst"], { cityWide: true }), c1))).toBe(false);
    expect(refused(() => requireStatsReader(who(["analyst"]), c1))).toBe(true);
    expect(
      refused(() =>
        requireStatsReader(who(["street_staff"], { districtId: "d1", streetId: "s1" }), c1),
      ),
    ).toBe(false);
    expect(
      refused(() =>
        requireStatsReader(who(["street_staff"], { districtId: "d1", streetId: "s1" }), {
          districtId: "d1",
        }),
      ),
    ).toBe(true);
    expect(refused(() => requireStatsReader(who(["community_staff"], c1), c1))).toBe(true);
    expect(
      refused(() => requireStatsReader(who(["district_finance"], { districtId: "d1" }), c1)),
    ).toBe(false);
  });

  it("inspections: analysts and district civil affairs of the district; scores add district roles and admins", () => {
    expect(
      refused(() => requireInspector(who(["district_civil"], { districtId: "d1" }), "d1")),
    ).toBe(false);
    expect(
      refused(() => requireInspector(who(["district_group"], { districtId: "d1" }), "d1")),
    ).toBe(true);
    expect(refused(() => requireInspector(who(["admin"], { cityWide: true }), "d1"))).toBe(true);
    expect(refused(() => requireScoreReader(who(["admin"], { cityWide: true }), "d1"))).toBe(false);
    expect(
      refused(() => requireScoreReader(who(["district_group"], { districtId: "d2" }), "d1")),
    ).toBe(true);
  });

  it("rectification: the street staff of the project's street only", () => {
    const scope = { districtId: "d1", streetId: "s1" };
    expect(refused(() => requireRectifier(who(["street_staff"], scope), scope))).toBe(false);
    expect(
      refused(() =>
        requireRectifier(who(["street_staff"], { districtId: "d1", streetId: "s2" }), scope),
      ),
    ).toBe(true);
    expect(refused(() => requireRectifier(who(["analyst"], { districtId: "d1" }), scope))).toBe(
      true,
    );
  });
});
