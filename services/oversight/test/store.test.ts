import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ddb } from "@pencai/runtime/clients";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.TABLE_NAME = "oversight-test";
});

import * as store from "../src/store.js";

// What a counted item's change sends: the item conditional on the version read, and one ADD of
// the difference per aggregate touched (none when nothing it counts changed).

const ddbMock = mockClient(ddb);
afterEach(() => ddbMock.reset());

const place = { communityId: "c1", streetId: "s1", districtId: "d1" };
const share = (counters: Record<string, number>) => ({ place, year: 2026, counters });

async function sent(build: (c: store.Changes) => void) {
  ddbMock.on(TransactWriteCommand).resolves({});
  const changes = new store.Changes();
  build(changes);
  await changes.into(store.newTx()).commit();
  return ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
}

describe("counted item writes", () => {
  it("a new item: put if absent, and its whole share added to community, street and district", async () => {
    const items = await sent((c) =>
      c.put(
        store.keys.need("N1"),
        undefined,
        { id: "N1", linked: false },
        share({ "needs.raised": 1 }),
      ),
    );
    expect(items[0]!.Put).toMatchObject({
      Item: { pk: "NEED#N1", sk: "NEED", version: 1 },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    const updates = items.slice(1).map((i) => i.Update!);
    expect(updates.map((u) => u.Key)).toEqual([
      { pk: "AGG#community#c1#2026", sk: "TOTALS" },
      { pk: "AGG#street#s1#2026", sk: "TOTALS" },
      { pk: "AGG#district#d1#2026", sk: "TOTALS" },
    ]);
    expect(updates[0]).toMatchObject({
      UpdateExpression: "SET #level = :level, #id = :id, #year = :year ADD #c0 :c0",
      ExpressionAttributeNames: { "#c0": "needs.raised" },
      ExpressionAttributeValues: { ":c0": 1 },
    });
  });

  it("a change adds after - before, conditional on the version read; zero deltas are left out", async () => {
    const before = {
      record: { id: "N1", linked: false },
      version: 3,
      contribution: share({ "needs.raised": 1 }),
    };
    const items = await sent((c) =>
      c.put(
        store.keys.need("N1"),
        before,
        { id: "N1", linked: true },
        share({ "needs.raised": 1, "needs.linked": 1 }),
      ),
    );
    expect(items[0]!.Put).toMatchObject({
      Item: { version: 4 },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 3 },
    });
    expect(items[1]!.Update).toMatchObject({
      ExpressionAttributeNames: { "#c0": "needs.linked" },
      ExpressionAttributeValues: { ":c0": 1 },
    });
    expect(items).toHaveLength(4);
  });

  it("nothing changed: nothing sent", async () => {
    const before = {
      record: { id: "M1" },
      version: 1,
      contribution: share({ "meetings.held": 1 }),
    };
    const items = await sent((c) =>
      c.put(store.keys.meeting("M1"), before, { id: "M1" }, share({ "meetings.held": 1 })),
    );
    expect(items).toEqual([]);
  });
});
