import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCityCloud } from "../support/city-cloud.js";
import { publishFunded } from "../support/events.js";
import { currentYear, eventually, type Geo } from "../support/http.js";

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
