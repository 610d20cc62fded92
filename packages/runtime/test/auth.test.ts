import { isDomainError } from "@pencai/contracts/errors";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { JWKS_MAX_AGE_MS, principalOf, requireRoles, verifyBearer } from "../src/auth.js";
import { placeOf, scopeOfDistrict, scopeOfStreet } from "../src/places.js";
import { covers, type Principal, reaches, reachOf, requireReach } from "../src/reach.js";
import { startJwks, useTestCity } from "./support.js";

beforeAll(useTestCity);

const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
const c2 = { districtId: "d1", streetId: "s1", communityId: "c2" };
const c3 = { districtId: "d1", streetId: "s2", communityId: "c3" };
const c4 = { districtId: "d2", streetId: "s3", communityId: "c4" };
const everywhere = [c1, c2, c3, c4];

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isDomainError(e) ? e.code : `not a domain error: ${e}`;
  }
  return "ok";
};

describe("claims", () => {
  it("maps roles, cognito:groups and custom: claims; ignores unknown group names", () => {
    const p = principalOf({
      sub: "u1",
      roles: ["resident", "org", "wizard"],
      "cognito:groups": ["org", "wizard", "resident"],
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

  it("refuses roles or groups given as a string, or as a list of anything but names", () => {
    for (const claims of [
      { roles: "admin" },
      { "cognito:groups": "admin analyst" },
      { roles: ["resident", 7] },
      { roles: { 0: "admin" } },
    ]) {
      expect(code(() => principalOf({ sub: "u", ...claims }))).toBe("unauthenticated");
    }
  });

  it("refuses a claim given twice in forms that disagree", () => {
    for (const claims of [
      { roles: ["resident"], "cognito:groups": ["admin"] },
      { roles: ["resident"], "cognito:groups": ["resident", "admin"] },
      { communityId: "c1", "custom:communityId": "c2" },
      { orgId: "o1", "custom:orgId": "o2" },
      { cityWide: true, "custom:cityWide": "false" },
    ]) {
      expect(code(() => principalOf({ sub: "u", ...claims }))).toBe("unauthenticated");
    }
    // the same value in both forms is one claim
    expect(
      principalOf({ sub: "u", communityId: "c1", "custom:communityId": "c1" }).communityId,
    ).toBe("c1");
  });

  it("refuses malformed claim values and places that are not the city's", () => {
    for (const claims of [
      { communityId: 42 },
      { districtId: "" },
      { streetId: ["s1"] },
      { communityId: "atlantis" },
      { districtId: "d9" },
      { cityWide: "yes" },
    ]) {
      expect(code(() => principalOf({ sub: "u", roles: ["admin"], ...claims }))).toBe(
        "unauthenticated",
      );
    }
  });

  it("takes only user-id subjects (no '#', '/', spaces or control characters)", () => {
    for (const sub of ["a#b", "a/b", "a b", "", "x".repeat(129), "\u0000", 42, "-lead"]) {
      expect(code(() => principalOf({ sub, roles: ["resident"] }))).toBe("unauthenticated");
    }
    for (const sub of ["resident-1", "5f1c2a9e-0b7e-4c1a-9f3e-2b8d7c6a5e4f", "m.1@x:y_z"]) {
      expect(principalOf({ sub }).sub).toBe(sub);
    }
  });

  it("a city-wide token names no place", () => {
    expect(principalOf({ sub: "a", roles: ["admin"], cityWide: true }).cityWide).toBe(true);
    expect(principalOf({ sub: "a", roles: ["admin"], "custom:cityWide": "true" }).cityWide).toBe(
      true,
    );
    expect(
      code(() => principalOf({ sub: "a", roles: ["admin"], cityWide: true, districtId: "d1" })),
    ).toBe("unauthenticated");
  });
});

describe("reach: each role from the claim it must carry", () => {
  const who = (roles: string[], claims: Record<string, unknown> = {}): Principal =>
    principalOf({ sub: "s", roles, ...claims });
  const covered = (p: Principal, roles: Parameters<typeof reaches>[1]) =>
    everywhere.map((t) => reaches(p, roles, t));

  it("community roles reach their community only", () => {
    const p = who(["community_staff"], { communityId: "c1" });
    expect(covered(p, ["community_staff"])).toEqual([true, false, false, false]);
    expect(reaches(p, ["community_staff"], scopeOfStreet("s1"))).toBe(false);
    expect(code(() => requireReach(p, ["community_staff"], c2))).toBe("forbidden");
    // a street claim is wider than a community role needs: it gives no community
    expect(covered(who(["community_staff"], { streetId: "s1" }), ["community_staff"])).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("street roles reach their street (from a street claim, or the street of a community claim)", () => {
    expect(covered(who(["street_staff"], { streetId: "s1" }), ["street_staff"])).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(covered(who(["expert"], { communityId: "c3" }), ["expert"])).toEqual([
      false,
      false,
      true,
      false,
    ]);
    // a district claim does not say which street
    expect(covered(who(["street_staff"], { districtId: "d1" }), ["street_staff"])).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("district roles reach their district", () => {
    const p = who(["district_civil"], { districtId: "d1" });
    expect(covered(p, ["district_civil"])).toEqual([true, true, true, false]);
    expect(reaches(p, ["district_civil"], scopeOfDistrict("d1"))).toBe(true);
    expect(reaches(p, ["district_civil"], scopeOfDistrict("d2"))).toBe(false);
  });

  it("a missing claim never widens reach: only an explicitly city-wide admin or analyst acts everywhere", () => {
    for (const role of ["admin", "analyst", "district_civil", "community_staff", "street_staff"]) {
      expect(covered(who([role]), [role as never])).toEqual([false, false, false, false]);
    }
    expect(covered(who(["analyst"], { cityWide: true }), ["analyst"])).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(reachOf(who(["admin"], { cityWide: true }), "admin")).toEqual({ level: "city" });
    // cityWide means nothing for other roles
    expect(covered(who(["district_civil"], { cityWide: true }), ["district_civil"])).toEqual([
      false,
      false,
      false,
      false,
    ]);
    // a district-scoped admin is a district admin
    expect(reachOf(who(["admin"], { districtId: "d2" }), "admin")).toEqual({
      level: "district",
      districtId: "d2",
    });
  });

  it("a role the principal does not hold reaches nothing, whatever its claims", () => {
    const resident = who(["resident"], { communityId: "c1" });
    expect(reaches(resident, ["community_staff", "district_civil"], c1)).toBe(false);
    expect(reaches(resident, ["resident"], c1)).toBe(true);
    // evaluators act where a panel names them, never over a place
    expect(reachOf(who(["evaluator"], { communityId: "c1" }), "evaluator")).toBeUndefined();
  });

  it("covers: a reach covers the places inside it, not the wider ones", () => {
    const street = { level: "street", districtId: "d1", streetId: "s1" } as const;
    expect(covers(street, placeOf("c2"))).toBe(true);
    expect(covers(street, scopeOfStreet("s1"))).toBe(true);
    expect(covers(street, scopeOfDistrict("d1"))).toBe(false);
  });

  it("looks up places in the city's geography", () => {
    expect(placeOf("c3")).toEqual(c3);
    expect(code(() => placeOf("nowhere"))).toBe("not_found");
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
  afterEach(() => {
    vi.useRealTimers();
    jwks.publishKey(true);
  });

  const refusal = async (token: string) => {
    const err = await verifyBearer(`Bearer ${token}`).catch((e: unknown) => e);
    return isDomainError(err) ? err.code : err;
  };

  it("verifies an ID token against the remote key set and maps the claims", async () => {
    const token = await jwks.sign({ sub: "u1", roles: ["resident"], communityId: "c1" });
    expect(await verifyBearer(`Bearer ${token}`)).toEqual({
      sub: "u1",
      roles: ["resident"],
      ...c1,
    });
    expect(await verifyBearer(undefined)).toBeNull();
  });

  it("refuses access tokens and tokens of no kind, even with groups and the right client", async () => {
    const claims = { sub: "admin-1", "cognito:groups": ["admin"], client_id: "pencai-test" };
    expect(await refusal(await jwks.sign(claims, { tokenUse: "access", audience: null }))).toBe(
      "unauthenticated",
    );
    expect(await refusal(await jwks.sign(claims, { tokenUse: "access" }))).toBe("unauthenticated");
    expect(await refusal(await jwks.sign(claims, { tokenUse: null }))).toBe("unauthenticated");
  });

  it("refuses a token without exp, without iat, or issued in the future beyond the skew", async () => {
    const claims = { sub: "u1", roles: ["resident"] };
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(await jwks.sign(claims, { expiresIn: null }))).toBe("unauthenticated");
    expect(await refusal(await jwks.sign(claims, { issuedAt: null }))).toBe("unauthenticated");
    expect(await refusal(await jwks.sign(claims, { issuedAt: now + 600 }))).toBe("unauthenticated");
    // within the skew it passes
    expect(await verifyBearer(`Bearer ${await jwks.sign(claims, { issuedAt: now + 30 })}`)).toEqual(
      { sub: "u1", roles: ["resident"] },
    );
  });

  it("refuses another audience, another issuer, another key, an expired token", async () => {
    const claims = { sub: "u1" };
    expect(await refusal(await jwks.sign(claims, { audience: "another-client" }))).toBe(
      "unauthenticated",
    );
    expect(await refusal(await jwks.sign(claims, { issuer: "https://evil.test" }))).toBe(
      "unauthenticated",
    );
    expect(await refusal(await jwks.sign(claims, { key: "other" }))).toBe("unauthenticated");
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect(await refusal(await jwks.sign(claims, { issuedAt: past, expiresIn: past + 60 }))).toBe(
      "unauthenticated",
    );
  });

  it("stops trusting a key the identity provider removed once the cached key set ages out", async () => {
    const token = await jwks.sign({ sub: "u1", roles: ["resident"] });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + JWKS_MAX_AGE_MS + 1000); // whatever was cached before is stale
    expect(await verifyBearer(`Bearer ${token}`)).toMatchObject({ sub: "u1" }); // refetched
    jwks.publishKey(false);
    vi.setSystemTime(Date.now() + JWKS_MAX_AGE_MS / 2);
    expect(await verifyBearer(`Bearer ${token}`)).toMatchObject({ sub: "u1" }); // still cached
    vi.setSystemTime(Date.now() + JWKS_MAX_AGE_MS);
    expect(await refusal(token)).toBe("unauthenticated"); // aged out, refetched, key gone
  });

  it("answers 500, not 401, when the key set cannot be fetched", async () => {
    const token = await jwks.sign({ sub: "u1" });
    const url = process.env.JWKS_URL;
    process.env.JWKS_URL = "http://127.0.0.1:9/.well-known/jwks.json";
    try {
      const err = await verifyBearer(`Bearer ${token}`).catch((e) => e);
      expect(isDomainError(err)).toBe(false);
    } finally {
      process.env.JWKS_URL = url;
    }
  });
});
