import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandInput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  GET_RECORDS_LIMIT,
  SQS_CONCURRENT_BATCHES,
  SqsPoller,
  StreamPoller,
} from "../src/pollers.js";
import type { SqsMappingDef, StreamMappingDef } from "../src/template.js";

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const region = "ap-east-1";
const streams = mockClient(DynamoDBStreamsClient);
const sqs = mockClient(SQSClient);
afterEach(() => {
  streams.reset();
  sqs.reset();
});

describe("SQS poller", () => {
  const mapping: SqsMappingDef = {
    kind: "sqs",
    id: "InboxMapping",
    functionId: "InboxFn",
    queueId: "Inbox",
    batchSize: 10,
    reportBatchItemFailures: true,
    enabled: true,
  };

  it("processes five batches at a time, like Lambda starting on a standard queue", async () => {
    let n = 0;
    sqs.on(ReceiveMessageCommand).callsFake(async () => ({
      Messages: Array.from(
        { length: 10 },
        (): Message => ({ MessageId: `m${++n}`, ReceiptHandle: `r${n}`, Body: "{}" }),
      ),
    }));
    sqs.on(DeleteMessageBatchCommand).resolves({});
    let running = 0;
    let peak = 0;
    let done = 0;
    const release: (() => void)[] = [];
    const poller = new SqsPoller(
      mapping,
      { url: "http://sqs.local/000000000000/inbox", arn: "arn:aws:sqs:::inbox", region },
      new SQSClient({ region, credentials }),
      async (_fn, event) => {
        expect((event as SQSEvent).Records).toHaveLength(10);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        done++;
        return { batchItemFailures: [] };
      },
      () => {},
    );
    await poller.start();
    await vi.waitFor(() => expect(running).toBe(SQS_CONCURRENT_BATCHES));
    // nobody takes a sixth batch while five are in flight
    await new Promise((r) => setTimeout(r, 50));
    expect(running).toBe(SQS_CONCURRENT_BATCHES);
    for (let round = 0; round < 3; round++) {
      for (const go of release.splice(0)) go();
      await vi.waitFor(() => expect(running).toBe(SQS_CONCURRENT_BATCHES));
    }
    const stopping = poller.stop();
    for (const go of release.splice(0)) go();
    await stopping;
    expect(SQS_CONCURRENT_BATCHES).toBe(5);
    expect(peak).toBe(SQS_CONCURRENT_BATCHES);
    // every finished batch was deleted, as one DeleteMessageBatch
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(done);
  });
});

describe("DynamoDB stream poller", () => {
  const mapping: StreamMappingDef = {
    kind: "stream",
    id: "RelayMapping",
    functionId: "RelayFn",
    tableId: "Table",
    batchSize: 100,
    startingPosition: "TRIM_HORIZON",
    filters: [
      {
        eventName: ["INSERT"],
        dynamodb: { NewImage: { outboxPending: { S: [{ exists: true }] } } },
      },
    ],
    reportBatchItemFailures: true,
    maximumRetryAttempts: 5,
    enabled: true,
  };
  let seq = 0;
  /** A stream record: every fourth an outbox INSERT, the others other writes of the table. */
  const record = (): StreamRecord => {
    const s = ++seq;
    const outbox = s % 4 === 0;
    return {
      eventID: `e${s}`,
      eventName: outbox ? "INSERT" : "MODIFY",
      dynamodb: {
        SequenceNumber: String(s).padStart(21, "0"),
        NewImage: {
          pk: { S: outbox ? `OUTBOX#${s}` : `PROPOSAL#${s}` },
          ...(outbox ? { outboxPending: { S: "PENDING" } } : {}),
        },
        StreamViewType: "NEW_IMAGE",
      },
    };
  };

  it("reads up to 1,000 records, filters them, then invokes with batches of BatchSize matching records in order", async () => {
    seq = 0;
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: { Shards: [{ ShardId: "shard-1", SequenceNumberRange: {} }] },
    });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: "it-0" });
    const backlog = Array.from({ length: 1300 }, record); // 325 outbox INSERTs
    let read = 0;
    streams.on(GetRecordsCommand).callsFake(async (input: GetRecordsCommandInput) => {
      const page = backlog.slice(read, read + (input.Limit ?? 1000));
      read += page.length;
      return { Records: page, NextShardIterator: `it-${read}` };
    });
    const batches: string[][] = [];
    const poller = new StreamPoller(
      mapping,
      { arn: "arn:aws:dynamodb:::table/t/stream/1", region },
      new DynamoDBStreamsClient({ region, credentials }),
      async (_fn, event) => {
        batches.push(
          (event as DynamoDBStreamEvent).Records.map((r) => String(r.dynamodb?.NewImage?.pk?.S)),
        );
        return { batchItemFailures: [] };
      },
      () => {},
    );
    await poller.start();
    await vi.waitFor(() => expect(batches.flat()).toHaveLength(325));
    await poller.stop();

    const limits = streams.commandCalls(GetRecordsCommand).map((c) => c.args[0].input.Limit);
    expect(limits.every((l) => l === GET_RECORDS_LIMIT)).toBe(true);
    expect(GET_RECORDS_LIMIT).toBe(1000);
    // 250 matching in the first read (100, 100, 50), 75 in the second
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50, 75]);
    expect(batches.flat()).toEqual(Array.from({ length: 325 }, (_, i) => `OUTBOX#${(i + 1) * 4}`));
  });
});
