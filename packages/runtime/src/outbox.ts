import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { PublishBatchCommand } from "@aws-sdk/client-sns";
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { ddb, env, sns } from "./clients.js";
import { now } from "./clock.js";
import { logger } from "./logger.js";
import { metrics } from "./metrics.js";

/** SNS PublishBatch takes at most 10 entries. */
const SNS_BATCH = 10;

export interface OutboxOptions {
  /** Defaults to `TABLE_NAME`, read when the relay runs. */
  table?: string;
  /** Defaults to `TOPIC_ARN`, read when the relay runs. */
  topicArn?: string;
}

export interface RelaySummary {
  published: number;
  failed: number;
}

type OutboxItem = { pk: string; event: Envelope };

/**
 * The outbox relay: one handler for both triggers. A DynamoDB stream batch publishes the
 * outbox items it inserted; anything else (the schedule) sweeps every pending item. A publish
 * failure never fails the invocation: the item stays pending and the next sweep delivers it.
 */
export function outboxRelay(opts: OutboxOptions = {}) {
  return async (
    event: DynamoDBStreamEvent | Record<string, unknown>,
    context?: Context,
  ): Promise<RelaySummary> => {
    if (context) logger.addContext(context);
    try {
      const records = (event as DynamoDBStreamEvent).Records;
      if (!Array.isArray(records)) return await publishPending(opts);
      const items = records.flatMap((r) => {
        const image = r.dynamodb?.NewImage;
        if (r.eventName !== "INSERT" || !image?.outboxPending) return [];
        return [unmarshall(image as Record<string, AttributeValue>) as OutboxItem];
      });
      return await publish(items, resolve(opts));
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** The sweep: publishes every pending outbox item, oldest first (also `POST /dev/run/outbox-relay`). */
export async function publishPending(opts: OutboxOptions = {}): Promise<RelaySummary> {
  const target = resolve(opts);
  const total: RelaySummary = { published: 0, failed: 0 };
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: target.table,
        IndexName: "outbox",
        KeyConditionExpression: "outboxPending = :pending",
        ExpressionAttributeValues: { ":pending": "PENDING" },
        ExclusiveStartKey: cursor,
      }),
    );
    const result = await publish((page.Items ?? []) as OutboxItem[], target);
    total.published += result.published;
    total.failed += result.failed;
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return total;
}

function resolve(opts: OutboxOptions) {
  return { table: opts.table ?? env("TABLE_NAME"), topicArn: opts.topicArn ?? env("TOPIC_ARN") };
}

async function publish(
  items: OutboxItem[],
  target: { table: string; topicArn: string },
): Promise<RelaySummary> {
  const summary: RelaySummary = { published: 0, failed: 0 };
  const batches: OutboxItem[][] = [];
  for (let i = 0; i < items.length; i += SNS_BATCH) batches.push(items.slice(i, i + SNS_BATCH));
  await Promise.all(
    batches.map(async (batch) => {
      const ok = await publishBatch(batch, target.topicArn);
      await Promise.all(ok.map((item) => markPublished(item, target.table)));
      summary.published += ok.length;
      summary.failed += batch.length - ok.length;
    }),
  );
  if (summary.published) metrics.addMetric("EventsPublished", MetricUnit.Count, summary.published);
  if (summary.failed) metrics.addMetric("EventsPublishFailed", MetricUnit.Count, summary.failed);
  return summary;
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

/** Marks an item published; a concurrent relay that got there first is fine (double publish is harmless). */
async function markPublished(item: OutboxItem, table: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: "OUTBOX" },
        UpdateExpression: "REMOVE outboxPending SET publishedAt = :at",
        ConditionExpression: "attribute_exists(outboxPending)",
        ExpressionAttributeValues: { ":at": now().toISOString() },
      }),
    );
  } catch (err) {
    if ((err as Error).name !== "ConditionalCheckFailedException") {
      // Published but not marked: the sweep publishes it again; consumers dedupe by event id.
      logger.warn("could not mark event published", { error: err as Error, pk: item.pk });
    }
  }
}
