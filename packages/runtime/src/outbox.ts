import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand } from "@aws-sdk/client-sns";
import { BatchWriteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { ddb, env, sns } from "./clients.js";
import { now } from "./clock.js";
import { logger } from "./logger.js";
import { metrics } from "./metrics.js";

/** SNS PublishBatch takes at most 10 entries... */
export const SNS_BATCH = 10;
/** ...of at most 256 KiB together. */
export const SNS_BATCH_BYTES = 256 * 1024;
/** BatchWriteItem takes at most 25 requests. */
export const MARK_BATCH = 25;
/**
 * SDK calls (PublishBatch, BatchWriteItem) the relay has in flight at once per container, the
 * stream path and the sweep together: a full stream batch of 100 publishes in one wave, a
 * backlog in waves of 10, never with a socket per event (the SDK's pool holds 50).
 */
export const RELAY_CONCURRENCY = 10;
/** The sweep's share of those: the stream path always finds the rest free. */
export const SWEEP_CONCURRENCY = 2;
/** The sweep leaves items younger than this to the stream path, which publishes within ~1 s. */
export const SWEEP_MIN_AGE_MS = 30_000;
/** Pending items the sweep reads (and publishes) per page. */
export const SWEEP_PAGE = 100;
/** The sweep starts no new page with less than this left of the invocation's time. */
export const SWEEP_RESERVE_MS = 10_000;
/** Attempts at marking a batch whose items DynamoDB returned unprocessed (throttling). */
const MARK_ATTEMPTS = 3;

export interface OutboxOptions {
  /** Defaults to `TABLE_NAME`, read when the relay runs. */
  table?: string;
  /** Defaults to `TOPIC_ARN`, read when the relay runs. */
  topicArn?: string;
}

export interface SweepOptions extends OutboxOptions {
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`); no limit without it. */
  remainingMs?: () => number;
}

export interface RelaySummary {
  published: number;
  failed: number;
}

/** The whole outbox item, as written by `Tx.event` (stream image or index projection ALL). */
type OutboxItem = { pk: string; sk: string; event: Envelope } & Record<string, unknown>;
type Target = { table: string; topicArn: string };

/** A counting semaphore: at most `max` tasks run at once, the others wait in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((go) => this.waiting.push(go));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // the slot passes straight to the next task, so `active` never exceeds `max`
      if (next) next();
      else this.active--;
    }
  }
}

/** One per container: what bounds the relay's sockets, whichever trigger is running. */
const sends = new Limiter(RELAY_CONCURRENCY);

/**
 * The outbox relay: one handler for both triggers. A DynamoDB stream batch publishes the
 * outbox items it inserted; anything else (the schedule) sweeps pending items older than
 * `SWEEP_MIN_AGE_MS`. A publish failure never fails the invocation: the item stays pending and
 * a later sweep delivers it.
 */
export function outboxRelay(opts: OutboxOptions = {}) {
  return async (
    event: DynamoDBStreamEvent | Record<string, unknown>,
    context?: Context,
  ): Promise<RelaySummary> => {
    if (context) logger.addContext(context);
    try {
      const records = (event as DynamoDBStreamEvent).Records;
      if (!Array.isArray(records)) {
        return await publishPending({
          ...opts,
          ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
        });
      }
      const items = records.flatMap((r) => {
        const image = r.dynamodb?.NewImage;
        if (r.eventName !== "INSERT" || !image?.outboxPending) return [];
        return [unmarshall(image as Record<string, AttributeValue>) as OutboxItem];
      });
      return await publish(items, resolve(opts), RELAY_CONCURRENCY);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/**
 * The sweep (also `POST /dev/run/outbox-relay`): publishes pending outbox items older than
 * `SWEEP_MIN_AGE_MS`, oldest first, one page of `SWEEP_PAGE` at a time, until none is left or
 * the invocation runs short of time (the next sweep carries on).
 *
 * Each sweep reports the backlog it found, 0 when there is none: `OutboxOldestAge` (seconds
 * since the oldest pending item was written) and `OutboxBacklog` (pending items it read). The
 * city's outbox alarm watches the age: the stream path never fails on a publish error, so
 * only what is still pending shows that events are not getting out.
 */
export async function publishPending(opts: SweepOptions = {}): Promise<RelaySummary> {
  const target = resolve(opts);
  const before = new Date(now().getTime() - SWEEP_MIN_AGE_MS).toISOString();
  const total: RelaySummary = { published: 0, failed: 0 };
  let cursor: Record<string, unknown> | undefined;
  let oldestAt: string | undefined;
  do {
    if (opts.remainingMs && opts.remainingMs() < SWEEP_RESERVE_MS) {
      logger.info("sweep stopped for time; the next one carries on", { ...total });
      break;
    }
    const page = await ddb.send(
      new QueryCommand({
        TableName: target.table,
        IndexName: "outbox",
        KeyConditionExpression: "outboxPending = :pending AND outboxAt < :before",
        ExpressionAttributeValues: { ":pending": "PENDING", ":before": before },
        Limit: SWEEP_PAGE,
        ExclusiveStartKey: cursor,
      }),
    );
    const items = (page.Items ?? []) as OutboxItem[];
    oldestAt ??= items[0]?.outboxAt as string | undefined;
    const result = await publish(items, target, SWEEP_CONCURRENCY);
    total.published += result.published;
    total.failed += result.failed;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  const age = oldestAt ? Math.max(0, (now().getTime() - Date.parse(oldestAt)) / 1000) : 0;
  metrics.addMetric("OutboxOldestAge", MetricUnit.Seconds, Math.round(age));
  metrics.addMetric("OutboxBacklog", MetricUnit.Count, total.published + total.failed);
  return total;
}

function resolve(opts: OutboxOptions): Target {
  return { table: opts.table ?? env("TABLE_NAME"), topicArn: opts.topicArn ?? env("TOPIC_ARN") };
}

/**
 * Publishes `items` in PublishBatch calls, then marks the accepted ones in BatchWriteItem calls;
 * at most `width` of this call's sends run at once, all through the container's shared limiter.
 */
async function publish(items: OutboxItem[], target: Target, width: number): Promise<RelaySummary> {
  const summary: RelaySummary = { published: 0, failed: 0 };
  const lane = new Limiter(width);
  const send = <T>(task: () => Promise<T>) => lane.run(() => sends.run(task));
  const unique = [...new Map(items.map((i) => [i.pk, i])).values()];
  const accepted: OutboxItem[] = [];
  await Promise.all(
    snsBatches(unique).map(async (batch) => {
      const ok = await send(() => publishBatch(batch, target.topicArn));
      summary.published += ok.length;
      summary.failed += batch.length - ok.length;
      accepted.push(...ok);
    }),
  );
  // Up to 25 per batch, spread over the lane: DynamoDB Local writes a batch's items one after
  // another (against 16 busy writers a batch of 8 took 0.7 s, 8 single writes side by side
  // 0.12 s). On AWS it is the same capacity in a few more calls.
  const size = Math.min(MARK_BATCH, Math.ceil(accepted.length / width));
  const marks: OutboxItem[][] = [];
  for (let i = 0; i < accepted.length; i += size) marks.push(accepted.slice(i, i + size));
  await Promise.all(marks.map((batch) => send(() => markPublished(batch, target.table))));
  if (summary.published) metrics.addMetric("EventsPublished", MetricUnit.Count, summary.published);
  if (summary.failed) metrics.addMetric("EventsPublishFailed", MetricUnit.Count, summary.failed);
  return summary;
}

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");
/** What an entry adds to a PublishBatch request's size: its message and its `type` attribute. */
const entryBytes = (item: OutboxItem) =>
  utf8(JSON.stringify(item.event)) + utf8("type") + utf8("String") + utf8(item.event.type);

/** Groups of at most 10 entries and 256 KiB, in order. */
function snsBatches(items: OutboxItem[]): OutboxItem[][] {
  const out: OutboxItem[][] = [];
  let batch: OutboxItem[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entryBytes(item);
    if (batch.length && (batch.length >= SNS_BATCH || bytes + size > SNS_BATCH_BYTES)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) out.push(batch);
  return out;
}

/** Publishes one batch; returns the items SNS accepted. */
async function publishBatch(batch: OutboxItem[], topicArn: string): Promise<OutboxItem[]> {
  try {
    const out = await sns().send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: batch.map((item, i) => ({
          Id: String(i),
          Message: JSON.stringify(item.event),
          MessageAttributes: { type: { DataType: "String", StringValue: item.event.type } },
        })),
      }),
    );
    for (const f of out.Failed ?? []) {
      logger.warn("event not published; the sweep retries", {
        eventId: batch[Number(f.Id)]?.event.id,
        code: f.Code,
      });
    }
    return (out.Successful ?? []).flatMap((s) => {
      const item = batch[Number(s.Id)];
      return item ? [item] : [];
    });
  } catch (err) {
    logger.warn("publish failed; the sweep retries", { error: err as Error, events: batch.length });
    return [];
  }
}

/**
 * Marks items published by putting them back without `outboxPending` (out of the sparse index)
 * and with `publishedAt`. No condition is needed: an outbox item never changes otherwise, so
 * the put writes what is there. A relay that marks an item another one published already only
 * rewrites the time; whatever is not marked stays pending and is published again by the sweep
 * (consumers dedupe by event id).
 */
async function markPublished(items: OutboxItem[], table: string): Promise<void> {
  const publishedAt = now().toISOString();
  let requests = items.map(({ outboxPending: _, ...item }) => ({
    PutRequest: { Item: { ...item, publishedAt } },
  }));
  try {
    for (let attempt = 1; requests.length; attempt++) {
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      if (!requests.length) return;
      if (attempt >= MARK_ATTEMPTS) break;
      await new Promise((r) => setTimeout(r, 25 * 2 ** attempt + Math.random() * 25));
    }
    logger.warn("events published but not marked; the sweep publishes them again", {
      events: requests.length,
    });
  } catch (err) {
    logger.warn("could not mark events published; the sweep publishes them again", {
      error: err as Error,
      events: requests.length,
    });
  }
}
