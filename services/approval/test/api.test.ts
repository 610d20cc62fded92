import { calendarsFrom } from "@pencai/calendar";
import { useTestCity } from "@pencai/config/testing";
import { ddb } from "@pencai/runtime/clients";
import { context, httpEvent, startJwks } from "@pencai/runtime/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "approval-test";
});

import { startTimer } from "../src/domain/timers.js";
import type { ApprovalProposal, Timer } from "../src/domain/types.js";
import { handler } from "../src/handlers/api.js";
import * as store from "../src/store.js";
import {
  cancelled,
  cst,
  expectProblem,
  FakeTable,
  itemFor,
  json,
  outboxEvents,
  P1,
  P2,
  P3,
  proposal,
} from "./support.js";

const ddbMock = mockClient(ddb);
let table: FakeTable;
let jwks: Awaited<ReturnType<typeof startJwks>>;
const official = calendarsFrom();
const CAP = 200_000_000; // longgang preset: 2,000,000 CNY per community-year

beforeAll(async () => {
  useTestCity();
  jwks = await startJwks();
});
afterAll(() => jwks.close());
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  table = new FakeTable(ddbMock);
});
afterEach(() => {
  ddbMock.reset();
  vi.useRealTimers();
});

type Token = string | Promise<string>;

/** A bearer token for the role with the claims (signed at the current, faked, time). */
const as = (role: string, claims: Record<string, string | boolean> = {}): Token =>
  jwks.sign({ sub: `${role}-1`, roles: [role], ...claims });
/** An admin or analyst acting for the whole city (`cityWide: true`). */
const cityWide = { cityWide: true };

const call = async (
  routeKey: string,
  init: {
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    token?: Token;
  } = {},
) => {
  const { params, token, ...rest } = init;
  const event = httpEvent(routeKey, {
    ...rest,
    ...(params && { pathParameters: params }),
    ...(token !== undefined && { token: await token }),
  });
  return handler(event, context);
};

const REPORT = "POST /v1/proposals/{id}/report";
const REVIEW = "POST /v1/proposals/{id}/district-review";
const APPROVAL = "POST /v1/proposals/{id}/approval";
const DISBURSE = "POST /v1/proposals/{id}/disbursements";

const REPORTED_AT = cst("2025-09-30T10:00:00"); // due at the end of 10-14 (National Day)
const reviewTimer = (over: Partial<Timer> = {}): Timer => ({
  ...startTimer(
    { proposalId: P1, communityId: "c1", districtId: "d1", round: 1 },
    "review",
    REPORTED_AT,
    5,
    official,
  ),
  ...over,
});
const APPROVED_AT = cst("2025-10-20T10:00:00"); // 15 working days: due at the end of 11-10
const disbursementTimer = (): Timer =>
  startTimer(
    { proposalId: P1, communityId: "c1", districtId: "d1" },
    "disbursement",
    APPROVED_AT,
    15,
    official,
  );

const withProposal = (p: ApprovalProposal) => table.put(store.proposalItem(p));
const proposalKey = store.keys.proposal(P1);

// ---------------------------------------------------------------- report

