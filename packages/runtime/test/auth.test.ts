import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inJurisdiction,
  type Principal,
  principalOf,
  requireJurisdiction,
  requireRoles,
  scopeOfCommunity,
  scopeOfDistrict,
  scopeOfStreet,
  verifyBearer,
} from "../src/auth.js";
import { ProblemError } from "../src/errors.js";
import { startJwks, useTestCity } from "./support.js";

beforeAll(useTestCity);

const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
const c2 = { districtId: "d1", streetId: "s1", communityId: "c2" };
const c3 = { districtId: "d1", streetId: "s2", communityId: "c3" };
const c4 = { districtId: "d2", streetId: "s3", communityId: "c4" };

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as ProblemError).code;
  }
  return "ok";
};

describe("claims", () => {
  it("maps roles, cognito:groups and custom: claims; ignores unknown roles", () => {
    const p = principalOf({
      sub: "u1",
      roles: ["resident", "wizard"],
      "cognito:groups": ["org"],
      "custom:orgId": "o1",
      "custom:communityId": "c2",
      householdId: "h1",
    });
    expect(p).toEqual({
      sub: "u1",
      roles: ["resident", "org"],
      orgId: "o1",
      householdId: "h1",
      ...c2,
    });
  });

  it("derives wider claims from narrower ones and rejects contradictions", () => {
    expect(principalOf({ sub: "x", roles: ["street_staff"], streetId: "s2" })).toMatchObject({
      districtId: "d1",
      streetId: "s2",
    });
    expect(
      code(() => principalOf({ sub: "x", roles: [], communityId: "c1", districtId: "d2" })),
    ).toBe("unauthenticated");
    expect(code(() => principalOf({ roles: ["admin"] }))).toBe("unauthenticated");
  });
});

describe("jurisdiction", () => {
  const staff = (claims: Record<string, string>): Principal =>
    principalOf({ sub: "s", roles: ["community_staff"], ...claims });

  it("a community claim covers that community only", () => {
    const p = staff({ communityId: "c1" });
    expect([c1, c2, c3, c4].map((t) => inJurisdiction(p, t))).toEqual([true, false, false, false]);
    expect(inJurisdiction(p, scopeOfStreet("s1"))).toBe(false);
    expect(code(() => requireJurisdiction(p, c2))).toBe("forbidden");
  });

  it("a street claim covers the street's communities", () => {
    const p = staff({ streetId: "s1" });
    expect([c1, c2, c3, c4].map((t) => inJurisdiction(p, t))).toEqual([true, true, false, false]);
    expect(inJurisdiction(p, scopeOfStreet("s1"))).toBe(true);
    expect(inJurisdiction(p, scopeOfDistrict("d1"))).toBe(false);
  });

  it("a district claim covers the whole district", () => {
    const p = staff({ districtId: "d1" });
    expect([c1, c2, c3, c4].map((t) => inJurisdiction(p, t))).toEqual([true, true, true, false]);
    expect(inJurisdiction(p, scopeOfDistrict("d1"))).toBe(true);
  });

  it("no jurisdiction claim acts nowhere, except city-wide roles", () => {
    expect(inJurisdiction(staff({}), c1)).toBe(false);
    expect(inJurisdiction(principalOf({ sub: "a", roles: ["analyst"] }), c4)).toBe(true);
  });

  it("looks up scopes in the city's geography", () => {
    expect(scopeOfCommunity("c3")).toEqual(c3);
    expect(code(() => scopeOfCommunity("nowhere"))).toBe("not_found");
    expect(code(() => scopeOfStreet("nowhere"))).toBe("not_found");
    expect(code(() => scopeOfDistrict("nowhere"))).toBe("not_found");
  });
});

describe("roles", () => {
  it("public passes, no principal is 401, a wrong role is 403", () => {
    expect(code(() => requireRoles(null, "public"))).toBe("ok");
    expect(code(() => requireRoles(null, ["resident"]))).toBe("unauthenticated");
    const p = principalOf({ sub: "u", roles: ["resident"] });
    expect(code(() => requireRoles(p, ["admin", "analyst"]))).toBe("forbidden");
    expect(code(() => requireRoles(p, ["resident"]))).toBe("ok");
  });
});

describe("verifyBearer", () => {
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  beforeAll(async () => {
    jwks = await startJwks();
  });
  afterAll(() => jwks.close());

  it("verifies against the remote key set and maps the claims", async () => {
    const token = await jwks.sign({ sub: "u1", roles: ["resident"], communityId: "c1" });
    expect(await verifyBearer(`Bearer ${token}`)).toEqual({
      sub: "u1",
      roles: ["resident"],
      ...c1,
    });
    expect(await verifyBearer(undefined)).toBeNull();
  });

  it("answers 500, not 401, when the key set cannot be fetched", async () => {
    const token = await jwks.sign({ sub: "u1" });
    const url = process.env.JWKS_URL;
    process.env.JWKS_URL = "http://127.0.0.1:9/.well-known/jwks.json";
    try {
      const err = await verifyBearer(`Bearer ${token}`).catch((e) => e);
      expect(err).not.toBeInstanceOf(ProblemError);
    } finally {
      process.env.JWKS_URL = url;
    }
  });

  it("rejects tokens signed by another key", async () => {
    const token = await jwks.sign({ sub: "u1" }, { key: "other" });
    await expect(verifyBearer(`Bearer ${token}`)).rejects.toBeInstanceOf(ProblemError);
  });
});
