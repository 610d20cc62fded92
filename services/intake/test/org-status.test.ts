import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ddb } from "@pencai/runtime/clients";
import { Tx } from "@pencai/runtime/tx";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.TABLE_NAME = "intake-test";
});

import { checkOrgActive, orgChanged } from "../src/org-status.js";

// Intake's projection of the organisation registry: the highest seq wins, whatever the order the
// events arrive in; a proposal's creation checks the applicant's status in its own transaction.

const ddbMock = mockClient(ddb);
afterEach(() => ddbMock.reset());

const event = (status: string, seq: number) =>
  ({
    type: "OrgStatusChanged",
    data: { orgId: "O1", status, seq },
  }) as unknown as Parameters<typeof orgChanged>[0];

async function itemsAfter(e: Parameters<typeof orgChanged>[0], stored?: Record<string, unknown>) {
  ddbMock.on(GetCommand).resolves({ Item: stored });
  ddbMock.on(TransactWriteCommand).resolves({});
  const tx = new Tx("intake-test");
  await orgChanged(e, tx, {} as Parameters<typeof orgChanged>[2]);
  await tx.commit();
  return ddbMock.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
}

describe("the organisation status projection", () => {
  it("writes a newer status, conditional on no newer one having landed meanwhile", async () => {
    const items = await itemsAfter(event("suspended", 3), {
      pk: "ORG#O1",
      status: "active",
      seq: 2,
    });
    expect(items[0]!.Put).toMatchObject({
      Item: { pk: "ORG#O1", sk: "ORG", status: "suspended", seq: 3 },
      ConditionExpression: "attribute_not_exists(pk) OR seq < :seq",
      ExpressionAttributeValues: { ":seq": 3 },
    });
  });
  it("ignores an older or repeated event (a late OrgRegistered after the admission)", async () => {
    expect(
      await itemsAfter(event("in_notice", 1), { pk: "ORG#O1", status: "active", seq: 2 }),
    ).toEqual([]);
    expect(
      await itemsAfter(event("active", 2), { pk: "ORG#O1", status: "active", seq: 2 }),
    ).toEqual([]);
  });
  it("a proposal naming an organisation checks it is active; one naming none checks nothing", () => {
    const tx = checkOrgActive(new Tx("intake-test"), "O1");
    expect(tx.size).toBe(1);
    expect(checkOrgActive(new Tx("intake-test"), undefined).size).toBe(0);
  });
});