describe("POST /v1/proposals/{id}/report", () => {
  it("reports an endorsed proposal: 200 with reviewDueAt, one transaction with the timer and event", async () => {
    vi.setSystemTime(REPORTED_AT);
    withProposal(proposal());
    const res = await call(REPORT, {
      params: { id: P1 },
      token: as("street_staff", { streetId: "s1" }),
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      proposalId: P1,
      status: "reported",
      reportedAt: REPORTED_AT.toISOString(),
      reviewDueAt: "2025-10-14T16:00:00.000Z",
      provisional: false,
    });
    const [tx] = table.sent();
    expect(table.sent()).toHaveLength(1);
    expect(itemFor(tx!, proposalKey)!.Put).toMatchObject({
      Item: { status: "reported", version: 2, round: 1 },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 1 },
    });
    expect(itemFor(tx!, store.keys.timer(P1, "review", 1))!.Put).toMatchObject({
      Item: {
        state: "open",
        dueAt: "2025-10-14T16:00:00.000Z",
        reminderAt: "2025-10-13T16:00:00.000Z",
        gsi1pk: "DUE#2025-10-13T16",
        gsi2pk: "SLA#d1#review#open",
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    const [event] = outboxEvents(tx!);
    expect(event).toMatchObject({
      type: "ProposalReported",
      proposalId: P1,
      communityId: "c1",
      actor: { sub: "street_staff-1" },
      data: { reviewDueAt: "2025-10-14T16:00:00.000Z", round: 1 },
    });
  });

  it("counts the city's runtime calendar additions (a holiday added on 10-13 moves the deadline)", async () => {
    vi.setSystemTime(REPORTED_AT);
    withProposal(proposal());
    table.put({ ...store.keys.calendar(2025), year: 2025, holidays: ["2025-10-13"], workdays: [] });
    const res = await call(REPORT, {
      params: { id: P1 },
      token: as("street_staff", { streetId: "s1" }),
    });
    expect(json(res).reviewDueAt).toBe("2025-10-15T16:00:00.000Z");
  });

  it("a second report after a return starts the next round's timer", async () => {
    vi.setSystemTime(cst("2025-10-20T10:00:00"));
    withProposal(proposal({ round: 1, version: 3 }));
    await call(REPORT, { params: { id: P1 }, token: as("street_staff", { streetId: "s1" }) });
    const [tx] = table.sent();
    expect(itemFor(tx!, store.keys.timer(P1, "review", 2))!.Put!.Item).toMatchObject({
      round: 2,
      state: "open",
    });
    expect(itemFor(tx!, proposalKey)!.Put!.Item).toMatchObject({ round: 2, version: 4 });
  });

  it("403 for street staff of another street and for another role; nothing written", async () => {
    vi.setSystemTime(REPORTED_AT);
    withProposal(proposal());
    expectProblem(
      await call(REPORT, { params: { id: P1 }, token: as("street_staff", { streetId: "s2" }) }),
      403,
      "forbidden",
    );
    expectProblem(
      await call(REPORT, { params: { id: P1 }, token: as("district_civil", { districtId: "d1" }) }),
      403,
      "forbidden",
    );
    expectProblem(await call(REPORT, { params: { id: P1 } }), 401, "unauthenticated");
    expect(table.sent()).toEqual([]);
  });

  it("404 for an unknown proposal and for a withdrawal tombstone", async () => {
    vi.setSystemTime(REPORTED_AT);
    table.put(store.proposalItem({ id: P2, tombstone: true, withdrawnAt: "2025-09-02T00:00:00Z" }));
    for (const id of [P1, P2]) {
      expectProblem(
        await call(REPORT, { params: { id }, token: as("street_staff", { streetId: "s1" }) }),
        404,
        "not_found",
      );
    }
    expect(table.sent()).toEqual([]);
  });

  it("409 invalid_state for a proposal that is not endorsed", async () => {
    vi.setSystemTime(REPORTED_AT);
    withProposal(proposal({ status: "reported", round: 1, version: 2 }));
    expectProblem(
      await call(REPORT, { params: { id: P1 }, token: as("street_staff", { streetId: "s1" }) }),
      409,
      "invalid_state",
    );
    expect(table.sent()).toEqual([]);
  });
});

// ---------------------------------------------------------------- district review

describe("POST /v1/proposals/{id}/district-review", () => {
  const reported = () => {
    withProposal(proposal({ status: "reported", round: 1, version: 2 }));
    table.put(store.timerItem(reviewTimer()));
  };
  const civil = () => as("district_civil", { districtId: "d1" });

  it("forward in time: forwarded, the review timer met (conditional on what was read), out of the due index", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    reported();
    const res = await call(REVIEW, {
      params: { id: P1 },
      body: { decision: "forward" },
      token: civil(),
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({
      status: "forwarded",
      sla: "met",
      reviewDueAt: "2025-10-14T16:00:00.000Z",
    });
    const [tx] = table.sent();
    expect(itemFor(tx!, proposalKey)!.Put).toMatchObject({
      Item: { status: "forwarded", version: 3 },
      ExpressionAttributeValues: { ":v": 2 },
    });
    const timer = itemFor(tx!, store.keys.timer(P1, "review", 1))!.Put!;
    expect(timer).toMatchObject({
      Item: { state: "met", gsi2pk: "SLA#d1#review#met" },
      ExpressionAttributeValues: { ":state": "open", ":dueAt": "2025-10-14T16:00:00.000Z" },
    });
    expect(timer.Item).not.toHaveProperty("gsi1pk");
    expect(outboxEvents(tx!).map((e) => [e.type, e.data])).toEqual([
      ["DistrictReviewCompleted", expect.objectContaining({ decision: "forward", sla: "met" })],
    ]);
  });

  it("return: back to endorsed (the street may report it again)", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    reported();
    const res = await call(REVIEW, {
      params: { id: P1 },
      body: { decision: "return", reason: "缺少预算明细" },
      token: civil(),
    });
    expect(json(res)).toMatchObject({ status: "endorsed", decision: "return" });
    expect(itemFor(table.sent()[0]!, proposalKey)!.Put!.Item).toMatchObject({
      status: "endorsed",
      round: 1,
    });
  });

  it("a late reject: SlaBreached, DistrictReviewCompleted (breached) and ProposalRejected", async () => {
    vi.setSystemTime(cst("2025-10-15T10:00:00"));
    reported();
    const res = await call(REVIEW, {
      params: { id: P1 },
      body: { decision: "reject", reason: "不符合条件" },
      token: civil(),
    });
    expect(json(res)).toMatchObject({ status: "rejected", sla: "breached" });
    const tx = table.sent()[0]!;
    expect(outboxEvents(tx).map((e) => e.type)).toEqual([
      "SlaBreached",
      "DistrictReviewCompleted",
      "ProposalRejected",
    ]);
    expect(itemFor(tx, store.keys.timer(P1, "review", 1))!.Put!.Item).toMatchObject({
      state: "breached",
    });
  });

  it("403 for district_civil of another district, 409 for a proposal that is not reported", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    reported();
    expectProblem(
      await call(REVIEW, {
        params: { id: P1 },
        body: { decision: "forward" },
        token: as("district_civil", { districtId: "d2" }),
      }),
      403,
      "forbidden",
    );
    // endorsed, never reported (no timer) and forwarded (its round's timer exists)
    withProposal(proposal());
    expectProblem(
      await call(REVIEW, { params: { id: P1 }, body: { decision: "forward" }, token: civil() }),
      409,
      "invalid_state",
    );
    withProposal(proposal({ status: "forwarded", round: 1, version: 3 }));
    expectProblem(
      await call(REVIEW, { params: { id: P1 }, body: { decision: "forward" }, token: civil() }),
      409,
      "invalid_state",
    );
    expect(table.sent()).toEqual([]);
  });
});

// ---------------------------------------------------------------- approval

describe("POST /v1/proposals/{id}/approval", () => {
  const forwarded = (version = 3) =>
    withProposal(proposal({ status: "forwarded", round: 1, version }));
  const ledger = (committedFen: number) =>
    table.put({
      ...store.keys.ledger("c1", 2025),
      communityId: "c1",
      year: 2025,
      committedFen,
      disbursedFen: 0,
    });
  const group = () => as("district_group", { districtId: "d1" });
  const approve = () =>
    call(APPROVAL, { params: { id: P1 }, body: { decision: "approve" }, token: group() });

  it("approves: the ledger ADD under `committedFen <= :limit`, the disbursement timer and the event, in one transaction", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded();
    ledger(150_000_000);
    const res = await approve();
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({
      status: "approved",
      disbursementDueAt: "2025-11-10T16:00:00.000Z",
      committedFen: 30_000_000,
    });
    const tx = table.sent()[0]!;
    expect(itemFor(tx, store.keys.ledger("c1", 2025))!.Update).toMatchObject({
      UpdateExpression: expect.stringContaining("ADD committedFen :amount"),
      ConditionExpression: "attribute_not_exists(pk) OR committedFen <= :limit",
      ExpressionAttributeValues: { ":amount": 30_000_000, ":limit": CAP - 30_000_000 },
    });
    expect(itemFor(tx, store.keys.timer(P1, "disbursement", 1))!.Put!.Item).toMatchObject({
      state: "open",
      dueAt: "2025-11-10T16:00:00.000Z",
    });
    expect(outboxEvents(tx)[0]).toMatchObject({
      type: "ProposalApproved",
      data: { committedFen: 180_000_000, capFen: CAP, budgetFen: 30_000_000 },
    });
  });

  it("422 community_cap_exceeded when a concurrent approval made the ledger condition fail (no retry)", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded();
    ledger(150_000_000);
    table.onTransact = (items) => {
      const i = items.findIndex((t) => t.Update?.Key?.pk === "BUDGET#c1#2025");
      const codes: string[] = items.map(() => "None");
      codes[i] = "ConditionalCheckFailed";
      throw cancelled(codes);
    };
    expectProblem(await approve(), 422, "community_cap_exceeded");
    expect(table.sent()).toHaveLength(1);
  });

  it("422 community_cap_exceeded from the ledger as read (one fen over), nothing written", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded();
    ledger(CAP - 30_000_000 + 1);
    expectProblem(await approve(), 422, "community_cap_exceeded");
    expect(table.sent()).toEqual([]);
  });

  it("a stale version is re-read and decided again: the second attempt commits on the new version", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded(3);
    ledger(0);
    table.onTransact = (_items, n) => {
      if (n === 1) forwarded(4); // a concurrent writer moved the projection on
    };
    const res = await approve();
    expect(res.statusCode).toBe(200);
    expect(table.reads(proposalKey)).toBe(2);
    const [first, second] = table.sent();
    expect(itemFor(first!, proposalKey)!.Put!.ExpressionAttributeValues).toEqual({ ":v": 3 });
    expect(itemFor(second!, proposalKey)!.Put).toMatchObject({
      Item: { status: "approved", version: 5 },
      ExpressionAttributeValues: { ":v": 4 },
    });
    expect(table.get(proposalKey)).toMatchObject({ status: "approved", version: 5 });
  });

  it("a version that keeps changing ends in 409 conflict after a bounded number of attempts", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded(3);
    ledger(0);
    table.onTransact = (_items, n) => {
      forwarded(3 + n);
    };
    expectProblem(await approve(), 409, "conflict");
    expect(table.sent()).toHaveLength(6);
  });

  it("reject: ProposalRejected at the approval stage, nothing committed", async () => {
    vi.setSystemTime(APPROVED_AT);
    forwarded();
    const res = await call(APPROVAL, {
      params: { id: P1 },
      body: { decision: "reject", reason: "预算不合理" },
      token: group(),
    });
    expect(json(res)).toMatchObject({ status: "rejected" });
    expect(json(res)).not.toHaveProperty("disbursementDueAt");
    const tx = table.sent()[0]!;
    expect(itemFor(tx, store.keys.ledger("c1", 2025))).toBeUndefined();
    expect(outboxEvents(tx)[0]).toMatchObject({
      type: "ProposalRejected",
      data: { stage: "approval", reason: "预算不合理" },
    });
  });

  it("403 for the group of another district, 409 for a proposal that is not forwarded", async () => {
    vi.setSystemTime(APPROVED_AT);
    withProposal(proposal({ status: "reported", round: 1, version: 2 }));
    expectProblem(
      await call(APPROVAL, {
        params: { id: P1 },
        body: { decision: "approve" },
        token: as("district_group", { districtId: "d2" }),
      }),
      403,
      "forbidden",
    );
    expectProblem(await approve(), 409, "invalid_state");
  });
});

