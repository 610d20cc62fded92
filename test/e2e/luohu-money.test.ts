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
import {
  type Cloud,
  endorsedProposal,
  type Officials,
  officialsOf,
  type Place,
  untilStatus,
} from "../support/lifecycle.js";

// Luohu (罗湖区, 民生微实事) end to end: split packages (拆开申报、分开审议、合并实施), two-year
// phasing of a larger works project (分年度实施) and cross-community projects filed by the street
// (跨社区项目), through report, district review and approval, with the per-year and per-community
// ledgers; plus courtyards (院落) below the community. The shared test cloud runs the demo city
// (longgang: none of these), so this file starts its own local cloud with infra/cities/luohu.json.

const EVENTS_MS = 30_000;
const run = Date.now().toString(36);
const year = currentYear();
const WAN = 1_000_000; // 10,000 CNY in fen

let cloud: LocalCloud;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  callAt<T>(cloud.url, method, path, opts);
const token = (claims: Claims) => tokenAt(cloud.url, claims);
const at: Cloud = { call, token };
const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });

const dongmen = (communityId: string): Place => ({
  districtId: "luohu",
  streetId: "dongmen",
  communityId,
});
const nanhu = (communityId: string): Place => ({
  districtId: "luohu",
  streetId: "nanhu",
  communityId,
});

let caps: { worksFen: number; communityYearFen: number };

beforeAll(async () => {
  cloud = await startLocalCloud({
    city: "luohu",
    port: 0,
    schedules: false,
    demoData: false,
    quiet: true,
    throttling: false,
  });
  caps = (await call("GET", "/v1/rules")).body.caps;
});

afterAll(async () => {
  await cloud?.stop();
}, 120_000);

