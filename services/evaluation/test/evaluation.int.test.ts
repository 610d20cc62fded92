import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { publish, publishFunded } from "../../../test/support/events.js";
import {
  call,
  eventually,
  type Geo,
  places,
  quietTableCounts,
  type Reply,
  token,
} from "../../../test/support/http.js";

// Evaluation against the local cloud, where its invariants meet concurrency: racing payments
// never pay more than a milestone's share or the money received (also while contributions
// race in), one rating per panel member, a close racing with ratings loses none, and events
// redelivered or out of order change nothing. Projects come from published events (the
// evaluation service's only source); subs are unique per run.

const run = Date.now().toString(36);
const year = 2050 + ((Date.now() + 7) % 45);

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let cityId: string;
let street: string;
let staff: string;

const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });
const statuses = (rs: Reply[]) =>
  rs.reduce<Record<string, number>>((acc, r) => {
    const k = `${r.status}${r.body?.code ? ` ${r.body.code}` : ""}`;
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});

/** A funded project (from events) with its plan set and progress reported at `percent`. */
async function implementing(opts: {
  budgetFen: number;
  selfRaisedFen?: number;
  milestones: number[];
  percent: number;
  tag: string;
}): Promise<string> {
  const id = await publishFunded({
    cityId,
    place: home,
    budgetFen: opts.budgetFen,
    ...(opts.selfRaisedFen !== undefined && { selfRaisedFen: opts.selfRaisedFen }),
    year,
    title: `并发 ${opts.tag} ${run}`,
    proposerSub: `proposer-${opts.tag}-${run}`,
    correlationId: `int-${run}`,
  });
  const plan = {
    owner: { sub: `owner-${opts.tag}-${run}`, name: "王主任" },
    implementer: { kind: "street" },
    milestones: opts.milestones.map((percent, i) => ({
      percent,
      description: `阶段 ${i + 1}`,
      dueOn: `${year}-0${i + 1}-28`,
    })),
  };
  const started = await eventually(
    () => post(`/v1/proposals/${id}/implementation`, street, plan),
    (r) => r.status !== 404 && r.status !== 409,
    30_000,
  );
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const progress = await post(`/v1/proposals/${id}/progress`, street, {
    percent: opts.percent,
    note: "进度",
    evidenceIds: [],
  });
  expect(progress.status, JSON.stringify(progress.body)).toBe(201);
  return id;
}

const implementation = async (id: string) =>
  (await call("GET", `/v1/proposals/${id}/implementation`, { token: street })).body;