// ---------------------------------------------------------------- disbursements

describe("POST /v1/proposals/{id}/disbursements", () => {
  const approved = (disbursedFen = 0, version = 4) =>
    withProposal(
      proposal({
        status: "approved",
        round: 1,
        version,
        approvedFen: 30_000_000,
        approvedAt: APPROVED_AT.toISOString(),
        disbursedFen,
      }),
    );
  const pay = (amountFen: number) =>
    call(DISBURSE, {
      params: { id: P1 },
      body: { amountFen, reference: "财-2025-001" },
      token: as("district_finance", { districtId: "d1" }),
    });
  const DAY = cst("2025-11-03T10:00:00");

  it("201: a partial payment, ADD disbursedFen under `disbursedFen <= :limit` on the version read", async () => {
    vi.setSystemTime(DAY);
    approved();
    table.put(store.timerItem(disbursementTimer()));
    const res = await pay(10_000_000);
    expect(res.statusCode).toBe(201);
    expect(json(res)).toMatchObject({
      proposalId: P1,
      amountFen: 10_000_000,
      totalDisbursedFen: 10_000_000,
      approvedFen: 30_000_000,
      fullyDisbursed: false,
      status: "approved",
    });
    const tx = table.sent()[0]!;
    expect(itemFor(tx, proposalKey)!.Update).toMatchObject({
      ConditionExpression: "version = :v AND disbursedFen <= :limit",
      ExpressionAttributeValues: { ":v": 4, ":amount": 10_000_000, ":limit": 20_000_000 },
    });
    expect(itemFor(tx, store.keys.ledger("c1", 2025))!.Update).toMatchObject({
      UpdateExpression: "ADD disbursedFen :amount",
      ExpressionAttributeValues: { ":amount": 10_000_000 },
    });
    expect(itemFor(tx, store.keys.timer(P1, "disbursement", 1))).toBeUndefined();
    const [event] = outboxEvents(tx);
    expect(event!.data).toMatchObject({
      fullyDisbursed: false,
      disbursementDueAt: "2025-11-10T16:00:00.000Z",
    });
    expect(event!.data).not.toHaveProperty("sla");
  });

  it("the payment of the remainder funds it, stops the timer (met) and says so in FundsDisbursed", async () => {
    vi.setSystemTime(DAY);
    approved(10_000_000);
    table.put(store.timerItem(disbursementTimer()));
    const res = await pay(20_000_000);
    expect(json(res)).toMatchObject({ status: "funded", fullyDisbursed: true });
    const tx = table.sent()[0]!;
    expect(itemFor(tx, proposalKey)!.Update!.ExpressionAttributeValues).toMatchObject({
      ":status": "funded",
      ":limit": 10_000_000,
    });
    expect(itemFor(tx, store.keys.timer(P1, "disbursement", 1))!.Put!.Item).toMatchObject({
      state: "met",
    });
    expect(outboxEvents(tx)[0]!.data).toMatchObject({ fullyDisbursed: true, sla: "met" });
  });

  it("422 disbursement_exceeds_approved one fen above the remainder, nothing written", async () => {
    vi.setSystemTime(DAY);
    approved(10_000_000);
    expectProblem(await pay(20_000_001), 422, "disbursement_exceeds_approved");
    expect(table.sent()).toEqual([]);
  });

  it("a concurrent disbursement took the remainder: the failed condition is re-read and answered 422", async () => {
    vi.setSystemTime(DAY);
    approved(0, 4);
    table.onTransact = (items, n) => {
      if (n > 1) return;
      approved(20_000_000, 5); // the other payment committed first
      throw cancelled(
        items.map((t) => (t.Update?.Key?.sk === "PROPOSAL" ? "ConditionalCheckFailed" : "None")),
      );
    };
    expectProblem(await pay(20_000_000), 422, "disbursement_exceeds_approved");
    expect(table.reads(proposalKey)).toBe(2);
    expect(table.sent()).toHaveLength(1);
  });

  it("a concurrent disbursement that leaves enough: the retry commits on the new version and total", async () => {
    vi.setSystemTime(DAY);
    approved(0, 4);
    table.onTransact = (items, n) => {
      if (n > 1) return;
      approved(5_000_000, 5);
      throw cancelled(
        items.map((t) => (t.Update?.Key?.sk === "PROPOSAL" ? "ConditionalCheckFailed" : "None")),
      );
    };
    const res = await pay(20_000_000);
    expect(res.statusCode).toBe(201);
    expect(json(res)).toMatchObject({ totalDisbursedFen: 25_000_000 });
    expect(itemFor(table.sent()[1]!, proposalKey)!.Update!.ExpressionAttributeValues).toMatchObject(
      { ":v": 5, ":limit": 10_000_000 },
    );
  });

  it("403 for finance of another district, 409 for a proposal that is not approved", async () => {
    vi.setSystemTime(DAY);
    approved();
    expectProblem(
      await call(DISBURSE, {
        params: { id: P1 },
        body: { amountFen: 1, reference: "x" },
        token: as("district_finance", { districtId: "d2" }),
      }),
      403,
      "forbidden",
    );
    withProposal(proposal({ status: "funded", approvedFen: 30_000_000, disbursedFen: 30_000_000 }));
    expectProblem(await pay(1), 409, "invalid_state");
  });
});

