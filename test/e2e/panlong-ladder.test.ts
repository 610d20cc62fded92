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
import { type Journey, journeyOn } from "../support/journey.js";

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
          communities: st.communities.map((c) => ({
            id: c.id,
            name: c.name,
            // the city file's courtyards (院落) are shown too
            ...(c.courtyards && { courtyards: c.courtyards.map(({ id, name }) => ({ id, name })) }),
          })),
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

describe("Panlong end to end: 个别提议、民主商议、集体决议、广泛评议", () => {
  let j: Journey;

  beforeAll(async () => {
    await setClock(new Date().toISOString());
    j = await journeyOn(local);
  }, 60_000);

  it("runs one resident project from a need up the ladder to 广泛评议 and its public record", async () => {
    expect(j.rules.preset).toBe("panlong");
    expect(j.rules.process).toMatchObject({ serviceApplicant: "any", expertReview: "none" });
    expect(j.rules.thresholds.council.rosterRequired ?? false).toBe(false);
    const year = currentYear();
    const home = j.home;
    const o = await j.officials(home);
    // the household roster: three households in 白塔东院, two in 白塔西院, one in no courtyard
    const [east, west] = ["baita-dongyuan", "baita-xiyuan"];
    const hh = [1, 2, 3, 4, 5, 6].map((i) => `pn-hh-${run}-${i}`);
    const subs = hh.map((_, i) => `pn-res-${run}-${i + 1}`);
    const residents: string[] = [];
    for (const [i, householdId] of hh.entries())
      residents.push(await j.token({ sub: subs[i]!, roles: ["resident"], ...home, householdId }));
    const proposer = residents[0]!;

    // level 1 a resident's need; the community takes it to level 2, the street answers it
    const need = await j.post("/v1/needs", proposer, {
      communityId: home.communityId,
      title: `院落雨棚 ${run}`,
      description: "东院晾晒区无遮挡，居民自行无法解决",
    });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    const needId = need.body.id as string;
    const up = await j.post(`/v1/needs/${needId}/escalate`, o.staff, {
      level: 2,
      reason: "需要街道协助",
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body).toMatchObject({ level: 2, escalations: [{ level: 2 }] });
    const answered = await j.post(`/v1/needs/${needId}/response`, o.street, {
      level: 2,
      note: "纳入民生小实事，由院落居民自筹部分资金",
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);

    // 个别提议: the resident proposes a works project of the courtyard, part self-raised
    const filed = await j.post("/v1/proposals", proposer, {
      communityId: home.communityId,
      courtyardIds: [east],
      kind: "works",
      category: j.category(),
      title: `东院雨棚 ${run}`,
      summary: "居民项目小组自主选取供应商",
      beneficiaries: 90,
      budgetFen: 1_000_000,
      selfRaisedFen: 200_000,
      needIds: [needId],
      year,
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id = filed.body.id as string;
    expect(await j.stepOf(id)).toBe("propose");

    // 民主商议: screened by the community
    const screened = await j.post(`/v1/proposals/${id}/screening`, o.staff, {
      decision: "accept",
    });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    await j.until(
      () => j.call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
      [404],
    );
    expect(await j.stepOf(id)).toBe("discuss");
    const roster = await j.put(`/v1/communities/${home.communityId}/households`, o.staff, {
      households: hh.map((householdId, i) => ({
        householdId,
        ...(i < 3 ? { courtyardId: east } : i < 5 ? { courtyardId: west } : {}),
      })),
    });
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    expect(roster.body.households).toBe(6);
    expect(roster.body.courtyards).toEqual(
      expect.arrayContaining([
        { courtyardId: east, households: 3 },
        { courtyardId: west, households: 2 },
      ]),
    );
    expect(JSON.stringify(roster.body)).not.toContain(hh[0]);

    // 集体决议: a temporary group of residents' representatives (no standing roster needed)
    const members = [1, 2, 3, 4, 5].map((i) => `pn-rep-${run}-${i}`);
    const meeting = await j.post("/v1/meetings", o.staff, {
      communityId: home.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds: members,
      proposalIds: [id],
      proposalDetails: [{ proposalId: id, urgency: 70, replicability: 60 }],
    });
    expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
    const m = meeting.body.id as string;
    expect(meeting.body.householdRosterVersion).toBe(roster.body.version);
    expect(
      (await j.post(`/v1/meetings/${m}/attendance`, o.staff, { present: members })).status,
    ).toBe(200);
    // the east courtyard's households answer: two of three agree (2/3); a west one may not
    const consent = (tok: string, agree: boolean) =>
      j.post(`/v1/proposals/${id}/consents`, tok, { agree });
    expect((await consent(residents[0]!, true)).status).toBe(201);
    expect((await consent(residents[1]!, true)).status).toBe(201);
    expect((await consent(residents[2]!, false)).status).toBe(201);
    expect((await consent(residents[3]!, true)).status).toBe(403);
    expect((await consent(residents[5]!, true)).status).toBe(403);
    for (const [i, sub] of members.entries()) {
      const member = await j.token({ sub, roles: ["council_member"], ...home });
      const ballot = await j.post(`/v1/meetings/${m}/ballots`, member, {
        proposalId: id,
        choice: i === 0 ? "no" : "yes",
      });
      expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
    }
    const closed = await j.post(`/v1/meetings/${m}/close`, o.staff);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.results[0]).toMatchObject({
      proposalId: id,
      yes: 4,
      passed: true,
      consent: { households: 3, agreed: 2, met: true, required: true },
    });
    // no expert review: passed is endorsed, and the ranking marks it fundable
    await j.status(id, "endorsed", o.staff);
    expect(await j.stepOf(id)).toBe("decide");
    const ranking = await j.call("GET", `/v1/public/rankings/${home.communityId}/${year}`);
    expect(ranking.status, JSON.stringify(ranking.body)).toBe(200);
    const ranked = ranking.body.items.find((i: { proposalId: string }) => i.proposalId === id);
    expect(ranked).toMatchObject({ budgetFen: 1_000_000, fundable: true });
    expect(ranked.inputs.participation).toBeCloseTo(1, 4);

    // 街道综合审定与拨付: the programme pays its part
    expect(await j.fund(id, o)).toBe(800_000);
    await j.status(id, "funded", o.staff);
    expect(await j.stepOf(id)).toBe("implement");

    // the residents' own money and the street's subsidy come in
    const contribute = (tok: string, source: string, amountFen: number, contributor: string) =>
      j.until(
        () =>
          j.post(`/v1/proposals/${id}/contributions`, tok, {
            source,
            amountFen,
            contributor,
            reference: `JK-${source}-${run}`,
          }),
        [404, 409],
      );
    const own = await contribute(o.staff, "self_raised", 200_000, "东院居民集资");
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const subsidy = await contribute(o.street, "street_subsidy", 50_000, "拓东街道办事处");
    expect(subsidy.status, JSON.stringify(subsidy.body)).toBe(201);

    // the resident project group compares three quotes, each with verified evidence
    const group = subs.slice(0, 3);
    const quotes: { supplier: string; amountFen: number; evidenceId: string }[] = [];
    for (const [supplier, amountFen] of [
      ["昆明东篷建材公司", 1_000_000],
      ["昆明西篷建材公司", 1_080_000],
      ["昆明南篷建材公司", 1_150_000],
    ] as const)
      quotes.push({ supplier, amountFen, evidenceId: await j.evidence(id, o.staff, supplier) });
    const procured = await j.settled(
      () =>
        j.post(`/v1/proposals/${id}/procurement`, o.staff, {
          group,
          quotes,
          chosen: "昆明东篷建材公司",
        }),
      (r) => r.body?.code !== "evidence_not_verified",
    );
    expect(procured.status, JSON.stringify(procured.body)).toBe(201);
    expect(procured.body).toMatchObject({ groupSize: 3, cheapest: true });

    // 项目小组实施 with evidence, the supplier paid; 广泛评议 by resident representatives
    const effect = await j.implementAndEvaluate({
      id,
      o,
      programmeFen: 1_000_000,
      year,
      payee: "昆明东篷建材公司",
    });
    expect(effect.passed).toBe(true);
    await j.status(id, "evaluated", o.staff);

    // the public spending notice: money in by source, the payment out, the group's choice
    const spending = await j.call("GET", `/v1/public/proposals/${id}/spending`);
    expect(spending.status, JSON.stringify(spending.body)).toBe(200);
    expect(spending.body.in.bySource).toEqual({
      programme: 800_000,
      self_raised: 200_000,
      sponsor: 0,
      street_subsidy: 50_000,
    });
    expect(spending.body.in.totalFen).toBe(1_050_000);
    expect(spending.body.out.payments).toEqual([
      expect.objectContaining({ milestonePercent: 100, amountFen: 1_000_000 }),
    ]);
    expect(spending.body.balanceFen).toBe(50_000);
    expect(spending.body.procurement).toMatchObject({
      groupSize: 3,
      quotes,
      chosen: "昆明东篷建材公司",
      cheapest: true,
    });
    const notice = JSON.stringify(spending.body);
    for (const s of [...subs, ...hh, "东院居民集资", "拓东街道办事处"])
      expect(notice).not.toContain(s);

    // the public record at its last step: the chain verifies, no person in it
    const record = await j.publicRecord(id, [...subs, ...hh, ...members]);
    expect(record.stage).toBe("effect");
    expect(record.step).toMatchObject({ id: "evaluate", name: "广泛评议" });
  }, 240_000);
});
