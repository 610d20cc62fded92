import { readFileSync } from "node:fs";
import { resolveCity } from "@pencai/config/resolve";
import { type DemoSummary, type LocalCloud, startLocalCloud } from "@pencai/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallOptions,
  type Claims,
  callAt,
  currentYear,
  type Geo,
  tokenAt,
} from "../support/http.js";
import { screenedProposalAt } from "../support/proposals.js";

// What the demo city turns off, under the ningbo preset (五有: a standing council, so a roster
// before any meeting; 请你来协商: consultation meetings with deputies and departments). The
// shared test cloud runs the demo city, so this file starts its own local cloud: the demo
// city's geography under the ningbo preset, on a free port, over HTTP only.

const run = Date.now().toString(36);
const year = currentYear();

let cloud: LocalCloud;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  callAt<T>(cloud.url, method, path, opts);
const token = (claims: Claims) => tokenAt(cloud.url, claims);

type Place = { districtId: string; streetId: string; communityId: string };
let place: Place;
let staff = "";
let category = "";
const subs = [1, 2, 3].map((i) => `nb-member-${run}-${i}`);
const memberTokens: string[] = [];
const invitees = [
  { name: "王代表", role: "deputy", unit: "区人大常委会" },
  { name: "陈委员", role: "deputy", unit: "区政协" },
  { name: "李科长", role: "department", unit: "区综合行政执法局" },
];

const screenedProposal = (title: string) =>
  screenedProposalAt(call, {
    communityId: place.communityId,
    staff,
    title: `${title} ${run}`,
    category,
    year,
  });

const meeting = (body: Record<string, unknown>) =>
  call("POST", "/v1/meetings", {
    token: staff,
    body: {
      communityId: place.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds: subs,
      ...body,
    },
  });

beforeAll(async () => {
  const raw = JSON.parse(
    readFileSync(new URL("../../infra/cities/demo.json", import.meta.url), "utf8"),
  );
  cloud = await startLocalCloud({
    cityConfig: resolveCity({ ...raw, id: "ningbo-councils", preset: "ningbo" }),
    port: 0,
    schedules: false,
    // the demo data set meets in three communities: under this preset it needs their rosters
    demoData: true,
    quiet: true,
    throttling: false,
  });
  const rules = (await call("GET", "/v1/rules")).body;
  const listed: string[] = rules.categoryList.categories;
  category =
    rules.categoryList.mode === "positive"
      ? listed[0]!
      : rules.categories.map((c: { id: string }) => c.id).find((c: string) => !listed.includes(c));
  const geo = (await call<Geo>("GET", "/v1/geo")).body;
  // a community the demo data does not meet in (it has no roster yet)
  const d = geo.districts[1]!;
  const s = d.streets[1]!;
  place = { districtId: d.id, streetId: s.id, communityId: s.communities[1]!.id };
  staff = await token({ sub: `nb-staff-${run}`, roles: ["community_staff"], ...place });
  for (const sub of subs)
    memberTokens.push(await token({ sub, roles: ["council_member"], ...place }));
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe("ningbo: a standing council and 请你来协商", () => {
  it("the city's rules require a roster and offer consultations", async () => {
    const rules = (await call("GET", "/v1/rules")).body;
    expect(rules.preset).toBe("ningbo");
    expect(rules.thresholds.council).toMatchObject({ rosterRequired: true, consultation: true });
  });

  it("the demo data set puts each council's roster before its meetings", async () => {
    const demo = cloud.demo as DemoSummary | undefined;
    expect(demo, "demo data loaded").toBeDefined();
    const admin = await token({ sub: `nb-admin-${run}`, roles: ["admin"], cityWide: true });
    for (const communityId of demo!.communities) {
      const roster = await call("GET", `/v1/communities/${communityId}/council`, { token: admin });
      expect(roster.status, JSON.stringify(roster.body)).toBe(200);
      expect(roster.body.members).toHaveLength(5);
    }
  });

  it("no meeting before the community has a council roster (422 roster_required)", async () => {
    const p = await screenedProposal("垃圾房改造");
    const r = await meeting({ proposalIds: [p] });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.code).toBe("roster_required");
    const roster = await call("PUT", `/v1/communities/${place.communityId}/council`, {
      token: staff,
      body: {
        members: subs.map((sub, i) => ({ sub, name: `议事员${i}`, termEnds: `${year + 3}-12-31` })),
      },
    });
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    const ok = await meeting({ proposalIds: [p] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.councilVersion).toBe(roster.body.version);
  });

  it("a consultation hears deputies and departments, takes no votes and decides nothing; the council then decides", async () => {
    const p = await screenedProposal("群租房管理");
    const noDepartment = await meeting({
      kind: "consultation",
      proposalIds: [p],
      invitees: invitees.filter((i) => i.role === "deputy"),
    });
    expect(noDepartment.status).toBe(400);

    const c = await meeting({ kind: "consultation", proposalIds: [p], invitees });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    expect(c.body).toMatchObject({
      kind: "consultation",
      invitees,
      councilVersion: expect.any(Number),
    });
    const signIn = await call("POST", `/v1/meetings/${c.body.id}/attendance`, {
      token: staff,
      body: { present: subs },
    });
    expect(signIn.status).toBe(200);
    const vote = await call("POST", `/v1/meetings/${c.body.id}/ballots`, {
      token: memberTokens[0]!,
      body: { proposalId: p, choice: "yes" },
    });
    expect(vote.status, JSON.stringify(vote.body)).toBe(409);
    expect(vote.body.code).toBe("invalid_state");
    // the opinions heard: one per invitee and proposal, shown with the meeting
    const said = await call("POST", `/v1/meetings/${c.body.id}/opinions`, {
      token: staff,
      body: { proposalId: p, invitee: 2, opinion: "执法局牵头, 每月联合检查一次" },
    });
    expect(said.status, JSON.stringify(said.body)).toBe(201);
    expect(said.body.invitee).toEqual(invitees[2]);
    const again = await call("POST", `/v1/meetings/${c.body.id}/opinions`, {
      token: staff,
      body: { proposalId: p, invitee: 2, opinion: "再说一次" },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("duplicate");
    const heard = await call("GET", `/v1/meetings/${c.body.id}`, { token: staff });
    expect(heard.body.opinions).toEqual([
      expect.objectContaining({ proposalId: p, opinion: "执法局牵头, 每月联合检查一次" }),
    ]);
    const closed = await call("POST", `/v1/meetings/${c.body.id}/close`, { token: staff });
    expect(closed.status).toBe(200);
    expect(closed.body.results).toEqual([]);
    const record = await call("GET", `/v1/proposals/${p}/deliberation`, { token: staff });
    expect(record.body.council).toBeUndefined();
    expect(record.body.meetingId).toBeUndefined();

    // the residents' council decides after hearing them
    const m = await meeting({ proposalIds: [p] });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    await call("POST", `/v1/meetings/${m.body.id}/attendance`, {
      token: staff,
      body: { present: subs },
    });
    for (const t of memberTokens) {
      const b = await call("POST", `/v1/meetings/${m.body.id}/ballots`, {
        token: t,
        body: { proposalId: p, choice: "yes" },
      });
      expect(b.status, JSON.stringify(b.body)).toBe(201);
    }
    const decided = await call("POST", `/v1/meetings/${m.body.id}/close`, { token: staff });
    expect(decided.body.results).toEqual([
      expect.objectContaining({ proposalId: p, yes: 3, passed: true }),
    ]);
  });
});