// ---------------------------------------------------------------- reads

describe("GET /v1/sla", () => {
  const SLA = "GET /v1/sla";

  it("lists the caller's district from gsi2 (Query only) with the timers' facts", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    table.put(store.timerItem(reviewTimer()));
    table.put(store.timerItem({ ...reviewTimer(), proposalId: P2, districtId: "d2" }));
    const res = await call(SLA, {
      query: { kind: "review", state: "open" },
      token: as("district_civil", { districtId: "d1" }),
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      items: [
        {
          proposalId: P1,
          communityId: "c1",
          districtId: "d1",
          kind: "review",
          round: 1,
          state: "open",
          startedAt: REPORTED_AT.toISOString(),
          dueAt: "2025-10-14T16:00:00.000Z",
          provisional: false,
        },
      ],
      nextCursor: null,
    });
    expect(table.queries()).toEqual([
      expect.objectContaining({
        IndexName: "gsi2",
        ExpressionAttributeValues: { ":pk": "SLA#d1#review#open" },
      }),
    ]);
  });

  it("400 for a cursor that is not one of this list's (partial key, another partition), before any read", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    const cursor = (c: unknown) => Buffer.from(JSON.stringify(c), "utf8").toString("base64url");
    const full = {
      pk: "PROPOSAL#X",
      sk: "TIMER#review#1",
      gsi2pk: "SLA#d1#review#open",
      gsi2sk: "x",
    };
    for (const k of [
      { pk: "PROPOSAL#X" },
      { gsi2pk: "SLA#d1#review#open", gsi2sk: "x" },
      { ...full, gsi2pk: "SLA#d2#review#open" },
      { ...full, extra: "y" },
      { ...full, sk: 5 },
    ]) {
      const res = await call(SLA, {
        query: { kind: "review", state: "open", cursor: cursor({ p: 0, k }) },
        token: as("district_civil", { districtId: "d1" }),
      });
      expectProblem(res, 400, "validation_failed");
    }
    expect(table.queries()).toEqual([]);
    // the same key for the partition being read is accepted
    const ok = await call(SLA, {
      query: { kind: "review", state: "open", cursor: cursor({ p: 0, k: full }) },
      token: as("district_civil", { districtId: "d1" }),
    });
    expect(ok.statusCode).toBe(200);
  });

  it("street staff see only their street's communities of the district", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    table.put(store.timerItem(reviewTimer())); // c1 in street s1
    table.put(store.timerItem({ ...reviewTimer(), proposalId: P2, communityId: "c3" })); // s2
    const list = async (token: Token) =>
      (json(await call(SLA, { query: { districtId: "d1" }, token })) as { items: Timer[] }).items
        .map((t) => t.communityId)
        .sort();
    expect(await list(as("street_staff", { districtId: "d1", streetId: "s1" }))).toEqual(["c1"]);
    expect(await list(as("street_staff", { districtId: "d1", streetId: "s2" }))).toEqual(["c3"]);
    expect(await list(as("district_civil", { districtId: "d1" }))).toEqual(["c1", "c3"]);
  });

  it("403 for another district; a city-wide analyst may read any district; 404 for an unknown one", async () => {
    vi.setSystemTime(cst("2025-10-10T10:00:00"));
    expectProblem(
      await call(SLA, {
        query: { districtId: "d2" },
        token: as("district_civil", { districtId: "d1" }),
      }),
      403,
      "forbidden",
    );
    expect(table.queries()).toEqual([]);
    // an analyst without any claim reaches nothing: only an explicit cityWide widens
    expectProblem(
      await call(SLA, { query: { districtId: "d2" }, token: as("analyst") }),
      403,
      "forbidden",
    );
    expectProblem(
      await call(SLA, { query: { districtId: "d2" }, token: as("analyst", { districtId: "d1" }) }),
      403,
      "forbidden",
    );
    const res = await call(SLA, { query: { districtId: "d2" }, token: as("analyst", cityWide) });
    expect(res.statusCode).toBe(200);
    // every kind and state of d2, one partition after another
    expect(table.queries().map((q) => q.ExpressionAttributeValues?.[":pk"])).toEqual([
      "SLA#d2#review#open",
      "SLA#d2#review#met",
      "SLA#d2#review#breached",
      "SLA#d2#review#cancelled",
      "SLA#d2#disbursement#open",
      "SLA#d2#disbursement#met",
      "SLA#d2#disbursement#breached",
      "SLA#d2#disbursement#cancelled",
      "SLA#d2#rectification#open",
      "SLA#d2#rectification#met",
      "SLA#d2#rectification#breached",
      "SLA#d2#rectification#cancelled",
    ]);
    expectProblem(
      await call(SLA, { query: { districtId: "d9" }, token: as("analyst", cityWide) }),
      404,
      "not_found",
    );
  });
});

