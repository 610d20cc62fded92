import { type LocalCloud, startLocalCloud } from "@pencai/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallOptions, type Claims, callAt, currentYear, eventually } from "../support/http.js";
import { freshCreditCode } from "../support/orgs.js";

// Jinjiang (成都市锦江区) end to end: the government buys services from social organisations
// through its purchase catalogue (购买服务指导目录). A service proposal comes from an organisation
// admitted to the registry (its public notice run out on this cloud's clock), in a category the
// catalogue buys and within its price range. The shared test cloud runs the demo city (no
// catalogue), so this file starts its own local cloud with infra/cities/jinjiang.json.

const run = Date.now().toString(36);
const year = currentYear();
let cloud: LocalCloud;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  callAt<T>(cloud.url, method, path, opts);
const token = async (claims: Claims) =>
  (await call<{ token: string }>("POST", "/dev/token", { body: claims })).body.token;

interface CatalogueItem {
  category: string;
  minFen: number;
  maxFen: number;
}
let catalogue: CatalogueItem[];
let serviceCapFen: number;
let place: { districtId: string; streetId: string; communityId: string };
let orgToken: string;
let orgId: string;
let need: string;

const propose = (category: string, budgetFen: number, title: string) =>
  call("POST", "/v1/proposals", {
    token: orgToken,
    body: {
      communityId: place.communityId,
      kind: "service",
      category,
      title: `${title} ${run}`,
      summary: "社会组织承接",
      beneficiaries: 50,
      budgetFen,
      needIds: [need],
      year,
      applicantOrgId: orgId,
    },
  });

beforeAll(async () => {
  cloud = await startLocalCloud({
    city: "jinjiang",
    port: 0,
    schedules: false,
    demoData: false,
    quiet: true,
    throttling: false,
  });
  const rules = (await call("GET", "/v1/rules")).body;
  catalogue = rules.purchaseCatalogue;
  serviceCapFen = rules.caps.serviceFen;
  const geo = (await call("GET", "/v1/geo")).body;
  const d = geo.districts[0];
  place = {
    districtId: d.id,
    streetId: d.streets[0].id,
    communityId: d.streets[0].communities[0].id,
  };
  const staff = await token({ sub: `jj-staff-${run}`, roles: ["community_staff"], ...place });
  const civil = await token({
    sub: `jj-civil-${run}`,
    roles: ["district_civil"],
    districtId: d.id,
  });
  const reg = await call("POST", "/v1/orgs", {
    token: staff,
    body: {
      name: `锦江社工 ${run}`,
      track: "registered",
      creditCode: freshCreditCode(),
      communityId: place.communityId,
      services: ["elderly_care"],
    },
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  orgId = reg.body.id;
  const now = Date.parse((await call("GET", "/dev/clock")).body.now);
  await call("POST", "/dev/clock", {
    body: { now: new Date(Date.parse(reg.body.noticeEndsAt) + 60_000).toISOString() },
  });
  const admitted = await call("POST", `/v1/orgs/${orgId}/review`, {
    token: civil,
    body: { decision: "admit" },
  });
  expect(admitted.status, JSON.stringify(admitted.body)).toBe(200);
  await call("POST", "/dev/clock", { body: { now: new Date(now).toISOString() } });
  orgToken = await token({ sub: `jj-org-${run}`, roles: ["org"], ...place, orgId });
  const n = await call("POST", "/v1/needs", {
    token: staff,
    body: { communityId: place.communityId, title: `长者照护 ${run}`, description: "居民反映" },
  });
  expect(n.status).toBe(201);
  need = n.body.id;
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
}, 120_000);

describe("Jinjiang: services bought through the purchase catalogue", () => {
  it("shows the catalogue in GET /v1/rules", () => {
    expect(catalogue.map((c) => c.category)).toContain("elderly_care");
    expect(catalogue.every((c) => c.minFen <= c.maxFen)).toBe(true);
  });

  it("buys a listed service within its range from an admitted organisation", async () => {
    const item = catalogue.find((c) => c.category === "elderly_care")!;
    const r = await eventually(
      () => propose("elderly_care", item.minFen, "长者照护"),
      (r) => r.body?.code !== "org_not_active",
      20_000,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it("refuses programme money outside the category's range", async () => {
    // a category whose range ends below the service cap, so only the catalogue can refuse it
    const item = catalogue.find((c) => c.maxFen < serviceCapFen)!;
    for (const budgetFen of [item.minFen - 1, item.maxFen + 1]) {
      const r = await propose(item.category, budgetFen, "超出价格区间");
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.code).toBe("outside_price_range");
    }
  });

  it("refuses a service the catalogue does not buy, though the city's list allows it", async () => {
    const rules = (await call("GET", "/v1/rules")).body;
    const allowed: string[] = rules.categoryList.categories;
    const outside = allowed.find((c) => !catalogue.some((i) => i.category === c))!;
    const r = await propose(outside, 1_000_000, "目录外");
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.code).toBe("not_in_catalogue");
  });
});
