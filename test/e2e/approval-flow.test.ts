import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxEvents, publishEndorsed } from "../support/events.js";
import { call, eventually, places, token, verifyChain } from "../support/http.js";
import { endorsedProposal as endorse } from "../support/lifecycle.js";
import { admittedOrg } from "../support/orgs.js";

// Approval over HTTP on the local cloud: district review, approval against the community-year
// cap, disbursement, and the SLA timers watched by moving the local clock (`POST /dev/clock`)
// and running the sweeper (`POST /dev/run/sla-sweep`). Expected deadlines are worked out by hand
// from the official 2026 calendar (December 2026 has no holidays) and written down, never
// computed by @pencai/calendar. The clock only moves forward through the file and is reset after.

const run = Date.now().toString(36);
/** A programme year nobody else uses: ledgers are per community-year. */
const year = 2050 + ((Date.now() + 29) % 45);
const EVENTS_MS = 30_000;

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let geo: Awaited<ReturnType<typeof places>>["geo"];
let capFen: number;
/** the active organisation that applies for the service proposals */
let orgId: string;

const t = {} as Record<
  | "resident"
  | "org"
  | "staff"
  | "streetStaff"
  | "civil"
  | "group"
  | "finance"
  | "expert"
  | "analyst"
  | "admin",
  string
>;

const clock = async (iso: string) => {
  const r = await call("POST", "/dev/clock", { body: { now: iso } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const sweep = async () => {
  const r = await call("POST", "/dev/run/sla-sweep");
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.errors).toEqual([]);
  return r.body.results[0] as { reminded: number; breached: number; skipped: number };
};
const settled = <T>(probe: () => Promise<T>, ok: (v: T) => boolean) =>
  eventually(probe, ok, EVENTS_MS);

const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });

/** Every SLA timer of the district (all kinds and states), as `GET /v1/sla` lists them. */
async function slaOf(proposalId: string, districtId = home.districtId) {
  const r = await call("GET", `/v1/sla?districtId=${districtId}&limit=200`, { token: t.analyst });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: reply JSON checked by the assertions
  let items: any[] = r.body.items;
  let cursor = r.body.nextCursor;
  while (cursor) {
    const next = await call("GET", `/v1/sla?districtId=${districtId}&limit=200&cursor=${cursor}`, {
      token: t.analyst,
    });
    items = items.concat(next.body.items);
    cursor = next.body.nextCursor;
  }
  return items.filter((i) => i.proposalId === proposalId);
}

/** The events approval's outbox holds for the proposals, by type. */
async function outboxTypes(proposalIds: readonly string[]): Promise<Map<string, string[]>> {
  const wanted = new Set(proposalIds);
  const out = new Map<string, string[]>();
  for (const e of await outboxEvents("Approval", (e) => wanted.has(e.proposalId ?? ""))) {
    out.set(e.proposalId!, [...(out.get(e.proposalId!) ?? []), e.type]);
  }
  return out;
}
const count = (types: string[] | undefined, type: string) =>
  (types ?? []).filter((x) => x === type).length;

/**
 * A service project, filed by its organisation, endorsed through intake and deliberation over
 * HTTP (test/support/lifecycle.ts).
 */
const endorsedProposal = (title: string, budgetFen: number) =>
  endorse({
    place: home,
    officials: {
      staff: t.staff,
      street: t.streetStaff,
      expert: t.expert,
      civil: t.civil,
      group: t.group,
      finance: t.finance,
    },
    proposer: t.org,
    title: `${title} ${run}`,
    year,
    body: {
      kind: "service",
      category: "elderly_care",
      applicantOrgId: orgId,
      summary: "为辖区长者提供助餐服务",
      budgetFen,
    },
  });

