import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SQS_CONCURRENT_BATCHES, SqsPoller } from "../src/pollers.js";
import type { SqsMappingDef } from "../src/template.js";

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const region = "ap-east-1";
const sqs = mockClient(SQSClient);
afterEach(() => {
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
