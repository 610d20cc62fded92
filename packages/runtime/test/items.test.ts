import { BatchGetCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { batchGetAll } from "../src/items.js";

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  ddb.reset();
});

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `P#${i}`, sk: "P" }));

describe("batchGetAll", () => {
  it("asks again for the keys DynamoDB left unprocessed, until every item is read", async () => {
    // Prepare: the first answer reads 2 of 5 and leaves 3; the second reads 1 and leaves 2; ...
    const wanted = keys(5);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { t: wanted.slice(0, 2) },
        UnprocessedKeys: { t: { Keys: wanted.slice(2) } },
      })
      .resolvesOnce({
        Responses: { t: wanted.slice(2, 3) },
        UnprocessedKeys: { t: { Keys: wanted.slice(3) } },
      })
      .resolvesOnce({ Responses: { t: wanted.slice(3) } });
    // Act
    const items = await batchGetAll("t", wanted);
    // Assess
    expect(items.map((i) => i.pk).sort()).toEqual(wanted.map((k) => k.pk).sort());
    const asked = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.t!);
    expect(asked.map((r) => r.Keys!.length)).toEqual([5, 3, 2]);
    expect(asked.every((r) => r.ConsistentRead)).toBe(true);
  });

  it("reads 100 keys per call", async () => {
    ddb.on(BatchGetCommand).callsFake(async (input) => ({
      Responses: { t: input.RequestItems.t.Keys },
    }));
    expect(await batchGetAll("t", keys(250))).toHaveLength(250);
    expect(
      ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.t!.Keys!.length),
    ).toEqual([100, 100, 50]);
  });

  it("throws rather than answer with items missing when keys stay unprocessed", async () => {
    ddb
      .on(BatchGetCommand)
      .resolves({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: keys(1) } } });
    await expect(batchGetAll("t", keys(1))).rejects.toThrow(/unprocessed/);
  }, 20_000);
});
