import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

import { newEvent } from "../src/events.js";
import { metrics } from "../src/metrics.js";
import { outboxRelay, publishPending } from "../src/outbox.js";
import { context, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);
const opts = { table: "intake", topicArn: "arn:aws:sns:ap-east-1:000000000000:events" };

beforeAll(useTestCity);
afterEach(() => {
  ddb.reset();
  sns.reset();
  vi.restoreAllMocks();
});

const events = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    newEvent({
      type: i % 2 ? "ProposalSubmitted" : "NeedRaised",
      actor: { sub: "u1", roles: ["resident"] },
      correlationId: `c${i}`,
      data: { i },
      now: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    }),
  );

const outboxItem = (event: Envelope) => ({
  pk: `OUTBOX#${event.id}`,
  sk: "OUTBOX",
  event,
  outboxPending: "PENDING",
  outboxAt: event.occurredAt,
});

const streamEvent = (items: Record<string, unknown>[], eventName: "INSERT" | "MODIFY" = "INSERT") =>
  ({
    Records: items.map((item) => ({
      eventName,
      eventSource: "aws:dynamodb",
      dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) },
    })),
  }) as DynamoDBStreamEvent;

const allSucceed = () =>
  sns.on(PublishBatchCommand).callsFake(async (input) => ({
    Successful: input.PublishBatchRequestEntries.map((e: { Id: string }) => ({
      Id: e.Id,
      MessageId: `m${e.Id}`,
    })),
    Failed: [],
  }));

describe("outbox relay (stream)", () => {
  it("publishes inserted outbox items with a type attribute, ≤10 per batch, and marks them", async () => {
    allSucceed();
    ddb.on(UpdateCommand).resolves({});
    const list = events(12);
    const relay = outboxRelay(opts);
    const summary = await relay(
      streamEvent([...list.map(outboxItem), { pk: "PROPOSAL#1", sk: "P" }]),
      context,
    );

    expect(summary).toEqual({ published: 12, failed: 0 });
    const batches = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.PublishBatchRequestEntries!.length).sort()).toEqual([10, 2]);
    const first = batches.find((b) => b.PublishBatchRequestEntries!.length === 10)!;
    expect(first.TopicArn).toBe(opts.topicArn);
    expect(JSON.parse(first.PublishBatchRequestEntries![0]!.Message!)).toEqual(list[0]);
    expect(first.PublishBatchRequestEntries![1]!.MessageAttributes).toEqual({
      type: { DataType: "String", StringValue: "ProposalSubmitted" },
    });

    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(12);
    expect(updates[0]).toMatchObject({
      TableName: "intake",
      Key: { pk: `OUTBOX#${list[0]!.id}`, sk: "OUTBOX" },
      UpdateExpression: "REMOVE outboxPending SET publishedAt = :at",
      ConditionExpression: "attribute_exists(outboxPending)",
    });
  });

  it("ignores modifications (marking published) and items that are not outbox items", async () => {
    const summary = await outboxRelay(opts)(
      streamEvent([{ pk: "OUTBOX#1", sk: "OUTBOX", event: {} }], "MODIFY"),
      context,
    );
    expect(summary).toEqual({ published: 0, failed: 0 });
    expect(sns.calls()).toHaveLength(0);
  });

  it("leaves items pending when publishing fails, and counts the failures", async () => {
    const addMetric = vi.spyOn(metrics, "addMetric");
    const [a, b, c] = events(3);
    sns.on(PublishBatchCommand).resolves({
      Successful: [{ Id: "0", MessageId: "m0" }],
      Failed: [
        { Id: "1", Code: "InternalError", SenderFault: false },
        { Id: "2", Code: "Throttled", SenderFault: false },
      ],
    });
    ddb.on(UpdateCommand).resolves({});
    const summary = await outboxRelay(opts)(
      streamEvent([a, b, c].map((e) => outboxItem(e!))),
      context,
    );
    expect(summary).toEqual({ published: 1, failed: 2 });
    expect(ddb.commandCalls(UpdateCommand).map((u) => u.args[0].input.Key!.pk)).toEqual([
      `OUTBOX#${a!.id}`,
    ]);
    expect(addMetric).toHaveBeenCalledWith("EventsPublished", "Count", 1);
    expect(addMetric).toHaveBeenCalledWith("EventsPublishFailed", "Count", 2);
  });

  it("does not fail the invocation when SNS is down", async () => {
    sns.on(PublishBatchCommand).rejects(new Error("connect ECONNREFUSED"));
    const summary = await outboxRelay(opts)(streamEvent(events(2).map(outboxItem)), context);
    expect(summary).toEqual({ published: 0, failed: 2 });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it("treats an item already marked by a concurrent relay as published", async () => {
    allSucceed();
    const conditional = Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
    });
    ddb.on(UpdateCommand).rejects(conditional);
    expect(await outboxRelay(opts)(streamEvent(events(1).map(outboxItem)), context)).toEqual({
      published: 1,
      failed: 0,
    });
  });
});

describe("outbox sweep", () => {
  it("queries the outbox index page by page and delivers what a failed publish left pending", async () => {
    const [a, b, c] = events(3);
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [outboxItem(a!), outboxItem(b!)], LastEvaluatedKey: { pk: "x" } })
      .resolvesOnce({ Items: [outboxItem(c!)] });
    ddb.on(UpdateCommand).resolves({});
    allSucceed();

    const summary = await outboxRelay(opts)(
      { source: "aws.events", "detail-type": "Scheduled Event" },
      context,
    );

    expect(summary).toEqual({ published: 3, failed: 0 });
    const queries = ddb.commandCalls(QueryCommand).map((q) => q.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: "intake",
      IndexName: "outbox",
      KeyConditionExpression: "outboxPending = :pending",
      ExpressionAttributeValues: { ":pending": "PENDING" },
    });
    expect(queries[1]!.ExclusiveStartKey).toEqual({ pk: "x" });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(3);
  });

  it("publishPending reads TABLE_NAME and TOPIC_ARN when called", async () => {
    process.env.TABLE_NAME = "from-env";
    process.env.TOPIC_ARN = opts.topicArn;
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await publishPending()).toEqual({ published: 0, failed: 0 });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.TableName).toBe("from-env");
  });
});
