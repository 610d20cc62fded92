/**
 * Event source mappings, emulated:
 * - SQS: long polling (1 s) in batches of `BatchSize` (at most 10 per receive), five batches
 *   at a time, as Lambda starts a standard queue's mapping (it scales further under a
 *   backlog; the local cloud stays at five); with `ReportBatchItemFailures` only the succeeded
 *   messages are deleted; a failed invocation deletes nothing. Failed messages reappear after
 *   the visibility timeout and land in the DLQ through the queue's own redrive policy (fauxqs
 *   does that).
 * - DynamoDB streams: `GetRecords` (up to 1,000 records, the service's maximum) on every
 *   shard every ~75 ms, at once again while a read comes back full; `FilterCriteria` applied
 *   first, then the matching records go out in batches of `BatchSize` (as Lambda counts a
 *   filtered batch), one at a time per shard; failed batches retried (from the first failed
 *   item with `ReportBatchItemFailures`) up to `MaximumRetryAttempts` (10 when unlimited),
 *   then skipped.
 * Both can be paused (`POST /dev/pollers`); a paused stream poller keeps its place.
 * Stream pollers can also drop what they read (`dropStreamRecords`): the stream
 * consumer "dies" after the commit, as a crashed outbox relay would, so tests can
 * show that the scheduled sweep still delivers.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DynamoDBStreamEvent, SQSEvent, SQSRecord } from "aws-lambda";
import { matchesAny } from "./filter-pattern.js";
import type { SqsMappingDef, StreamMappingDef } from "./template.js";

export type Invoke = (functionId: string, event: unknown) => Promise<unknown>;
export type Log = (line: string) => void;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

export interface Poller {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  paused: boolean;
}

/** Ids of the items a handler reported as failed (`{batchItemFailures: [{itemIdentifier}]}`). */
export function failedItemIds(result: unknown): string[] | undefined {
  const f = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(f)) return undefined;
  return f.map((x) => String((x as { itemIdentifier?: unknown }).itemIdentifier));
}

export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const [name, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") }
        : {}),
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
      dataType: v.DataType ?? "String",
    };
  }
  return {
    messageId: m.MessageId as string,
    receiptHandle: m.ReceiptHandle as string,
    body: m.Body ?? "",
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? "",
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  } as SQSRecord;
}

/** Batches an SQS mapping processes at once: Lambda's starting concurrency for a standard queue. */
export const SQS_CONCURRENT_BATCHES = 5;

export class SqsPoller implements Poller {
  paused = false;
  private abort = new AbortController();
  private loop?: Promise<unknown>;

  constructor(
    readonly mapping: SqsMappingDef,
    private readonly q: { url: string; arn: string; region: string },
    private readonly sqs: SQSClient,
    private readonly invoke: Invoke,
    private readonly log: Log,
    private readonly concurrency = SQS_CONCURRENT_BATCHES,
  ) {}

  get id(): string {
    return this.mapping.id;
  }

  /** One long-polling loop per concurrent batch: a slow invocation does not hold up the queue. */
  async start(): Promise<void> {
    this.loop = Promise.all(Array.from({ length: this.concurrency }, () => this.run()));
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.paused) {
        await sleep(100, signal);
        continue;
      }
      try {
        const out = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.q.url,
            MaxNumberOfMessages: Math.min(10, Math.max(1, this.mapping.batchSize)),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: signal },
        );
        const messages = out.Messages ?? [];
        if (messages.length) await this.deliver(messages);
      } catch (e) {
        if (signal.aborted) break;
        this.log(`sqs poller ${this.id}: ${(e as Error).message}`);
        await sleep(500, signal);
      }
    }
  }

  private async deliver(messages: Message[]): Promise<void> {
    const event: SQSEvent = {
      Records: messages.map((m) => toSqsRecord(m, this.q.arn, this.q.region)),
    };
    let done: Message[];
    try {
      const result = await this.invoke(this.mapping.functionId, event);
      const failed = this.mapping.reportBatchItemFailures ? failedItemIds(result) : undefined;
      done = failed ? messages.filter((m) => !failed.includes(m.MessageId as string)) : messages;
    } catch (e) {
      this.log(
        `${this.mapping.functionId} failed on ${messages.length} message(s): ${(e as Error).message}`,
      );
      done = []; // the whole batch comes back after the visibility timeout
    }
    if (!done.length) return;
    await this.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.q.url,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

/** A DynamoDB stream record as Lambda delivers it. */
export function toStreamRecord(
  r: StreamRecord,
  streamArn: string,
  region: string,
): DynamoDBStreamEvent["Records"][number] {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: region,
    dynamodb: {
      ...(created
        ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }
        : {}),
      ...(d.Keys ? { Keys: d.Keys } : {}),
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
  } as DynamoDBStreamEvent["Records"][number];
}

/** The most records one DynamoDB Streams `GetRecords` returns. */
export const GET_RECORDS_LIMIT = 1000;

interface ShardState {
  iterator?: string;
  lastSeq?: string;
}

export class StreamPoller implements Poller {
  paused = false;
  /** read and discard records instead of invoking the function */
  dropping = false;
  private abort = new AbortController();
  private loop?: Promise<void>;
  private readonly shards = new Map<string, ShardState>();
  private lastDescribe = 0;

