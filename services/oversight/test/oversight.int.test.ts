import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publish } from "../../../test/support/events.js";
import {
  call,
  eventually,
  ownYears,
  places,
  type Reply,
  token,
} from "../../../test/support/http.js";

// Oversight against the local cloud: projects driven through their lifecycle by the events the
// other services publish (oversight's only source), published twice and out of order; the stats
// must be exact. Then a draw that redraws the same, racing findings of which one wins, a failed
// finding that approval's SLA machinery watches, its rectification, scores and surveys. A year
// of its own keeps the figures of this run apart from every other test's.

const run = Date.now().toString(36);
const year = ownYears.oversight;
type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let cityId: string;
let analyst: string;
let street: string;

const get = (path: string, tok?: string) => call("GET", path, tok ? { token: tok } : {});
const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });

const at = (minute: number) => new Date(Date.UTC(year, 2, 2, 2, minute)).toISOString();

/** A lifecycle as the producers publish it: envelopes with fixed ids (redelivery = same id). */
function lifecycle(
  place: Place,
  opts: { kind: "works" | "service"; org?: string; stage: number; needId?: string; rate?: number },
) {
  const proposalId = ulid();
  const envelope = (type: string, minute: number, data: Record<string, unknown>) => ({
    id: ulid(),
    type,
    version: 1,
    occurredAt: at(minute),
    cityId,
    proposalId,
    communityId: place.communityId,
    actor: { sub: "system:test", roles: [] },
    correlationId: `oversight-${run}`,
    data: { proposalId, ...data },
  });
  const all = [
    envelope("ProposalSubmitted", 1, {
      ...place,
      kind: opts.kind,
      category: "old_estate_renovation",
      title: `项目 ${run}`,
      budgetFen: 100_000,
      selfRaisedFen: 0,
      sponsorFen: 0,
      programmeFen: 100_000,
      year,
      needIds: opts.needId ? [opts.needId] : [],
      ...(opts.org && { applicantOrgId: opts.org }),
    }),
    envelope("ProposalReported", 2, {
      ...place,
      reportedAt: at(2),
      reviewDueAt: at(50),
      reviewWorkingDays: 5,
      provisional: false,
      round: 1,
    }),
    envelope("DistrictReviewCompleted", 3, {
      decision: "forward",
      reviewedAt: at(3),
      reviewDueAt: at(50),
      sla: "met",
      round: 1,
    }),
    envelope("ProposalApproved", 4, {
      communityId: place.communityId,
      districtId: place.districtId,
      year,
      budgetFen: 100_000,
      programmeFen: 100_000,
      approvedAt: at(4),
      disbursementDueAt: at(50),
      disbursementWorkingDays: 15,
      provisional: false,
      committedFen: 100_000,
      capFen: 10_000_000,
    }),
    envelope("FundsDisbursed", 5, {
      communityId: place.communityId,
      year,
      disbursementId: ulid(),
      amountFen: 100_000,
      totalDisbursedFen: 100_000,
      approvedFen: 100_000,
      fullyDisbursed: true,
      reference: "拨款",
      disbursedAt: at(5),
      sla: "met",
    }),
    envelope("PaymentMade", 6, {
      paymentId: ulid(),
      milestonePercent: 100,
      amountFen: 40_000,
      payee: "施工队",
      reference: "付款",
      paidAt: at(6),
    }),
    envelope("EvaluationClosed", 7, {
      seats: 5,
      ratings: 5,
      satisfiedCount: 4,
      satisfactionRate: opts.rate ?? 0.8,
      passed: (opts.rate ?? 0.8) >= 0.8,
      byType: {},
      closedAt: at(7),
    }),
  ];
  return { proposalId, events: all.slice(0, opts.stage) };
}

const stats = (q: string, tok = analyst) => get(`/v1/stats?${q}&year=${year}`, tok);