describe("GET /v1/budgets/{communityId}/{year}", () => {
  const BUDGET = "GET /v1/budgets/{communityId}/{year}";

  it("the ledger view: cap, committed, disbursed and what remains of the cap", async () => {
    vi.setSystemTime(APPROVED_AT);
    table.put({
      ...store.keys.ledger("c1", 2025),
      entity: "ledger",
      communityId: "c1",
      year: 2025,
      committedFen: 150_000_000,
      disbursedFen: 40_000_000,
    });
    const res = await call(BUDGET, {
      params: { communityId: "c1", year: "2025" },
      token: as("community_staff", { communityId: "c1" }),
    });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({
      communityId: "c1",
      year: 2025,
      capFen: CAP,
      committedFen: 150_000_000,
      disbursedFen: 40_000_000,
      remainingFen: 50_000_000,
    });
    // a year without approvals: the whole cap remains
    const empty = await call(BUDGET, {
      params: { communityId: "c2", year: "2026" },
      token: as("street_staff", { streetId: "s1" }),
    });
    expect(json(empty)).toMatchObject({ committedFen: 0, disbursedFen: 0, remainingFen: CAP });
  });

  it("403 outside the caller's jurisdiction, 404 for an unknown community", async () => {
    vi.setSystemTime(APPROVED_AT);
    const c1 = { params: { communityId: "c1", year: "2025" } };
    expectProblem(
      await call(BUDGET, { ...c1, token: as("community_staff", { communityId: "c2" }) }),
      403,
      "forbidden",
    );
    expectProblem(
      await call(BUDGET, { ...c1, token: as("district_finance", { districtId: "d2" }) }),
      403,
      "forbidden",
    );
    expectProblem(
      await call(BUDGET, {
        params: { communityId: "c9", year: "2025" },
        token: as("analyst", cityWide),
      }),
      404,
      "not_found",
    );
  });
});

