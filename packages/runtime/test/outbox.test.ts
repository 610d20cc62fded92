import { PublishBatchCommand, type PublishBatchCommandInput, SNSClient } from "@aws-sdk/client-sns";
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

import { newEvent } from "../src/events.js";
import { metrics } from "../src/metrics.js";
import {
  Limiter,
  MARK_BATCH,
  outboxRelay,
  publishPending,
  RELAY_CONCURRENCY,
  SNS_BATCH,
  SWEEP_CONCURRENCY,
  SWEEP_MIN_AGE_MS,
  SWEEP_PAGE,
} from "../src/outbox.js";
import { context, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const opts = { table: "intake", topicArn: "arn:aws:sns:ap-east-1:000000000000:events" };
const scheduled = { source: "aws.events", "detail-type": "Scheduled Event" };
const tick = () => new Promise((r) => setImmediate(r));
/** A Lambda context with a minute left (the relay's timeout). */
const minute = { ...context, getRemainingTimeInMillis: () => 60_000 } as Context;

beforeAll(useTestCity);
afterEach(() => {
  ddb.reset();
  sns.reset();
  vi.restoreAllMocks();
});

/** `n` events, one second apart, ending `agoMs` before now. */
const events = (n: number, agoMs = 0, data: (i: number) => unknown = (i) => ({ i })) =>
  Array.from({ length: n }, (_, i) =>
    newEvent({
      type: i % 2 ? "ProposalSubmitted" : "NeedRaised",
      actor: { sub: "u1", roles: ["resident"] },
      correlationId: `c${i}`,
      data: data(i),
      now: new Date(Date.now() - agoMs - (n - i) * 1000),
    }),
  );

const outboxItem = (event: Envelope) => ({
  pk: `OUTBOX#${event.id}`,
  sk: "OUTBOX",
  event,
  outboxPending: "PENDING",
  outboxAt: event.occurredAt,
  ttl: 1_900_000_000,
});

const streamEvent = (items: Record<string, unknown>[], eventName: "INSERT" | "MODIFY" = "INSERT") =>
  ({
    Records: items.map((item) => ({
      eventName,
      eventSource: "aws:dynamodb",
      dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) },
    })),
  }) as DynamoDBStreamEvent;

type Put = { PutRequest: { Item: Record<string, unknown> } };
const putsOf = (input: BatchWriteCommandInput) =>
  Object.values(input.RequestItems ?? {}).flat() as Put[];
const entriesOf = (input: PublishBatchCommandInput) => input.PublishBatchRequestEntries ?? [];
const idsOf = (input: PublishBatchCommandInput) =>
  entriesOf(input).map((e) => (JSON.parse(e.Message!) as Envelope).id);

const allSucceed = () =>
  sns.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => ({
    Successful: entriesOf(input).map((e) => ({ Id: e.Id, MessageId: `m${e.Id}` })),
    Failed: [],
  }));
const marksSucceed = () => ddb.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });

