import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import { ddb } from "@pencai/runtime/clients";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { handler } from "../src/handlers/inbox.js";
import { proposalItem } from "../src/store.js";
import { proposalRecord, ULID_A, ULID_B, ULID_N, useTestCity } from "./fixtures.js";

const ddbMock = mockClient(ddb);

beforeAll(() => {
  process.env.TABLE_NAME = "intake-test";
  useTestCity();
});
afterEach(() => {
  ddbMock.reset();
});

const envelope = (type: Envelope["type"], data: Record<string, unknown> = {}): Envelope => ({
  id: `01JEVT${type.length.toString().padStart(20, "0")}`,
  type,
  version: 1,
  occurredAt: "2026-05-01T00:00:00.000Z",
  cityId: "testcity",
  proposalId: ULID_A,
  communityId: "c1",
  actor: { sub: "group-1", roles: ["district_group"] },
  correlationId: "corr-1",
  data,
});
const sqs = (...events: Envelope[]): SQSEvent =>
  ({
    Records: events.map((e, i) => ({
      messageId: `m${i}`,
      body: JSON.stringify(e),
      receiptHandle: "r",
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:ap-east-1:000000000000:intake-inbox",
      awsRegion: "ap-east-1",
    })),
  }) as unknown as SQSEvent;
const context = { functionName: "inbox", awsRequestId: "req" } as Context;

function transaction() {
  const calls = ddbMock.commandCalls(TransactWriteCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.TransactItems!;
}

describe("intake inbox", () => {
  it("projects ProposalApproved: status, timeline item and the community-year commitment, with the inbox record", async () => {
    // Prepare
    ddbMock.on(GetCommand).resolves({
      Item: proposalItem(
        proposalRecord({ status: "forwarded", budgetFen: 4_000_000, timelineSeq: 3 }),
      ),
    });
    ddbMock.on(TransactWriteCommand).resolves({});
    // Act
    const out = await handler(
      sqs(envelope("ProposalApproved", { disbursementDueAt: "2026-05-22T16:00:00.000Z" })),
      context,
    );
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    const items = transaction();
    expect(items[0]!.Put!.Item).toMatchObject({ pk: expect.stringMatching(/^INBOX#/) });
    expect(items[1]!.Put).toMatchObject({
      ConditionExpression: "timelineSeq = :seq",
      Item: { status: "approved", committed: true, timelineSeq: 4, publicStage: "decision" },
    });
    expect(items[2]!.Put!.Item).toMatchObject({
      sk: "TL#000004",
      type: "ProposalApproved",
      actor: { role: "district_group" },
    });
    expect(JSON.stringify(items[2])).not.toContain("group-1");
    expect(items[3]!.Update).toMatchObject({
      Key: { pk: "BUDGET#c1#2026", sk: "BUDGET" },
      ExpressionAttributeValues: { ":fen": 4_000_000 },
    });
  });

  it("links a submitted proposal to its needs, and unlinks it on withdrawal", async () => {
    ddbMock
      .on(GetCommand)
      .resolves({ Item: proposalItem(proposalRecord({ needIds: [ULID_N, ULID_B] })) });
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(sqs(envelope("ProposalSubmitted", { proposalId: ULID_A })), context);
    const added = transaction().slice(1);
    expect(added.map((i) => [i.Update!.Key!.pk, i.Update!.UpdateExpression])).toEqual([
      [`NEED#${ULID_N}`, "ADD proposalIds :ids"],
      [`NEED#${ULID_B}`, "ADD proposalIds :ids"],
    ]);
    expect(added[0]!.Update!.ExpressionAttributeValues![":ids"]).toEqual(new Set([ULID_A]));

    ddbMock.reset();
    ddbMock
      .on(GetCommand)
      .resolves({ Item: proposalItem(proposalRecord({ status: "withdrawn", needIds: [ULID_N] })) });
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(sqs(envelope("ProposalWithdrawn", { proposalId: ULID_A })), context);
    expect(transaction()[1]!.Update!.UpdateExpression).toBe("DELETE proposalIds :ids");
  });

  it("does not link a proposal that was withdrawn before its submission event arrived", async () => {
    ddbMock
      .on(GetCommand)
      .resolves({ Item: proposalItem(proposalRecord({ status: "withdrawn" })) });
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(sqs(envelope("ProposalSubmitted", { proposalId: ULID_A })), context);
    expect(transaction()).toHaveLength(1); // the inbox record only
  });

  it("acknowledges a duplicate delivery (inbox record exists) and retries a lost race", async () => {
    ddbMock.on(GetCommand).resolves({ Item: proposalItem(proposalRecord({ status: "reported" })) });
    ddbMock.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [
          { Code: "ConditionalCheckFailed" },
          { Code: "None" },
          { Code: "None" },
        ],
      }),
    );
    expect(
      (await handler(sqs(envelope("DistrictReviewCompleted", { decision: "forward" })), context))
        .batchItemFailures,
    ).toEqual([]);
    ddbMock.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [
          { Code: "None" },
          { Code: "ConditionalCheckFailed" },
          { Code: "None" },
        ],
      }),
    );
    expect(
      (await handler(sqs(envelope("DistrictReviewCompleted", { decision: "forward" })), context))
        .batchItemFailures,
    ).toEqual([{ itemIdentifier: "m0" }]);
  });
});