// ---------------------------------------------------------------- calendar

describe("GET /v1/calendar/{year} (public)", () => {
  it("the official year plus the city's runtime additions, without a token", async () => {
    vi.setSystemTime(APPROVED_AT);
    table.put({ ...store.keys.calendar(2025), year: 2025, holidays: ["2025-12-31"], workdays: [] });
    const res = await call("GET /v1/calendar/{year}", { params: { year: "2025" } });
    expect(res.statusCode).toBe(200);
    const cal = json(res);
    expect(cal.provisional).toBe(false);
    expect(cal.holidays).toEqual(expect.arrayContaining(["2025-10-01", "2025-12-31"]));
    expect(cal.workdays).toContain("2025-10-11"); // the make-up Saturday
    const future = json(await call("GET /v1/calendar/{year}", { params: { year: "2027" } }));
    expect(future).toMatchObject({ year: 2027, provisional: true, holidays: [] });
  });
});

describe("PUT /v1/calendar/{year} (admin)", () => {
  const PUT = "PUT /v1/calendar/{year}";
  const put = (year: number, body: unknown, token: Token = as("admin", cityWide)) =>
    call(PUT, { params: { year: String(year) }, body, token });
  const watermarkUpdates = () =>
    table
      .sent()
      .flat()
      .filter((t) => t.Update?.Key?.pk === "SWEEPER")
      .map((t) => t.Update!);

  /** Open timers of 2026/2027 (provisional: 2027 has no official data) and one of 2026 only. */
  const start = (proposalId: string, districtId: string, kind: Timer["kind"], local: string) =>
    startTimer(
      { proposalId, communityId: districtId === "d1" ? "c1" : "c4", districtId },
      kind,
      cst(local),
      5,
      official,
    );
  // started Mon 12-28: the 5th working day is Mon 2027-01-04 (Fri 01-01 counts: no 2027 data);
  // reminded already, so its next action is the breach
  const A = {
    ...start(P1, "d1", "review", "2026-12-28T10:00:00"),
    remindedAt: "2027-01-01T16:00:00.000Z",
  };
  // same start, not reminded: its next action is the reminder at the end of 01-01
  const D = start(P2, "d2", "disbursement", "2026-12-28T10:00:00");
  // 2027 only, far from the added day: unchanged
  const B = start(P3, "d1", "review", "2027-03-01T10:00:00");
  // 2026 only: not a candidate
  const C = start("01JDDDDDDDDDDDDDDDDDDDDDDD", "d1", "review", "2026-06-01T10:00:00");

  it("400 for a day outside the year, 403 for anyone but a city-wide admin; nothing written", async () => {
    vi.setSystemTime(cst("2026-12-30T10:00:00"));
    const res = await put(2027, { holidays: ["2027-02-11", "2028-01-01"], workdays: [] });
    const problem = expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "body.holidays.1", message: expect.any(String) }]);
    const empty = { holidays: [], workdays: [] };
    for (const token of [
      as("district_civil", { districtId: "d1" }),
      // the calendar moves every district's deadlines: a district's admin may not replace it
      as("admin", { districtId: "d1" }),
      as("admin", { communityId: "c1" }),
      // an admin token without claims (an access token's shape) is not city-wide
      as("admin"),
    ]) {
      expectProblem(await put(2027, empty, token), 403, "forbidden");
    }
    expect(table.sent()).toEqual([]);
  });

  it("stores the additions and recomputes the open timers of the year: one conditional write per changed timer, then lowers the watermark", async () => {
    vi.setSystemTime(cst("2026-12-30T10:00:00"));
    expect([A.dueAt, A.years, A.provisional]).toEqual([
      "2027-01-04T16:00:00.000Z",
      [2026, 2027],
      true,
    ]);
    table.put(...[A, B, C, D].map(store.timerItem));
    const res = await put(2027, { holidays: [], workdays: ["2027-01-02"] });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ year: 2027, workdays: ["2027-01-02"], provisional: true });

    // the open partitions of every district and kind, Query only
    expect(new Set(table.queries().map((q) => q.ExpressionAttributeValues?.[":pk"]))).toEqual(
      new Set([
        "SLA#d1#review#open",
        "SLA#d1#disbursement#open",
        "SLA#d1#rectification#open",
        "SLA#d2#review#open",
        "SLA#d2#disbursement#open",
        "SLA#d2#rectification#open",
      ]),
    );
    // C does not depend on 2027: not even re-read
    expect(table.reads(store.keys.timer(C.proposalId, "review", 1))).toBe(0);

    const timerWrites = table
      .sent()
      .flat()
      .filter((t) => String(t.Put?.Item?.sk).startsWith("TIMER#"))
      .map((t) => t.Put!);
    expect(timerWrites.map((p) => p.Item!.proposalId).sort()).toEqual([P1, P2]); // not B
    const a = timerWrites.find((p) => p.Item!.proposalId === P1)!;
    expect(a).toMatchObject({
      Item: {
        dueAt: "2027-01-02T16:00:00.000Z", // Saturday 01-02 is now the 5th working day
        reminderAt: "2027-01-01T16:00:00.000Z",
        remindedAt: A.remindedAt,
        startedAt: A.startedAt,
        provisional: true,
        gsi1pk: "DUE#2027-01-02T16",
      },
      ConditionExpression: expect.stringContaining("dueAt = :dueAt"),
      ExpressionAttributeValues: {
        ":state": "open",
        ":dueAt": "2027-01-04T16:00:00.000Z",
        ":reminderAt": A.reminderAt,
        ":remindedAt": A.remindedAt,
      },
    });
    // the earliest bucket a recomputed timer sits in: D's reminder at the end of 01-01
    expect(watermarkUpdates()).toEqual([
      expect.objectContaining({
        ConditionExpression: "attribute_exists(#bucket) AND #bucket > :b",
        ExpressionAttributeValues: expect.objectContaining({ ":b": "2027-01-01T16" }),
      }),
    ]);
    expect(table.get(store.keys.calendar(2027))).toMatchObject({ workdays: ["2027-01-02"] });
  });

  it("a PUT after a crash between the timer write and the watermark still lowers the watermark", async () => {
    vi.setSystemTime(cst("2026-12-30T10:00:00"));
    const moved = { ...A, dueAt: "2027-01-02T16:00:00.000Z" };
    table.put(store.timerItem(moved));
    table.put({
      ...store.keys.calendar(2027),
      year: 2027,
      holidays: [],
      workdays: ["2027-01-02"],
      version: 1,
    });
    expect((await put(2027, { holidays: [], workdays: ["2027-01-02"] })).statusCode).toBe(200);
    expect(
      table
        .sent()
        .flat()
        .filter((t) => String(t.Put?.Item?.sk).startsWith("TIMER#")),
    ).toEqual([]);
    expect(watermarkUpdates().map((u) => u.ExpressionAttributeValues?.[":b"])).toEqual([
      "2027-01-02T16",
    ]);
  });

  it("a timer computed while its year was provisional loses the flag even when its dates stay", async () => {
    vi.setSystemTime(cst("2025-03-04T10:00:00"));
    // started Mon 2025-03-03: the 5th working day is 03-10 with or without official 2025 data
    const stale = { ...start(P1, "d1", "review", "2025-03-03T10:00:00"), provisional: true };
    expect(stale.dueAt).toBe("2025-03-10T16:00:00.000Z");
    table.put(store.timerItem(stale));
    await put(2025, { holidays: [], workdays: [] });
    const write = table
      .sent()
      .flat()
      .find((t) => t.Put?.Item?.sk === "TIMER#review#1");
    expect(write?.Put?.Item).toMatchObject({ dueAt: stale.dueAt, provisional: false });
  });

  it("a watermark already at or before the bucket is left alone (the PUT still succeeds)", async () => {
    vi.setSystemTime(cst("2026-12-30T10:00:00"));
    table.put(store.timerItem(A));
    table.onTransact = (items) => {
      if (items[0]?.Update?.Key?.pk === "SWEEPER") throw cancelled(["ConditionalCheckFailed"]);
    };
    expect((await put(2027, { holidays: [], workdays: ["2027-01-02"] })).statusCode).toBe(200);
    expect(watermarkUpdates()).toHaveLength(1);
  });

  it("a lowering that lost a transaction conflict (a sweep moving the watermark) is tried again", async () => {
    vi.setSystemTime(cst("2026-12-30T10:00:00"));
    table.put(store.timerItem(A));
    let conflicts = 0;
    table.onTransact = (items) => {
      if (items[0]?.Update?.Key?.pk === "SWEEPER" && conflicts++ === 0) {
        throw cancelled(["TransactionConflict"]);
      }
    };
    expect((await put(2027, { holidays: [], workdays: ["2027-01-02"] })).statusCode).toBe(200);
    expect(watermarkUpdates().map((u) => u.ExpressionAttributeValues?.[":b"])).toEqual([
      "2027-01-02T16",
      "2027-01-02T16",
    ]);
  });
});