async function untilStatus(id: string, status: string) {
  const r = await settled(
    () => call("GET", `/v1/proposals/${id}`, { token: t.staff }),
    (r) => r.body?.status === status,
  );
  expect(r.body.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/** Reports once approval's inbox has the endorsement (404 until then). */
async function report(id: string, streetStaff = t.streetStaff) {
  const r = await settled(
    () => post(`/v1/proposals/${id}/report`, streetStaff),
    (r) => r.status !== 404,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { reviewDueAt: string };
}

/** Publishes ProposalEndorsed on the city topic the way deliberation's outbox does. */
const publishEndorsedAt = (place: Place, budgetFen: number, title: string) =>
  publishEndorsed({
    cityId: geo.cityId,
    place,
    budgetFen,
    year,
    title,
    correlationId: `e2e-${run}`,
  });

/** Officials of a place's district and street. */
async function officialsOf(place: Place, tag: string) {
  const d = { districtId: place.districtId };
  return {
    street: await token({
      sub: `street-${tag}-${run}`,
      roles: ["street_staff"],
      ...d,
      streetId: place.streetId,
    }),
    civil: await token({ sub: `civil-${tag}-${run}`, roles: ["district_civil"], ...d }),
    group: await token({ sub: `group-${tag}-${run}`, roles: ["district_group"], ...d }),
    finance: await token({ sub: `finance-${tag}-${run}`, roles: ["district_finance"], ...d }),
  };
}

/** A place in another street than home (its own community-year ledger). */
function otherPlace(i: number): Place {
  const places: Place[] = geo.districts.flatMap((d) =>
    d.streets.flatMap((s) =>
      s.communities.map((c) => ({ districtId: d.id, streetId: s.id, communityId: c.id })),
    ),
  );
  const others = places.filter((p) => p.communityId !== home.communityId);
  return others[i % others.length]!;
}

beforeAll(async () => {
  ({ home, geo } = await places());
  capFen = (await call("GET", "/v1/rules")).body.caps.communityYearFen;
  t.resident = await token({
    sub: `res-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh-${run}`,
  });
  orgId = await admittedOrg(home, ["elderly_care"], `af-${run}`);
  t.org = await token({ sub: `org-${run}`, roles: ["org"], ...home, orgId });
  t.staff = await token({ sub: `staff-${run}`, roles: ["community_staff"], ...home });
  const o = await officialsOf(home, "home");
  t.streetStaff = o.street;
  t.civil = o.civil;
  t.group = o.group;
  t.finance = o.finance;
  t.expert = await token({
    sub: `expert-${run}`,
    roles: ["expert"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  t.analyst = await token({ sub: `analyst-${run}`, roles: ["analyst"], cityWide: true });
  t.admin = await token({ sub: `admin-${run}`, roles: ["admin"], cityWide: true });
}, 60_000);

afterAll(async () => {
  await call("POST", "/dev/clock", { body: { now: new Date().toISOString() } });
  await call("PUT", "/v1/calendar/2027", {
    token: t.admin,
    body: { holidays: [], workdays: [] },
  });
});

describe("approval end to end", () => {
  it("takes an endorsed proposal to funded over HTTP: deadlines, ledger, registry, timeline, public SLA", async () => {
    const budgetFen = 12_000_000; // 120,000 CNY
    const id = await endorsedProposal("长者助餐", budgetFen);
    const budget = async () =>
      (await call("GET", `/v1/budgets/${home.communityId}/${year}`, { token: t.civil })).body;
    const ledger = { communityId: home.communityId, year, capFen };
    expect(await budget()).toEqual({
      ...ledger,
      committedFen: 0,
      disbursedFen: 0,
      remainingFen: capFen,
    });

    // Mon 2026-11-30 10:00 Shanghai: the 5th working day after is Mon 12-07
    await clock("2026-11-30T02:00:00.000Z");
    const reported = await report(id);
    expect(reported.reviewDueAt).toBe("2026-12-07T16:00:00.000Z");
    const again = await post(`/v1/proposals/${id}/report`, t.streetStaff);
    expect([again.status, again.body.code]).toEqual([409, "invalid_state"]);
    await untilStatus(id, "reported");
    expect(await slaOf(id)).toEqual([
      expect.objectContaining({
        kind: "review",
        state: "open",
        dueAt: "2026-12-07T16:00:00.000Z",
        provisional: false,
      }),
    ]);

    // Wed 12-02: civil affairs forwards (on time: met)
    await clock("2026-12-02T03:00:00.000Z");
    const reviewed = await post(`/v1/proposals/${id}/district-review`, t.civil, {
      decision: "forward",
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
    expect(await slaOf(id)).toEqual([
      expect.objectContaining({ kind: "review", state: "met", dueAt: "2026-12-07T16:00:00.000Z" }),
    ]);

    // Thu 12-03 10:00: the district group approves; 15 working days after is Thu 12-24
    await clock("2026-12-03T02:00:00.000Z");
    const approved = await post(`/v1/proposals/${id}/approval`, t.group, { decision: "approve" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.disbursementDueAt).toBe("2026-12-24T16:00:00.000Z");
    expect(await budget()).toEqual({
      ...ledger,
      committedFen: budgetFen,
      disbursedFen: 0,
      remainingFen: capFen - budgetFen,
    });
    await untilStatus(id, "approved");

    // two payments: approved until the second reaches the approved amount
    await clock("2026-12-10T02:00:00.000Z");
    const first = await post(`/v1/proposals/${id}/disbursements`, t.finance, {
      amountFen: 4_800_000,
      reference: `PZ-${run}-1`,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ fullyDisbursed: false, status: "approved" });
    const over = await post(`/v1/proposals/${id}/disbursements`, t.finance, {
      amountFen: budgetFen - 4_800_000 + 1,
      reference: `PZ-${run}-x`,
    });
    expect([over.status, over.body.code]).toEqual([422, "disbursement_exceeds_approved"]);
    const second = await post(`/v1/proposals/${id}/disbursements`, t.finance, {
      amountFen: budgetFen - 4_800_000,
      reference: `PZ-${run}-2`,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(second.body).toMatchObject({
      fullyDisbursed: true,
      status: "funded",
      totalDisbursedFen: budgetFen,
    });
    expect(await budget()).toEqual({
      ...ledger,
      committedFen: budgetFen,
      disbursedFen: budgetFen,
      remainingFen: capFen - budgetFen,
    });
    const timers = await slaOf(id);
    expect(timers.map((x) => [x.kind, x.state]).sort()).toEqual([
      ["disbursement", "met"],
      ["review", "met"],
    ]);

    // intake's registry and timeline followed every step; the chain still verifies
    const official = await untilStatus(id, "funded");
    expect(official.sla).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "review", round: 1, state: "met" }),
        expect.objectContaining({ kind: "disbursement", round: 1, state: "met" }),
      ]),
    );
    const timeline = await settled(
      () => call("GET", `/v1/proposals/${id}/timeline`, { token: t.staff }),
      (r) =>
        r.body.items?.filter((i: { type: string }) => i.type === "FundsDisbursed").length === 2,
    );
    const types = timeline.body.items.map((i: { type: string }) => i.type);
    for (const type of ["ProposalReported", "DistrictReviewCompleted", "ProposalApproved"]) {
      expect(types, type).toContain(type);
    }
    expect(types.filter((x: string) => x === "FundsDisbursed")).toHaveLength(2);
    expect(verifyChain(timeline.body.items)).toBeNull();

    // the public sees that the government met its deadlines
    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.status).toBe("funded");
    expect(
      pub.body.sla.map((x: { kind: string; state: string }) => [x.kind, x.state]).sort(),
    ).toEqual([
      ["disbursement", "met"],
      ["review", "met"],
    ]);
  });

  it("moves the clock past a deadline: one reminder, then one breach, final and public", async () => {
    const id = await endorsedProposal("社区义诊", 5_000_000);
    // Mon 12-07 10:00: due at the end of Mon 12-14, reminded at the end of Fri 12-11
    await clock("2026-12-07T02:00:00.000Z");
    expect((await report(id)).reviewDueAt).toBe("2026-12-14T16:00:00.000Z");

    await clock("2026-12-11T15:50:00.000Z"); // before the reminder
    await sweep();
    expect((await slaOf(id))[0]).not.toHaveProperty("remindedAt");

    await clock("2026-12-11T16:10:00.000Z");
    await sweep();
    await sweep(); // a second sweep must not remind again
    const reminded = (await slaOf(id))[0];
    expect(reminded).toMatchObject({ state: "open", remindedAt: expect.any(String) });

    await clock("2026-12-14T15:50:00.000Z"); // the deadline day, before 24:00 Shanghai
    await sweep();
    expect((await slaOf(id))[0].state).toBe("open");

    await clock("2026-12-14T16:10:00.000Z"); // past it
    await sweep();
    await sweep();
    const breached = (await slaOf(id))[0];
    expect(breached).toMatchObject({ state: "breached", breachedAt: expect.any(String) });
    expect(breached.remindedAt).toBe(reminded.remindedAt);
    const breaches = await call(
      "GET",
      `/v1/sla?districtId=${home.districtId}&kind=review&state=breached&limit=200`,
      { token: t.civil },
    );
    expect(breaches.body.items.map((x: { proposalId: string }) => x.proposalId)).toContain(id);

    // the late review is recorded; breached stays breached
    await clock("2026-12-15T02:00:00.000Z");
    const late = await post(`/v1/proposals/${id}/district-review`, t.civil, {
      decision: "forward",
    });
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect((await slaOf(id))[0]).toMatchObject({
      state: "breached",
      stoppedAt: expect.any(String),
    });

    const events = (await outboxTypes([id])).get(id);
    expect(count(events, "SlaReminder")).toBe(1);
    expect(count(events, "SlaBreached")).toBe(1);

    // intake: timeline and public view show the breach
    const timeline = await settled(
      () => call("GET", `/v1/proposals/${id}/timeline`, { token: t.staff }),
      (r) => r.body.items?.some((i: { type: string }) => i.type === "DistrictReviewCompleted"),
    );
    const types = timeline.body.items.map((i: { type: string }) => i.type);
    expect(types.filter((x: string) => x === "SlaReminder")).toHaveLength(1);
    expect(types.filter((x: string) => x === "SlaBreached")).toHaveLength(1);
    expect(verifyChain(timeline.body.items)).toBeNull();
    const pub = await settled(
      () => call("GET", `/v1/public/proposals/${id}`),
      (r) => r.body.status === "forwarded",
    );
    expect(pub.body.sla).toEqual([
      expect.objectContaining({
        kind: "review",
        state: "breached",
        dueAt: "2026-12-14T16:00:00.000Z",
      }),
    ]);
  });

  it("races 20 approvals that together exceed the cap: exactly the ones that fit succeed", async () => {
    const place = otherPlace(1);
    const o = await officialsOf(place, "race");
    // 60,000 .. 193,000 CNY: 2,530,000 CNY in all, over the 2,000,000 cap
    const budgets = Array.from({ length: 20 }, (_, i) => 6_000_000 + i * 700_000);
    expect(budgets.reduce((a, b) => a + b, 0)).toBeGreaterThan(capFen);
    await clock("2026-12-16T02:00:00.000Z");
    const ids = await Promise.all(budgets.map((b, i) => publishEndorsedAt(place, b, `race ${i}`)));
    for (const id of ids) {
      await report(id, o.street);
      const f = await post(`/v1/proposals/${id}/district-review`, o.civil, { decision: "forward" });
      expect(f.status, JSON.stringify(f.body)).toBe(200);
    }
    const replies = await Promise.all(
      ids.map((id) => post(`/v1/proposals/${id}/approval`, o.group, { decision: "approve" })),
    );
    const won = budgets.filter((_, i) => replies[i]!.status === 200);
    const lost = budgets.filter((_, i) => replies[i]!.status !== 200);
    for (const r of replies) {
      expect([200, 422], JSON.stringify(r.body)).toContain(r.status);
      if (r.status === 422) expect(r.body.code).toBe("community_cap_exceeded");
    }
    const ledger = (
      await call("GET", `/v1/budgets/${place.communityId}/${year}`, { token: o.civil })
    ).body;
    const committed = won.reduce((a, b) => a + b, 0);
    expect(ledger.committedFen).toBe(committed);
    expect(committed).toBeLessThanOrEqual(capFen);
    expect(lost.length).toBeGreaterThan(0);
    // a refused approval did not fit when it was decided, so it does not fit now either
    for (const b of lost) expect(b).toBeGreaterThan(capFen - committed);
    expect(ledger.remainingFen).toBe(capFen - committed);
  });

  it("reminds and breaches each timer exactly once when two sweeps overlap", async () => {
    const place = otherPlace(2);
    const o = await officialsOf(place, "sweeps");
    // Thu 12-17 10:00: due at the end of Thu 12-24, reminded at the end of Wed 12-23
    await clock("2026-12-17T02:00:00.000Z");
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => publishEndorsedAt(place, 1_000_000, `sweep ${i}`)),
    );
    for (const id of ids)
      expect((await report(id, o.street)).reviewDueAt).toBe("2026-12-24T16:00:00.000Z");

    await clock("2026-12-23T16:10:00.000Z");
    const remind = await Promise.all([sweep(), sweep()]);
    expect(remind[0]!.reminded + remind[1]!.reminded).toBeGreaterThanOrEqual(ids.length);
    await clock("2026-12-24T16:10:00.000Z");
    await Promise.all([sweep(), sweep()]);
    const events = await outboxTypes(ids);
    for (const id of ids) {
      expect(count(events.get(id), "SlaReminder"), id).toBe(1);
      expect(count(events.get(id), "SlaBreached"), id).toBe(1);
    }
    const timers = await Promise.all(ids.map((id) => slaOf(id, place.districtId)));
    for (const [x] of timers)
      expect(x).toMatchObject({ state: "breached", remindedAt: expect.any(String) });
  });

  it("recomputes an open provisional deadline when the city enters the next year's holidays", async () => {
    const place = otherPlace(3);
    const o = await officialsOf(place, "cal");
    // Tue 2026-12-29: 2027 has no official data yet, so Fri 2027-01-01 counts as a working day:
    // 12-30, 12-31, 01-01, 01-04, 01-05 -> due at the end of Tue 2027-01-05, provisional
    await clock("2026-12-29T02:00:00.000Z");
    const id = await publishEndorsedAt(place, 2_000_000, "provisional");
    expect((await report(id, o.street)).reviewDueAt).toBe("2027-01-05T16:00:00.000Z");
    expect((await slaOf(id, place.districtId))[0]).toMatchObject({ provisional: true });
    expect((await call("GET", "/v1/calendar/2027")).body.provisional).toBe(true);

    const put = await call("PUT", "/v1/calendar/2027", {
      token: t.admin,
      body: { holidays: ["2027-01-01"], workdays: [] },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await call("GET", "/v1/calendar/2027")).body.holidays).toContain("2027-01-01");
    // New Year's Day is off now: the 5th working day is Wed 01-06
    const moved = (await slaOf(id, place.districtId))[0];
    expect(moved).toMatchObject({ state: "open", dueAt: "2027-01-06T16:00:00.000Z" });

    // the old deadline passes without a breach; the new one breaches
    await clock("2027-01-05T17:00:00.000Z");
    await sweep();
    expect((await slaOf(id, place.districtId))[0].state).toBe("open");
    await clock("2027-01-06T16:10:00.000Z");
    await sweep();
    expect((await slaOf(id, place.districtId))[0].state).toBe("breached");
  });
});
