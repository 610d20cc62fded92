import { GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DomainError } from "@pencai/contracts/errors";
import { ddb } from "@pencai/runtime/clients";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { chainItem } from "../src/domain/timeline.js";
import type { ProposalRecord } from "../src/domain/types.js";
import * as store from "../src/store.js";
import { proposalRecord, ULID_A, ULID_B, ULID_N, useTestCity } from "./fixtures.js";

const ddbMock = mockClient(ddb);

beforeAll(() => {
  process.env.TABLE_NAME = "intake-test";
  useTestCity();
});
afterEach(() => {
  ddbMock.reset();
});

const sent = (i = 0) => ddbMock.commandCalls(TransactWriteCommand)[i]!.args[0].input.TransactItems!;
const cancelled = (codes: string[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

function submission(
  over: Partial<ProposalRecord> = {},
  budgetChecks = [{ communityId: "c1", year: 2026, committedLimitFen: 150_000_000 }],
) {
  const first = chainItem(null, {
    type: "ProposalSubmitted",
    at: "2026-03-01T00:00:00.000Z",
    actor: { role: "resident" },
    data: {},
  });
  const proposal = proposalRecord({
    needIds: [ULID_N, ULID_B],
    timelineSeq: 1,
    timelineHash: first.hash,
    ...over,
  });
  return {
    proposal,
    first,
    tx: store.addSubmission(store.newTx(), proposal, first, budgetChecks),
  };
}

describe("store: submitting", () => {
  it("puts proposal, first timeline item and proposer index with ConditionChecks on every need and the budget", async () => {
    // Prepare
    ddbMock.on(TransactWriteCommand).resolves({});
    const { tx } = submission();
    // Act
    await tx.commit();
    // Assess
    const items = ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const puts = items.flatMap((i) => (i.Put ? [i.Put] : []));
    expect(puts.map((p) => [p.Item!.pk, p.Item!.sk])).toEqual([
      [`PROPOSAL#${ULID_A}`, "PROPOSAL"],
      [`PROPOSAL#${ULID_A}`, "TL#000001"],
      [`PROPOSER#res-1`, `2026-03-01T00:00:00.000Z#${ULID_A}`],
    ]);
    expect(puts[0]!.ConditionExpression).toBe("attribute_not_exists(pk)");
    expect(puts[0]!.Item).toMatchObject({
      gsi1pk: "PROPOSAL#C#c1",
      gsi2pk: "PROPOSAL#S#s1",
      gsi3pk: "PROPOSAL#D#d1",
      gsi1sk: `2026#submitted#2026-03-01T00:00:00.000Z#${ULID_A}`,
      publicStage: "collection",
    });
    const checks = items.flatMap((i) => (i.ConditionCheck ? [i.ConditionCheck] : []));
    expect(checks).toEqual([
      expect.objectContaining({
        Key: { pk: `NEED#${ULID_N}`, sk: "NEED" },
        ConditionExpression: "attribute_exists(pk) AND communityId = :community",
        ExpressionAttributeValues: { ":community": "c1" },
      }),
      expect.objectContaining({ Key: { pk: `NEED#${ULID_B}`, sk: "NEED" } }),
      expect.objectContaining({
        Key: { pk: "BUDGET#c1#2026", sk: "BUDGET" },
        ConditionExpression: "attribute_not_exists(pk) OR committedFen <= :limit",
        ExpressionAttributeValues: { ":limit": 150_000_000 },
      }),
    ]);
  });

  it("maps a failed need check to 422 need_not_found and a failed budget check to community_cap_exceeded", async () => {
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled(["None", "None", "None", "None", "ConditionalCheckFailed", "None"]));
    await expect(submission().tx.commit()).rejects.toMatchObject({
      code: "need_not_found",
    });
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled(["None", "None", "None", "None", "None", "ConditionalCheckFailed"]));
    await expect(submission().tx.commit()).rejects.toMatchObject({
      code: "community_cap_exceeded",
    });
  });

  it("checks every community-year a phased or cross-community proposal charges", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await submission({}, [
      { communityId: "c1", year: 2026, committedLimitFen: 150_000_000 },
      { communityId: "c1", year: 2027, committedLimitFen: 170_000_000 },
    ]).tx.commit();
    const checks = sent().flatMap((i) => (i.ConditionCheck ? [i.ConditionCheck] : []));
    expect(checks.slice(-2)).toEqual([
      expect.objectContaining({
        Key: { pk: "BUDGET#c1#2026", sk: "BUDGET" },
        ExpressionAttributeValues: { ":limit": 150_000_000 },
      }),
      expect.objectContaining({
        Key: { pk: "BUDGET#c1#2027", sk: "BUDGET" },
        ExpressionAttributeValues: { ":limit": 170_000_000 },
      }),
    ]);
  });

  it("puts a package in its group only if the group is the same proposer's, community's and year's", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await submission({ packageGroupId: "grp-1" }).tx.commit();
    const puts = sent().flatMap((i) => (i.Put ? [i.Put] : []));
    expect(puts.slice(-2)).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ pk: "PKGGROUP#grp-1", sk: "GROUP", proposerSub: "res-1" }),
        ConditionExpression:
          "attribute_not_exists(pk) OR (communityId = :c AND #year = :y AND proposerSub = :sub)",
        ExpressionAttributeValues: { ":c": "c1", ":y": 2026, ":sub": "res-1" },
      }),
      expect.objectContaining({
        Item: expect.objectContaining({ pk: "PKGGROUP#grp-1", sk: `MEMBER#${ULID_A}` }),
      }),
    ]);
    // proposal, timeline, proposer index, two needs, the budget, then the group
    ddbMock
      .on(TransactWriteCommand)
      .rejects(
        cancelled(["None", "None", "None", "None", "None", "None", "ConditionalCheckFailed"]),
      );
    await expect(submission({ packageGroupId: "grp-1" }).tx.commit()).rejects.toMatchObject({
      code: "package_group_mismatch",
    });
  });
});

