import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { ddb } from "@pencai/runtime/clients";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as store from "../src/store.js";
import { M1, meeting, NOW, P1, projection, useTestCity } from "./fixtures.js";

const ddbMock = mockClient(ddb);

beforeAll(() => {
  process.env.TABLE_NAME = "deliberation-test";
  useTestCity();
});
afterEach(() => {
  ddbMock.reset();
});

const cancelled = (codes: string[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const sent = () => ddbMock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
const ballot = {
  meetingId: M1,
  proposalId: P1,
  sub: "m1",
  choice: "yes" as const,
  castAt: NOW.toISOString(),
};

describe("store: ballots", () => {
  it("checks the meeting is open, the voter present and the proposal not withdrawn, and puts the ballot once, in one transaction", async () => {
    // Prepare
    ddbMock.on(TransactWriteCommand).resolves({});
    // Act
    await store.addBallot(store.newTx(), ballot, true).commit();
    // Assess
    const [open, present, live, put] = sent();
    expect(open!.ConditionCheck).toMatchObject({
      Key: { pk: `MEETING#${M1}`, sk: "MEETING" },
      ConditionExpression: "#status = :open",
      ExpressionAttributeValues: { ":open": "open" },
    });
    expect(present!.ConditionCheck).toMatchObject({
      Key: { pk: `MEETING#${M1}`, sk: "ATTENDANCE" },
      ConditionExpression: "contains(present, :sub)",
      ExpressionAttributeValues: { ":sub": "m1" },
    });
    expect(live!.ConditionCheck).toMatchObject({
      Key: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL" },
      ConditionExpression: "attribute_exists(pk) AND #status <> :withdrawn",
    });
    expect(put!.Put).toMatchObject({
      Item: { pk: `MEETING#${M1}`, sk: `BALLOT#${P1}#m1`, choice: "yes", entity: "ballot" },
      ConditionExpression: "attribute_not_exists(pk)",
    });
  });

  it("leaves out the presence check where the city does not require presence", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.addBallot(store.newTx(), ballot, false).commit();
    expect(sent().map((i) => Object.keys(i)[0])).toEqual([
      "ConditionCheck",
      "ConditionCheck",
      "Put",
    ]);
  });

  it("maps each failed condition to its API code", async () => {
    const cases: [string[], string][] = [
      [["ConditionalCheckFailed", "None", "None", "None"], "invalid_state"],
      [["None", "ConditionalCheckFailed", "None", "None"], "invalid_state"],
      [["None", "None", "ConditionalCheckFailed", "None"], "invalid_state"],
      [["None", "None", "None", "ConditionalCheckFailed"], "duplicate"],
      [["TransactionConflict", "None", "None", "None"], "conflict"],
    ];
    for (const [reasons, code] of cases) {
      ddbMock.on(TransactWriteCommand).rejects(cancelled(reasons));
      await expect(store.addBallot(store.newTx(), ballot, true).commit()).rejects.toMatchObject({
        code,
      });
    }
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled(["None", "ConditionalCheckFailed", "None", "None"]));
    await expect(store.addBallot(store.newTx(), ballot, true).commit()).rejects.toMatchObject({
      detail: expect.stringContaining("not recorded present"),
    });
    ddbMock
      .on(TransactWriteCommand)
      .rejects(cancelled(["None", "None", "ConditionalCheckFailed", "None"]));
    await expect(store.addBallot(store.newTx(), ballot, true).commit()).rejects.toMatchObject({
      detail: expect.stringContaining("withdrawn"),
    });
  });
});

describe("store: meetings", () => {
  it("puts the meeting with its community index and marks each agenda proposal on its version", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const before = projection();
    await store
      .addMeeting(store.newTx(), meeting(), [{ before, after: { ...before, meetingId: M1 } }], {
        councilVersion: 3,
        householdVersion: 0,
      })
      .commit();
    const [m, p, council, households] = sent();
    // the rosters it was checked against: the council still at the version read, no household
    // roster created meanwhile
    expect(council!.ConditionCheck).toMatchObject({
      Key: { pk: "COUNCIL#c1", sk: "COUNCIL" },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 3 },
    });
    expect(households!.ConditionCheck).toMatchObject({
      Key: { pk: "HOUSEHOLDS#c1", sk: "HEAD" },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(m!.Put).toMatchObject({
      Item: {
        pk: `MEETING#${M1}`,
        sk: "MEETING",
        gsi1pk: "MEETING#C#c1",
        gsi1sk: `2026-05-01T06:00:00.000Z#${M1}`,
      },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(p!.Put).toMatchObject({
      Item: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL", meetingId: M1, version: 2 },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 1 },
    });
  });

  it("attendance: replaces the sign-in sheet only while the meeting is open", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await store
      .setAttendance(store.newTx(), { meetingId: M1, present: ["m1"], recordedAt: "t" })
      .commit();
    const [open, put] = sent();
    expect(open!.ConditionCheck?.ConditionExpression).toBe("#status = :open");
    expect(put!.Put?.Item).toMatchObject({ sk: "ATTENDANCE", present: ["m1"] });
  });

  it("closing moves open -> closing, then closing -> closed with the results", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.beginClosing(store.newTx(), M1, "t").commit();
    expect(sent()[0]!.Update).toMatchObject({
      ConditionExpression: "#status = :open",
      ExpressionAttributeValues: { ":closing": "closing", ":open": "open", ":at": "t" },
    });
    ddbMock.reset();
    ddbMock.on(TransactWriteCommand).resolves({});
    await store
      .finishClosing(store.newTx(), meeting({ status: "closed", closedAt: "t2", results: [] }))
      .commit();
    expect(sent()[0]!.Update).toMatchObject({
      ConditionExpression: "#status = :closing",
      ExpressionAttributeValues: { ":closed": "closed", ":results": [], ":at": "t2" },
    });
    ddbMock.reset();
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed"]));
    await expect(store.beginClosing(store.newTx(), M1, "t").commit()).rejects.toMatchObject({
      code: "conflict",
    });
  });
});