describe("outbox relay (stream)", () => {
  it("publishes inserted outbox items with a type attribute, at most 10 per PublishBatch", async () => {
    allSucceed();
    marksSucceed();
    const list = events(23);
    const summary = await outboxRelay(opts)(
      streamEvent([...list.map(outboxItem), { pk: "PROPOSAL#1", sk: "P" }]),
      context,
    );

    expect(summary).toEqual({ published: 23, failed: 0 });
    const batches = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => entriesOf(b).length)).toEqual([10, 10, 3]);
    expect(batches.every((b) => b.TopicArn === opts.topicArn)).toBe(true);
    expect(batches.flatMap(idsOf)).toEqual(list.map((e) => e.id));
    expect(JSON.parse(entriesOf(batches[0]!)[0]!.Message!)).toEqual(list[0]);
    expect(entriesOf(batches[0]!)[1]!.MessageAttributes).toEqual({
      type: { DataType: "String", StringValue: "ProposalSubmitted" },
    });
  });

  it.each([
    [3, [1, 1, 1]],
    [60, [6, 6, 6, 6, 6, 6, 6, 6, 6, 6]],
    [100, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]],
    [300, [25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25]],
  ])(
    "marks %i accepted items in BatchWriteItem calls of %j (at most 25, spread over the free slots)",
    async (n, sizes) => {
      allSucceed();
      marksSucceed();
      await outboxRelay(opts)(streamEvent(events(n).map(outboxItem)), context);
      const writes = ddb.commandCalls(BatchWriteCommand).map((c) => putsOf(c.args[0].input).length);
      expect(writes.sort((a, b) => b - a)).toEqual(sizes);
    },
  );

  it("marks by putting the whole item back, without outboxPending, with publishedAt", async () => {
    allSucceed();
    marksSucceed();
    const list = events(60);
    const before = new Date().toISOString();
    await outboxRelay(opts)(streamEvent(list.map(outboxItem)), context);
    const after = new Date().toISOString();

    const writes = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input);
    expect(writes.every((w) => Object.keys(w.RequestItems!)[0] === "intake")).toBe(true);
    const puts = writes.flatMap(putsOf).map((p) => p.PutRequest.Item);
    expect(puts.map((i) => i.pk).sort()).toEqual(list.map((e) => `OUTBOX#${e.id}`).sort());
    const first = puts.find((i) => i.pk === `OUTBOX#${list[0]!.id}`)!;
    const { outboxPending: _, ...rest } = outboxItem(list[0]!);
    expect(first).toEqual({ ...rest, publishedAt: expect.any(String) });
    const at = String(first.publishedAt);
    expect(at >= before && at <= after).toBe(true);
    expect(puts.some((i) => "outboxPending" in i)).toBe(false);
    // never an UpdateItem or a conditional write per item any more
    expect(ddb.calls().every((c) => c.args[0] instanceof BatchWriteCommand)).toBe(true);
  });

  it("ignores modifications (marking published) and items that are not outbox items", async () => {
    const summary = await outboxRelay(opts)(
      streamEvent([{ pk: "OUTBOX#1", sk: "OUTBOX", event: {} }], "MODIFY"),
      context,
    );
    expect(summary).toEqual({ published: 0, failed: 0 });
    expect(sns.calls()).toHaveLength(0);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("leaves the entries PublishBatch rejected pending, and counts them", async () => {
    const addMetric = vi.spyOn(metrics, "addMetric");
    const [a, b, c] = events(3);
    sns.on(PublishBatchCommand).resolves({
      Successful: [{ Id: "0", MessageId: "m0" }],
      Failed: [
        { Id: "1", Code: "InternalError", SenderFault: false },
        { Id: "2", Code: "Throttled", SenderFault: false },
      ],
    });
    marksSucceed();
    const summary = await outboxRelay(opts)(
      streamEvent([a, b, c].map((e) => outboxItem(e!))),
      context,
    );
    expect(summary).toEqual({ published: 1, failed: 2 });
    const marked = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((w) => putsOf(w.args[0].input).map((p) => p.PutRequest.Item.pk));
    expect(marked).toEqual([`OUTBOX#${a!.id}`]);
    expect(addMetric).toHaveBeenCalledWith("EventsPublished", "Count", 1);
    expect(addMetric).toHaveBeenCalledWith("EventsPublishFailed", "Count", 2);
  });

  it("does not fail the invocation when SNS is down, and marks nothing", async () => {
    sns.on(PublishBatchCommand).rejects(new Error("connect ECONNREFUSED"));
    const summary = await outboxRelay(opts)(streamEvent(events(12).map(outboxItem)), context);
    expect(summary).toEqual({ published: 0, failed: 12 });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it("retries unprocessed marks, and leaves what stays unprocessed pending without failing", async () => {
    allSucceed();
    const [a, b, c] = events(3).map(outboxItem);
    // b goes through on its second attempt, c never
    const attempts = new Map<string, number>();
    ddb.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
      const left = putsOf(input).filter((p) => {
        const pk = String(p.PutRequest.Item.pk);
        attempts.set(pk, (attempts.get(pk) ?? 0) + 1);
        return pk === c!.pk || (pk === b!.pk && attempts.get(pk) === 1);
      });
      return { UnprocessedItems: left.length ? { intake: left } : {} };
    });
    expect(await outboxRelay(opts)(streamEvent([a!, b!, c!]), context)).toEqual({
      published: 3,
      failed: 0,
    });
    // three attempts at most, then c is left to the sweep
    expect(Object.fromEntries(attempts)).toEqual({ [a!.pk]: 1, [b!.pk]: 2, [c!.pk]: 3 });

    ddb.reset();
    ddb.on(BatchWriteCommand).rejects(new Error("ProvisionedThroughputExceededException"));
    expect(await outboxRelay(opts)(streamEvent([a!]), context)).toEqual({
      published: 1,
      failed: 0,
    });
  });

  it("keeps a PublishBatch under 256 KiB: large events go in smaller batches", async () => {
    allSucceed();
    marksSucceed();
    const big = events(10, 0, (i) => ({ i, text: "x".repeat(60 * 1024) })); // ~60 KiB each
    await outboxRelay(opts)(streamEvent(big.map(outboxItem)), context);
    const batches = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => entriesOf(b).length)).toEqual([4, 4, 2]);
    for (const b of batches) {
      const bytes = entriesOf(b).reduce((n, e) => n + Buffer.byteLength(e.Message!), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it("publishes an item that a stream batch carries twice only once", async () => {
    allSucceed();
    marksSucceed();
    const [a] = events(1).map(outboxItem);
    await outboxRelay(opts)(streamEvent([a!, a!]), context);
    expect(sns.commandCalls(PublishBatchCommand).flatMap((c) => idsOf(c.args[0].input))).toEqual([
      a!.event.id,
    ]);
  });
});

describe("outbox sweep", () => {
  it("leaves items younger than 30 s to the stream path: a key condition on outboxAt", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const t0 = Date.now();
    await outboxRelay(opts)(scheduled, minute);
    const t1 = Date.now();
    const q = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(q).toMatchObject({
      TableName: "intake",
      IndexName: "outbox",
      KeyConditionExpression: "outboxPending = :pending AND outboxAt < :before",
      Limit: SWEEP_PAGE,
    });
    const values = q.ExpressionAttributeValues as Record<string, string>;
    expect(values[":pending"]).toBe("PENDING");
    const before = Date.parse(values[":before"]!);
    expect(before).toBeGreaterThanOrEqual(t0 - SWEEP_MIN_AGE_MS);
    expect(before).toBeLessThanOrEqual(t1 - SWEEP_MIN_AGE_MS);
    expect(SWEEP_MIN_AGE_MS).toBe(30_000);
  });

  it("follows the local cloud's clock offset for the cut-off", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    globalThis.__PENCAI_CLOCK_OFFSET_MS__ = 86_400_000;
    try {
      await publishPending(opts);
    } finally {
      globalThis.__PENCAI_CLOCK_OFFSET_MS__ = 0;
    }
    const values = ddb.commandCalls(QueryCommand)[0]!.args[0].input
      .ExpressionAttributeValues as Record<string, string>;
    expect(Date.parse(values[":before"]!)).toBeGreaterThan(Date.now() + 86_400_000 - 60_000);
  });

  it("publishes page by page: the next page is read only once the previous one is published and marked", async () => {
    const old = events(150, 60_000).map(outboxItem);
    const log: string[] = [];
    ddb
      .on(QueryCommand)
      .callsFakeOnce(async () => {
        log.push("query 1");
        return { Items: old.slice(0, 100), LastEvaluatedKey: { pk: old[99]!.pk } };
      })
      .callsFakeOnce(async (input: QueryCommandInput) => {
        log.push(`query 2 after ${JSON.stringify(input.ExclusiveStartKey)}`);
        return { Items: old.slice(100) };
      });
    sns.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => {
      await tick();
      log.push("publish");
      return { Successful: entriesOf(input).map((e) => ({ Id: e.Id, MessageId: "m" })) };
    });
    ddb.on(BatchWriteCommand).callsFake(async () => {
      await tick();
      log.push("mark");
      return {};
    });

    expect(await publishPending(opts)).toEqual({ published: 150, failed: 0 });
    const q2 = log.findIndex((l) => l.startsWith("query 2"));
    expect(log[q2]).toBe(`query 2 after ${JSON.stringify({ pk: old[99]!.pk })}`);
    expect(log.slice(0, q2).filter((l) => l === "publish")).toHaveLength(10);
    expect(log.slice(0, q2).filter((l) => l === "mark")).toHaveLength(4);
    expect(log.slice(q2).filter((l) => l === "publish")).toHaveLength(5);
    expect(log.slice(q2).filter((l) => l === "mark")).toHaveLength(2);
  });

  it("stops starting pages when the invocation runs short of time; the next sweep carries on", async () => {
    const old = events(120, 60_000).map(outboxItem);
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: old.slice(0, 100), LastEvaluatedKey: { pk: "x" } })
      .resolvesOnce({ Items: old.slice(100) });
    allSucceed();
    marksSucceed();
    // 25 s left before the first page, 5 s before the second (less than the reserve)
    const left = [25_000, 5_000];
    const ctx = { ...context, getRemainingTimeInMillis: () => left.shift() ?? 0 } as Context;
    expect(await outboxRelay(opts)(scheduled, ctx)).toEqual({ published: 100, failed: 0 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it("reports the age of the oldest pending item and the backlog it found, 0 when none", async () => {
    const addMetric = vi.spyOn(metrics, "addMetric");
    // three events written 123, 122 and 121 s ago, and SNS down: all stay pending
    const old = events(3, 120_000).map(outboxItem);
    ddb.on(QueryCommand).resolvesOnce({ Items: old }).resolves({ Items: [] });
    sns.on(PublishBatchCommand).rejects(new Error("connect ECONNREFUSED"));
    expect(await publishPending(opts)).toEqual({ published: 0, failed: 3 });
    const reported = (name: string) =>
      addMetric.mock.calls.filter((c) => c[0] === name).map((c) => [c[1], c[2]]);
    const [[unit, age]] = reported("OutboxOldestAge") as [[string, number]];
    expect(unit).toBe("Seconds");
    expect(age).toBeGreaterThanOrEqual(123);
    expect(age).toBeLessThan(180);
    expect(reported("OutboxBacklog")).toEqual([["Count", 3]]);

    addMetric.mockClear();
    expect(await publishPending(opts)).toEqual({ published: 0, failed: 0 });
    expect(reported("OutboxOldestAge")).toEqual([["Seconds", 0]]);
    expect(reported("OutboxBacklog")).toEqual([["Count", 0]]);
  });

  it("publishPending reads TABLE_NAME and TOPIC_ARN when called", async () => {
    process.env.TABLE_NAME = "from-env";
    process.env.TOPIC_ARN = opts.topicArn;
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await publishPending()).toEqual({ published: 0, failed: 0 });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.TableName).toBe("from-env");
  });
});