describe("store: transitions and counters", () => {
  it("replaces the proposal only at the expected chain head and appends the next item", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const before = proposalRecord({ timelineSeq: 4 });
    const entry = {
      type: "ProposalScreened",
      at: "2026-03-02T00:00:00.000Z",
      actor: { role: "community_staff" },
      data: {},
    };
    // the store chains the entry onto the head it read: recompute the expected item independently
    const item = chainItem({ seq: 4, hash: before.timelineHash }, entry);
    const tx = store.newTx();
    const after = store.addTransition(tx, before, { ...before, status: "withdrawn" }, entry);
    expect(after).toMatchObject({ timelineSeq: 5, timelineHash: item.hash });
    await tx.commit();
    const [put, timeline] =
      ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put!.Put).toMatchObject({
      ConditionExpression: "timelineSeq = :seq",
      ExpressionAttributeValues: { ":seq": 4 },
      Item: { status: "withdrawn", timelineSeq: 5, timelineHash: item.hash },
    });
    expect(put!.Put!.Item!.publicStage).toBeUndefined();
    expect(timeline!.Put!.Item).toMatchObject({
      pk: `PROPOSAL#${ULID_A}`,
      sk: "TL#000005",
      seq: 5,
    });
  });

  it("loses a concurrent transition with 409 conflict (the caller reads again and decides again)", async () => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None"]));
    const before = proposalRecord();
    const tx = store.newTx();
    store.addTransition(tx, before, before, {
      type: "X",
      at: "2026-03-02T00:00:00.000Z",
      actor: { role: "r" },
      data: {},
    });
    const err = (await tx.commit().catch((e: unknown) => e)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("conflict");
  });

  it("endorses once per resident and counts on the need", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.addEndorsement(store.newTx(), ULID_N, "res-9", "2026-03-01T00:00:00.000Z").commit();
    const [put, update] =
      ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put!.Put).toMatchObject({
      Item: { pk: `NEED#${ULID_N}`, sk: "ENDORSE#res-9" },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(update!.Update).toMatchObject({
      Key: { pk: `NEED#${ULID_N}`, sk: "NEED" },
      UpdateExpression: "ADD endorsements :one",
    });
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None"]));
    await expect(
      store.addEndorsement(store.newTx(), ULID_N, "res-9", "x").commit(),
    ).rejects.toMatchObject({ code: "duplicate" });
  });

  it("claims a need's normalised title: a claim taken meanwhile is a lost race (409 conflict)", async () => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["None", "ConditionalCheckFailed"]));
    const need = {
      id: ULID_N,
      communityId: "c1",
      streetId: "s1",
      districtId: "d1",
      title: "电梯 加装",
      description: "d",
      status: "open" as const,
      endorsements: 0,
      proposalIds: [],
      raisedBy: { sub: "r", role: "resident" as const },
      createdAt: "2026-03-01T00:00:00.000Z",
    };
    await expect(store.addNeed(store.newTx(), need).commit()).rejects.toMatchObject({
      code: "conflict",
    });
    const items = ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[1]!.Put!.Item!.pk).toBe(store.keys.needTitle("c1", "电梯加装").pk);
  });

  it("adds approvals to the community-year committed amount", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.addCommitment(store.newTx(), "c1", 2026, 500).commit();
    const [update] = ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update).toMatchObject({
      Key: { pk: "BUDGET#c1#2026", sk: "BUDGET" },
      ExpressionAttributeValues: { ":fen": 500 },
    });
  });
});

