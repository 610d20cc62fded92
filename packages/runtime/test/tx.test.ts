import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DomainError, invalidState, rule } from "@pencai/contracts/errors";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { newEvent } from "../src/events.js";
import { IdempotencyRecord } from "../src/idempotency.js";
import { AlreadyProcessed, IdempotencyRace, MAX_TX_ITEMS, Tx } from "../src/tx.js";
import { useTestCity } from "./support.js";

const ddb = mockClient(DynamoDBDocumentClient);
beforeAll(useTestCity);
afterEach(() => {
  ddb.reset();
});

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const capExceeded = rule("budget_cap_exceeded", "over the community's yearly cap");
const notSubmitted = invalidState("not submitted");

describe("Tx", () => {
  it("writes every item in one TransactWriteItems with its table and expressions", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await new Tx("t")
      .put({ pk: "P#1", sk: "P" }, { condition: "attribute_not_exists(pk)" })
      .update(
        { pk: "P#2", sk: "P" },
        {
          update: "SET #s = :s",
          names: { "#s": "status" },
          values: { ":s": "screened" },
          condition: "#s = :old",
        },
      )
      .check({ pk: "B#1", sk: "B" }, { condition: "attribute_exists(pk)", onFail: capExceeded })
      .delete({ pk: "X#1", sk: "X" })
      .commit();
    const input = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    expect(input.ReturnConsumedCapacity).toBeUndefined();
    expect(input.TransactItems).toEqual([
      {
        Put: {
          TableName: "t",
          Item: { pk: "P#1", sk: "P" },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Update: {
          TableName: "t",
          Key: { pk: "P#2", sk: "P" },
          UpdateExpression: "SET #s = :s",
          ConditionExpression: "#s = :old",
          ExpressionAttributeNames: { "#s": "status" },
          ExpressionAttributeValues: { ":s": "screened" },
        },
      },
      {
        ConditionCheck: {
          TableName: "t",
          Key: { pk: "B#1", sk: "B" },
          ConditionExpression: "attribute_exists(pk)",
        },
      },
      { Delete: { TableName: "t", Key: { pk: "X#1", sk: "X" } } },
    ]);
  });

  it("maps the first failed item with onFail to its problem", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled("None", "ConditionalCheckFailed", "ConditionalCheckFailed"));
    const tx = new Tx("t")
      .put({ pk: "A", sk: "A" })
      .update(
        { pk: "B", sk: "B" },
        { update: "SET x = :x", values: { ":x": 1 }, condition: "x = :x", onFail: notSubmitted },
      )
      .check({ pk: "C", sk: "C" }, { condition: "attribute_exists(pk)", onFail: capExceeded });
    const err = await tx.commit().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "invalid_state", detail: "not submitted" });
    expect((err as DomainError).isFrom(notSubmitted)).toBe(true);
    // the cancellation is kept as the cause, for the logs
    expect((err as DomainError).cause).toMatchObject({ name: "TransactionCanceledException" });
  });

  it("rethrows a failed condition that has no onFail", async () => {
    const err = cancelled("ConditionalCheckFailed");
    ddb.on(TransactWriteCommand).rejects(err);
    await expect(
      new Tx("t").put({ pk: "A", sk: "A" }, { condition: "attribute_not_exists(pk)" }).commit(),
    ).rejects.toThrow("Transaction cancelled");
  });

  it("turns a transaction conflict into a retryable 409 conflict", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict", "None"));
    const err = await new Tx("t")
      .put({ pk: "A", sk: "A" })
      .put({ pk: "B", sk: "B" })
      .commit()
      .catch((e) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "conflict" });
    expect((err as DomainError).cause).toMatchObject({ name: "TransactionCanceledException" });
  });

  it("reports a lost inbox condition as AlreadyProcessed, before any other failure", async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled("ConditionalCheckFailed", "ConditionalCheckFailed"));
    const tx = new Tx("t")
      .inbox("01EVENT", new Date())
      .check({ pk: "C", sk: "C" }, { condition: "attribute_exists(pk)", onFail: capExceeded });
    await expect(tx.commit()).rejects.toBeInstanceOf(AlreadyProcessed);
  });

  const record = (now = new Date()) =>
    new IdempotencyRecord(
      { sub: "u", key: "k", requestHash: "h" },
      { status: 201, body: "{}" },
      now,
    );

  it("writes the idempotency record it is handed, conditional on no live record", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const at = new Date("2026-12-02T00:00:00Z");
    await new Tx("t").put({ pk: "A", sk: "A" }).idempotency(record(at)).commit();
    const put = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![1]!.Put!;
    expect(put.Item).toMatchObject({
      pk: "IDEM#u#k",
      sk: "IDEM",
      requestHash: "h",
      reply: { status: 201, body: "{}" },
      ttl: at.getTime() / 1000 + 24 * 3600,
    });
    expect(put.ConditionExpression).toBe("attribute_not_exists(pk) OR #ttl < :now");
    expect(put.ExpressionAttributeValues).toEqual({ ":now": at.getTime() / 1000 });
  });

  it("reports a lost idempotency condition as IdempotencyRace", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed"));
    const tx = new Tx("t").put({ pk: "A", sk: "A" }).idempotency(record());
    await expect(tx.commit()).rejects.toBeInstanceOf(IdempotencyRace);
  });

  it("holds one idempotency record; an empty Tx commits nothing", async () => {
    expect(() => new Tx("t").idempotency(record()).idempotency(record())).toThrow(/one/);
    const tx = new Tx("t");
    expect(tx.size).toBe(0);
    expect(await tx.commit()).toEqual({});
    expect(ddb.calls()).toHaveLength(0);
  });

  it("refuses more than 100 items", () => {
    const tx = new Tx("t");
    for (let i = 0; i < MAX_TX_ITEMS; i++) tx.put({ pk: `P#${i}`, sk: "P" });
    expect(() => tx.put({ pk: "one-too-many", sk: "P" })).toThrow(/at most 100/);
  });

  it("returns consumed capacity when asked", async () => {
    ddb
      .on(TransactWriteCommand)
      .resolves({ ConsumedCapacity: [{ TableName: "t", CapacityUnits: 4 }] });
    const out = await new Tx("t")
      .put({ pk: "A", sk: "A" })
      .commit({ returnConsumedCapacity: true });
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe(
      "TOTAL",
    );
    expect(out.consumedCapacity).toEqual([{ TableName: "t", CapacityUnits: 4 }]);
  });

  it("writes an event as a pending outbox item", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const now = new Date("2026-03-01T02:00:00.000Z");
    const event = newEvent({
      type: "ProposalSubmitted",
      proposalId: "P1",
      communityId: "c1",
      actor: { sub: "u1", roles: ["resident"] },
      correlationId: "corr",
      data: { budgetFen: 1 },
      now,
    });
    expect(event).toMatchObject({ version: 1, cityId: "testcity", occurredAt: now.toISOString() });
    await new Tx("t").event(event).commit();
    const put = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(put.Item).toEqual({
      pk: `OUTBOX#${event.id}`,
      sk: "OUTBOX",
      event,
      outboxPending: "PENDING",
      outboxAt: now.toISOString(),
      ttl: Math.floor(now.getTime() / 1000) + 30 * 24 * 3600,
    });
  });
});