beforeAll(async () => {
  ({ home } = await places());
  cityId = (await call<Geo>("GET", "/v1/geo")).body.cityId;
  street = await token({
    sub: `street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  staff = await token({ sub: `staff-${run}`, roles: ["community_staff"], ...home });
}, 60_000);

describe("payments under concurrency", () => {
  it("20 concurrent payments never pay more than the milestone's share", async () => {
    // 100,000 CNY budget, all programme money and all received; the 50% milestone allows 50,000
    const id = await implementing({
      budgetFen: 10_000_000,
      milestones: [50, 100],
      percent: 50,
      tag: "share",
    });
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(`/v1/proposals/${id}/payments`, street, {
          milestonePercent: 50,
          amountFen: 1_000_000,
          payee: "施工单位",
          reference: `FK-${i}`,
        }),
      ),
    );
    const paid = replies.filter((r) => r.status === 201);
    const refused = replies.filter((r) => r.status !== 201);
    // each payment was decided against a read that allowed it; the commit's condition held the line
    expect(
      refused.every(
        (r) =>
          (r.status === 422 && r.body.code === "milestone_not_reached") ||
          (r.status === 409 && r.body.code === "conflict"),
      ),
      JSON.stringify(statuses(replies)),
    ).toBe(true);
    expect(paid.length, JSON.stringify(statuses(replies))).toBeLessThanOrEqual(5);
    const record = await implementation(id);
    expect(record.totalPaidFen).toBe(paid.length * 1_000_000);
    expect(record.payments).toHaveLength(paid.length);
    // what the race left unpaid of the share is still payable, and not a fen more
    const rest = 5_000_000 - record.totalPaidFen;
    if (rest > 0) {
      const fill = await post(`/v1/proposals/${id}/payments`, street, {
        milestonePercent: 50,
        amountFen: rest,
        payee: "施工单位",
        reference: "FK-rest",
      });
      expect(fill.status).toBe(201);
    }
    const over = await post(`/v1/proposals/${id}/payments`, street, {
      milestonePercent: 50,
      amountFen: 1,
      payee: "施工单位",
      reference: "FK-over",
    });
    expect([over.status, over.body.code]).toEqual([422, "milestone_not_reached"]);
    expect((await implementation(id)).totalPaidFen).toBe(5_000_000);
  });

  it("payments racing contributions never pay more than the money received", async () => {
    // 200,000 CNY budget, 140,000 self-raised: 60,000 disbursed, 40,000 more comes in as it
    // races; the 20 payments of 10,000 ask for twice what can ever be received
    const id = await implementing({
      budgetFen: 20_000_000,
      selfRaisedFen: 14_000_000,
      milestones: [100],
      percent: 100,
      tag: "funds",
    });
    const payments = Array.from({ length: 20 }, (_, i) =>
      post(`/v1/proposals/${id}/payments`, street, {
        milestonePercent: 100,
        amountFen: 1_000_000,
        payee: "施工单位",
        reference: `FK-${i}`,
      }),
    );
    const contributions = Array.from({ length: 4 }, (_, i) =>
      post(`/v1/proposals/${id}/contributions`, staff, {
        source: "self_raised",
        amountFen: 1_000_000,
        contributor: `${i + 1}栋业主`,
        reference: `SJ-${i}`,
      }),
    );
    const [paidReplies, contributed] = await Promise.all([
      Promise.all(payments),
      Promise.all(contributions),
    ]);
    const paid = paidReplies.filter((r) => r.status === 201);
    const received = contributed.filter((r) => r.status === 201);
    expect(
      paidReplies
        .filter((r) => r.status !== 201)
        .every((r) => ["insufficient_funds", "conflict"].includes(r.body.code)),
      JSON.stringify(statuses(paidReplies)),
    ).toBe(true);
    const record = await implementation(id);
    expect(record.totalPaidFen).toBe(paid.length * 1_000_000);
    expect(record.payments.map((x: { id: string }) => x.id).sort()).toEqual(
      paid.map((r) => r.body.id as string).sort(),
    );
    expect(record.receivedFen).toBe(6_000_000 + received.length * 1_000_000);
    expect(record.totalPaidFen).toBeLessThanOrEqual(record.receivedFen);
    const spending = (await call("GET", `/v1/proposals/${id}/spending`, { token: street })).body;
    expect(spending.balanceFen).toBe(record.receivedFen - record.totalPaidFen);
    expect(spending.balanceFen).toBeGreaterThanOrEqual(0);
  });
});

describe("the satisfaction panel under concurrency", () => {
  const panelOf = (tag: string, n: number) => {
    const types = ["deputy", "party_member", "resident_rep", "owners_committee", "expert"];
    return Array.from({ length: n }, (_, i) => ({
      sub: `panel-${tag}-${i}-${run}`,
      type: types[i % types.length],
    }));
  };

  async function evaluating(tag: string, n: number) {
    const id = await implementing({ budgetFen: 1_000_000, milestones: [100], percent: 100, tag });
    expect((await post(`/v1/proposals/${id}/complete`, street)).status).toBe(200);
    const panel = panelOf(tag, n);
    const opened = await post(`/v1/proposals/${id}/evaluation`, street, { panel });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const tokens = await Promise.all(panel.map((m) => token({ sub: m.sub, roles: ["evaluator"] })));
    return { id, tokens };
  }

  it("each member rates once: 5 members x 4 concurrent ratings give 5 ratings", async () => {
    const { id, tokens } = await evaluating("once", 5);
    const replies = await Promise.all(
      tokens.flatMap((t, i) =>
        ["very_satisfied", "satisfied", "neutral", "dissatisfied"].map((rating) =>
          post(`/v1/proposals/${id}/evaluation/ratings`, t, {
            rating,
            comment: `成员 ${i}`,
          }),
        ),
      ),
    );
    expect(statuses(replies)).toEqual({ "201": 5, "409 duplicate": 15 });
    const record = await implementation(id);
    expect(record.evaluation.ratings).toBe(5);
    const closed = await post(`/v1/proposals/${id}/evaluation/close`, street);
    expect(closed.body.ratings).toBe(5);
    // the result counts each member's one accepted rating
    const accepted = replies.filter((r) => r.status === 201).map((r) => r.body.rating as string);
    const satisfied = accepted.filter((r) => r === "very_satisfied" || r === "satisfied").length;
    expect(closed.body.satisfiedCount).toBe(satisfied);
  });

  it("a close racing with ratings loses none: every accepted rating is counted, every later one is 409", async () => {
    const { id, tokens } = await evaluating("race", 9);
    const ratings = tokens.map((t) =>
      post(`/v1/proposals/${id}/evaluation/ratings`, t, { rating: "satisfied" }),
    );
    const closes = [post(`/v1/proposals/${id}/evaluation/close`, street)];
    const [rated, [closed]] = await Promise.all([Promise.all(ratings), Promise.all(closes)]);
    const accepted = rated.filter((r) => r.status === 201).length;
    expect(
      rated.filter((r) => r.status !== 201).every((r) => r.status === 409),
      JSON.stringify(statuses(rated)),
    ).toBe(true);
    expect(closed!.status, JSON.stringify(closed!.body)).toBe(200);
    expect(closed!.body.ratings).toBe(accepted);
    // closing again (also at once, twice) answers the same result
    const again = await Promise.all([
      post(`/v1/proposals/${id}/evaluation/close`, street),
      post(`/v1/proposals/${id}/evaluation/close`, street),
    ]);
    for (const r of again) expect(r.body).toEqual(closed!.body);
  });
});

describe("events redelivered or out of order", () => {
  it("change nothing: the projection is the same whatever the order and however often", async () => {
    const id = ulid();
    const at = (min: number) => new Date(Date.UTC(year, 0, 10, 1, min)).toISOString();
    const envelope = (type: string, data: Record<string, unknown>, occurredAt: string) => ({
      id: ulid(),
      type,
      version: 1,
      occurredAt,
      cityId,
      proposalId: id,
      communityId: home.communityId,
      actor: { sub: `proposer-order-${run}`, roles: [] },
      correlationId: `order-${run}`,
      data: { proposalId: id, ...data },
    });
    const submitted = envelope(
      "ProposalSubmitted",
      {
        ...home,
        kind: "works",
        category: "old_estate_renovation",
        title: `乱序 ${run}`,
        budgetFen: 3_000_000,
        selfRaisedFen: 1_000_000,
        sponsorFen: 0,
        programmeFen: 2_000_000,
        year,
        needIds: [],
      },
      at(0),
    );
    const approved = envelope(
      "ProposalApproved",
      {
        communityId: home.communityId,
        districtId: home.districtId,
        year,
        budgetFen: 3_000_000,
        programmeFen: 2_000_000,
        approvedAt: at(1),
        disbursementDueAt: at(2),
        disbursementWorkingDays: 15,
        provisional: false,
        committedFen: 2_000_000,
        capFen: 2_000_000,
      },
      at(1),
    );
    const disbursed = (n: number, amountFen: number, totalDisbursedFen: number) =>
      envelope(
        "FundsDisbursed",
        {
          communityId: home.communityId,
          year,
          disbursementId: `d${n}-${run}`,
          amountFen,
          totalDisbursedFen,
          approvedFen: 2_000_000,
          fullyDisbursed: totalDisbursedFen === 2_000_000,
          reference: `BK-${n}`,
          disbursedAt: at(2 + n),
        },
        at(2 + n),
      );
    const first = disbursed(1, 1_200_000, 1_200_000);
    const second = disbursed(2, 800_000, 2_000_000);
    // a withdrawal and a rejection that arrive after the approval: too late to end the project
    const withdrawn = envelope(
      "ProposalWithdrawn",
      { needIds: [], previousStatus: "submitted", reason: "迟到的撤回" },
      at(0),
    );
    // newest first, the withdrawal in between
    for (const e of [second, approved, withdrawn, first, submitted]) await publish(e);

    const plan = {
      owner: { sub: `owner-order-${run}`, name: "赵主任" },
      implementer: { kind: "street" },
      milestones: [{ percent: 100, description: "完工", dueOn: `${year}-06-30` }],
    };
    const spendingOf = async () =>
      (await call("GET", `/v1/proposals/${id}/spending`, { token: street })).body;
    const settled = await eventually(
      spendingOf,
      (b) => b?.in?.bySource?.programme === 2_000_000 && b.in.entries.length === 2,
      30_000,
    );
    expect(settled).toMatchObject({
      budgetFen: 3_000_000,
      funding: { programmeFen: 2_000_000, selfRaisedFen: 1_000_000 },
      in: { totalFen: 2_000_000 },
      balanceFen: 2_000_000,
    });
    const before = await quietTableCounts();

    // every event again (same ids), and the same disbursement under a new event id
    for (const e of [first, submitted, withdrawn, second, approved]) await publish(e);
    expect(await quietTableCounts()).toEqual(before);
    expect(await spendingOf()).toEqual(settled);
    // the same disbursement under a new event id (a replay from another path): recorded once
    await publish({ ...first, id: ulid() });
    await quietTableCounts();
    expect(await spendingOf()).toEqual(settled);

    // the late withdrawal did not end it: the project is funded and starts
    const started = await post(`/v1/proposals/${id}/implementation`, street, plan);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.status).toBe("funded");
  });
});
