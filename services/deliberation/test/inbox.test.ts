import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import { ddb } from "@pencai/runtime/clients";
import { context, sqsEvent } from "@pencai/runtime/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { handler } from "../src/handlers/inbox.js";
import { proposalItem } from "../src/store.js";
import { P1, projection, screenedData, useTestCity } from "./fixtures.js";

const ddbMock = mockClient(ddb);

beforeAll(() => {
  process.env.TABLE_NAME = "deliberation-test";
  useTestCity();
});
afterEach(() => {
  ddbMock.reset();
});

const envelope = (type: Envelope["type"], data: Record<string, unknown>): Envelope => ({
  id: "01JEVTAAAAAAAAAAAAAAAAAAAA",
  type,
  version: 1,
  occurredAt: "2026-04-01T00:00:00.000Z",
  cityId: "testcity",
  proposalId: P1,
  communityId: "c1",
  actor: { sub: "staff-1", roles: ["community_staff"] },
  correlationId: "corr-1",
  data,
});
const sqs = (e: Envelope) => sqsEvent([e], "deliberation-inbox");
const items = () => ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;

describe("deliberation inbox", () => {
  it("projects an accepted ProposalScreened with the inbox record, in one transaction", async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(TransactWriteCommand).resolves({});
    const out = await handler(sqs(envelope("ProposalScreened", screenedData)), context);
    expect(out.batchItemFailures).toEqual([]);
    const [inbox, put] = items()!;
    expect(inbox!.Put?.Item?.pk).toBe("INBOX#01JEVTAAAAAAAAAAAAAAAAAAAA");
    expect(put!.Put).toMatchObject({
      Item: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL", status: "screened", budgetFen: 1_000_000 },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  });

  it("changes nothing for a known proposal or a rejection (only the inbox record)", async () => {
    ddbMock.on(GetCommand).resolves({ Item: proposalItem(projection()) });
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(sqs(envelope("ProposalScreened", screenedData)), context);
    expect(items()).toHaveLength(1);
  });

  it("withdraws a known proposal on its version, and tombstones an unknown one", async () => {
    ddbMock.on(GetCommand).resolves({ Item: proposalItem(projection({ version: 3 })) });
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(
      sqs(
        envelope("ProposalWithdrawn", { proposalId: P1, needIds: [], previousStatus: "screened" }),
      ),
      context,
    );
    expect(items()![1]!.Put).toMatchObject({
      Item: { status: "withdrawn", version: 4, withdrawnAt: "2026-04-01T00:00:00.000Z" },
      ExpressionAttributeValues: { ":v": 3 },
    });
    ddbMock.reset();
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(TransactWriteCommand).resolves({});
    await handler(
      sqs(
        envelope("ProposalWithdrawn", { proposalId: P1, needIds: [], previousStatus: "screened" }),
      ),
      context,
    );
    expect(items()![1]!.Put?.Item).toMatchObject({ pk: `PROPOSAL#${P1}`, tombstone: true });
  });

  it("fails the record when a racing write wins, so SQS redelivers it", async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
      }),
    );
    const out = await handler(sqs(envelope("ProposalScreened", screenedData)), context);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m0" }]);
  });
});