describe("one small limiter per container, shared by the stream path and the sweep", () => {
  it("Limiter runs at most max tasks at once, in arrival order", async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          for (let k = 0; k < 1 + (i % 4); k++) await tick();
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("never has more than RELAY_CONCURRENCY sends in flight, the sweep never more than its share", async () => {
    const sweepTopic = `${opts.topicArn}-sweep`;
    let inFlight = 0;
    let peak = 0;
    let sweepInFlight = 0;
    let sweepPeak = 0;
    const sent = async <T>(sweep: boolean, reply: T): Promise<T> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (sweep) sweepPeak = Math.max(sweepPeak, ++sweepInFlight);
      for (let k = 0; k < 3; k++) await tick();
      inFlight--;
      if (sweep) sweepInFlight--;
      return reply;
    };
    sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommandInput) =>
      sent(input.TopicArn === sweepTopic, {
        Successful: entriesOf(input).map((e) => ({ Id: e.Id, MessageId: "m" })),
      }),
    );
    ddb
      .on(BatchWriteCommand)
      .callsFake((input: BatchWriteCommandInput) =>
        sent(Object.keys(input.RequestItems!)[0] === "swept", {}),
      );
    const backlog = events(300, 120_000).map(outboxItem);
    ddb.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
      const from = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.pk) : 0;
      const to = from + SWEEP_PAGE;
      return {
        Items: backlog.slice(from, to),
        ...(to < backlog.length ? { LastEvaluatedKey: { pk: String(to) } } : {}),
      };
    });

    const relay = outboxRelay(opts);
    const sweep = outboxRelay({ table: "swept", topicArn: sweepTopic });
    const [s1, s2, s3, swept] = await Promise.all([
      relay(streamEvent(events(100).map(outboxItem)), context),
      relay(streamEvent(events(100).map(outboxItem)), context),
      relay(streamEvent(events(37).map(outboxItem)), context),
      sweep(scheduled, minute),
    ]);

    expect([s1, s2, s3, swept]).toEqual([
      { published: 100, failed: 0 },
      { published: 100, failed: 0 },
      { published: 37, failed: 0 },
      { published: 300, failed: 0 },
    ]);
    expect(peak).toBe(RELAY_CONCURRENCY);
    expect(sweepPeak).toBeGreaterThan(0);
    expect(sweepPeak).toBeLessThanOrEqual(SWEEP_CONCURRENCY);
    const calls = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(calls.every((c) => entriesOf(c).length <= SNS_BATCH)).toBe(true);
    expect(calls).toHaveLength(10 + 10 + 4 + 30);
    const marks = ddb.commandCalls(BatchWriteCommand).map((c) => putsOf(c.args[0].input).length);
    expect(marks.every((n) => n <= MARK_BATCH)).toBe(true);
    expect(marks.reduce((a, b) => a + b, 0)).toBe(537);
  });
});

