import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCityCloud } from "../support/city-cloud.js";
import { publishFunded } from "../support/events.js";
import { currentYear, eventually, type Geo } from "../support/http.js";
import { type Journey, journeyOn } from "../support/journey.js";

// Ningbo (宁波市) end to end on its own cloud (infra/cities/ningbo.json): the five steps
// 说/议/筹/办/评 are the proposal's process (the views show the current step), and sponsors
// (筹: enterprises, 乡贤) fund part of a project, from the proposal's funding to the money
// received in the spending notice.

const EVENTS_MS = 30_000;
const run = Date.now().toString(36);
const year = currentYear();

let local: Awaited<ReturnType<typeof startCityCloud>>;
const call = (...args: Parameters<typeof local.call>) => local.call(...args);
type Place = { districtId: string; streetId: string; communityId: string };
let place: Place;
let resident: string;
let staff: string;

beforeAll(async () => {
  local = await startCityCloud("ningbo");
  const geo = (await call("GET", "/v1/geo")).body as Geo;
  const d = geo.districts[0]!;
  const st = d.streets[0]!;
  place = { districtId: d.id, streetId: st.id, communityId: st.communities[0]!.id };
  resident = await local.token({
    sub: `nb-res-${run}`,
    roles: ["resident"],
    ...place,
    householdId: `nb-hh-${run}`,
  });
  staff = await local.token({ sub: `nb-staff-${run}`, roles: ["community_staff"], ...place });
}, 120_000);

afterAll(async () => {
  await local?.cloud.stop();
}, 120_000);

