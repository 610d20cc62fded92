import { type LocalCloud, startLocalCloud } from "@pencai/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallOptions,
  type Claims,
  callAt,
  currentYear,
  eventually,
  tokenAt,
} from "../support/http.js";
import { type Journey, journeyOn } from "../support/journey.js";
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

describe("Jinjiang: one bought service from an organisation's notice to 群众评审", () => {
  let j: Journey;
  beforeAll(async () => {
    j = await journeyOn({ cloud, call, token: (claims: Claims) => tokenAt(cloud.url, claims) });
  });

  it("registers, objects, admits, buys, decides in the courtyard, implements and evaluates", async () => {
    expect(j.rules.preset).toBe("jinjiang");
    // 静居寺社区 and its two courtyards (院落), which the file's other tests do not use
    const home = { districtId: "jinjiang", streetId: "niushikou", communityId: "jingjusi" };
    const yard = "jingjusi-dongyuan";
    const otherYard = "jingjusi-xiyuan";
    const o = await j.officials(home);
    const residentSub = `jj-j-res-${run}`;
    const resident = await j.token({
      sub: residentSub,
      roles: ["resident"],
      ...home,
      householdId: `jj-j-hh-${run}`,
    });

    // 登记: a registered organisation with its credit code goes on public notice
    const reg = await j.post("/v1/orgs", o.staff, {
      name: `静居寺为老服务中心 ${run}`,
      track: "registered",
      creditCode: freshCreditCode(),
      communityId: home.communityId,
      services: ["elderly_care"],
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    expect(reg.body.status).toBe("in_notice");
    const org = reg.body.id as string;
    // a resident of its community objects while the notice runs; the review waits for its end
    const objection = await j.post(`/v1/orgs/${org}/objections`, resident, {
      reason: "该机构此前服务不到位",
    });
    expect(objection.status, JSON.stringify(objection.body)).toBe(201);
    const early = await j.post(`/v1/orgs/${org}/review`, o.civil, { decision: "admit" });
    expect([early.status, early.body.code]).toEqual([409, "notice_running"]);
    // after the notice (this cloud's clock moved past its end and back): admitting over an
    // objection answers it on the record
    const now = (await j.call("GET", "/dev/clock")).body.now as string;
    const past = new Date(Date.parse(reg.body.noticeEndsAt) + 60_000).toISOString();
    expect((await j.call("POST", "/dev/clock", { body: { now: past } })).status).toBe(200);
    try {
      const bare = await j.post(`/v1/orgs/${org}/review`, o.civil, { decision: "admit" });
      expect([bare.status, bare.body.code]).toEqual([422, "reason_required"]);
      const admitted = await j.post(`/v1/orgs/${org}/review`, o.civil, {
        decision: "admit",
        reason: "经核实，异议所涉服务已整改",
      });
      expect(admitted.status, JSON.stringify(admitted.body)).toBe(200);
      expect(admitted.body.status).toBe("active");
    } finally {
      await j.call("POST", "/dev/clock", { body: { now } });
    }
    const officialView = await j.call("GET", `/v1/orgs/${org}`, { token: o.civil });
    expect(JSON.stringify(officialView.body)).not.toContain(residentSub);

    // a need in the courtyard community, and the organisation's own user proposes the service
    const need = await j.post("/v1/needs", resident, {
      communityId: home.communityId,
      title: `东院独居老人助餐 ${run}`,
      description: "东院独居长者多，吃饭难",
    });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    const orgUserSub = `jj-j-orguser-${run}`;
    const orgUser = await j.token({ sub: orgUserSub, roles: ["org"], ...home, orgId: org });
    const item = (j.rules.purchaseCatalogue as CatalogueItem[]).find(
      (c) => c.category === "elderly_care",
    )!;
    const budgetFen = Math.min(item.maxFen, 5_000_000);
    const service = (fen: number) =>
      j.post("/v1/proposals", orgUser, {
        communityId: home.communityId,
        kind: "service",
        category: "elderly_care",
        title: `东院长者助餐服务 ${run}`,
        summary: "社会组织承接，每周五天送餐",
        beneficiaries: 60,
        budgetFen: fen,
        needIds: [need.body.id],
        year,
        courtyardIds: [yard],
      });
    // intake learns of the admission from the registry's event
    // below the catalogue's price (its top is above the service cap, so the cap would answer)
    const over = await j.settled(
      () => service(item.minFen - 1),
      (r) => r.body?.code !== "org_not_active",
    );
    expect([over.status, over.body.code]).toEqual([422, "outside_price_range"]);
    const filed = await service(budgetFen);
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body.applicantOrgId).toBe(org);
    expect(filed.body.courtyardIds).toEqual([yard]);
    const id = filed.body.id as string;
    expect(await j.stepOf(id)).toBe("apply");

    // screened with its fit to the need, then the east courtyard's council (院落议事会) decides
    const screened = await j.post(`/v1/proposals/${id}/screening`, o.staff, {
      decision: "accept",
      needFit: 90,
    });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    await j.until(
      () => j.call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
      [404],
    );
    expect(await j.stepOf(id)).toBe("deliberate");
    const east = [1, 2, 3].map((i) => `jj-j-east-${run}-${i}`);
    const west = `jj-j-west-${run}`;
    const roster = await j.put(`/v1/communities/${home.communityId}/council`, o.staff, {
      members: [
        ...east.map((sub, i) => ({
          sub,
          name: `东院议事员${i + 1}`,
          termEnds: "2099-12-31",
          courtyardId: yard,
        })),
        { sub: west, name: "西院议事员", termEnds: "2099-12-31", courtyardId: otherYard },
      ],
    });
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    const meetingOf = (memberIds: string[]) =>
      j.post("/v1/meetings", o.staff, {
        communityId: home.communityId,
        courtyardIds: [yard],
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        memberIds,
        proposalIds: [id],
      });
    // the west courtyard's member does not sit in the east courtyard's council
    const mixed = await meetingOf([...east, west]);
    expect([mixed.status, mixed.body.code]).toEqual([422, "not_a_member"]);
    const meeting = await meetingOf(east);
    expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
    const m = meeting.body.id as string;
    expect((await j.post(`/v1/meetings/${m}/attendance`, o.staff, { present: east })).status).toBe(
      200,
    );
    for (const sub of east) {
      const member = await j.token({ sub, roles: ["council_member"], ...home });
      const ballot = await j.post(`/v1/meetings/${m}/ballots`, member, {
        proposalId: id,
        choice: "yes",
      });
      expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
    }
    const closed = await j.post(`/v1/meetings/${m}/close`, o.staff);
    expect(closed.body.results[0]).toMatchObject({ yes: 3, passed: true });
    // a service: no expert review (works only), the council's pass endorses it
    await j.status(id, "endorsed", o.staff);
    expect(await j.stepOf(id)).toBe("review");

    // 区审定购买 and the money, then the organisation implements and reports its progress
    expect(await j.fund(id, o)).toBe(budgetFen);
    await j.status(id, "funded", o.staff);
    expect(await j.stepOf(id)).toBe("implement");
    const effect = await j.implementAndEvaluate({
      id,
      o,
      programmeFen: budgetFen,
      year,
      implementer: { kind: "org", orgId: org },
      reporter: orgUser,
      payee: reg.body.name,
    });
    // 群众评审: residents with an expert beside them
    expect(Object.keys(effect.byType).sort()).toEqual(["expert", "resident_rep"]);
    await j.status(id, "evaluated", o.staff);
    const record = await j.publicRecord(id, [residentSub, orgUserSub, ...east]);
    expect(record.stage).toBe("effect");
    expect(record.step).toMatchObject({ id: "evaluate", name: "群众评审" });

    // the public list of organisations shows its record: one project evaluated, one passed
    const listed = await j.settled(
      () => j.call("GET", `/v1/public/orgs?districtId=${home.districtId}`),
      (r) => r.body?.items?.find((x: { id: string }) => x.id === org)?.record?.evaluated === 1,
    );
    const mine = listed.body.items.find((x: { id: string }) => x.id === org);
    expect(mine).toMatchObject({ status: "active", record: { evaluated: 1, passed: 1 } });
    expect(JSON.stringify(mine)).not.toContain(reg.body.creditCode ?? "no-credit-code");
  }, 300_000);
});