/**
 * A table that answers the relay like DynamoDB would: the sparse `outbox` index sorted by
 * outboxAt, Limit and ExclusiveStartKey; BatchWriteItem puts, some left unprocessed on demand.
 */
class FakeTable {
  readonly items = new Map<string, Record<string, unknown>>();
  unprocessed = new Set<string>();

  query(input: QueryCommandInput) {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const pending = [...this.items.values()]
      .filter(
        (i) => i.outboxPending === values[":pending"] && String(i.outboxAt) < values[":before"]!,
      )
      .sort((a, b) => `${a.outboxAt}${a.pk}`.localeCompare(`${b.outboxAt}${b.pk}`));
    const start = input.ExclusiveStartKey;
    const from = start
      ? pending.findIndex((i) => `${i.outboxAt}${i.pk}` > `${start.outboxAt}${start.pk}`)
      : 0;
    const rest = from < 0 ? [] : pending.slice(from);
    const page = rest.slice(0, input.Limit ?? rest.length);
    const last = page[page.length - 1];
    return {
      Items: page.map((i) => structuredClone(i)),
      ...(page.length < rest.length && last
        ? {
            LastEvaluatedKey: {
              pk: last.pk,
              sk: last.sk,
              outboxPending: "PENDING",
              outboxAt: last.outboxAt,
            },
          }
        : {}),
    };
  }