/** A need of the place, raised by its staff. */
async function needIn(place: Place, o: Officials): Promise<string> {
  const need = await post("/v1/needs", o.staff, {
    communityId: place.communityId,
    title: `需求 ${run} ${Math.random()}`,
    description: "居民反映",
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  return need.body.id;
}

const works = (place: Place, needId: string, over: Record<string, unknown>) => ({
  communityId: place.communityId,
  kind: "works",
  category: "old_estate_renovation",
  title: `工程 ${run}`,
  summary: "老旧小区改造",
  beneficiaries: 500,
  budgetFen: 10 * WAN,
  needIds: [needId],
  year,
  ...over,
});

/** Reported by the street and forwarded by the district; ready for the special group. */
async function forwarded(id: string, o: Officials) {
  const reported = await eventually(
    () => post(`/v1/proposals/${id}/report`, o.street),
    (r) => r.status !== 404, // approval's inbox has the endorsement once this is not 404
    EVENTS_MS,
  );
  expect(reported.status, JSON.stringify(reported.body)).toBe(200);
  const reviewed = await post(`/v1/proposals/${id}/district-review`, o.civil, {
    decision: "forward",
  });
  expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
}

async function approved(id: string, o: Officials) {
  await forwarded(id, o);
  const r = await post(`/v1/proposals/${id}/approval`, o.group, { decision: "approve" });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const budget = async (o: Officials, communityId: string, y: number) =>
  (await call("GET", `/v1/budgets/${communityId}/${y}`, { token: o.group })).body;

describe("Luohu city: places and money mechanisms end to end", () => {
  it("runs the luohu preset: works cap, community cap", () => {
    expect(caps.worksFen).toBe(50 * WAN);
    expect(caps.communityYearFen).toBe(200 * WAN);
  });

  it("shows courtyards in GET /v1/geo and keeps a proposal's courtyards of its community only", async () => {
    const geo = (await call("GET", "/v1/geo")).body;
    const hubei = geo.districts[0].streets
      .flatMap((s: { communities: unknown[] }) => s.communities)
      .find((c: { id: string }) => c.id === "hubei");
    expect(hubei.courtyards.map((c: { id: string }) => c.id)).toEqual([
      "hubei-jiucun",
      "hubei-xincun",
    ]);
    const place = dongmen("hubei");
    const o = await officialsOf(place, `yard-${run}`, at);
    const need = await needIn(place, o);
    const ok = await post(
      "/v1/proposals",
      o.staff,
      works(place, need, { courtyardIds: ["hubei-jiucun"] }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.courtyardIds).toEqual(["hubei-jiucun"]);
    const read = await call("GET", `/v1/proposals/${ok.body.id}`, { token: o.staff });
    expect(read.body.courtyardIds).toEqual(["hubei-jiucun"]);
    // a courtyard of another city's community, and a community id, are not hubei's courtyards
    for (const bad of ["baihua-yiyuan", "chengdong"]) {
      const r = await post("/v1/proposals", o.staff, works(place, need, { courtyardIds: [bad] }));
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.code).toBe("courtyard_not_found");
    }
  });

  it("split packages: each within the cap, reviewed separately, implemented together once all are approved", async () => {
    const place = dongmen("hubei");
    const o = await officialsOf(place, `pkg-${run}`, at);
    const proposer = await token({ sub: `pkg-res-${run}`, roles: ["resident"], ...place });
    const group = `grp-${run}`;
    const pkg = (title: string) =>
      endorsedProposal({
        place,
        officials: o,
        proposer,
        title: `${title} ${run}`,
        year,
        body: { packageGroupId: group, budgetFen: 45 * WAN },
        cloud: at,
      });
    const first = await pkg("湖贝雨污分流一标段");
    const second = await pkg("湖贝雨污分流二标段");

    // a package above the works cap on its own, and somebody else's package in this group
    const need = await needIn(place, o);
    const over = await post(
      "/v1/proposals",
      proposer,
      works(place, need, { packageGroupId: group, budgetFen: caps.worksFen + 1 }),
    );
    expect(over.status, JSON.stringify(over.body)).toBe(422);
    expect(over.body.code).toBe("budget_cap_exceeded");
    const stranger = await token({ sub: `pkg-other-${run}`, roles: ["resident"], ...place });
    const hijack = await post(
      "/v1/proposals",
      stranger,
      works(place, need, { packageGroupId: group }),
    );
    expect(hijack.status, JSON.stringify(hijack.body)).toBe(422);
    expect(hijack.body.code).toBe("package_group_mismatch");
    const stranded = await call("GET", `/v1/package-groups/${group}`, { token: stranger });
    expect(stranded.status).toBe(403);

    const view = async () =>
      (await call("GET", `/v1/package-groups/${group}`, { token: o.staff })).body;
    const before = await view();
    expect(before.members.map((m: { id: string }) => m.id).sort()).toEqual([first, second].sort());
    expect(before.totals).toMatchObject({ members: 2, programmeFen: 90 * WAN, approvedFen: 0 });
    expect(before.implementation.ready).toBe(false);

    await approved(first, o);
    const half = await eventually(view, (v) => v.totals.approvedFen === 45 * WAN, EVENTS_MS);
    expect(half.implementation).toEqual({ ready: false, waitingFor: [second] });

    await approved(second, o);
    const all = await eventually(view, (v) => v.implementation.ready === true, EVENTS_MS);
    expect(all.implementation).toEqual({ ready: true, waitingFor: [] });
    expect(all.totals.approvedFen).toBe(90 * WAN);
    // the proposer and officials over hubei read the group; other places' officials do not
    const readers = [proposer, o.street, o.civil];
    const outsiders = [
      await token({ sub: `pkg-far-staff-${run}`, roles: ["community_staff"], ...dongmen("lixin") }),
      await token({
        sub: `pkg-far-street-${run}`,
        roles: ["street_staff"],
        districtId: "luohu",
        streetId: "nanhu",
      }),
    ];
    for (const t of readers) {
      expect((await call("GET", `/v1/package-groups/${group}`, { token: t })).status).toBe(200);
    }
    for (const t of outsiders) {
      expect((await call("GET", `/v1/package-groups/${group}`, { token: t })).status).toBe(403);
    }
  });

  it("two-year phasing: each year's share within the works cap, committed against that year's cap", async () => {
    const place = dongmen("chengdong");
    const o = await officialsOf(place, `phase-${run}`, at);
    const proposer = await token({ sub: `phase-res-${run}`, roles: ["resident"], ...place });
    const need = await needIn(place, o);
    // 80万: over the works cap unless phased
    const whole = await post(
      "/v1/proposals",
      proposer,
      works(place, need, { budgetFen: 80 * WAN }),
    );
    expect(whole.status, JSON.stringify(whole.body)).toBe(422);
    expect(whole.body.code).toBe("budget_cap_exceeded");
    const phasing = [
      { year, programmeFen: 50 * WAN },
      { year: year + 1, programmeFen: 30 * WAN },
    ];
    const id = await endorsedProposal({
      place,
      officials: o,
      proposer,
      title: `城东管网改造 ${run}`,
      year,
      body: { budgetFen: 80 * WAN, phasing },
      cloud: at,
    });
    const view = await call("GET", `/v1/proposals/${id}`, { token: o.staff });
    expect(view.body.phasing).toEqual(phasing);
    const decided = await approved(id, o);
    expect(decided.committedFen).toBe(80 * WAN);
    expect(await budget(o, "chengdong", year)).toMatchObject({ committedFen: 50 * WAN });
    expect(await budget(o, "chengdong", year + 1)).toMatchObject({ committedFen: 30 * WAN });
    // finance pays the first year's share first
    const paid = await post(`/v1/proposals/${id}/disbursements`, o.finance, {
      amountFen: 60 * WAN,
      reference: `PZ-${run}`,
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(await budget(o, "chengdong", year)).toMatchObject({ disbursedFen: 50 * WAN });
    expect(await budget(o, "chengdong", year + 1)).toMatchObject({ disbursedFen: 10 * WAN });
    await untilStatus(id, "approved", o.staff, at);
  });

  it("cross-community: filed by the street, each community's cap charged its share", async () => {
    const lead = dongmen("lixin");
    const o = await officialsOf(lead, `cross-${run}`, at);
    const communities = [
      { communityId: "lixin", programmeFen: 30 * WAN },
      { communityId: "chengdong", programmeFen: 20 * WAN },
    ];
    // residents and community staff do not file cross-community projects; the street does
    const need = await needIn(lead, o);
    const byStaff = await post(
      "/v1/proposals",
      o.staff,
      works(lead, need, { budgetFen: 50 * WAN, communities }),
    );
    expect(byStaff.status, JSON.stringify(byStaff.body)).toBe(403);
    const chengdongBefore = (await budget(o, "chengdong", year)).committedFen as number;
    const id = await endorsedProposal({
      place: lead,
      officials: o,
      proposer: o.street,
      title: `跨社区绿道 ${run}`,
      year,
      body: { budgetFen: 50 * WAN, communities },
      cloud: at,
    });
    await approved(id, o);
    expect(await budget(o, "lixin", year)).toMatchObject({ committedFen: 30 * WAN });
    expect(await budget(o, "chengdong", year)).toMatchObject({
      committedFen: chengdongBefore + 20 * WAN,
    });
  });

  it("racing approvals of cross-community projects never push any community above its cap", async () => {
    // five projects each charging xiangxi 45万 and dongmennan 5万: only four fit xiangxi's 200万
    const lead = nanhu("xiangxi");
    const o = await officialsOf(lead, `race-${run}`, at);
    const communities = [
      { communityId: "xiangxi", programmeFen: 45 * WAN },
      { communityId: "dongmennan", programmeFen: 5 * WAN },
    ];
    const ids = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        endorsedProposal({
          place: lead,
          officials: o,
          proposer: o.street,
          title: `跨社区项目 ${i} ${run}`,
          year,
          body: { budgetFen: 50 * WAN, communities },
          cloud: at,
        }),
      ),
    );
    for (const id of ids) await forwarded(id, o);
    const replies = await Promise.all(
      ids.map((id) => post(`/v1/proposals/${id}/approval`, o.group, { decision: "approve" })),
    );
    const approvedCount = replies.filter((r) => r.status === 200).length;
    for (const r of replies.filter((r) => r.status !== 200)) {
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.code).toBe("community_cap_exceeded");
    }
    expect(approvedCount).toBe(4);
    const xiangxi = await budget(o, "xiangxi", year);
    const dongmennan = await budget(o, "dongmennan", year);
    expect(xiangxi.committedFen).toBe(approvedCount * 45 * WAN);
    expect(xiangxi.committedFen).toBeLessThanOrEqual(caps.communityYearFen);
    // all or nothing: the refused approval charged dongmennan nothing either
    expect(dongmennan.committedFen).toBe(approvedCount * 5 * WAN);
  });
});

describe("Luohu: one works project from a need to 满意度测评 (拆开申报、分开审议、合并实施)", () => {
  let j: Journey;
  beforeAll(async () => {
    j = await journeyOn({ cloud, call, token });
  });

  it("runs two packages of one group from a need through the standing council to evaluation", async () => {
    expect(j.rules.preset).toBe("luohu");
    const place: Place = { districtId: "luohu", streetId: "cuizhu", communityId: "shuibei" };
    const o = await j.officials(place);
    const residentSub = `lh-j-res-${run}`;
    const resident = await token({
      sub: residentSub,
      roles: ["resident"],
      ...place,
      householdId: `lh-j-hh-${run}`,
    });

    // a need, then a works project larger than the cap, split into two packages of one group
    const need = await post("/v1/needs", resident, {
      communityId: place.communityId,
      title: `水贝片区管网老化 ${run}`,
      description: "雨污混流，雨天返臭",
    });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    const group = `lh-j-grp-${run}`;
    const file = (title: string) =>
      post("/v1/proposals", resident, {
        ...works(place, need.body.id, {
          title: `${title} ${run}`,
          category: j.category("old_estate_renovation"),
          budgetFen: 40 * WAN,
          packageGroupId: group,
        }),
      });
    const firstFiled = await file("水贝雨污分流一标段");
    expect(firstFiled.status, JSON.stringify(firstFiled.body)).toBe(201);
    const secondFiled = await file("水贝雨污分流二标段");
    expect(secondFiled.status, JSON.stringify(secondFiled.body)).toBe(201);
    const ids = [firstFiled.body.id as string, secondFiled.body.id as string];
    const [first, second] = ids as [string, string];
    expect(await j.stepOf(first)).toBe("apply");

    // 两委契合度审核: accepting needs the fit (needFit), then each package is screened in
    const noFit = await post(`/v1/proposals/${first}/screening`, o.staff, { decision: "accept" });
    expect(noFit.status, JSON.stringify(noFit.body)).toBe(400);
    for (const id of ids) {
      const s = await post(`/v1/proposals/${id}/screening`, o.staff, {
        decision: "accept",
        needFit: 85,
      });
      expect(s.status, JSON.stringify(s.body)).toBe(200);
      await j.until(
        () => call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
        [404],
      );
    }
    expect(await j.stepOf(first)).toBe("deliberate");

    // 居民议事会: a standing council on the roster; nobody else sits in its meeting
    const members = [1, 2, 3, 4, 5].map((i) => `lh-j-m-${run}-${i}`);
    const roster = await j.put(`/v1/communities/${place.communityId}/council`, o.staff, {
      members: members.map((sub, i) => ({ sub, name: `议事员${i + 1}`, termEnds: "2099-12-31" })),
    });
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    const meetingBody = (memberIds: string[]) => ({
      communityId: place.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds,
      proposalIds: ids,
    });
    const outsider = await post(
      "/v1/meetings",
      o.staff,
      meetingBody([...members.slice(0, 4), `lh-j-stranger-${run}`]),
    );
    expect([outsider.status, outsider.body.code]).toEqual([422, "not_a_member"]);
    const meeting = await post("/v1/meetings", o.staff, meetingBody(members));
    expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
    const m = meeting.body.id as string;
    expect((await post(`/v1/meetings/${m}/attendance`, o.staff, { present: members })).status).toBe(
      200,
    );
    // 分开审议: each package is voted on its own
    for (const [i, sub] of members.entries()) {
      const member = await token({ sub, roles: ["council_member"], ...place });
      for (const id of ids) {
        const choice = i < 4 ? "yes" : "no";
        const ballot = await post(`/v1/meetings/${m}/ballots`, member, { proposalId: id, choice });
        expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
      }
    }
    const closed = await post(`/v1/meetings/${m}/close`, o.staff);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    for (const id of ids) {
      const r = closed.body.results.find((x: { proposalId: string }) => x.proposalId === id);
      expect(r).toMatchObject({ yes: 4, no: 1, passed: true });
    }

    // 街道可行性合法性审核: works go to the street's experts
    for (const id of ids) {
      await j.status(id, "deliberated", o.staff);
      expect(await j.stepOf(id)).toBe("review");
      const reviewed = await post(`/v1/proposals/${id}/expert-reviews`, o.expert, {
        feasible: true,
        lawful: true,
        score: 86,
      });
      expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(201);
      const decided = await post(`/v1/proposals/${id}/expert-decision`, o.street, {
        decision: "pass",
      });
      expect(decided.body.endorsed).toBe(true);
      await j.status(id, "endorsed", o.staff);
      expect(await j.stepOf(id)).toBe("publish");
    }

    // 区审核审定 of each package separately; the group is ready only once both are approved
    const view = async () =>
      (await call("GET", `/v1/package-groups/${group}`, { token: o.street })).body;
    await approved(first, o);
    await j.status(first, "approved", o.staff);
    expect(await j.stepOf(first)).toBe("fund");
    const half = await eventually(view, (v) => v.totals?.approvedFen === 40 * WAN, EVENTS_MS);
    expect(half.implementation).toEqual({ ready: false, waitingFor: [second] });
    await approved(second, o);
    const both = await eventually(view, (v) => v.implementation?.ready === true, EVENTS_MS);
    expect(both.implementation).toEqual({ ready: true, waitingFor: [] });
    expect(both.totals).toMatchObject({
      members: 2,
      programmeFen: 80 * WAN,
      approvedFen: 80 * WAN,
    });

    // 经费下拨, then 合并实施: both packages implemented, paid, completed and rated by the panel
    for (const id of ids) {
      const paid = await post(`/v1/proposals/${id}/disbursements`, o.finance, {
        amountFen: 40 * WAN,
        reference: `PZ-${run}-${id.slice(-4)}`,
      });
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
      expect(paid.body.status).toBe("funded");
      await j.status(id, "funded", o.staff);
      expect(await j.stepOf(id)).toBe("implement");
    }
    for (const id of ids) {
      const effect = await j.implementAndEvaluate({ id, o, programmeFen: 40 * WAN, year });
      expect(effect.passed).toBe(true);
      await j.status(id, "evaluated", o.staff);
      // 结果公开: the record to its last step, its chain verifies, no person in it
      const record = await j.publicRecord(id, [residentSub, `lh-j-hh-${run}`, ...members]);
      expect(record.stage).toBe("effect");
      expect(record.step).toMatchObject({ id: "evaluate", name: "满意度测评" });
    }
  }, 300_000);
});
