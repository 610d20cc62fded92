import type { LocalCloud } from "@pencai/local";
import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCityCloud } from "../support/city-cloud.js";
import { publishFunded, publishOn } from "../support/events.js";
import {
  type CallOptions,
  type Claims,
  currentYear,
  eventually,
  type Geo,
  sha256Hex,
} from "../support/http.js";

// Panlong (盘龙区) end to end, part two: the three-level ladder for needs (deadlines in working
// days, the overdue list, one step at a time under concurrency) and the resident project group's
// choice of supplier in the spending notice. Like panlong.test.ts this file starts its own local
// cloud with infra/cities/panlong.json (the shared cloud runs the demo city, which has neither).

const EVENTS_MS = 30_000;
const run = Date.now().toString(36);

let local: Awaited<ReturnType<typeof startCityCloud>>;
let cloud: LocalCloud;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  local.call<T>(method, path, opts);
const token = (claims: Claims) => local.token(claims);
const setClock = async (now: string) =>
  expect((await call("POST", "/dev/clock", { body: { now } })).status).toBe(200);

type Place = { districtId: string; streetId: string; communityId: string };
let place: Place;
let otherStreet: Place;
let staff: string;
let street: string;
let civil: string;
let otherStreetStaff: string;

const raise = async (title: string) => {
  const r = await call("POST", "/v1/needs", {
    token: staff,
    body: {
      communityId: place.communityId,
      title: `${title} ${run}`,
      description: "居民自行无法解决",
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
};
const escalate = (id: string, level: number, tok: string) =>
  call("POST", `/v1/needs/${id}/escalate`, { token: tok, body: { level, reason: "需要协助" } });
const respond = (id: string, level: number, tok: string) =>
  call("POST", `/v1/needs/${id}/response`, { token: tok, body: { level, note: "已协调解决" } });
const listed = async (query: string) => {
  const r = await call("GET", `/v1/needs?communityId=${place.communityId}&${query}`, {
    token: staff,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.items as { id: string }[]).map((n) => n.id);
};

beforeAll(async () => {
  local = await startCityCloud("panlong");
  cloud = local.cloud;
  const geo = (await call<Geo>("GET", "/v1/geo")).body;
  const district = geo.districts[0]!;
  const [s1, s2] = district.streets;
  place = { districtId: district.id, streetId: s1!.id, communityId: s1!.communities[0]!.id };
  otherStreet = { districtId: district.id, streetId: s2!.id, communityId: s2!.communities[0]!.id };
  staff = await token({ sub: `ld-staff-${run}`, roles: ["community_staff"], ...place });
  street = await token({
    sub: `ld-street-${run}`,
    roles: ["street_staff"],
    districtId: place.districtId,
    streetId: place.streetId,
  });
  otherStreetStaff = await token({
    sub: `ld-street2-${run}`,
    roles: ["street_staff"],
    districtId: otherStreet.districtId,
    streetId: otherStreet.streetId,
  });
  civil = await token({
    sub: `ld-civil-${run}`,
    roles: ["district_civil"],
    districtId: place.districtId,
  });
}, 120_000);

afterAll(async () => {
  if (cloud) await setClock(new Date().toISOString());
  await cloud?.stop();
}, 120_000);

describe("the city file's names are what the city shows", () => {
  it("GET /v1/geo and /v1/rules carry the names of infra/cities/panlong.json and its preset", async () => {
    const geo = (await call("GET", "/v1/geo")).body;
    expect(geo.name).toBe(cloud.city.name);
    expect(geo.districts).toEqual(
      cloud.city.districts.map((d) => ({
        id: d.id,
        name: d.name,
        streets: d.streets.map((st) => ({
          id: st.id,
          name: st.name,
          communities: st.communities.map((c) => ({ id: c.id, name: c.name })),
        })),
      })),
    );
    expect(geo.districts[0].name).toBe("盘龙区");
    const rules = (await call("GET", "/v1/rules")).body;
    expect(rules.categories).toEqual(cloud.city.rules.categories);
    expect(rules.process.steps.map((st: { name: string }) => st.name)).toContain("广泛评议");
  });
});

describe("Panlong's ladder for needs", () => {
  it("publishes each level's working days in the rules", async () => {
    const rules = (await call("GET", "/v1/rules")).body;
    expect(rules.sla.escalation).toEqual({ level2WorkingDays: 5, level3WorkingDays: 15 });
  });

  it("climbs one level at a time with working-day deadlines, is listed overdue until answered", async () => {
    // Monday 2 March 2026, 10:00 in Shanghai
    await setClock("2026-03-02T02:00:00.000Z");
    const id = await raise("楼顶防水");
    expect((await escalate(id, 3, street)).status).toBe(409);
    expect((await escalate(id, 2, otherStreetStaff)).status).toBe(403);
    const two = await escalate(id, 2, staff);
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    // five working days: Monday 9 March, 24:00 Shanghai
    expect(two.body).toMatchObject({
      level: 2,
      overdue: false,
      escalations: [
        { level: 2, dueAt: "2026-03-09T16:00:00.000Z", by: { role: "community_staff" } },
      ],
    });
    expect(JSON.stringify(two.body)).not.toContain(`ld-staff-${run}`);
    expect(await listed("level=2")).toContain(id);
    expect(await listed("level=1")).not.toContain(id);
    expect(await listed("overdue=true")).not.toContain(id);

    // Tuesday 10 March: level 2 is late
    await setClock("2026-03-10T01:00:00.000Z");
    expect(await listed("overdue=true")).toContain(id);
    expect(await listed("level=2&overdue=true")).toContain(id);
    expect(await listed("overdue=false")).not.toContain(id);
    expect((await call("GET", `/v1/needs/${id}`, { token: staff })).body.overdue).toBe(true);

    // the district cannot answer level 2; the street does, once
    expect((await respond(id, 2, civil)).status).toBe(403);
    expect((await respond(id, 2, street)).status).toBe(200);
    expect((await respond(id, 2, street)).status).toBe(409);
    expect(await listed("overdue=true")).not.toContain(id);

    // community staff cannot take it to the district; the street can: 15 working days
    expect((await escalate(id, 3, staff)).status).toBe(403);
    const three = await escalate(id, 3, street);
    expect(three.status, JSON.stringify(three.body)).toBe(200);
    expect(three.body.escalations[1]).toMatchObject({
      level: 3,
      dueAt: "2026-03-31T16:00:00.000Z",
      by: { role: "street_staff" },
    });
    expect(await listed("level=3")).toContain(id);
    expect((await escalate(id, 3, street)).status).toBe(409);
    expect((await respond(id, 3, civil)).status).toBe(200);
  });

  it("of concurrent escalations one wins; of concurrent answers one counts", async () => {
    const id = await raise("停车秩序");
    const tries = await Promise.all(Array.from({ length: 6 }, () => escalate(id, 2, staff)));
    expect(tries.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const need = (await call("GET", `/v1/needs/${id}`, { token: staff })).body;
    expect(need.level).toBe(2);
    expect(need.escalations).toHaveLength(1);

    const climbs = await Promise.all(Array.from({ length: 4 }, () => escalate(id, 3, street)));
    expect(climbs.filter((r) => r.status === 200)).toHaveLength(1);
    expect((await call("GET", `/v1/needs/${id}`, { token: staff })).body.escalations).toHaveLength(
      2,
    );

    const answers = await Promise.all(Array.from({ length: 4 }, () => respond(id, 3, civil)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(3);
  });
});

describe("Panlong's resident project groups in the spending notice", () => {
  const evidence = [ulid(), ulid(), ulid()];
  let id: string;
  const group = [`ld-res-${run}-1`, `ld-res-${run}-2`, `ld-res-${run}-3`];
  const quotes = () => [
    { supplier: "昆明甲建筑公司", amountFen: 900_000, evidenceId: evidence[0] },
    { supplier: "昆明乙建筑公司", amountFen: 850_000, evidenceId: evidence[1] },
    { supplier: "昆明丙建筑公司", amountFen: 990_000, evidenceId: evidence[2] },
  ];
  const procure = (body: unknown, tok = staff) =>
    call("POST", `/v1/proposals/${id}/procurement`, { token: tok, body });

  beforeAll(async () => {
    await setClock(new Date().toISOString());
    id = await publishFunded({
      cityId: "panlong",
      place,
      budgetFen: 1_000_000,
      year: currentYear(),
      title: `睦邻驿站 ${run}`,
      proposerSub: `ld-proposer-${run}`,
      correlationId: `ld-${run}`,
      fauxqsEndpoint: cloud.fauxqsEndpoint,
    });
    // intake's verified evidence of the proposal (the quotes), as its outbox publishes it
    for (const evidenceId of evidence) {
      await publishOn(
        {
          id: ulid(),
          type: "EvidenceVerified",
          version: 1,
          occurredAt: new Date().toISOString(),
          cityId: "panlong",
          proposalId: id,
          communityId: place.communityId,
          actor: { sub: "system:intake", roles: [] },
          correlationId: `ld-${run}`,
          data: {
            proposalId: id,
            evidenceId,
            purpose: "quote",
            contentType: "application/pdf",
            sizeBytes: 10,
            sha256: sha256Hex(evidenceId),
            verifiedAt: new Date().toISOString(),
          },
        },
        cloud.fauxqsEndpoint,
      );
    }
    const ready = await eventually(
      () => call("GET", `/v1/public/proposals/${id}/spending`),
      (r) => r.status === 200 && r.body.in.bySource.programme === 1_000_000,
      EVENTS_MS,
    );
    expect(ready.status).toBe(200);
  }, 60_000);

  it("refuses too few quotes, an unquoted choice, a dearer one without reason, unverified evidence", async () => {
    const body = { group, quotes: quotes(), chosen: "昆明乙建筑公司" };
    expect((await procure({ ...body, quotes: quotes().slice(0, 2) })).body.code).toBe(
      "procurement_invalid",
    );
    expect((await procure({ ...body, group: group.slice(0, 2) })).body.code).toBe(
      "procurement_invalid",
    );
    expect((await procure({ ...body, chosen: "未报价公司" })).body.code).toBe(
      "procurement_invalid",
    );
    expect((await procure({ ...body, chosen: "昆明甲建筑公司" })).body.code).toBe(
      "procurement_invalid",
    );
    const unverified = quotes().map((q, i) => (i === 2 ? { ...q, evidenceId: ulid() } : q));
    const r = await procure({ ...body, quotes: unverified });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("evidence_not_verified");
    expect((await procure(body, otherStreetStaff)).status).toBe(403);
    expect(
      (await call("GET", `/v1/public/proposals/${id}/spending`)).body.procurement,
    ).toBeUndefined();
  });

  it("records the group's choice once; the public notice shows the group's size, not its residents", async () => {
    const body = {
      group,
      quotes: quotes(),
      chosen: "昆明甲建筑公司",
      reason: "工期更短，质保三年",
    };
    // recorded once, whoever is first among concurrent requests
    const tries = await Promise.all(
      [staff, street, staff, street].map((tok) => procure(body, tok)),
    );
    expect(tries.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const first = tries.find((r) => r.status === 201)!;
    expect(first.body).toMatchObject({ groupSize: 3, cheapest: false, chosen: "昆明甲建筑公司" });
    expect((await procure(body)).status).toBe(409);

    const pub = await call("GET", `/v1/public/proposals/${id}/spending`);
    expect(pub.body.procurement).toMatchObject({
      groupSize: 3,
      quotes: quotes(),
      chosen: "昆明甲建筑公司",
      cheapest: false,
      reason: "工期更短，质保三年",
    });
    for (const sub of group) expect(JSON.stringify(pub.body)).not.toContain(sub);
    const own = await call("GET", `/v1/proposals/${id}/spending`, { token: street });
    expect(own.body.procurement.group).toEqual(group);
  });
});