  batchWrite(input: BatchWriteCommandInput) {
    const [table, requests] = Object.entries(input.RequestItems ?? {})[0]!;
    const left = (requests as Put[]).filter((r) =>
      this.unprocessed.has(String(r.PutRequest.Item.pk)),
    );
    for (const r of requests as Put[])
      if (!left.includes(r)) this.items.set(String(r.PutRequest.Item.pk), r.PutRequest.Item);
    return { UnprocessedItems: left.length ? { [table]: left } : {} };
  }
}

describe("nothing is lost", () => {
  it("whatever fails on the stream path, one sweep later every event is published and none is pending; nothing is marked before SNS accepted it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.nat(69), { maxLength: 25 }), // entries SNS rejects on the stream path
        fc.array(fc.nat(69), { maxLength: 25 }), // marks left unprocessed on the stream path
        fc.array(fc.nat(7), { maxLength: 3 }), // whole PublishBatch calls that throw
        async (n, rejected, unmarked, thrown) => {
          ddb.reset();
          sns.reset();
          const table = new FakeTable();
          // the stream delivered late (a retried batch), so the sweep may see them too
          const list = events(n, 60_000).map(outboxItem);
          for (const i of list) table.items.set(i.pk, structuredClone(i));
          const accepted = new Set<string>();
          let streamPath = true;
          let call = 0;
          sns.on(PublishBatchCommand).callsFake(async (input: PublishBatchCommandInput) => {
            await tick();
            if (streamPath && thrown.includes(call++)) throw new Error("ServiceUnavailable");
            const entries = entriesOf(input);
            const failed = entries.filter((_, k) => {
              const index = list.findIndex((i) => i.event.id === idsOf(input)[k]);
              return streamPath && rejected.includes(index);
            });
            for (const e of entries)
              if (!failed.includes(e)) accepted.add((JSON.parse(e.Message!) as Envelope).id);
            return {
              Successful: entries
                .filter((e) => !failed.includes(e))
                .map((e) => ({ Id: e.Id, MessageId: "m" })),
              Failed: failed.map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false })),
            };
          });
          // an assertion thrown in here would only fail the mark, which the relay logs and
          // forgives: collect instead
          const markedUnpublished: string[] = [];
          ddb.on(BatchWriteCommand).callsFake(async (input: BatchWriteCommandInput) => {
            await tick();
            for (const p of putsOf(input)) {
              const id = (p.PutRequest.Item.event as Envelope).id;
              if (!accepted.has(id)) markedUnpublished.push(id);
            }
            return table.batchWrite(input);
          });
          ddb.on(QueryCommand).callsFake(async (input: QueryCommandInput) => table.query(input));
          table.unprocessed = new Set(unmarked.filter((k) => k < n).map((k) => list[k]!.pk));

          await outboxRelay(opts)(streamEvent(list), context);
          streamPath = false;
          table.unprocessed.clear();
          await outboxRelay(opts)(scheduled, minute);

          expect(markedUnpublished).toEqual([]);
          expect([...accepted].sort()).toEqual(list.map((i) => i.event.id).sort());
          const pending = [...table.items.values()].filter((i) => "outboxPending" in i);
          expect(pending).toEqual([]);
          for (const i of table.items.values()) {
            expect(i.publishedAt).toEqual(expect.any(String));
            expect(i.event).toEqual(list.find((l) => l.pk === i.pk)!.event);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
