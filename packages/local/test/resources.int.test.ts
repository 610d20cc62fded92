/**
 * Creates a template fragment's tables, queues, topic, subscription and bucket in a
 * DynamoDB Local and fauxqs of its own, and checks the SQS poller semantics
 * (ReportBatchItemFailures, redrive to the DLQ).
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../src/dynamodb-local.js";
import { type FauxqsServer, startFauxqs } from "../src/fauxqs.js";
import { onLoopback } from "../src/loopback.js";
import { SqsPoller } from "../src/pollers.js";
import { createMessagingAndBuckets, createTables, Registry } from "../src/resources.js";
import { mappingsOf, type SqsMappingDef } from "../src/template.js";
import { fragment } from "./fragment.js";

const region = "ap-east-1";
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

describe("resources from a template", () => {
  let ddb: DynamoDbLocal;
  let fauxqs: FauxqsServer;
  let reg: Registry;
  let sqs: SQSClient;
  let sns: SNSClient;
  const t = fragment();

  beforeAll(async () => {
    [ddb, fauxqs] = await Promise.all([
      startDynamoDbLocal(),
      onLoopback(() => startFauxqs({ port: 0, logger: false, defaultRegion: region })),
    ]);
    const fauxqsUrl = `http://127.0.0.1:${fauxqs.port}`;
    reg = new Registry(t, {
      region,
      stackName: "Pencai-test",
      apiUrl: "http://127.0.0.1:1",
      fauxqsUrl,
      jwtIssuer: "http://i",
      jwtAudience: "a",
    });
    createMessagingAndBuckets(reg, fauxqs);
    await createTables(reg, new DynamoDBClient({ endpoint: ddb.endpoint, region, credentials }));
    sqs = new SQSClient({ endpoint: fauxqsUrl, region, credentials });
    sns = new SNSClient({ endpoint: fauxqsUrl, region, credentials });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([ddb?.stop(), fauxqs?.stop()]);
  });

  it("creates tables with keys, GSIs, projections and a stream", async () => {
    const d = await new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: "us-west-2",
      credentials: { accessKeyId: "other", secretAccessKey: "x" },
    }).send(new DescribeTableCommand({ TableName: reg.name("Table") }));
    const t = d.Table;
    expect(t?.KeySchema?.map((k) => k.AttributeName)).toEqual(["pk", "sk"]);
    expect(
      t?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType]).sort(),
    ).toEqual([
      ["gsi1", "ALL"],
      ["outbox", "KEYS_ONLY"],
    ]);
    expect(t?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    expect(reg.getAtt("Table", "StreamArn")).toBe(t?.LatestStreamArn);
  });

  it("creates queues with their attributes and redrive policy, and the bucket", async () => {
    const a = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: reg.ref("Inbox"), AttributeNames: ["All"] }),
    );
    expect(a.Attributes?.VisibilityTimeout).toBe("1");
    expect(JSON.parse(a.Attributes?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: reg.getAtt("InboxDlq", "Arn"),
      maxReceiveCount: 2,
    });
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${fauxqs.port}`,
      region,
      credentials,
      forcePathStyle: true,
    });
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(
      reg.name("Bucket"),
    );
  });

  it("delivers raw messages through the subscription's filter policy only", async () => {
    const publish = (type: string, id: string) =>
      sns.send(
        new PublishCommand({
          TopicArn: reg.ref("Topic"),
          Message: JSON.stringify({ id, type }),
          MessageAttributes: { type: { DataType: "String", StringValue: type } },
        }),
      );
    await publish("NeedRaised", "skip-me");
    await publish("ProposalSubmitted", "keep-me");
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: reg.ref("Inbox"),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ["All"],
        VisibilityTimeout: 0,
      }),
    );
    expect(r.Messages?.map((m) => JSON.parse(m.Body ?? "{}").id)).toEqual(["keep-me"]);
    expect(r.Messages?.[0]?.MessageAttributes?.type?.StringValue).toBe("ProposalSubmitted");
  });

  it("polls like an event source mapping: deletes successes, failures end in the DLQ", async () => {
    // drain what the previous test left
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: reg.ref("Inbox"),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    for (const id of ["ok-1", "fail-1", "ok-2"]) {
      await sns.send(
        new PublishCommand({
          TopicArn: reg.ref("Topic"),
          Message: JSON.stringify({ id }),
          MessageAttributes: { type: { DataType: "String", StringValue: "ProposalScreened" } },
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1100)); // the drained message's visibility timeout
    const seen: string[] = [];
    const mapping = mappingsOf(t).find((m) => m.kind === "sqs") as SqsMappingDef;
    const poller = new SqsPoller(
      mapping,
      { url: reg.ref("Inbox") as string, arn: reg.getAtt("Inbox", "Arn") as string, region },
      sqs,
      async (_fn, event) => {
        const records = (
          event as { Records: { messageId: string; body: string; eventSource: string }[] }
        ).Records;
        expect(records.every((r) => r.eventSource === "aws:sqs")).toBe(true);
        seen.push(...records.map((r) => JSON.parse(r.body).id));
        return {
          batchItemFailures: records
            .filter(
              (r) =>
                JSON.parse(r.body).id.startsWith("fail") || JSON.parse(r.body).id === "keep-me",
            )
            .map((r) => ({ itemIdentifier: r.messageId })),
        };
      },
      () => {},
    );
    await poller.start();
    const until = Date.now() + 10_000;
    let dlq: string[] = [];
    while (Date.now() < until) {
      const q = fauxqs.inspectQueue(reg.name("InboxDlq"));
      dlq = (q?.messages.ready ?? []).map((m) => JSON.parse(m.body).id);
      if (dlq.includes("fail-1")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await poller.stop();
    expect(dlq).toContain("fail-1");
    expect(seen.filter((id) => id === "ok-1")).toHaveLength(1);
    expect(seen.filter((id) => id === "fail-1").length).toBeGreaterThanOrEqual(2);
    const inbox = fauxqs.inspectQueue(reg.name("Inbox"));
    expect(
      [
        ...(inbox?.messages.ready ?? []),
        ...(inbox?.messages.inflight.map((i) => i.message) ?? []),
      ].map((m) => JSON.parse(m.body).id),
    ).not.toContain("ok-1");
  }, 30_000);
});
