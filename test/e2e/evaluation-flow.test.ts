import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { call, eventually, places, token, verifyChain } from "../support/http.js";
import {
  endorsedProposal,
  fund,
  type Officials,
  officialsOf,
  untilStatus,
} from "../support/lifecycle.js";

// From an endorsed proposal to `evaluated`, over HTTP on the local cloud: funds by source (the
// programme commits and disburses only its part), the accountable owner and plan, progress with
// verified evidence, payments gated by progress, milestone shares and money received,
// contributions, completion, the satisfaction panel, the spending notice, and intake's public
// record of implementation and effect.

const run = Date.now().toString(36);
/** A programme year nobody else uses: ledgers are per community-year. */
const year = 2050 + ((Date.now() + 11) % 45);
const EVENTS_MS = 30_000;

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let o: Officials;
let resident: string;
let orgUser: string;
let id: string;
const owner = { sub: `owner-${run}`, name: "李主任", phone: "13800138000" };
const implementerOrg = `impl-org-${run}`;

const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });
const eventuallyNot = (probe: () => ReturnType<typeof post>, statuses: number[]) =>
  eventually(probe, (r) => !statuses.includes(r.status), EVENTS_MS);

beforeAll(async () => {
  ({ home } = await places());
  o = await officialsOf(home, run);
  resident = await token({
    sub: `res-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh-${run}`,
  });
  orgUser = await token({
    sub: `impl-user-${run}`,
    roles: ["org"],
    communityId: home.communityId,
    orgId: implementerOrg,
  });
}, 60_000);

