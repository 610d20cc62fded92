import { beforeAll, describe, expect, it } from "vitest";
import { allowedCategory, call, currentYear, places, token } from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// Places below the community and Luohu's money mechanisms on the shared cloud (the demo city,
// longgang preset: no split packages, no phasing, no cross-community projects): what the demo
// city refuses, every bad courtyard/phasing/communities field and GET /v1/package-groups/{id}
// request, each with its status and problem code, and nothing written. The working side is
// test/e2e/luohu-money.test.ts, on a cloud of its own running the luohu city file.

let resident = "";
let streetStaff = "";
let needId = "";
let communityId = "";
let neighbourId = "";
let category = "";
let year = 0;
const ULID_UNKNOWN = "01JZZZZZZZZZZZZZZZZZZZZZZZ";

const proposal = (over: Record<string, unknown> = {}) => ({
  communityId,
  kind: "works",
  category,
  title: "院落路灯更换",
  summary: "更换老化路灯",
  beneficiaries: 300,
  budgetFen: 1_000_000,
  needIds: [needId],
  year,
  ...over,
});
const phasing = (first = 600_000, second = 400_000, from = year) => [
  { year: from, programmeFen: first },
  { year: from + 1, programmeFen: second },
];
const communities = () => [
  { communityId, programmeFen: 600_000 },
  { communityId: neighbourId, programmeFen: 400_000 },
];

beforeAll(async () => {
  const { home, neighbour } = await places();
  communityId = home.communityId;
  neighbourId = neighbour.communityId;
  year = currentYear();
  category = await allowedCategory();
  resident = await token({ sub: "res-places", roles: ["resident"], ...home, householdId: "hh-p" });
  streetStaff = await token({
    sub: "street-places",
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  needId = (
    await call("POST", "/v1/needs", {
      token: resident,
      body: { communityId, title: `places need ${Date.now()}`, description: "d" },
    })
  ).body.id;
});

const propose = (
  name: string,
  body: () => unknown,
  status: number,
  code: string,
  by = () => resident,
) =>
  ({
    name,
    method: "POST",
    path: () => "/v1/proposals",
    token: by,
    body,
    status,
    code,
  }) satisfies BadInputCase;

const cases: BadInputCase[] = [
  // what the demo city (longgang preset) refuses
  propose(
    "a package where the city does not split needs",
    () => proposal({ packageGroupId: "grp-demo" }),
    422,
    "packages_not_allowed",
  ),
  propose(
    "phasing where the city does not phase",
    () => proposal({ phasing: phasing() }),
    422,
    "phasing_not_allowed",
  ),
  propose(
    "a cross-community project where the city takes none",
    () => proposal({ communities: communities() }),
    422,
    "cross_community_not_allowed",
    () => streetStaff,
  ),
  propose(
    "a package that is also phased",
    () => proposal({ packageGroupId: "grp-demo", phasing: phasing() }),
    422,
    "funding_plan_conflict",
  ),
  // courtyards
  propose(
    "a courtyard of another community",
    () => proposal({ courtyardIds: ["nowhere-yard"] }),
    422,
    "courtyard_not_found",
  ),
  propose(
    "a community id as a courtyard",
    () => proposal({ courtyardIds: [neighbourId] }),
    422,
    "courtyard_not_found",
  ),
  propose(
    "an empty courtyard list",
    () => proposal({ courtyardIds: [] }),
    400,
    "validation_failed",
  ),
  propose(
    "a courtyard id that is not an id",
    () => proposal({ courtyardIds: ["院落一"] }),
    400,
    "validation_failed",
  ),
  propose(
    "courtyards that are not a list",
    () => proposal({ courtyardIds: "baihua-yiyuan" }),
    400,
    "validation_failed",
  ),
  // phasing's shape
  propose(
    "phasing of one year",
    () => proposal({ phasing: [{ year, programmeFen: 1_000_000 }] }),
    400,
    "validation_failed",
  ),
  propose(
    "a phasing share of zero",
    () => proposal({ phasing: phasing(1_000_000, 0) }),
    400,
    "validation_failed",
  ),
  propose(
    "a phasing share with an unknown field",
    () => proposal({ phasing: [{ year, programmeFen: 1, extra: 1 }, ...phasing().slice(1)] }),
    400,
    "validation_failed",
  ),
  // communities' shape
  propose(
    "communities with one community",
    () => proposal({ communities: [{ communityId, programmeFen: 1_000_000 }] }),
    400,
    "validation_failed",
    () => streetStaff,
  ),
  propose(
    "a community share with a negative amount",
    () =>
      proposal({
        communities: [...communities().slice(0, 1), { communityId: neighbourId, programmeFen: -1 }],
      }),
    400,
    "validation_failed",
    () => streetStaff,
  ),
  propose(
    "a package group id that is not an id",
    () => proposal({ packageGroupId: "group with spaces" }),
    400,
    "validation_failed",
  ),
  // GET /v1/package-groups/{id}
  {
    name: "package group: an id that is not an id",
    method: "GET",
    path: () => "/v1/package-groups/%20bad%20",
    token: () => resident,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "package group: unknown",
    method: "GET",
    path: () => `/v1/package-groups/${ULID_UNKNOWN}`,
    token: () => resident,
    status: 404,
    code: "not_found",
  },
  {
    name: "package group: no token",
    method: "GET",
    path: () => `/v1/package-groups/${ULID_UNKNOWN}`,
    status: 401,
    gateway: true,
  },
];

describe("places and money mechanisms: bad input on the demo city", () => {
  badInputTests(cases);

  it("shows the demo community's courtyards in GET /v1/geo and keeps them on a proposal", async () => {
    const geo = (await call("GET", "/v1/geo")).body;
    const home = geo.districts[0].streets[0].communities[0];
    expect(home.id).toBe(communityId);
    const yards = home.courtyards.map((c: { id: string }) => c.id);
    expect(yards.length).toBeGreaterThan(0);
    const r = await call("POST", "/v1/proposals", {
      token: resident,
      body: proposal({ courtyardIds: [yards[0]] }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.courtyardIds).toEqual([yards[0]]);
  });
});
