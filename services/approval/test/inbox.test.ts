import { calendarsFrom } from "@pencai/calendar";
import { useTestCity } from "@pencai/config/testing";
import type { Envelope } from "@pencai/contracts/events";
import { ddb } from "@pencai/runtime/clients";
import { metrics } from "@pencai/runtime/metrics";
import { context } from "@pencai/runtime/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "approval-test";
});

import { startTimer } from "../src/domain/timers.js";
import { handler } from "../src/handlers/inbox.js";
import * as store from "../src/store.js";
import { cst, FakeTable, facts, itemFor, outboxEvents, P1, proposal, sqsEvent } from "./support.js";

const ddbMock = mockClient(ddb);
let table: FakeTable;

beforeAll(() => {
  useTestCity();
});
beforeEach(() => {
  table = new FakeTable(ddbMock);
});
afterEach(() => {
  ddbMock.reset();
});

let seq = 0;
const envelope = (
  type: "ProposalEndorsed" | "ProposalWithdrawn",
  data: Record<string, unknown>,
  over: Partial<Envelope> = {},
): Envelope => ({
  id: `01JEVT${String(++seq).padStart(20, "0")}`,
  type,
  version: 1,
  occurredAt: "2025-09-01T00:00:00.000Z",
  cityId: "testcity",
  proposalId: P1,
  communityId: "c1",
  actor: { sub: "staff-1", roles: ["community_staff"] },
  correlationId: "corr-1",
  data,
  ...over,
});
const endorsedEvent = (over: Partial<Envelope> = {}) =>
  envelope("ProposalEndorsed", { ...facts, meetingId: "01JMMMMMMMMMMMMMMMMMMMMMMM" }, over);
const withdrawnEvent = (occurredAt: string) =>
  envelope(
    "ProposalWithdrawn",
    { proposalId: P1, needIds: [], previousStatus: "endorsed" },
    { occurredAt },
  );
const consume = (...events: Envelope[]) => handler(sqsEvent(...events), context);
const proposalKey = store.keys.proposal(P1);
const timerKey = store.keys.timer(P1, "review", 1);

/** Reported Tue 2025-09-30 10:00 (CST): review due at the end of 10-14. */
const reported = () => {
  table.put(
    store.proposalItem(
      proposal({ status: "reported", round: 1, version: 2, reportedAt: "2025-09-30T02:00:00Z" }),
    ),
    store.timerItem(
      startTimer(
        { proposalId: P1, communityId: "c1", districtId: "d1", round: 1 },
        "review",
        cst("2025-09-30T10:00:00"),
        5,
        calendarsFrom(),
      ),
    ),
  );
};

describe("approval inbox: ProposalEndorsed", () => {
  it("creates the projection from the event's facts, with the inbox record, in one transaction", async () => {
    const e = endorsedEvent();
    const out = await consume(e);
    expect(out.batchItemFailures).toEqual([]);
    const [tx] = table.sent();
    expect(tx!.map((t) => t.Put?.Item?.pk)).toEqual([`INBOX#${e.id}`, `PROPOSAL#${P1}`]);
    expect(itemFor(tx!, proposalKey)!.Put!.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(table.get(proposalKey)).toMatchObject({
      id: P1,
      status: "endorsed",
      version: 1,
      round: 0,
      disbursedFen: 0,
      communityId: "c1",
      streetId: "s1",
      districtId: "d1",
      budgetFen: 30_000_000,
      year: 2025,
      endorsedAt: e.occurredAt,
    });
  });

  it("fails the record (not dropped) when the event lacks the proposal's facts; the rest of the batch succeeds", async () => {
    const { budgetFen: _, ...withoutBudget } = { ...facts, meetingId: "M" };
    const bad = envelope("ProposalEndorsed", withoutBudget);
    const noId = envelope("ProposalEndorsed", { meetingId: "M" }, { proposalId: undefined });
    const good = endorsedEvent({ proposalId: "01JZZZZZZZZZZZZZZZZZZZZZZZ" });
    // the good event's data names its own proposal (the envelope and data must agree)
    (good.data as { proposalId: string }).proposalId = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
    const out = await consume(bad, noId, good);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["m0", "m1"]);
    expect(table.get(proposalKey)).toBeUndefined();
    expect(table.get({ pk: `INBOX#${bad.id}`, sk: "INBOX" })).toBeUndefined();
    expect(table.sent()).toHaveLength(1); // only the good one
  });

  it("fails the record when a fact is out of range (negative budget, impossible year)", async () => {
    const negative = envelope("ProposalEndorsed", { ...facts, meetingId: "M", budgetFen: -5 });
    const farYear = envelope("ProposalEndorsed", { ...facts, meetingId: "M", year: 3000 });
    const fractional = envelope("ProposalEndorsed", { ...facts, meetingId: "M", budgetFen: 1.5 });
    const out = await consume(negative, farYear, fractional);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["m0", "m1", "m2"]);
    expect(table.get(proposalKey)).toBeUndefined();
    expect(table.sent()).toEqual([]);
  });

  it("a duplicate delivery (same event id) is a no-op", async () => {
    const e = endorsedEvent();
    await consume(e);
    const before = structuredClone([...table.items.entries()]);
    const out = await consume(e);
    expect(out.batchItemFailures).toEqual([]);
    expect([...table.items.entries()]).toEqual(before);
  });

  it("a second endorsement (another event id) of a known proposal changes nothing", async () => {
    table.put(store.proposalItem(proposal({ status: "forwarded", version: 3, round: 1 })));
    await consume(endorsedEvent());
    expect(table.sent()[0]).toHaveLength(1); // the inbox record only
    expect(table.get(proposalKey)).toMatchObject({ status: "forwarded", version: 3 });
  });
});

