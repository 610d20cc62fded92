import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

import { type EventHandler, eventConsumer, invalidState, newEvent } from "../src/index.js";
import { context, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);
beforeAll(useTestCity);
afterEach(() => {
  ddb.reset();
});

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {},
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:ap-east-1:000000000000:inbox",
    awsRegion: "ap-east-1",
  }) as SQSRecord;

const event = (type: "ProposalApproved" | "SlaBreached" = "ProposalApproved") =>
  newEvent({
    type,
    proposalId: "P1",
    actor: { sub: "g1", roles: ["district_group"] },
    correlationId: "corr-1",
    data: { amountFen: 100 },
    now: new Date("2026-05-01T00:00:00Z"),
  });

const sqs = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const onApproved = vi.fn<EventHandler>(async (e, tx) => {
  tx.update(
    { pk: `PROPOSAL#${e.proposalId}`, sk: "P" },
    { update: "SET #s = :s", names: { "#s": "status" }, values: { ":s": "approved" } },
  );
});
const consumer = eventConsumer({
  service: "intake",
  table: "intake",
  handlers: { ProposalApproved: onApproved },
});

describe("eventConsumer", () => {
  it("commits the inbox record and the handler's items in one transaction", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const e = event();
    const out = await consumer(sqs(record("m1", JSON.stringify(e))), context);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(onApproved).toHaveBeenCalledWith(
      e,
      expect.anything(),
      expect.objectContaining({ correlationId: "corr-1" }),
    );
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put).toMatchObject({
      TableName: "intake",
      Item: { pk: `INBOX#${e.id}`, sk: "INBOX" },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(items[1]!.Update!.Key).toEqual({ pk: "PROPOSAL#P1", sk: "P" });
  });

  it("reports only the failed records of a batch (malformed JSON, not an envelope, a failing write)", async () => {
    const good = event();
    const failing = event();
    ddb.on(TransactWriteCommand).callsFake(async (input) => {
      if (JSON.stringify(input).includes(failing.id)) throw new Error("throttled");
      return {};
    });
    const out = await consumer(
      sqs(
        record("ok", JSON.stringify(good)),
        record("not-json", "{oops"),
        record("not-envelope", JSON.stringify({ hello: "world" })),
        record("write-fails", JSON.stringify(failing)),
      ),
      context,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      "not-envelope",
      "not-json",
      "write-fails",
    ]);
  });

  it("returns failures even when the whole batch fails (no throw)", async () => {
    const out = await consumer(sqs(record("bad", "nope")), context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
  });

  it("ignores a duplicate delivery: the inbox condition failing means already processed", async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );
    const out = await consumer(sqs(record("dup", JSON.stringify(event()))), context);
    expect(out).toEqual({ batchItemFailures: [] });
  });

  it("re-reads and retries an event whose write lost an optimistic-concurrency check", async () => {
    let calls = 0;
    ddb.on(TransactWriteCommand).callsFake(async () => {
      calls++;
      if (calls === 1) {
        throw new TransactionCanceledException({
          message: "cancelled",
          $metadata: {},
          CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
        });
      }
      return {};
    });
    const stale = eventConsumer({
      service: "intake",
      table: "intake",
      handlers: {
        ProposalApproved: async (_e, tx) => {
          tx.update(
            { pk: "PROPOSAL#P1", sk: "P" },
            {
              update: "SET #s = :s",
              condition: "version = :v",
              names: { "#s": "status" },
              values: { ":s": "approved", ":v": calls },
              onFail: invalidState("the proposal changed meanwhile"),
            },
          );
        },
      },
    });
    const out = await stale(sqs(record("race", JSON.stringify(event()))), context);
    expect(out).toEqual({ batchItemFailures: [] });
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(2);
    // the second attempt was decided again from a fresh read (here: the new version)
    expect(
      writes[1]!.args[0].input.TransactItems![1]!.Update!.ExpressionAttributeValues,
    ).toMatchObject({ ":v": 1 });
  });

  it("gives up after a few conflicts and reports the record as failed", async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "cancelled",
        $metadata: {},
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
      }),
    );
    const always = eventConsumer({
      service: "intake",
      table: "intake",
      handlers: {
        ProposalApproved: async (_e, tx) => {
          tx.check(
            { pk: "PROPOSAL#P1", sk: "P" },
            { condition: "version = :v", values: { ":v": 1 }, onFail: invalidState("changed") },
          );
        },
      },
    });
    const out = await always(sqs(record("stuck", JSON.stringify(event()))), context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: "stuck" }] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it("acknowledges event types it has no handler for, and unknown types, without writing", async () => {
    const unknown = { ...event(), type: "SomethingNew" };
    const out = await consumer(
      sqs(record("a", JSON.stringify(event("SlaBreached"))), record("b", JSON.stringify(unknown))),
      context,
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ddb.calls()).toHaveLength(0);
  });
});
