import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { calendarsFrom, officialYears } from "@pencai/calendar";
import { useTestCity } from "@pencai/config/testing";
import { ddb } from "@pencai/runtime/clients";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "approval-test";
});

import { startTimer } from "../src/domain/timers.js";
import type { Timer } from "../src/domain/types.js";
import { handler, sweep } from "../src/handlers/sweep.js";
import * as store from "../src/store.js";
import { cancelled, cst, FakeTable, outboxEvents, P1, P2, P3 } from "./support.js";

const ddbMock = mockClient(ddb);
let table: FakeTable;

beforeAll(() => {
  useTestCity();
});
beforeEach(() => {
  table = new FakeTable(ddbMock);
  // the sweeper has seen this release's official years (see "a calendar release" below)
  table.put({ ...store.keys.officialYears(), years: officialYears() });
});
afterEach(() => {
  ddbMock.reset();
  vi.useRealTimers();
});

/** Reported Tue 2025-09-30: reminded at the end of 10-13 (16:00Z), due at the end of 10-14. */
const timer = (proposalId = P1, over: Partial<Timer> = {}): Timer => ({
  ...startTimer(
    { proposalId, communityId: "c1", districtId: "d1", round: 1 },
    "review",
    cst("2025-09-30T10:00:00"),
    5,
    calendarsFrom(),
  ),
  ...over,
});
const watermark = (bucket: string) => table.put({ ...store.keys.watermark(), bucket });
const NOW = new Date("2025-10-13T16:30:00.000Z"); // bucket 2025-10-13T16

/** The buckets whose due timers the sweep read (gsi1, bounded by now). */
const dueQueries = () =>
  table.queries().filter((q) => q.KeyConditionExpression === "gsi1pk = :b AND gsi1sk <= :upto");
const watermarkPut = () =>
  table
    .sent()
    .flat()
    .find((t) => t.Put?.Item?.pk === "SWEEPER")?.Put;
const outbox = () => [...table.items.values()].filter((i) => String(i.pk).startsWith("OUTBOX#"));