describe("approval inbox: ProposalWithdrawn", () => {
  it("before ProposalEndorsed leaves a tombstone, so the late endorsement does not resurrect it", async () => {
    await consume(withdrawnEvent("2025-09-01T00:00:00.000Z"));
    expect(table.get(proposalKey)).toMatchObject({ tombstone: true });
    const out = await consume(endorsedEvent());
    expect(out.batchItemFailures).toEqual([]);
    expect(table.get(proposalKey)).toMatchObject({ tombstone: true });
    expect(table.get(proposalKey)).not.toHaveProperty("status");
    expect(table.sent()[1]).toHaveLength(1); // the endorsement wrote its inbox record only
  });

  it("a tombstone that loses to a concurrent endorsement is re-read and withdraws the projection", async () => {
    table.onTransact = (_items, n) => {
      if (n === 1) table.put(store.proposalItem(proposal())); // the endorsement committed first
    };
    const out = await consume(withdrawnEvent("2025-09-02T00:00:00.000Z"));
    expect(out.batchItemFailures).toEqual([]);
    expect(table.get(proposalKey)).toMatchObject({
      status: "withdrawn",
      version: 2,
      withdrawnAt: "2025-09-02T00:00:00.000Z",
    });
  });

  it("before the deadline: the open timer is cancelled, no SLA event", async () => {
    reported();
    await consume(withdrawnEvent("2025-10-10T02:00:00.000Z"));
    const tx = table.sent()[0]!;
    expect(itemFor(tx, timerKey)!.Put).toMatchObject({
      Item: { state: "cancelled", stopReason: "withdrawn", gsi2pk: "SLA#d1#review#cancelled" },
      ExpressionAttributeValues: { ":state": "open" },
    });
    expect(outboxEvents(tx)).toEqual([]);
    expect(table.get(proposalKey)).toMatchObject({ status: "withdrawn", version: 3 });
  });

  it("after the deadline with the timer still open: breached, with SlaBreached in the outbox and the metric", async () => {
    reported();
    const counted: string[] = [];
    const single = vi.spyOn(metrics, "singleMetric").mockImplementation(
      () =>
        ({
          addDimension: (_: string, kind: string) => counted.push(kind),
          addMetric: (name: string) => counted.push(name),
        }) as unknown as ReturnType<typeof metrics.singleMetric>,
    );
    await consume(withdrawnEvent("2025-10-15T02:00:00.000Z"));
    single.mockRestore();
    expect(counted).toEqual(["review", "SlaBreached"]);
    const tx = table.sent()[0]!;
    expect(itemFor(tx, timerKey)!.Put).toMatchObject({
      Item: { state: "breached", breachedAt: "2025-10-15T02:00:00.000Z" },
      ConditionExpression: expect.stringContaining("#state = :state"),
      ExpressionAttributeValues: { ":state": "open" },
    });
    expect(itemFor(tx, timerKey)!.Put!.Item).not.toHaveProperty("gsi1pk");
    const [breach] = outboxEvents(tx);
    expect(breach).toMatchObject({
      type: "SlaBreached",
      proposalId: P1,
      actor: { sub: "system:approval-inbox" },
      correlationId: "corr-1",
      data: { kind: "review", dueAt: "2025-10-14T16:00:00.000Z" },
    });
    expect(table.get(proposalKey)).toMatchObject({ status: "withdrawn" });
  });

  it("a withdrawal of an approved proposal is ignored: the commitment stands", async () => {
    table.put(
      store.proposalItem(
        proposal({ status: "approved", version: 4, round: 1, approvedFen: 30_000_000 }),
      ),
    );
    const out = await consume(withdrawnEvent("2025-10-30T02:00:00.000Z"));
    expect(out.batchItemFailures).toEqual([]);
    expect(table.sent()[0]).toHaveLength(1); // the inbox record only
    expect(table.get(proposalKey)).toMatchObject({ status: "approved", version: 4 });
  });

  it("a duplicate withdrawal (same event id, in one batch or redelivered) breaches once", async () => {
    reported();
    const e = withdrawnEvent("2025-10-15T02:00:00.000Z");
    const outbox = () => [...table.items.keys()].filter((k) => k.startsWith("OUTBOX#"));
    expect((await consume(e, e)).batchItemFailures).toEqual([]);
    expect(outbox()).toHaveLength(1);
    const before = structuredClone([...table.items.entries()]);
    expect((await consume(e)).batchItemFailures).toEqual([]);
    expect([...table.items.entries()]).toEqual(before);
  });
});
