import { GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { calendarsFrom, officialYears } from "@pencai/calendar";
import { resolveCity, setCurrentCity } from "@pencai/config";
import { ddb } from "@pencai/runtime/clients";
import { metrics } from "@pencai/runtime/metrics";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ledgerView } from "../src/domain/ledger.js";
import { fromEndorsed } from "../src/domain/projection.js";
import { startTimer } from "../src/domain/timers.js";
import type { Actor, Timer } from "../src/domain/types.js";
import { approve, disburse } from "../src/domain/workflow.js";
import { sweep } from "../src/handlers/sweep.js";
import * as store from "../src/store.js";

const ddbMock = mockClient(ddb);
const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const CAP = 200_000_000;
const cst = (local: string) => new Date(`${local}+08:00`);
const official = calendarsFrom();
const rules = { reviewWorkingDays: 5, disbursementWorkingDays: 15 };
const group: Actor = { sub: "g1", roles: ["district_group"], districtId: "d1" };
const finance: Actor = { sub: "f1", roles: ["district_finance"], districtId: "d1" };
const forwarded = {
  ...fromEndorsed(
    {
      proposalId: P1,
      communityId: "c1",
      streetId: "s1",
      districtId: "d1",
      kind: "works",
      title: "加装电梯",
      budgetFen: 30_000_000,
      programmeFen: 30_000_000,
      year: 2025,
    },
    "2025-09-01T00:00:00.000Z",
  ),
  status: "forwarded" as const,
  version: 4,
  round: 1,
};

beforeAll(() => {
  process.env.TABLE_NAME = "approval-test";
  setCurrentCity(
    resolveCity({
      id: "testcity",
      name: "测试市",
      region: "ap-east-1",
      preset: "longgang",
      districts: [
        {
          id: "d1",
          name: "一区",
          streets: [{ id: "s1", name: "一街", communities: [{ id: "c1", name: "一社区" }] }],
        },
      ],
    }),
  );
});
afterEach(() => {
  ddbMock.reset();
  vi.restoreAllMocks();
});