describe("store: listing uses the geography indexes, never Scan", () => {
  it("turns year and status into a key condition", async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: undefined });
    const page = await store.queryProposals({
      by: "street",
      id: "s1",
      year: 2026,
      status: "screened",
      limit: 10,
    });
    expect(page).toEqual({ items: [], nextCursor: null });
    const input = ddbMock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: "gsi2",
      KeyConditionExpression: "gsi2pk = :pk AND begins_with(gsi2sk, :prefix)",
      ExpressionAttributeValues: { ":pk": "PROPOSAL#S#s1", ":prefix": "2026#screened#" },
      Limit: 10,
    });
    expect(input.FilterExpression).toBeUndefined();
  });

  it("filters a status without a year, and public stages, on the same query; pages with a cursor", async () => {
    const last = { pk: "PROPOSAL#X", sk: "PROPOSAL", gsi3pk: "PROPOSAL#D#d1", gsi3sk: "2026#x" };
    ddbMock.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: last });
    const page = await store.queryProposals({
      by: "district",
      id: "d1",
      status: "submitted",
      stage: "collection",
      limit: 5,
    });
    const input = ddbMock.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: "gsi3",
      KeyConditionExpression: "gsi3pk = :pk",
      FilterExpression: "#status = :status AND publicStage = :stage",
    });
    expect(page.nextCursor).not.toBeNull();
    ddbMock.reset();
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    await store.queryProposals({
      by: "district",
      id: "d1",
      publicOnly: true,
      limit: 5,
      cursor: page.nextCursor!,
    });
    expect(ddbMock.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      ExclusiveStartKey: last,
      FilterExpression: "attribute_exists(publicStage)",
    });
    await expect(
      store.queryProposals({ by: "community", id: "c1", limit: 5, cursor: page.nextCursor! }),
    ).rejects.toMatchObject({
      code: "validation_failed",
    });
  });

  it("narrows a resident's own list by proposer on the community index", async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    await store.queryProposals({ by: "community", id: "c1", proposerSub: "res-1", limit: 50 });
    expect(ddbMock.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: "gsi1",
      FilterExpression: "#proposer.#sub = :sub",
      ExpressionAttributeNames: { "#proposer": "proposer", "#sub": "sub" },
      ExpressionAttributeValues: { ":pk": "PROPOSAL#C#c1", ":sub": "res-1" },
    });
  });

  it("reads a need's links as a sorted list", async () => {
    ddbMock.on(GetCommand).resolves({
      Item: {
        pk: `NEED#${ULID_N}`,
        sk: "NEED",
        id: ULID_N,
        proposalIds: new Set([ULID_B, ULID_A]),
        endorsements: 2,
      },
    });
    const need = await store.getNeed(ULID_N);
    expect(need).toMatchObject({ id: ULID_N, proposalIds: [ULID_A, ULID_B], endorsements: 2 });
    expect(need).not.toHaveProperty("pk");
  });
});