describe("store: consents and reviews", () => {
  const consent = {
    proposalId: P1,
    householdId: "hh-1",
    agree: true,
    sub: "r1",
    answeredAt: "t",
  };

  it("a first answer is once per household; a change needs an earlier answer; both need an open meeting and the proposal as read", async () => {
    const p = projection({ version: 4 });
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["None", "None", "ConditionalCheckFailed"]));
    await expect(store.addConsent(store.newTx(), consent, M1, p).commit()).rejects.toMatchObject({
      code: "duplicate",
    });
    await expect(store.changeConsent(store.newTx(), consent, M1, p).commit()).rejects.toMatchObject(
      { code: "not_found" },
    );
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None", "None"]));
    await expect(store.addConsent(store.newTx(), consent, M1, p).commit()).rejects.toMatchObject({
      code: "invalid_state",
    });
    // the proposal was withdrawn (or decided) since it was read: decide again
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["None", "ConditionalCheckFailed", "None"]));
    await expect(store.addConsent(store.newTx(), consent, M1, p).commit()).rejects.toMatchObject({
      code: "conflict",
    });
    ddbMock.reset();
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.changeConsent(store.newTx(), { ...consent, agree: false }, M1, p).commit();
    expect(sent()[1]!.ConditionCheck).toMatchObject({
      Key: { pk: `PROPOSAL#${P1}`, sk: "PROPOSAL" },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 4 },
    });
    expect(sent()[2]!.Update).toMatchObject({
      Key: { pk: `PROPOSAL#${P1}`, sk: "CONSENT#hh-1" },
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: { ":agree": false },
    });
  });

  it("a review is once per expert and counted on the projection's version", async () => {
    const before = projection({ version: 4 });
    const review = {
      proposalId: P1,
      sub: "e1",
      feasible: true,
      lawful: false,
      score: 60,
      reviewedAt: "t",
    };
    const tx = () =>
      store.addReview(store.newTx(), review, before, {
        ...before,
        expertReviews: 1,
        expertObjections: 1,
      });
    ddbMock.on(TransactWriteCommand).resolves({});
    await tx().commit();
    const [put, proposal] = sent();
    expect(put!.Put?.Item).toMatchObject({ sk: "REVIEW#e1", lawful: false });
    expect(proposal!.Put).toMatchObject({
      Item: { expertReviews: 1, expertObjections: 1, version: 5 },
      ExpressionAttributeValues: { ":v": 4 },
    });
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["ConditionalCheckFailed", "None"]));
    await expect(tx().commit()).rejects.toMatchObject({ code: "duplicate" });
    ddbMock.on(TransactWriteCommand).rejects(cancelled(["None", "ConditionalCheckFailed"]));
    await expect(tx().commit()).rejects.toMatchObject({ code: "conflict" });
  });

  it("a ranking replaces the version it was computed from (or none)", async () => {
    ddbMock.on(TransactWriteCommand).resolves({});
    const ranking = {
      communityId: "c1",
      year: 2026,
      capFen: 1,
      requestedFen: 0,
      exceedsCap: false,
      criteria: {
        weights: { breadth: 1, participation: 0, selfRaised: 0, urgency: 0, replicability: 0 },
      },
      items: [],
      candidates: [],
      computedAt: "t",
    };
    await store.putRanking(store.newTx(), ranking, undefined).commit();
    expect(sent()[0]!.Put).toMatchObject({
      Item: { pk: "RANKING#c1#2026", sk: "RANKING", version: 1 },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    ddbMock.reset();
    ddbMock.on(TransactWriteCommand).resolves({});
    await store.putRanking(store.newTx(), ranking, { ...ranking, version: 3 }).commit();
    expect(sent()[0]!.Put).toMatchObject({
      Item: { version: 4 },
      ConditionExpression: "version = :v",
      ExpressionAttributeValues: { ":v": 3 },
    });
  });
});