beforeAll(async () => {
  const p = await places();
  home = p.home;
  neighbour = p.neighbour;
  cityId = p.geo.cityId;
  analyst = await token({ sub: `analyst-${run}`, roles: ["analyst"], districtId: home.districtId });
  street = await token({
    sub: `street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
});

afterAll(async () => {
  await call("POST", "/dev/clock", { body: { now: new Date().toISOString() } });
});

describe("stats from aggregates, exact under redelivery and disorder", () => {
  const projects: { proposalId: string }[] = [];

  it("counts a district's projects, money, needs, meetings, SLA, satisfaction and organisations", async () => {
    const needId = ulid();
    const a = lifecycle(home, { kind: "works", stage: 7, needId, rate: 1 });
    const b = lifecycle(home, { kind: "service", org: `org-${run}`, stage: 5 });
    const c = lifecycle(neighbour, { kind: "works", stage: 7, rate: 0.6 });
    const d = lifecycle(neighbour, { kind: "service", stage: 1 });
    projects.push(a, b, c, d);
    const need = {
      id: ulid(),
      type: "NeedRaised",
      version: 1,
      occurredAt: at(0),
      cityId,
      communityId: home.communityId,
      actor: { sub: "system:test", roles: [] },
      correlationId: `oversight-${run}`,
      data: { needId, ...home, title: "加装电梯" },
    };
    const meeting = {
      id: ulid(),
      type: "BallotsCounted",
      version: 1,
      occurredAt: at(1),
      cityId,
      communityId: home.communityId,
      actor: { sub: "system:test", roles: [] },
      correlationId: `oversight-${run}`,
      data: {
        meetingId: ulid(),
        communityId: home.communityId,
        proposals: [{ proposalId: a.proposalId, passed: true }],
        ballots: [],
        closedAt: at(1),
      },
    };
    // the same meeting's conclusion for A: still one meeting (meetings count from BallotsCounted)
    const concluded = {
      ...meeting,
      id: ulid(),
      type: "DeliberationConcluded",
      proposalId: a.proposalId,
      data: {
        proposalId: a.proposalId,
        meetingId: meeting.data.meetingId,
        members: 5,
        present: 5,
        quorumMet: true,
        yes: 5,
        no: 0,
        abstain: 0,
        passed: true,
      },
    };
    // every event twice, the lifecycles backwards (the last event first), the need after its link
    const events = [...a.events, ...b.events, ...c.events, ...d.events].reverse();
    const once = [...events, concluded, meeting, need];
    for (const e of [...once, ...once]) await publish(e);

    const want = (r: Reply) =>
      r.status === 200 &&
      r.body.projects === 4 &&
      r.body.satisfaction.evaluated === 2 &&
      r.body.needs.raised === 1 &&
      r.body.meetings.held === 1 &&
      r.body.money.paidFen === 80_000;
    const r = await eventually(() => stats(`districtId=${home.districtId}`), want, 30_000);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // let any straggling redelivery land, then the figures must still be exact
    await new Promise((res) => setTimeout(res, 1500));
    const s = (await stats(`districtId=${home.districtId}`)).body;
    expect(s.projects).toBe(4);
    expect(s.byStatus.evaluated).toEqual({ count: 2, budgetFen: 200_000, programmeFen: 200_000 });
    expect(s.byStatus.funded.count).toBe(1);
    expect(s.byStatus.submitted.count).toBe(1);
    expect(s.money).toEqual({ approvedFen: 300_000, disbursedFen: 300_000, paidFen: 80_000 });
    expect(s.needs).toEqual({ raised: 1, linked: 1 });
    expect(s.meetings).toEqual({ held: 1 });
    expect(s.sla.review).toEqual({ open: 0, met: 3, breached: 0, complianceRate: 1 });
    expect(s.sla.disbursement).toEqual({ open: 0, met: 3, breached: 0, complianceRate: 1 });
    expect(s.satisfaction.evaluated).toBe(2);
    expect(s.satisfaction.averageRate).toBeCloseTo(0.8, 9);
    expect(s.satisfaction.passedShare).toBe(0.5);
    expect(s.orgParticipation).toEqual({ serviceProjects: 2, byOrgs: 1, orgs: 1 });

    const community = (await stats(`communityId=${home.communityId}`)).body;
    expect(community.projects).toBe(home.communityId === neighbour.communityId ? 4 : 2);
    const pub = await get(`/v1/public/stats?districtId=${home.districtId}&year=${year}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toEqual(s);
  });

  it("a street official reads their street, not the district", async () => {
    expect((await stats(`streetId=${home.streetId}`, street)).status).toBe(200);
    const r = await stats(`districtId=${home.districtId}`, street);
    expect(r.status).toBe(403);
  });

  let inspectionId: string;
  let items: { proposalId: string; streetId: string }[];

  it("draws a sample reproducibly from the published seed over the same population", async () => {
    const body = { districtId: home.districtId, year, sampleSize: 2, seed: `seed-${run}` };
    const first = await post("/v1/inspections", analyst, body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.population.count).toBe(3);
    expect(first.body.items).toHaveLength(2);
    const again = await post("/v1/inspections", analyst, body);
    expect(again.body.id).not.toBe(first.body.id);
    expect(again.body.items).toEqual(first.body.items);
    expect(again.body.population).toEqual(first.body.population);
    inspectionId = first.body.id;
    items = first.body.items;
  });

  it("racing findings on one sampled project: one wins, the rest are 409 duplicate", async () => {
    const target = items[0]!.proposalId;
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        post(`/v1/inspections/${inspectionId}/findings`, analyst, {
          proposalId: target,
          passed: false,
          issues: [`问题 ${i}`],
          rectifyWorkingDays: 5,
        }),
      ),
    );
    const codes = replies.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.code === "duplicate")).toBe(
      true,
    );
    const outside = projects.find((p) => !items.some((i) => i.proposalId === p.proposalId))!;
    const notSampled = await post(`/v1/inspections/${inspectionId}/findings`, analyst, {
      proposalId: outside.proposalId,
      passed: true,
    });
    expect(notSampled.status).toBe(422);
    expect(notSampled.body.code).toBe("not_sampled");
    const second = items[1]!.proposalId;
    expect(
      (
        await post(`/v1/inspections/${inspectionId}/findings`, analyst, {
          proposalId: second,
          passed: true,
        })
      ).status,
    ).toBe(201);
    const view = await get(`/v1/inspections/${inspectionId}`, analyst);
    expect(view.body.findings).toHaveLength(2);
    expect(view.body.passRate).toBe(0.5);
  });

  it("a failed finding opens a rectification deadline approval watches; rectifying meets it", async () => {
    const target = items[0]!;
    const sla = () =>
      get(`/v1/sla?districtId=${home.districtId}&kind=rectification&state=open&limit=200`, analyst);
    const open = await eventually(
      sla,
      (r) =>
        r.status === 200 &&
        r.body.items.some((t: { proposalId: string }) => t.proposalId === target.proposalId),
      30_000,
    );
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    const opened = await eventually(
      () => stats(`districtId=${home.districtId}`),
      (r) => r.body.sla.rectification.open === 1,
      30_000,
    );
    expect(opened.body.sla.rectification).toMatchObject({ open: 1, met: 0, breached: 0 });

    const staff = await token({
      sub: `street-${run}-2`,
      roles: ["street_staff"],
      districtId: home.districtId,
      streetId: target.streetId,
    });
    const done = await post(
      `/v1/inspections/${inspectionId}/findings/${target.proposalId}/rectification`,
      staff,
    );
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const again = await post(
      `/v1/inspections/${inspectionId}/findings/${target.proposalId}/rectification`,
      staff,
    );
    expect(again.status).toBe(409);
    const met = await eventually(
      () => stats(`districtId=${home.districtId}`),
      (r) => r.body.sla.rectification.met === 1,
      30_000,
    );
    expect(met.body.sla.rectification).toEqual({ open: 0, met: 1, breached: 0, complianceRate: 1 });
    const stopped = await eventually(
      sla,
      (r) => !r.body.items.some((t: { proposalId: string }) => t.proposalId === target.proposalId),
      30_000,
    );
    expect(stopped.status).toBe(200);
  });

  it("a rectification left undone past its deadline breaches once (approval's sweeper)", async () => {
    const drawn = await post("/v1/inspections", analyst, {
      districtId: home.districtId,
      year,
      sampleSize: 3,
      seed: `late-${run}`,
    });
    expect(drawn.status, JSON.stringify(drawn.body)).toBe(201);
    const target = projects.find((p) => !items.some((i) => i.proposalId === p.proposalId))!;
    const failed = await post(`/v1/inspections/${drawn.body.id}/findings`, analyst, {
      proposalId: target.proposalId,
      passed: false,
      rectifyWorkingDays: 1,
    });
    expect(failed.status, JSON.stringify(failed.body)).toBe(201);
    const timers = (state: string) =>
      get(
        `/v1/sla?districtId=${home.districtId}&kind=rectification&state=${state}&limit=200`,
        analyst,
      );
    const mine = (r: Reply) =>
      r.body.items.filter((x: { proposalId: string }) => x.proposalId === target.proposalId);
    expect(
      mine(
        await eventually(
          () => timers("open"),
          (r) => mine(r).length === 1,
          30_000,
        ),
      ),
    ).toHaveLength(1);
    // a sweep now (the scheduler's watermark: a first sweep only looks back 7 days), then ten
    // days on, past any one-working-day deadline, two more
    expect((await call("POST", "/dev/run/sla-sweep")).status).toBe(200);
    const later = new Date(Date.parse(failed.body.recordedAt) + 10 * 86_400_000).toISOString();
    expect((await call("POST", "/dev/clock", { body: { now: later } })).status).toBe(200);
    for (const _ of [1, 2]) {
      const r = await call("POST", "/dev/run/sla-sweep");
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const breached = await eventually(
      () => timers("breached"),
      (r) => mine(r).length > 0,
      30_000,
    );
    expect(mine(breached)).toHaveLength(1);
    expect(mine(await timers("open"))).toHaveLength(0);
    const figures = await eventually(
      () => stats(`districtId=${home.districtId}`),
      (r) => r.body.sla.rectification.breached === 1,
      30_000,
    );
    expect(figures.body.sla.rectification).toEqual({
      open: 0,
      met: 1,
      breached: 1,
      complianceRate: 0.5,
    });
    // without its own working days, a failed finding takes the city file's rule
    const rules = (await call("GET", "/v1/rules")).body;
    const other = drawn.body.items.find(
      (i: { proposalId: string }) => i.proposalId !== target.proposalId,
    );
    const byRule = await post(`/v1/inspections/${drawn.body.id}/findings`, analyst, {
      proposalId: other.proposalId,
      passed: false,
    });
    expect(byRule.status, JSON.stringify(byRule.body)).toBe(201);
    expect(byRule.body.rectifyWorkingDays).toBe(rules.sla.rectificationWorkingDays);
  });

  it("scores the district's streets with the city's weights; a survey gives awareness", async () => {
    const survey = await post("/v1/surveys/awareness", analyst, {
      streetId: home.streetId,
      year,
      respondents: 200,
      aware: 150,
    });
    expect(survey.status, JSON.stringify(survey.body)).toBe(201);
    const r = await get(`/v1/scores?districtId=${home.districtId}&year=${year}`, analyst);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const s = r.body.streets.find((x: { streetId: string }) => x.streetId === home.streetId);
    expect(s.awareness).toBe(0.75);
    expect(s.slaCompliance).toBeGreaterThan(0);
    expect(s.score).toBeGreaterThan(0);
    // the city file's weights (as GET /v1/rules shows them) over the components with data
    const weights = r.body.weights as Record<string, number>;
    expect(weights).toEqual((await call("GET", "/v1/rules")).body.scores.weights);
    const present = Object.keys(weights).filter((k) => s[k] !== null);
    const weight = present.reduce((n, k) => n + weights[k]!, 0);
    const sum = present.reduce((n, k) => n + weights[k]! * s[k], 0);
    expect(s.score).toBeCloseTo((100 * sum) / weight, 2);
  });
});