describe("from funded to evaluated", () => {
  it("commits programme money only: a 500,000 CNY project with 100,000 self-raised commits 400,000", async () => {
    id = await endorsedProposal({
      place: home,
      officials: o,
      proposer: resident,
      title: `加装电梯 ${run}`,
      year,
      body: { budgetFen: 50_000_000, selfRaisedFen: 10_000_000 },
    });
    const before = await call("GET", `/v1/proposals/${id}`, { token: o.staff });
    expect(before.body.funding).toEqual({
      programmeFen: 40_000_000,
      selfRaisedFen: 10_000_000,
      sponsorFen: 0,
      streetSubsidyFen: 0,
    });
    expect(await fund(id, o)).toBe(40_000_000);
    const ledger = await call("GET", `/v1/budgets/${home.communityId}/${year}`, {
      token: o.civil,
    });
    expect(ledger.body).toMatchObject({ committedFen: 40_000_000, disbursedFen: 40_000_000 });
  }, 120_000);

  it("names the accountable owner and the plan once, when funded", async () => {
    const plan = {
      owner,
      implementer: { kind: "org", orgId: implementerOrg },
      milestones: [
        { percent: 30, description: "拆除与基础施工", dueOn: `${year}-03-31` },
        { percent: 70, description: "井道与设备安装", dueOn: `${year}-06-30` },
        { percent: 100, description: "验收与交付", dueOn: `${year}-08-31` },
      ],
    };
    // the evaluation service learns of the disbursement from approval's event
    const started = await eventuallyNot(
      () => post(`/v1/proposals/${id}/implementation`, o.street, plan),
      [404, 409],
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ status: "funded", progressPercent: 0, owner });
    const again = await post(`/v1/proposals/${id}/implementation`, o.street, plan);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("duplicate");
    // another street's staff (same district) may neither read the record nor set a plan
    const { geo } = await places();
    const other = geo.districts
      .find((d) => d.id === home.districtId)!
      .streets.find((s) => s.id !== home.streetId)!;
    const otherStreet = await token({
      sub: `other-street-${run}`,
      roles: ["street_staff"],
      districtId: home.districtId,
      streetId: other.id,
    });
    expect(
      (await call("GET", `/v1/proposals/${id}/implementation`, { token: otherStreet })).status,
    ).toBe(403);
    const foreign = await post(`/v1/proposals/${id}/implementation`, otherStreet, plan);
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe("forbidden");
    // the district reads the owner (一方一厨); the implementer reads the record without it
    const read = await call("GET", `/v1/proposals/${id}/implementation`, { token: o.civil });
    expect(read.body.owner).toEqual(owner);
    const asOrg = await call("GET", `/v1/proposals/${id}/implementation`, { token: orgUser });
    expect(asOrg.status).toBe(200);
    expect(asOrg.body.owner).toBeUndefined();
  });

  it("reports progress with verified evidence only, never down; the first report makes it implementing", async () => {
    const bytes = Buffer.from(`%PDF-1.4 施工照片 ${run}`);
    const ev = await post(`/v1/proposals/${id}/evidence`, o.street, {
      purpose: "photo",
      fileName: "site.pdf",
      contentType: "application/pdf",
      sizeBytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    expect(ev.status, JSON.stringify(ev.body)).toBe(201);
    const pending = await post(`/v1/proposals/${id}/progress`, orgUser, {
      percent: 30,
      note: "基础施工完成",
      evidenceIds: [ev.body.evidenceId],
    });
    expect(pending.status).toBe(422);
    expect(pending.body.code).toBe("evidence_not_verified");
    await fetch(ev.body.upload.url, {
      method: "PUT",
      headers: ev.body.upload.headers,
      body: bytes,
    });
    expect(
      (await post(`/v1/proposals/${id}/evidence/${ev.body.evidenceId}/confirm`, o.street)).status,
    ).toBe(200);
    const report = await eventuallyNot(
      () =>
        post(`/v1/proposals/${id}/progress`, orgUser, {
          percent: 30,
          note: "基础施工完成",
          evidenceIds: [ev.body.evidenceId],
        }),
      [422],
    );
    expect(report.status, JSON.stringify(report.body)).toBe(201);
    expect(report.body).toMatchObject({ percent: 30, status: "implementing" });
    const down = await post(`/v1/proposals/${id}/progress`, orgUser, {
      percent: 20,
      note: "回退",
      evidenceIds: [],
    });
    expect(down.status).toBe(422);
    expect(down.body.code).toBe("progress_regressed");
    await untilStatus(id, "implementing", o.staff);
  });

  it("pays within reported progress, each milestone's share of the budget and the money received", async () => {
    const pay = (milestonePercent: number, amountFen: number) =>
      post(`/v1/proposals/${id}/payments`, o.street, {
        milestonePercent,
        amountFen,
        payee: "深圳市安居电梯工程有限公司",
        reference: `FK-${milestonePercent}-${amountFen}`,
      });
    // 30% of the 500,000 CNY budget is 150,000
    expect((await pay(30, 15_000_000)).status).toBe(201);
    const over = await pay(30, 1);
    expect([over.status, over.body.code]).toEqual([422, "milestone_not_reached"]);
    const ahead = await pay(70, 1);
    expect([ahead.status, ahead.body.code]).toEqual([422, "milestone_not_reached"]);
    expect(
      (
        await post(`/v1/proposals/${id}/progress`, orgUser, {
          percent: 100,
          note: "完工",
          evidenceIds: [],
        })
      ).status,
    ).toBe(201);
    // 400,000 CNY received (the programme's part); the self-raised 100,000 has not come in yet
    expect((await pay(100, 25_000_000)).status).toBe(201);
    const short = await pay(100, 1);
    expect([short.status, short.body.code]).toEqual([422, "insufficient_funds"]);
    const contribution = await post(`/v1/proposals/${id}/contributions`, o.staff, {
      source: "self_raised",
      amountFen: 10_000_000,
      contributor: "7栋全体业主",
      reference: `SJ-${run}`,
    });
    expect(contribution.status, JSON.stringify(contribution.body)).toBe(201);
    const last = await pay(100, 10_000_000);
    expect(last.status).toBe(201);
    const paid = await call("GET", `/v1/proposals/${id}/implementation`, { token: o.street });
    expect(paid.body.totalPaidFen).toBe(50_000_000);
    const beyond = await pay(100, 1);
    expect([beyond.status, beyond.body.code]).toEqual([422, "milestone_not_reached"]);
  });

  it("completes at 100 and convenes a panel without conflicts of interest", async () => {
    const done = await post(`/v1/proposals/${id}/complete`, o.street);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await untilStatus(id, "completed", o.staff);
    const panel = [
      { sub: `deputy-${run}`, type: "deputy" },
      { sub: `party-${run}`, type: "party_member" },
      { sub: `rep-${run}`, type: "resident_rep" },
      { sub: `owners-${run}`, type: "owners_committee" },
      { sub: `expert-p-${run}`, type: "expert" },
    ];
    const conflicted = await post(`/v1/proposals/${id}/evaluation`, o.street, {
      panel: [...panel.slice(1), { sub: owner.sub, type: "deputy" }],
    });
    expect([conflicted.status, conflicted.body.code]).toEqual([422, "panel_invalid"]);
    const small = await post(`/v1/proposals/${id}/evaluation`, o.street, {
      panel: panel.slice(0, 4),
    });
    expect([small.status, small.body.code]).toEqual([422, "panel_invalid"]);
    const opened = await post(`/v1/proposals/${id}/evaluation`, o.street, { panel });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body.seats).toBe(5);

    const rate = async (sub: string, rating: string) =>
      post(`/v1/proposals/${id}/evaluation/ratings`, await token({ sub, roles: ["evaluator"] }), {
        rating,
      });
    expect((await rate(panel[0]!.sub, "very_satisfied")).status).toBe(201);
    expect((await rate(panel[1]!.sub, "satisfied")).status).toBe(201);
    expect((await rate(panel[2]!.sub, "satisfied")).status).toBe(201);
    expect((await rate(panel[3]!.sub, "very_satisfied")).status).toBe(201);
    const twice = await rate(panel[0]!.sub, "dissatisfied");
    expect([twice.status, twice.body.code]).toEqual([409, "duplicate"]);
    expect((await rate(`stranger-${run}`, "dissatisfied")).status).toBe(403);

    const closed = await post(`/v1/proposals/${id}/evaluation/close`, o.street);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({
      seats: 5,
      ratings: 4,
      satisfiedCount: 4,
      satisfactionRate: 1,
      passed: true,
    });
    const again = await post(`/v1/proposals/${id}/evaluation/close`, o.street);
    expect(again.body).toEqual(closed.body);
    expect((await rate(panel[4]!.sub, "satisfied")).status).toBe(409);
  });

  it("shows implementation and effect publicly, with the spending notice by source, and no person", async () => {
    const record = await untilStatus(id, "evaluated", o.staff);
    expect(record.implementation).toMatchObject({
      implementer: { kind: "org", orgId: implementerOrg },
      percent: 100,
      totalPaidFen: 50_000_000,
    });
    expect(record.effect).toMatchObject({
      seats: 5,
      ratings: 4,
      satisfactionRate: 1,
      passed: true,
    });

    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.body.stage).toBe("effect");
    expect(pub.body.implementation.payments).toHaveLength(3);
    expect(pub.body.implementation.payments[0]).toMatchObject({
      payee: "深圳市安居电梯工程有限公司",
    });
    const publicText = JSON.stringify(pub.body);
    for (const secret of [
      owner.sub,
      owner.name,
      owner.phone,
      `deputy-${run}`,
      "7栋全体业主",
      `res-${run}`,
    ]) {
      expect(publicText).not.toContain(secret);
    }
    const types = pub.body.timeline.map((i: { type: string }) => i.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "ImplementationStarted",
        "ProgressReported",
        "PaymentMade",
        "ContributionReceived",
        "ProjectCompleted",
        "EvaluationOpened",
        "EvaluationClosed",
      ]),
    );
    expect(verifyChain(pub.body.timeline)).toBeNull();

    const notice = await call("GET", `/v1/public/proposals/${id}/spending`);
    expect(notice.status).toBe(200);
    expect(notice.body.in.bySource).toEqual({
      programme: 40_000_000,
      self_raised: 10_000_000,
      sponsor: 0,
      street_subsidy: 0,
    });
    expect(notice.body.out.totalFen).toBe(50_000_000);
    expect(notice.body.balanceFen).toBe(0);
    expect(JSON.stringify(notice.body)).not.toContain("7栋全体业主");
    const official = await call("GET", `/v1/proposals/${id}/spending`, { token: o.staff });
    expect(official.body.in.entries.map((e: { contributor?: string }) => e.contributor)).toContain(
      "7栋全体业主",
    );
  });
});
