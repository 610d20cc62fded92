import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { redrive } from "../lib/redrive.js";

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: "ap-east-1" });
const url = (name: string) => `https://sqs.ap-east-1.amazonaws.com/000000000000/${name}`;
const arn = (name: string) => `arn:aws:sqs:ap-east-1:000000000000:${name}`;

/** Two cities' queues in one account; `dlqMessages` wait in demo's intake DLQ. */
function account(dlqMessages: number) {
  const tags: Record<string, Record<string, string>> = {
    "Pencai-demo-IntakeInboxQueue": { "pencai:city": "demo" },
    "Pencai-demo-IntakeInboxDlq": { "pencai:city": "demo", "pencai:dlq": "demo/intake" },
    "Pencai-demo-ApprovalInboxDlq": { "pencai:city": "demo", "pencai:dlq": "demo/approval" },
    "Pencai-luohu-IntakeInboxDlq": { "pencai:city": "luohu", "pencai:dlq": "luohu/intake" },
  };
  const names = Object.keys(tags);
  // two pages of queues: demo's intake DLQ on the second
  sqsMock
    .on(ListQueuesCommand)
    .callsFake(async (input: { NextToken?: string }) =>
      input.NextToken === "p2"
        ? { QueueUrls: names.slice(0, 2).map(url) }
        : { QueueUrls: names.slice(2).map(url), NextToken: "p2" },
    );
  sqsMock.on(ListQueueTagsCommand).callsFake(async (input: { QueueUrl: string }) => ({
    Tags: tags[input.QueueUrl.split("/").pop()!],
  }));
  sqsMock.on(GetQueueAttributesCommand).callsFake(async (input: { QueueUrl: string }) => {
    const name = input.QueueUrl.split("/").pop()!;
    return {
      Attributes: {
        QueueArn: arn(name),
        ApproximateNumberOfMessages: String(name.endsWith("Dlq") ? dlqMessages : 0),
      },
    };
  });
  sqsMock
    .on(ListDeadLetterSourceQueuesCommand, { QueueUrl: url("Pencai-demo-IntakeInboxDlq") })
    .resolves({ queueUrls: [url("Pencai-demo-IntakeInboxQueue")] });
  sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
  sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-1" });
}

const starts = () => sqsMock.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input);

beforeEach(() => sqsMock.reset());
afterEach(() => sqsMock.reset());

describe("npm run redrive", () => {
  it("moves a service's DLQ back into its inbox, naming the inbox as the destination", async () => {
    account(7);
    const result = await redrive(sqs, { city: "demo", queue: "intake" });
    expect(result).toEqual({
      action: "started",
      dlqArn: arn("Pencai-demo-IntakeInboxDlq"),
      inboxArn: arn("Pencai-demo-IntakeInboxQueue"),
      messages: 7,
      taskHandle: "task-1",
    });
    expect(starts()).toEqual([
      {
        SourceArn: arn("Pencai-demo-IntakeInboxDlq"),
        DestinationArn: arn("Pencai-demo-IntakeInboxQueue"),
      },
    ]);
    // it read the second page of queues (the paginator reuses one input object, so count calls)
    expect(sqsMock.commandCalls(ListQueuesCommand)).toHaveLength(2);
  });

  it("passes a rate, and starts nothing on a dry run", async () => {
    account(3);
    await redrive(sqs, { city: "demo", queue: "intake", rate: 5 });
    expect(starts()[0]).toMatchObject({ MaxNumberOfMessagesPerSecond: 5 });
    sqsMock.reset();
    account(3);
    expect(await redrive(sqs, { city: "demo", queue: "intake", dryRun: true })).toMatchObject({
      action: "would-move",
      messages: 3,
    });
    expect(starts()).toEqual([]);
  });

  it("can be run twice: an empty DLQ or a move under way starts nothing", async () => {
    account(0);
    expect(await redrive(sqs, { city: "demo", queue: "intake" })).toEqual({
      action: "empty",
      dlqArn: arn("Pencai-demo-IntakeInboxDlq"),
    });
    sqsMock.reset();
    account(4);
    sqsMock.on(ListMessageMoveTasksCommand).resolves({
      Results: [{ Status: "RUNNING", TaskHandle: "task-1", ApproximateNumberOfMessagesMoved: 2 }],
    });
    expect(await redrive(sqs, { city: "demo", queue: "intake" })).toMatchObject({
      action: "running",
      taskHandle: "task-1",
      moved: 2,
    });
    expect(starts()).toEqual([]);
  });

  it("refuses an unknown queue, naming the city's DLQs, and never takes another city's", async () => {
    account(1);
    await expect(redrive(sqs, { city: "demo", queue: "intak" })).rejects.toThrow(
      'no DLQ for queue "intak" in city demo; its DLQs: approval, intake',
    );
    await expect(redrive(sqs, { city: "ningbo", queue: "intake" })).rejects.toThrow(
      /no DLQ tagged pencai:dlq for city ningbo/,
    );
    expect(starts()).toEqual([]);
  });
});