  constructor(
    readonly mapping: StreamMappingDef,
    private readonly stream: { arn: string; region: string },
    private readonly client: DynamoDBStreamsClient,
    private readonly invoke: Invoke,
    private readonly log: Log,
    private readonly intervalMs = 75,
  ) {}

  get id(): string {
    return this.mapping.id;
  }

  /** Resolves once every shard has an iterator, so LATEST misses nothing written after. */
  async start(): Promise<void> {
    await this.discover(true);
    this.loop = this.run();
  }

  private async discover(initial: boolean): Promise<void> {
    this.lastDescribe = Date.now();
    const out = await this.client.send(new DescribeStreamCommand({ StreamArn: this.stream.arn }));
    for (const s of out.StreamDescription?.Shards ?? []) {
      const shardId = s.ShardId as string;
      if (this.shards.has(shardId)) continue;
      const closed = !!s.SequenceNumberRange?.EndingSequenceNumber;
      // At start with LATEST only open shards matter; shards found later are new: read them whole.
      if (initial && this.mapping.startingPosition === "LATEST" && closed) {
        this.shards.set(shardId, {});
        continue;
      }
      const type =
        initial && this.mapping.startingPosition === "LATEST" ? "LATEST" : "TRIM_HORIZON";
      const it = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.stream.arn,
          ShardId: shardId,
          ShardIteratorType: type,
        }),
      );
      this.shards.set(shardId, it.ShardIterator ? { iterator: it.ShardIterator } : {});
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let behind = false;
      if (!this.paused) {
        try {
          if (Date.now() - this.lastDescribe > 2000) await this.discover(false);
          for (const [shardId, state] of this.shards) {
            if (signal.aborted || this.paused) break;
            if (state.iterator) behind = (await this.pollShard(shardId, state)) || behind;
          }
        } catch (e) {
          if (signal.aborted) break;
          this.log(`stream poller ${this.id}: ${(e as Error).message}`);
        }
      }
      // a full read means more is waiting: read on without a pause
      if (!behind) await sleep(this.intervalMs, signal);
    }
  }

  /** Reads a shard once and delivers what matches; true when the read came back full. */
  private async pollShard(shardId: string, state: ShardState): Promise<boolean> {
    let out: Awaited<ReturnType<typeof this.getRecords>>;
    try {
      out = await this.getRecords(state.iterator as string);
    } catch (e) {
      // DynamoDB Local answers TrimmedDataAccessException to an iterator taken on an
      // empty shard (aws-sdk-java#2923); like an expired iterator, take a new position.
      const name = (e as Error).name;
      if (name !== "ExpiredIteratorException" && name !== "TrimmedDataAccessException") throw e;
      const it = await this.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.stream.arn,
          ShardId: shardId,
          ...(state.lastSeq
            ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: state.lastSeq }
            : { ShardIteratorType: "TRIM_HORIZON" }),
        }),
      );
      state.iterator = it.ShardIterator;
      return false;
    }
    const records = out.Records ?? [];
    if (records.length) {
      const matching = records
        .map((r) => toStreamRecord(r, this.stream.arn, this.stream.region))
        .filter((r) => matchesAny(this.mapping.filters, r));
      if (matching.length && this.dropping) {
        this.log(`${this.mapping.functionId}: dropped ${matching.length} stream record(s)`);
      } else {
        const size = Math.max(1, this.mapping.batchSize);
        for (let i = 0; i < matching.length && !this.abort.signal.aborted; i += size)
          await this.deliver(matching.slice(i, i + size));
      }
      state.lastSeq = records[records.length - 1]?.dynamodb?.SequenceNumber;
    }
    state.iterator = out.NextShardIterator; // undefined: shard closed, children found by discover()
    return records.length >= GET_RECORDS_LIMIT && !!state.iterator;
  }

  private getRecords(iterator: string) {
    return this.client.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }),
    );
  }

  private async deliver(records: DynamoDBStreamEvent["Records"]): Promise<void> {
    const maxRetries =
      this.mapping.maximumRetryAttempts < 0 ? 10 : this.mapping.maximumRetryAttempts;
    let batch = records;
    for (let attempt = 0; batch.length; attempt++) {
      try {
        const result = await this.invoke(this.mapping.functionId, {
          Records: batch,
        } satisfies DynamoDBStreamEvent);
        const failed = this.mapping.reportBatchItemFailures ? failedItemIds(result) : undefined;
        if (!failed?.length) return;
        const first = batch.findIndex((r) => failed.includes(String(r.dynamodb?.SequenceNumber)));
        if (first < 0) return;
        batch = batch.slice(first);
      } catch (e) {
        this.log(
          `${this.mapping.functionId} failed on ${batch.length} stream record(s): ${(e as Error).message}`,
        );
      }
      if (attempt >= maxRetries) {
        this.log(
          `${this.mapping.functionId}: giving up on ${batch.length} stream record(s) after ${attempt + 1} attempts`,
        );
        return;
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt), this.abort.signal);
      if (this.abort.signal.aborted) return;
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

export function streamsClient(endpoint: string, region: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}
