import { describe, expect, it } from "vitest";
import { tallyConsent, tallyProposal } from "../src/domain/tally.js";
import type { BallotChoice } from "../src/domain/types.js";
import { majority, P1 } from "./fixtures.js";

const members = (n: number) => Array.from({ length: n }, (_, i) => `m${i + 1}`);
/** ballots from m1.. in order: `yes` yes votes, then `no`, then `abstain` */
function ballots(yes: number, no = 0, abstain = 0) {
  const choices: BallotChoice[] = [
    ...Array<BallotChoice>(yes).fill("yes"),
    ...Array<BallotChoice>(no).fill("no"),
    ...Array<BallotChoice>(abstain).fill("abstain"),
  ];
  return choices.map((choice, i) => ({ sub: `m${i + 1}`, choice }));
}
const tally = (
  n: number,
  present: number,
  b: ReturnType<typeof ballots>,
  rules = majority,
  consent?: Parameters<typeof tallyProposal>[0]["consent"],
) =>
  tallyProposal({
    proposalId: P1,
    members: members(n),
    attendance: members(present),
    ballots: b,
    rules,
    ...(consent && { consent }),
  });

describe("council tally (default: quorum > 1/2 of members, pass > 1/2 of present voting yes)", () => {
  it("passes a clear majority with quorum", () => {
    expect(tally(10, 7, ballots(4, 2, 1))).toEqual({
      proposalId: P1,
      yes: 4,
      no: 2,
      abstain: 1,
      present: 7,
      quorumMet: true,
      passed: true,
      members: 10,
    });
  });

  it("fails a tie and an exact half of those present", () => {
    expect(tally(10, 6, ballots(3, 3))).toMatchObject({ passed: false, quorumMet: true });
    // 3 yes of 6 present, the rest abstaining or silent: exactly half is not more than half
    expect(tally(10, 6, ballots(3, 0, 3))).toMatchObject({ passed: false });
    expect(tally(10, 6, ballots(3))).toMatchObject({ passed: false });
    expect(tally(10, 6, ballots(4))).toMatchObject({ passed: true });
  });

  it("counts silence as not yes: yes must beat half of those present, not of those voting", () => {
    // 7 present, 3 yes, 1 no: 3 > 0.5 × 4 voting, but not > 0.5 × 7 present
    expect(tally(10, 7, ballots(3, 1))).toMatchObject({ passed: false });
  });

  it("needs strictly more than half of the members present (exact half is no quorum)", () => {
    expect(tally(10, 5, ballots(5))).toMatchObject({ quorumMet: false, passed: false });
    expect(tally(10, 6, ballots(6))).toMatchObject({ quorumMet: true, passed: true });
    expect(tally(9, 5, ballots(5))).toMatchObject({ quorumMet: true, passed: true });
  });

  it("fails when everyone abstains, and with zero ballots", () => {
    expect(tally(5, 5, ballots(0, 0, 5))).toMatchObject({ abstain: 5, passed: false });
    expect(tally(5, 5, [])).toMatchObject({ yes: 0, present: 5, quorumMet: true, passed: false });
    expect(tally(5, 0, [])).toMatchObject({ present: 0, quorumMet: false, passed: false });
  });

  it("without presence required, voters count as present even without a sign-in sheet", () => {
    const free = { ...majority, requirePresence: false };
    expect(tally(5, 0, ballots(3), free)).toMatchObject({
      present: 3,
      quorumMet: true,
      passed: true,
    });
    // recorded m1..m2 present, m3 voted without signing in: present = 3
    expect(tally(5, 2, ballots(3), free)).toMatchObject({ present: 3, passed: true });
  });

  it("ignores ballots of non-members and second ballots of one member", () => {
    const r = tallyProposal({
      proposalId: P1,
      members: members(3),
      attendance: members(3),
      ballots: [
        { sub: "m1", choice: "yes" },
        { sub: "m1", choice: "no" },
        { sub: "stranger", choice: "yes" },
        { sub: "m2", choice: "yes" },
      ],
      rules: majority,
    });
    expect(r).toMatchObject({ yes: 2, no: 0, present: 3, passed: true });
  });

  it("applies the city's own shares", () => {
    const twoThirds = { quorumShare: 2 / 3, passShare: 2 / 3, requirePresence: true };
    expect(tally(9, 6, ballots(6), twoThirds)).toMatchObject({ quorumMet: false }); // 6 = 2/3 of 9
    expect(tally(9, 7, ballots(5), twoThirds)).toMatchObject({ quorumMet: true, passed: true });
    expect(tally(9, 9, ballots(6), twoThirds)).toMatchObject({ passed: false }); // exactly 2/3
  });

  it("requires household consent only where the city does", () => {
    const notMet = tallyConsent([{ agree: true }], 3, { required: true, share: 2 / 3 });
    expect(tally(5, 5, ballots(5), majority, notMet)).toMatchObject({
      passed: false,
      consent: { required: true, met: false },
    });
    const optional = tallyConsent([{ agree: true }], 3, { required: false, share: 2 / 3 });
    expect(tally(5, 5, ballots(5), majority, optional)).toMatchObject({ passed: true });
  });
});

describe("household consent (share of affected households agreeing ≥ threshold)", () => {
  const rules = { required: true, share: 2 / 3 };
  const answers = (agree: number, disagree = 0) => [
    ...Array.from({ length: agree }, () => ({ agree: true })),
    ...Array.from({ length: disagree }, () => ({ agree: false })),
  ];

  it("meets the threshold exactly at it, and above it", () => {
    expect(tallyConsent(answers(2, 1), 3, rules)).toEqual({
      households: 3,
      agreed: 2,
      disagreed: 1,
      share: 0.6667,
      required: true,
      met: true,
    });
    expect(tallyConsent(answers(163, 20), 193, rules)).toMatchObject({ share: 0.8446, met: true });
  });

  it("fails below it, counting silent households as not agreeing", () => {
    expect(tallyConsent(answers(128), 193, rules)).toMatchObject({ met: false }); // 66.3%
    expect(tallyConsent(answers(129), 193, rules)).toMatchObject({ met: true }); // 66.8%
    expect(tallyConsent(answers(1, 0), 2, { required: true, share: 0.75 })).toMatchObject({
      met: false,
    });
  });

  it("is not met without a known number of households", () => {
    expect(tallyConsent(answers(5), undefined, rules)).toMatchObject({ households: 0, met: false });
    expect(tallyConsent([], 0, rules)).toMatchObject({ share: 0, met: false });
  });
});