const cancelled = (codes: string[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const sent = (i = 0) => ddbMock.commandCalls(TransactWriteCommand)[i]!.args[0].input.TransactItems!;

function approval() {
  const ledger = ledgerView(
    "c1",
    2025,
    { communityId: "c1", year: 2025, committedFen: 150_000_000, disbursedFen: 0 },
    CAP,
  );
  return approve(
    forwarded,
    group,
    { decision: "approve" },
    cst("2025-09-30T10:00:00"),
    ledger,
    rules,
    official,
  );
}

describe("store: approval transaction", () => {
  it("puts the projection on its version, starts the indexed timer, commits to the ledger under the cap, with the event", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const t = approval();
    await store
      .writeTransition(store.newTx(), forwarded, t, [], "2025-09-30T02:00:00.000Z")
      .commit();
    const [proposal, timer, ledger] = sent();
    expect(proposal!.Put).toMatchObject({
      Item: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL", status: "approved", version: 5 },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 4 },
    });
    const tm = t.timers[0]!.timer;
    expect(timer!.Put).toMatchObject({
      Item: {
        pk: `PROPOSAL#${P1}`,
        sk: "TIMER#disbursement#1",
        state: "open",
        gsi1pk: `DUE#${tm.reminderAt.slice(0, 13)}`,
        gsi1sk: `${tm.reminderAt}#${P1}#disbursement`,
        gsi2pk: "SLA#d1#disbursement#open",
        gsi2sk: `${tm.dueAt}#${P1}#1`,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(ledger!.Update).toMatchObject({
      Key: { pk: "BUDGET#c1#2025", sk: "BUDGET" },
      UpdateExpression: expect.stringContaining("ADD committedFen :amount"),
      ConditionExpression: "attribute_not_exists(pk) OR committedFen <= :limit",
      ExpressionAttributeValues: { ":amount": 30_000_000, ":limit": CAP - 30_000_000 },
    });
  });

  it("maps a failed ledger condition to 422 community_cap_exceeded and a stale version to 409 conflict", async () => {
    const t = approval();
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["None", "None", "ConditionalCheckFailed"]));
    await expect(
      store.writeTransition(store.newTx(), forwarded, t, [], "x").commit(),
    ).rejects.toMatchObject({ code: "community_cap_exceeded" });
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None", "None"]));
    await expect(
      store.writeTransition(store.newTx(), forwarded, t, [], "x").commit(),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("records a disbursement never above the approved amount, with the ledger's disbursedFen", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const approved = {
      ...forwarded,
      status: "approved" as const,
      approvedFen: 30_000_000,
      disbursedFen: 10_000_000,
    };
    const t = disburse(
      approved,
      finance,
      { id: "D1", amountFen: 20_000_000, reference: "V-1" },
      cst("2025-10-09T10:00:00"),
      undefined,
    );
    await store
      .writeTransition(store.newTx(), approved, t, [], "2025-10-09T02:00:00.000Z")
      .commit();
    const [proposal, item, ledger] = sent();
    expect(proposal!.Update).toMatchObject({
      Key: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL" },
      UpdateExpression: expect.stringContaining("ADD disbursedFen :amount"),
      ConditionExpression: "version = :v AND disbursedFen <= :limit",
      ExpressionAttributeValues: {
        ":v": 4,
        ":amount": 20_000_000,
        ":limit": 10_000_000,
        ":status": "funded",
      },
    });
    expect(item!.Put).toMatchObject({
      Item: { sk: "DISBURSEMENT#D1", amountFen: 20_000_000 },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(ledger!.Update).toMatchObject({
      Key: { pk: "BUDGET#c1#2025" },
      UpdateExpression: "ADD disbursedFen :amount",
    });
  });

  it("commits a phased project to each year's ledger in the approval's one transaction", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const phased = {
      ...forwarded,
      charges: [
        { communityId: "c1", year: 2025, programmeFen: 20_000_000 },
        { communityId: "c1", year: 2026, programmeFen: 10_000_000 },
      ],
    };
    const t = approve(
      phased,
      group,
      { decision: "approve" },
      cst("2025-09-30T10:00:00"),
      [ledgerView("c1", 2025, undefined, CAP), ledgerView("c1", 2026, undefined, CAP)],
      rules,
      official,
    );
    await store.writeTransition(store.newTx(), phased, t, [], "x").commit();
    const ledgers = sent().flatMap((i) => (i.Update ? [i.Update] : []));
    expect(ledgers).toEqual([
      expect.objectContaining({
        Key: { pk: "BUDGET#c1#2025", sk: "BUDGET" },
        ConditionExpression: "attribute_not_exists(pk) OR committedFen <= :limit",
        ExpressionAttributeValues: expect.objectContaining({
          ":amount": 20_000_000,
          ":limit": CAP - 20_000_000,
        }),
      }),
      expect.objectContaining({
        Key: { pk: "BUDGET#c1#2026", sk: "BUDGET" },
        ExpressionAttributeValues: expect.objectContaining({
          ":amount": 10_000_000,
          ":limit": CAP - 10_000_000,
        }),
      }),
    ]);
    // either year's condition failing refuses the whole approval
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled(["None", "None", "None", "ConditionalCheckFailed"]));
    await expect(
      store.writeTransition(store.newTx(), phased, t, [], "x").commit(),
    ).rejects.toMatchObject({ code: "community_cap_exceeded" });
  });
});

// ---------------------------------------------------------------- sweep

const timer = (over: Partial<Timer> = {}): Timer => ({
  ...startTimer(
    { proposalId: P1, communityId: "c1", districtId: "d1", round: 1 },
    "review",
    cst("2025-09-30T10:00:00"),
    5,
    official,
  ),
  ...over,
});

function sweepMocks(due: Timer[]) {
  ddbMock
    .on(GetCommand, { Key: store.keys.watermark() })
    .resolves({ Item: { pk: "SWEEPER", sk: "WATERMARK", bucket: "2025-10-13T15" } })
    .on(GetCommand, { Key: store.keys.officialYears() })
    .resolves({ Item: { ...store.keys.officialYears(), years: officialYears() } });
  ddbMock.on(QueryCommand).callsFake((input) => ({
    Items: due
      .map((t) => store.timerItem(t))
      .filter((i) => i.gsi1pk === input.ExpressionAttributeValues[":b"]),
  }));
}

describe("sweep: exactly once", () => {
  const remindNow = new Date("2025-10-13T16:00:00.000Z"); // end of 10-13 (CST): reminder due
  const breachNow = new Date("2025-10-14T16:00:00.001Z"); // just after the deadline

  it("reminds conditional on state open and not yet reminded, with the SlaReminder in the same transaction", async () => {
    const t = timer();
    expect(t.reminderAt).toBe("2025-10-13T16:00:00.000Z");
    sweepMocks([t]);
    ddbMock.on(TransactWriteCommand).resolves({});
    const s = await sweep(remindNow);
    expect(s).toMatchObject({ reminded: 1, breached: 0, skipped: 0 });
    const [put, outbox] = sent();
    expect(put!.Put).toMatchObject({
      Item: {
        remindedAt: remindNow.toISOString(),
        gsi1sk: `${new Date(Date.parse(t.dueAt) + 1).toISOString()}#${P1}#review`,
      },
      ConditionExpression:
        "#state = :state AND dueAt = :dueAt AND reminderAt = :reminderAt AND attribute_not_exists(remindedAt) AND attribute_not_exists(stoppedAt)",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: {
        ":state": "open",
        ":dueAt": t.dueAt,
        ":reminderAt": t.reminderAt,
      },
    });
    expect(outbox!.Put!.Item).toMatchObject({ event: { type: "SlaReminder", proposalId: P1 } });
    // the bucket query is a Query on gsi1 bounded by now
    const q = ddbMock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(q).toMatchObject({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :b AND gsi1sk <= :upto",
      ExpressionAttributeValues: {
        ":b": "DUE#2025-10-13T15",
        ":upto": `${remindNow.toISOString()}#~`,
      },
    });
  });

  it("breaches conditional on state open, removes the timer from the due index and counts the metric", async () => {
    const single = { addDimension: vi.fn(), addMetric: vi.fn() };
    vi.spyOn(metrics, "singleMetric").mockReturnValue(single as never);
    const t = timer({ remindedAt: "2025-10-13T16:00:00.000Z" });
    sweepMocks([t]);
    ddbMock.on(TransactWriteCommand).resolves({});
    const s = await sweep(breachNow);
    expect(s).toMatchObject({ reminded: 0, breached: 1 });
    const [put, outbox] = sent();
    expect(put!.Put!.Item).toMatchObject({ state: "breached", gsi2pk: "SLA#d1#review#breached" });
    expect(put!.Put!.Item).not.toHaveProperty("gsi1pk");
    expect(put!.Put).toMatchObject({
      ConditionExpression: expect.stringContaining("#state = :state"),
      ExpressionAttributeValues: { ":state": "open", ":remindedAt": t.remindedAt },
    });
    expect(outbox!.Put!.Item).toMatchObject({ event: { type: "SlaBreached" } });
    expect(single.addMetric).toHaveBeenCalledWith("SlaBreached", "Count", 1);
    expect(single.addDimension).toHaveBeenCalledWith("kind", "review");
  });

  it("skips a timer whose condition another sweep won (no error, no metric) and keeps the watermark on its bucket", async () => {
    const single = { addDimension: vi.fn(), addMetric: vi.fn() };
    vi.spyOn(metrics, "singleMetric").mockReturnValue(single as never);
    sweepMocks([timer()]);
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None"]));
    const s = await sweep(breachNow);
    expect(s).toMatchObject({ breached: 0, skipped: 1, watermark: "2025-10-13T15" });
    expect(single.addMetric).not.toHaveBeenCalled();
  });

  it("emits only the breach when a sweep finds both the reminder and the breach due", async () => {
    sweepMocks([timer()]);
    ddbMock.on(TransactWriteCommand).resolves({});
    vi.spyOn(metrics, "singleMetric").mockReturnValue({
      addDimension: vi.fn(),
      addMetric: vi.fn(),
    } as never);
    expect(await sweep(breachNow)).toMatchObject({ reminded: 0, breached: 1 });
  });
});
