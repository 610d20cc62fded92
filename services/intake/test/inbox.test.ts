import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import { ddb } from "@pencai/runtime/clients";
import { context, sqsEvent } from "@pencai/runtime/testing";
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

const at = "2026-05-01T00:00:00.000Z";
const c1 = { communityId: "c1", streetId: "s1", districtId: "d1" };
/** Data that satisfies each type's contract (the consumer refuses anything else), to be overridden. */
const contractData: Partial<Record<Envelope["type"], Record<string, unknown>>> = {
  ProposalSubmitted: {
    ...c1,
    kind: "works",
    category: "environment",
    title: "t",
    budgetFen: 1,
    selfRaisedFen: 0,
    sponsorFen: 0,
    programmeFen: 1,
    year: 2026,
    needIds: [],
  },
  ProposalWithdrawn: { needIds: [], previousStatus: "submitted" },
  DeliberationConcluded: {
    meetingId: ULID_N,
    members: 5,
    present: 4,
    quorumMet: true,
    yes: 3,
    no: 1,
    abstain: 0,
    passed: true,
  },
  ExpertReviewConcluded: { passed: true, decision: "pass", reviews: 2, averageScore: 80 },
  ProposalEndorsed: {
    meetingId: ULID_N,
    ...c1,
    kind: "works",
    title: "t",
    budgetFen: 1,
    programmeFen: 1,
    year: 2026,
  },
  DistrictReviewCompleted: {
    decision: "forward",
    reviewedAt: at,
    reviewDueAt: at,
    sla: "met",
    round: 1,
  },
  ProposalApproved: {
    communityId: "c1",
    districtId: "d1",
    year: 2026,
    budgetFen: 4_000_000,
    programmeFen: 4_000_000,
    approvedAt: at,
    disbursementDueAt: at,
    disbursementWorkingDays: 15,
    provisional: false,
    committedFen: 4_000_000,
    capFen: 200_000_000,
  },
};

const envelope = (
  type: Envelope["type"],
  data: Record<string, unknown> = {},
  proposalId = ULID_A,
): Envelope => ({
  id: `01JEVT${type.length.toString().padStart(20, "0")}`,
  type,
  version: 1,
  occurredAt: at,
  cityId: "testcity",
  proposalId,
  communityId: "c1",
  actor: { sub: "group-1", roles: ["district_group"] },
  correlationId: "corr-1",
  data: { proposalId, ...contractData[type], ...data },
});
const sqs = (...events: Envelope[]) => sqsEvent(events, "intake-inbox");

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

  it("projects SlaReminder: the timer on the item, a system timeline item", async () => {
    ddbMock.on(GetCommand).resolves({
      Item: proposalItem(proposalRecord({ status: "reported", timelineSeq: 5 })),
    });
    ddbMock.on(TransactWriteCommand).resolves({});
    const out = await handler(
      sqs({
        ...envelope("SlaReminder", {
          proposalId: ULID_A,
          communityId: "c1",
          districtId: "d1",
          kind: "review",
          round: 1,
          startedAt: "2026-04-24T00:00:00.000Z",
          dueAt: "2026-05-01T15:59:59.999Z",
          provisional: false,
          remindedAt: "2026-04-30T16:00:00.000Z",
        }),
        actor: { sub: "system:sla-sweep", roles: [] },
      }),
      context,
    );
    expect(out.batchItemFailures).toEqual([]);
    const items = transaction();
    expect(items[1]!.Put!.Item).toMatchObject({
      status: "reported",
      sla: [
        {
          kind: "review",
          round: 1,
          state: "open",
          dueAt: "2026-05-01T15:59:59.999Z",
          remindedAt: "2026-04-30T16:00:00.000Z",
        },
      ],
    });
    expect(items[2]!.Put!.Item).toMatchObject({
      type: "SlaReminder",
      actor: { role: "system" },
      data: { kind: "review", round: 1, dueAt: "2026-05-01T15:59:59.999Z", status: "reported" },
    });
    expect(JSON.stringify(items[2])).not.toContain("sla-sweep");
  });

  it("projects DeliberationConcluded: deliberated, the tally on the item, no identities anywhere", async () => {
    ddbMock.on(GetCommand).resolves({
      Item: proposalItem(proposalRecord({ status: "screened", timelineSeq: 2 })),
    });
    ddbMock.on(TransactWriteCommand).resolves({});
    const out = await handler(
      sqs(
        envelope("DeliberationConcluded", {
          proposalId: ULID_A,
          meetingId: ULID_B,
          members: 5,
          present: 4,
          quorumMet: true,
          yes: 3,
          no: 1,
          abstain: 0,
          passed: true,
          voters: ["member-secret-1"],
        }),
      ),
      context,
    );
    expect(out.batchItemFailures).toEqual([]);
    const items = transaction();
    expect(items[1]!.Put!.Item).toMatchObject({
      status: "deliberated",
      publicStage: "decision",
      decision: {
        council: { meetingId: ULID_B, members: 5, present: 4, yes: 3, no: 1, passed: true },
      },
    });
    expect(items[2]!.Put!.Item).toMatchObject({
      type: "DeliberationConcluded",
      data: { yes: 3, no: 1, passed: true, status: "deliberated" },
    });
    expect(JSON.stringify(items)).not.toContain("member-secret");
  });

  it("handles two events of one proposal in one batch one after the other, other proposals alongside", async () => {
    ddbMock.on(GetCommand).resolves({
      Item: proposalItem(proposalRecord({ status: "deliberated", timelineSeq: 3 })),
    });
    let running = 0;
    let most = 0;
    ddbMock.on(TransactWriteCommand).callsFake(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return {};
    });
    const a1 = { ...envelope("ExpertReviewConcluded", { decision: "pass" }), id: "01JEVTA1" };
    const a2 = { ...envelope("ProposalEndorsed", {}), id: "01JEVTA2" };
    const b1 = { ...envelope("ProposalEndorsed", {}, ULID_B), id: "01JEVTB1" };
    const out = await handler(sqs(a1, a2, b1), context);
    expect(out.batchItemFailures).toEqual([]);
    const calls = ddbMock.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(3);
    // wave 1: a1 and b1 side by side; wave 2: a2 alone
    expect(most).toBe(2);
    const inbox = calls.map((c) => c.args[0].input.TransactItems![0]!.Put!.Item!.pk);
    expect(inbox.slice(2)).toEqual(["INBOX#01JEVTA2"]);
  });

  it("reports the failures of every wave", async () => {
    ddbMock.on(GetCommand).resolves({ Item: proposalItem(proposalRecord({ status: "screened" })) });
    ddbMock.on(TransactWriteCommand).rejects(new Error("throttled"));
    const out = await handler(
      sqs(
        { ...envelope("DeliberationConcluded", { passed: true }), id: "01JEVTC1" },
        { ...envelope("ProposalEndorsed", {}), id: "01JEVTC2" },
      ),
      context,
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: "m0" }, { itemIdentifier: "m1" }]);
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