describe("Ningbo: 说/议/筹/办/评 and sponsors", () => {
  let proposalId: string;

  it("runs the ningbo preset: five steps, sponsors taken", async () => {
    const rules = (await call("GET", "/v1/rules")).body;
    expect(rules.preset).toBe("ningbo");
    expect(rules.process.sponsors).toBe(true);
    expect(rules.process.steps.map((s: { name: string }) => s.name)).toEqual([
      "说",
      "议",
      "筹",
      "办",
      "评",
    ]);
  });

  it("a proposal with sponsor money starts at 说 and moves to 议 when screened", async () => {
    const need = await call("POST", "/v1/needs", {
      token: resident,
      body: { communityId: place.communityId, title: `垃圾房改造 ${run}`, description: "异味" },
    });
    expect(need.status).toBe(201);
    const created = await call("POST", "/v1/proposals", {
      token: resident,
      body: {
        communityId: place.communityId,
        kind: "works",
        category: "waste_stations",
        title: `垃圾房改造 ${run}`,
        summary: "乡贤赞助三成",
        beneficiaries: 600,
        budgetFen: 1_000_000,
        selfRaisedFen: 100_000,
        sponsorFen: 300_000,
        needIds: [need.body.id],
        year,
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    proposalId = created.body.id;
    expect(created.body.step).toEqual({ id: "say", name: "说" });
    expect(created.body.funding).toEqual({
      programmeFen: 600_000,
      selfRaisedFen: 100_000,
      sponsorFen: 300_000,
      streetSubsidyFen: 0,
    });
    const pub = await call("GET", `/v1/public/proposals/${proposalId}`);
    expect(pub.body.step).toEqual({ id: "say", name: "说" });

    const screened = await call("POST", `/v1/proposals/${proposalId}/screening`, {
      token: staff,
      body: { decision: "accept" },
    });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    expect(screened.body.step).toEqual({ id: "deliberate", name: "议" });
    expect((await call("GET", `/v1/public/proposals/${proposalId}`)).body.step).toEqual({
      id: "deliberate",
      name: "议",
    });
  });

  it("sponsor money received shows by source in the spending notice, the sponsor's name to officials only", async () => {
    const id = await publishFunded({
      cityId: "ningbo",
      place,
      budgetFen: 1_000_000,
      selfRaisedFen: 100_000,
      sponsorFen: 300_000,
      year,
      title: `垃圾房改造 ${run}`,
      proposerSub: `nb-res-${run}`,
      correlationId: `nb-${run}`,
      fauxqsEndpoint: local.cloud.fauxqsEndpoint,
    });
    const funded = await eventually(
      () => call("GET", `/v1/public/proposals/${id}/spending`),
      (r) => r.status === 200 && r.body.in.bySource.programme === 600_000,
      EVENTS_MS,
    );
    expect(funded.body.funding).toMatchObject({ programmeFen: 600_000, sponsorFen: 300_000 });
    const gift = await call("POST", `/v1/proposals/${id}/contributions`, {
      token: staff,
      body: {
        source: "sponsor",
        amountFen: 300_000,
        contributor: "象山乡贤陈先生",
        reference: `ZZ-${run}`,
      },
    });
    expect(gift.status, JSON.stringify(gift.body)).toBe(201);
    const pub = await call("GET", `/v1/public/proposals/${id}/spending`);
    expect(pub.body.in.bySource).toMatchObject({ programme: 600_000, sponsor: 300_000 });
    expect(pub.body.in.totalFen).toBe(900_000);
    expect(JSON.stringify(pub.body)).not.toContain("陈先生");
    const own = await call("GET", `/v1/proposals/${id}/spending`, { token: staff });
    expect(
      own.body.in.entries.some((e: { contributor?: string }) => e.contributor === "象山乡贤陈先生"),
    ).toBe(true);
  });
});

describe("Ningbo end to end: 说、议、筹、办、评", () => {
  it("runs one project from a resident's need through the five steps to its public record", async () => {
    const j: Journey = await journeyOn(local);
    // a community of its own (the tests above use the first)
    const d = j.geo.districts[1];
    const st = d.streets[0];
    const home = { districtId: d.id, streetId: st.id, communityId: st.communities[0].id };
    const o = await j.officials(home);
    const residentSub = `nbj-res-${run}`;
    const resident = await j.token({
      sub: residentSub,
      roles: ["resident"],
      ...home,
      householdId: `nbj-hh-${run}`,
    });

    // 说: a need, and a works proposal answering it with a sponsor's part
    const need = await j.post("/v1/needs", resident, {
      communityId: home.communityId,
      title: `河道步道 ${run}`,
      description: "沿河步道破损，夜间无照明",
    });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    const filed = await j.post("/v1/proposals", resident, {
      communityId: home.communityId,
      kind: "works",
      category: j.category("waste_stations"),
      title: `沿河步道修缮 ${run}`,
      summary: "企业赞助三成，居民自筹一成",
      beneficiaries: 800,
      budgetFen: 1_000_000,
      selfRaisedFen: 100_000,
      sponsorFen: 300_000,
      needIds: [need.body.id],
      year,
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id = filed.body.id as string;
    expect(filed.body.funding).toMatchObject({ programmeFen: 600_000, sponsorFen: 300_000 });
    expect(await j.stepOf(id)).toBe("say");

    // 议: screened, heard by deputies and a department (请你来协商), decided by the standing council
    const screened = await j.post(`/v1/proposals/${id}/screening`, o.staff, { decision: "accept" });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    await j.until(
      () => j.call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
      [404],
    );
    expect(await j.stepOf(id)).toBe("deliberate");
    const members = [1, 2, 3, 4, 5].map((i) => `nbj-m-${run}-${i}`);
    const meet = (body: Record<string, unknown>) =>
      j.post("/v1/meetings", o.staff, {
        communityId: home.communityId,
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
        memberIds: members,
        proposalIds: [id],
        ...body,
      });
    // 五有: no meeting before the community has its standing council
    const early = await meet({});
    expect([early.status, early.body.code]).toEqual([422, "roster_required"]);
    const council = await j.put(`/v1/communities/${home.communityId}/council`, o.staff, {
      members: members.map((sub, i) => ({
        sub,
        name: `议事员${i + 1}`,
        termEnds: `${year + 3}-12-31`,
      })),
    });
    expect(council.status, JSON.stringify(council.body)).toBe(200);
    const invitees = [
      { name: "周代表", role: "deputy", unit: "区人大常委会" },
      { name: "孙科长", role: "department", unit: "区住房和建设局" },
    ];
    const heard = await meet({ kind: "consultation", invitees });
    expect(heard.status, JSON.stringify(heard.body)).toBe(201);
    const c = heard.body.id as string;
    for (const [invitee, opinion] of ["建议增设路灯", "住建局可提供施工标准"].entries()) {
      const said = await j.post(`/v1/meetings/${c}/opinions`, o.staff, {
        proposalId: id,
        invitee,
        opinion,
      });
      expect(said.status, JSON.stringify(said.body)).toBe(201);
    }
    const consulted = await j.call("GET", `/v1/meetings/${c}`, { token: o.staff });
    expect(consulted.body.opinions).toHaveLength(2);
    const ended = await j.post(`/v1/meetings/${c}/close`, o.staff);
    expect(ended.body.results).toEqual([]);
    expect(await j.stepOf(id)).toBe("deliberate");

    const meeting = await meet({});
    expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
    expect(meeting.body.councilVersion).toBe(council.body.version);
    const m = meeting.body.id as string;
    expect(
      (await j.post(`/v1/meetings/${m}/attendance`, o.staff, { present: members })).status,
    ).toBe(200);
    for (const sub of members) {
      const member = await j.token({ sub, roles: ["council_member"], ...home });
      const ballot = await j.post(`/v1/meetings/${m}/ballots`, member, {
        proposalId: id,
        choice: "yes",
      });
      expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
    }
    const decided = await j.post(`/v1/meetings/${m}/close`, o.staff);
    expect(decided.body.results[0]).toMatchObject({ proposalId: id, yes: 5, passed: true });
    await j.status(id, "deliberated", o.staff);
    expect(await j.stepOf(id)).toBe("deliberate");

    // the street's experts review works
    const reviewed = await j.post(`/v1/proposals/${id}/expert-reviews`, o.expert, {
      feasible: true,
      lawful: true,
      score: 85,
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(201);
    const passed = await j.post(`/v1/proposals/${id}/expert-decision`, o.street, {
      decision: "pass",
    });
    expect(passed.body.endorsed).toBe(true);
    await j.status(id, "endorsed", o.staff);
    expect(await j.stepOf(id)).toBe("deliberate");

    // 筹: reported, reviewed, approved; the sponsor's money comes in; the programme pays
    const reported = await j.until(() => j.post(`/v1/proposals/${id}/report`, o.street), [404]);
    expect(reported.status, JSON.stringify(reported.body)).toBe(200);
    await j.status(id, "reported", o.staff);
    expect(await j.stepOf(id)).toBe("fund");
    const forwarded = await j.post(`/v1/proposals/${id}/district-review`, o.civil, {
      decision: "forward",
    });
    expect(forwarded.status, JSON.stringify(forwarded.body)).toBe(200);
    const approved = await j.post(`/v1/proposals/${id}/approval`, o.group, { decision: "approve" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.committedFen).toBe(600_000);
    await j.status(id, "approved", o.staff);
    expect(await j.stepOf(id)).toBe("fund");
    const sponsor = "甬江实业有限公司";
    const gift = await j.until(
      () =>
        j.post(`/v1/proposals/${id}/contributions`, o.staff, {
          source: "sponsor",
          amountFen: 300_000,
          contributor: sponsor,
          reference: `ZZ-J-${run}`,
        }),
      [404, 409],
    );
    expect(gift.status, JSON.stringify(gift.body)).toBe(201);
    const paid = await j.post(`/v1/proposals/${id}/disbursements`, o.finance, {
      amountFen: 600_000,
      reference: `PZ-J-${run}`,
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    await j.status(id, "funded", o.staff);
    expect(await j.stepOf(id)).toBe("do");

    // 办 and 评: the plan, progress with evidence, payment, completion; deputies and residents rate it
    expect(j.rules.evaluation.panelRequiredTypes).toEqual(["deputy", "resident_rep"]);
    const effect = await j.implementAndEvaluate({
      id,
      o,
      programmeFen: 900_000,
      year,
      // half at the first milestone, the rest on delivery
      payments: [
        { milestonePercent: 50, amountFen: 450_000 },
        { milestonePercent: 100, amountFen: 450_000 },
      ],
    });
    expect(effect.passed).toBe(true);
    await j.status(id, "evaluated", o.staff);

    // the spending notice by source: the sponsor's money shown, its name to officials only
    const pub = await j.call("GET", `/v1/public/proposals/${id}/spending`);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    expect(pub.body.in.bySource).toMatchObject({ programme: 600_000, sponsor: 300_000 });
    expect(pub.body.in.totalFen).toBe(900_000);
    expect(pub.body.out.totalFen).toBe(900_000);
    expect(
      pub.body.out.payments
        .map((p: { milestonePercent: number }) => p.milestonePercent)
        .sort((a: number, b: number) => a - b),
    ).toEqual([50, 100]);
    expect(JSON.stringify(pub.body)).not.toContain(sponsor);
    const own = await j.call("GET", `/v1/proposals/${id}/spending`, { token: o.street });
    expect(
      own.body.in.entries.some((e: { contributor?: string }) => e.contributor === sponsor),
    ).toBe(true);

    const record = await j.publicRecord(id, [residentSub, `nbj-hh-${run}`, ...members, sponsor]);
    expect(record.stage).toBe("effect");
    expect(record.step).toMatchObject({ id: "evaluate", name: "评" });
  }, 240_000);
});
