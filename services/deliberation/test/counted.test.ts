import { ballotsCountedDataSchema } from "@pencai/contracts/deliberation";
import { describe, expect, it } from "vitest";
import { ballotsCounted, COUNTED_DATA_BYTES } from "../src/domain/counted.js";
import { tallyProposal } from "../src/domain/tally.js";
import type { Ballot, BallotChoice, MeetingRecord } from "../src/domain/types.js";
import { M1, majority, meeting, P1, P2, P3 } from "./fixtures.js";

const CLOSED = "2026-05-01T09:00:00.000Z";
const ballot = (sub: string, proposalId: string, choice: BallotChoice): Ballot => ({
  meetingId: M1,
  proposalId,
  sub,
  choice,
  castAt: "2026-05-01T08:30:00.000Z",
});
const result = (proposalId: string, passed: boolean) => ({
  proposalId,
  yes: 0,
  no: 0,
  abstain: 0,
  present: 0,
  members: 0,
  quorumMet: true,
  passed,
});
function closed(over: Partial<MeetingRecord> = {}): MeetingRecord {
  return meeting({
    proposalIds: [P1, P2],
    proposalDetails: [{ proposalId: P1 }, { proposalId: P2 }],
    status: "closed",
    closedAt: CLOSED,
    results: [result(P1, true), result(P2, false)],
    ...over,
  });
}

describe("BallotsCounted of a closed meeting", () => {
  it("carries exactly the ballots each tally counted: members only, one each, sorted by voter", () => {
    const ballots = [
      ballot("m3", P1, "yes"),
      ballot("m1", P1, "no"),
      ballot("outsider", P1, "yes"), // not a member: the tally ignores it
      ballot("m1", P1, "yes"), // a second ballot: the store prevents it, the tally ignores it
      ballot("m2", P2, "abstain"),
    ];
    const [data, ...more] = ballotsCounted(closed(), ballots);
    expect(more).toEqual([]);
    expect(ballotsCountedDataSchema.safeParse(data).success).toBe(true);
    expect(data).toEqual({
      meetingId: M1,
      communityId: "c1",
      proposals: [
        { proposalId: P1, passed: true },
        { proposalId: P2, passed: false },
      ],
      ballots: [
        { sub: "m1", proposalId: P1, choice: "no" },
        { sub: "m3", proposalId: P1, choice: "yes" },
        { sub: "m2", proposalId: P2, choice: "abstain" },
      ],
      closedAt: CLOSED,
    });
    // the same counts as the tally in the minutes
    const tally = tallyProposal({
      proposalId: P1,
      members: closed().memberIds,
      attendance: closed().memberIds,
      ballots: ballots.filter((b) => b.proposalId === P1),
      rules: majority,
    });
    const p1 = data!.ballots.filter((b) => b.proposalId === P1);
    expect({ yes: tally.yes, no: tally.no }).toEqual({
      yes: p1.filter((b) => b.choice === "yes").length,
      no: p1.filter((b) => b.choice === "no").length,
    });
  });

  it("refuses a meeting that is not closed with results", () => {
    expect(() => ballotsCounted(meeting(), [])).toThrow(/not closed/);
    expect(() => ballotsCounted(closed({ status: "closing" }), [])).toThrow(/not closed/);
  });

  it("splits a huge council along proposals, each part under the limit, together the whole", () => {
    const members = Array.from({ length: 200 }, (_, i) => `${"x".repeat(120)}-${i}`);
    const ids = [
      P1,
      P2,
      P3,
      ...Array.from({ length: 17 }, (_, i) => `01JZ${String(i).padStart(22, "0")}`),
    ];
    const m = closed({
      memberIds: members,
      proposalIds: ids,
      proposalDetails: ids.map((proposalId) => ({ proposalId })),
      results: ids.map((id, i) => result(id, i % 2 === 0)),
    });
    const ballots = ids.flatMap((id) => members.map((sub) => ballot(sub, id, "yes")));
    const parts = ballotsCounted(m, ballots);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(COUNTED_DATA_BYTES);
      // a proposal's ballots all travel with it
      for (const p of part.proposals) {
        expect(part.ballots.filter((b) => b.proposalId === p.proposalId)).toHaveLength(200);
      }
    }
    expect(parts.flatMap((p) => p.proposals.map((x) => x.proposalId))).toEqual(ids);
    expect(parts.reduce((n, p) => n + p.ballots.length, 0)).toBe(ballots.length);
  });
});