describe("sla sweep: what it reads", () => {
  it("queries gsi1 only for the buckets from the watermark through now, each bounded by now", async () => {
    watermark("2025-10-13T14");
    // due in now's bucket; later in now's bucket; next week
    table.put(
      store.timerItem(timer(P1)),
      store.timerItem(timer(P2, { reminderAt: "2025-10-13T16:45:00.000Z" })),
      store.timerItem(timer(P3, { reminderAt: "2025-10-20T16:00:00.000Z" })),
    );
    const s = await sweep(NOW);
    expect(s).toMatchObject({ buckets: 3, read: 1, reminded: 1 });
    expect(dueQueries()).toEqual(
      ["DUE#2025-10-13T14", "DUE#2025-10-13T15", "DUE#2025-10-13T16"].map((b) =>
        expect.objectContaining({
          IndexName: "gsi1",
          ExpressionAttributeValues: { ":b": b, ":upto": `${NOW.toISOString()}#~` },
        }),
      ),
    );
    expect(table.queries().every((q) => q.IndexName === "gsi1")).toBe(true);
    expect(ddbMock.commandCalls(ScanCommand)).toHaveLength(0);
    // only P1 acted on (P2 is later than now, P3 next week)
    expect(outbox().map((i) => (i.event as { proposalId: string }).proposalId)).toEqual([P1]);
    expect(outboxEvents(table.sent()[0]!)[0]).toMatchObject({ type: "SlaReminder" });
  });

  it("without a watermark the first sweep looks back 7 days (169 hour buckets) and creates it", async () => {
    table.put(
      store.timerItem(timer(P1)),
      store.timerItem(timer(P2, { reminderAt: "2025-10-06T15:59:00.000Z" })), // 7 days + 31 min ago
    );
    const s = await sweep(NOW);
    const buckets = dueQueries().map((q) => q.ExpressionAttributeValues?.[":b"]);
    expect(buckets).toHaveLength(169);
    expect(buckets[0]).toBe("DUE#2025-10-06T16");
    expect(buckets.at(-1)).toBe("DUE#2025-10-13T16");
    expect(s).toMatchObject({ reminded: 1, watermark: "2025-10-13T16" });
    expect(watermarkPut()).toMatchObject({
      Item: { bucket: "2025-10-13T16" },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  });

  it("a watermark after now (the clock went back) sweeps the look-back window instead of nothing", async () => {
    watermark("2026-11-22T18");
    table.put(store.timerItem(timer(P1)));
    const s = await sweep(NOW);
    const buckets = dueQueries().map((q) => q.ExpressionAttributeValues?.[":b"]);
    expect(buckets).toHaveLength(169);
    expect(s).toMatchObject({ reminded: 1, watermark: "2025-10-13T16" });
  });
});

describe("sla sweep: the watermark", () => {
  it("advances over empty buckets to now's bucket, conditional on the watermark read", async () => {
    watermark("2025-10-13T10");
    const s = await sweep(NOW);
    expect(s).toMatchObject({ buckets: 7, read: 0, watermark: "2025-10-13T16" });
    expect(watermarkPut()).toMatchObject({
      Item: { bucket: "2025-10-13T16" },
      ConditionExpression: "#bucket = :read",
      ExpressionAttributeValues: { ":read": "2025-10-13T10" },
    });
    expect(table.get(store.keys.watermark())).toMatchObject({ bucket: "2025-10-13T16" });
  });

  it("advances past a bucket whose timers all acted (they moved to a later bucket)", async () => {
    watermark("2025-10-13T12");
    table.put(store.timerItem(timer(P1, { reminderAt: "2025-10-13T13:10:00.000Z" })));
    expect(await sweep(NOW)).toMatchObject({ reminded: 1, watermark: "2025-10-13T16" });
    // the reminded timer now waits for its breach, in a later bucket
    expect(table.get(store.keys.timer(P1, "review", 1))).toMatchObject({
      remindedAt: NOW.toISOString(),
      gsi1pk: "DUE#2025-10-14T16",
    });
  });

  it("stops at a bucket whose timer write failed for another reason than 'already done', and still sweeps the rest", async () => {
    watermark("2025-10-13T12");
    table.put(
      store.timerItem(timer(P1, { reminderAt: "2025-10-13T13:10:00.000Z" })),
      store.timerItem(timer(P2, { reminderAt: "2025-10-13T15:10:00.000Z" })),
    );
    table.onTransact = (items) => {
      if (items[0]?.Put?.Item?.proposalId === P1) throw cancelled(["ThrottlingError", "None"]);
    };
    await expect(sweep(NOW)).rejects.toThrow("1 timer write(s) failed");
    // P2 (a later bucket) was reminded; the watermark moved over the empty T12, not past T13
    expect(outbox().map((i) => (i.event as { proposalId: string }).proposalId)).toEqual([P2]);
    expect(table.get(store.keys.watermark())).toMatchObject({ bucket: "2025-10-13T13" });
  });

  it("stops at a bucket whose write lost a transaction conflict (not done: the next sweep retries it)", async () => {
    watermark("2025-10-13T12");
    table.put(store.timerItem(timer(P1, { reminderAt: "2025-10-13T14:10:00.000Z" })));
    table.onTransact = (items) => {
      if (items[0]?.Put?.Item?.proposalId === P1) throw cancelled(["TransactionConflict", "None"]);
    };
    expect(await sweep(NOW)).toMatchObject({ reminded: 0, skipped: 1, watermark: "2025-10-13T14" });
    expect(outbox()).toEqual([]);
  });

  it("keeps a past bucket that still holds a timer in the index", async () => {
    watermark("2025-10-13T12");
    // the index still lists a timer in T13 (e.g. a write not yet propagated to gsi1)
    table.put({ pk: "PROPOSAL#X", sk: "TIMER#review#1", gsi1pk: "DUE#2025-10-13T13", gsi1sk: "x" });
    const s = await sweep(NOW);
    expect(s.watermark).toBe("2025-10-13T13");
  });
});

describe("sla sweep: each action once", () => {
  it("a ConditionalCheckFailed on remind means already done: no event, no retry, no error", async () => {
    watermark("2025-10-13T16");
    table.put(store.timerItem(timer(P1)));
    table.onTransact = () => {
      throw cancelled(["ConditionalCheckFailed", "None"]);
    };
    expect(await sweep(NOW)).toMatchObject({ reminded: 0, skipped: 1, failed: 0 });
    expect(table.sent()).toHaveLength(1);
    const [put] = table.sent()[0]!;
    expect(put!.Put!.ConditionExpression).toContain("attribute_not_exists(remindedAt)");
    expect(outbox()).toEqual([]);
  });

  it("a ConditionalCheckFailed on breach means already done: no event", async () => {
    watermark("2025-10-14T16");
    table.put(store.timerItem(timer(P1, { remindedAt: "2025-10-13T16:00:00.000Z" })));
    table.onTransact = () => {
      throw cancelled(["ConditionalCheckFailed", "None"]);
    };
    const s = await sweep(new Date("2025-10-14T16:10:00.000Z"));
    expect(s).toMatchObject({ breached: 0, skipped: 1 });
    expect(outbox()).toEqual([]);
  });

  it("breaches once the deadline passed: the timer leaves the due index, SlaBreached in the outbox", async () => {
    watermark("2025-10-14T16");
    table.put(store.timerItem(timer(P1, { remindedAt: "2025-10-13T16:00:00.000Z" })));
    expect(await sweep(new Date("2025-10-14T16:10:00.000Z"))).toMatchObject({ breached: 1 });
    const stored = table.get(store.keys.timer(P1, "review", 1))!;
    expect(stored).toMatchObject({ state: "breached", gsi2pk: "SLA#d1#review#breached" });
    expect(stored).not.toHaveProperty("gsi1pk");
    expect(outboxEvents(table.sent()[0]!).map((e) => e.type)).toEqual(["SlaBreached"]);
  });

  it("the scheduled handler sweeps at the runtime clock", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
    watermark("2025-10-13T16");
    table.put(store.timerItem(timer(P1)));
    expect(await handler()).toMatchObject({ reminded: 1, buckets: 1 });
  });
});

describe("sla sweep: a calendar release with a new official year", () => {
  // Started Wed 2026-12-30 10:00 while 2026 was the last official year... pretend the deployed
  // release is the first with official 2026 data: the timer was computed with 2026 provisional.
  const provisional = (): Timer => ({
    ...startTimer(
      { proposalId: P1, communityId: "c1", districtId: "d1", round: 1 },
      "review",
      cst("2025-12-30T10:00:00"),
      5,
      calendarsFrom(),
    ),
    // as computed before 2026 was official: 12-31, 01-01 (a weekday then), 01-02, 01-05, 01-06
    dueAt: "2026-01-06T16:00:00.000Z",
    reminderAt: "2026-01-05T16:00:00.000Z",
    provisional: true,
    years: [2025, 2026],
  });
  const NEW_YEAR = new Date("2025-12-31T08:00:00.000Z");

  it("recomputes the open provisional timers of the added year once, and records the years", async () => {
    table.put({ ...store.keys.officialYears(), years: [2024, 2025] });
    table.put(store.timerItem(provisional()));
    watermark("2025-12-31T08");
    const s = await sweep(NEW_YEAR);
    expect(s).toMatchObject({ officialYearsAdded: [2026], recomputed: 1 });
    // official 2026: 01-01..01-03 off, Sun 01-04 a make-up workday: 12-31, 01-04, 01-05, 01-06, 01-07
    expect(table.get(store.keys.timer(P1, "review", 1))).toMatchObject({
      dueAt: "2026-01-07T16:00:00.000Z",
      provisional: false,
      state: "open",
    });
    // no longer provisional: out of the sparse index
    expect(table.get(store.keys.timer(P1, "review", 1))).not.toHaveProperty("gsi3pk");
    expect(table.get(store.keys.officialYears())).toMatchObject({ years: officialYears() });

    const again = await sweep(NEW_YEAR);
    expect(again).not.toHaveProperty("officialYearsAdded");
    expect(table.queries().filter((q) => q.IndexName === "gsi3")).toHaveLength(1);
  });

  it("reads only the provisional index, never every open timer", async () => {
    table.put({ ...store.keys.officialYears(), years: [2024, 2025] });
    table.put(store.timerItem(provisional()));
    watermark("2025-12-31T08");
    await sweep(NEW_YEAR);
    expect(new Set(table.queries().map((q) => q.IndexName))).toEqual(new Set(["gsi1", "gsi3"]));
  });

  it("a sweep with nothing new asks one GetItem and no provisional query", async () => {
    watermark("2025-12-31T08");
    await sweep(NEW_YEAR);
    expect(table.queries().filter((q) => q.IndexName === "gsi3")).toEqual([]);
    expect(table.reads(store.keys.officialYears())).toBe(1);
  });
});
