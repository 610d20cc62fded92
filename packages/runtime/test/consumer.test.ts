import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
});

import { stale } from "@pencai/contracts/errors";
import { defineInbox } from "@pencai/contracts/event-data";
import { type EventHandler, eventConsumer } from "../src/consumer.js";
import { newEvent } from "../src/events.js";
import { logger } from "../src/logger.js";
import { context, useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);
beforeAll(useTestCity);
afterEach(() => {
  ddb.reset();
  vi.clearAllMocks();
});

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: "2" },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:ap-east-1:000000000000:inbox",
    awsRegion: "ap-east-1",
  }) as SQSRecord;

const withdrawnData = { proposalId: "P1", needIds: ["N1"], previousStatus: "submitted" };
const event = (
  type: "ProposalWithdrawn" | "SlaBreached" = "ProposalWithdrawn",
  data: unknown = withdrawnData,
) =>
  newEvent({
    type,
    proposalId: "P1",
    actor: { sub: "r1", roles: ["resident"] },
    correlationId: "corr-1",
    data,
    now: new Date("2026-05-01T00:00:00Z"),
  });

const sqs = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const inbox = defineInbox(["ProposalWithdrawn"]);
const onWithdrawn = vi.fn<EventHandler<"ProposalWithdrawn">>(async (e, tx) => {
  tx.update(
    { pk: `PROPOSAL#${e.data.proposalId}`, sk: "P" },
    { update: "SET #s = :s", names: { "#s": "status" }, values: { ":s": "withdrawn" } },
  );
});
const consumer = eventConsumer({
  service: "intake",
  table: "intake",
  inbox,
  handlers: { ProposalWithdrawn: onWithdrawn },
});

describe("eventConsumer", () => {
  it("commits the inbox record and the handler's items in one transaction", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const e = event();
    const out = await consumer(sqs(record("m1", JSON.stringify(e))), context);
    expect(out).toEqual({ batchItemFailures: [] });
    expect(onWithdrawn).toHaveBeenCalledWith(
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

  it("hands the handler the data parsed against its type's contract (unknown fields dropped)", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const e = event("ProposalWithdrawn", { ...withdrawnData, extra: "from a newer producer" });
    await consumer(sqs(record("m1", JSON.stringify(e))), context);
    expect(onWithdrawn.mock.calls[0]![0].data).toEqual(withdrawnData);
  });

  it("sends forged or garbage event data to the DLQ before any handler runs, and logs why", async () => {
    const error = vi.spyOn(logger, "error");
    const cases = {
      garbage: event("ProposalWithdrawn", { garbage: "x" }),
      "wrong types": event("ProposalWithdrawn", { ...withdrawnData, needIds: "N1" }),
      "no data": { ...event(), data: undefined },
      "another city": { ...event(), cityId: "elsewhere" },
      "proposal ids disagree": { ...event(), proposalId: "P2" },
    };
    const out = await consumer(
      sqs(...Object.entries(cases).map(([id, e]) => record(id, JSON.stringify(e)))),
      context,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      Object.keys(cases).sort(),
    );
    expect(onWithdrawn).not.toHaveBeenCalled();
    expect(ddb.calls()).toHaveLength(0);
    // each failure is logged with its event id, type and reason, every time it is received
    const logged = error.mock.calls.map(([, attrs]) => attrs as Record<string, unknown>);
    expect(logged).toHaveLength(5);
    expect(logged[0]).toMatchObject({
      messageId: "garbage",
      eventId: cases.garbage.id,
      type: "ProposalWithdrawn",
      receiveCount: 2,
      reason: expect.stringMatching(/MalformedEvent: data breaks the ProposalWithdrawn contract/),
    });
    expect(logged[3]!.reason).toMatch(/city elsewhere/);
  });

  it("refuses a handler map that is not exactly the inbox's types", () => {
    expect(() =>
      eventConsumer({
        service: "x",
        inbox,
        handlers: { ProposalWithdrawn: onWithdrawn, ProposalSubmitted: onWithdrawn } as never,
      }),
    ).toThrow(/exactly the inbox/);
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
    const racing = eventConsumer({
      service: "intake",
      table: "intake",
      inbox,
      handlers: {
        ProposalWithdrawn: async (_e, tx) => {
          tx.update(
            { pk: "PROPOSAL#P1", sk: "P" },
            {
              update: "SET #s = :s",
              condition: "version = :v",
              names: { "#s": "status" },
              values: { ":s": "withdrawn", ":v": calls },
              onFail: stale("the proposal"),
            },
          );
        },
      },
    });
    const out = await racing(sqs(record("race", JSON.stringify(event()))), context);
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
      inbox,
      handlers: {
        ProposalWithdrawn: async (_e, tx) => {
          tx.check(
            { pk: "PROPOSAL#P1", sk: "P" },
            { condition: "version = :v", values: { ":v": 1 }, onFail: stale("the proposal") },
          );
        },
      },
    });
    const out = await always(sqs(record("stuck", JSON.stringify(event()))), context);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: "stuck" }] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it("acknowledges event types its inbox does not subscribe to, and unknown types, without writing", async () => {
    const unknown = { ...event(), type: "SomethingNew" };
    const out = await consumer(
      sqs(
        record("a", JSON.stringify(event("SlaBreached", {}))),
        record("b", JSON.stringify(unknown)),
      ),
      context,
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(ddb.calls()).toHaveLength(0);
  });
});
