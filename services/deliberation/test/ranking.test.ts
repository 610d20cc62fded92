import { describe, expect, it } from "vitest";
import {
  participationOf,
  type RankingCandidate,
  rankProposals,
  rerank,
} from "../src/domain/ranking.js";
import { NOW, P1, P2, P3, useTestCity } from "./fixtures.js";

const weights = useTestCity("panlong").rules.thresholds.priorityCriteria!;
const place = { communityId: "c1", year: 2026, capFen: 2_000_000 };

const candidate = (over: Partial<RankingCandidate> = {}): RankingCandidate => ({
  proposalId: P1,
  title: "项目",
  budgetFen: 1_000_000,
  selfRaisedFen: 0,
  participation: 0,
  ...over,
});

describe("priority ranking (Panlong weights)", () => {
  it("uses the preset's weights: breadth .3, participation .2, self-raised .2, urgency .2, replicability .1", () => {
    expect(weights).toEqual({
      breadth: 0.3,
      participation: 0.2,
      selfRaised: 0.2,
      urgency: 0.2,
      replicability: 0.1,
    });
  });

  it("normalises every input to 0..1 and scores their weighted sum", () => {
    const r = rankProposals(
      [
        candidate({
          proposalId: P1,
          beneficiaries: 400,
          participation: 0.9,
          budgetFen: 1_000_000,
          selfRaisedFen: 250_000,
          urgency: 80,
          replicability: 50,
        }),
        candidate({ proposalId: P2, beneficiaries: 100 }),
      ],
      weights,
      place,
    );
    expect(r.items[0]).toEqual({
      proposalId: P1,
      title: "项目",
      budgetFen: 1_000_000,
      rank: 1,
      // .3×1 + .2×.9 + .2×.25 + .2×.8 + .1×.5
      score: 0.74,
      fundable: true,
      inputs: {
        beneficiaries: 1,
        participation: 0.9,
        selfRaisedShare: 0.25,
        urgency: 0.8,
        replicability: 0.5,
      },
    });
    expect(r.items[1]).toMatchObject({ rank: 2, score: 0.075, inputs: { beneficiaries: 0.25 } });
    expect(r.criteria.weights).toEqual(weights);
  });

  it("breaks ties deterministically by proposal id", () => {
    const same = { beneficiaries: 10, participation: 0.5 };
    const r = rankProposals(
      [
        candidate({ proposalId: P3, ...same }),
        candidate({ proposalId: P1, ...same }),
        candidate({ proposalId: P2, ...same }),
      ],
      weights,
      place,
    );
    expect(r.items.map((i) => i.proposalId)).toEqual([P1, P2, P3]);
    expect(new Set(r.items.map((i) => i.score)).size).toBe(1);
  });

  it("fits the cap in rank order, skipping what no longer fits", () => {
    const r = rankProposals(
      [
        candidate({ proposalId: P1, beneficiaries: 300, budgetFen: 1_500_000 }),
        candidate({ proposalId: P2, beneficiaries: 200, budgetFen: 800_000 }),
        candidate({ proposalId: P3, beneficiaries: 100, budgetFen: 500_000 }),
      ],
      weights,
      place,
    );
    expect(r.items.map((i) => [i.proposalId, i.fundable])).toEqual([
      [P1, true],
      [P2, false], // 1.5M + 0.8M > 2M
      [P3, true], // 1.5M + 0.5M = 2M fits exactly
    ]);
    expect(r).toMatchObject({ requestedFen: 2_800_000, exceedsCap: true, capFen: 2_000_000 });
  });

  it("does not exceed the cap when everything fits, and ranks nothing when empty", () => {
    const fits = rankProposals([candidate({ budgetFen: 2_000_000 })], weights, place);
    expect(fits).toMatchObject({ exceedsCap: false, items: [{ fundable: true, rank: 1 }] });
    expect(rankProposals([], weights, place)).toMatchObject({ requestedFen: 0, items: [] });
  });

  it("without head counts, breadth is 0 for everyone", () => {
    const r = rankProposals([candidate({}), candidate({ proposalId: P2 })], weights, place);
    expect(r.items.every((i) => i.inputs.beneficiaries === 0)).toBe(true);
  });

  it("participation: households answering / affected households, else council turnout", () => {
    expect(
      participationOf({ affectedHouseholds: 193, answered: 183, present: 5, members: 9 }),
    ).toBeCloseTo(0.9482, 4);
    expect(participationOf({ answered: 0, present: 6, members: 9 })).toBeCloseTo(0.6667, 4);
    expect(participationOf({ affectedHouseholds: 10, answered: 12, present: 0, members: 0 })).toBe(
      1,
    );
    expect(participationOf({ answered: 0, present: 0, members: 0 })).toBe(0);
  });

  it("re-ranks with new candidates and without withdrawn ones", () => {
    const first = rerank(
      undefined,
      { add: [candidate({ proposalId: P2, beneficiaries: 50 })] },
      weights,
      place,
      NOW,
    );
    const stored = { ...first, version: 1 };
    const second = rerank(
      stored,
      { add: [candidate({ proposalId: P1, beneficiaries: 100 })] },
      weights,
      place,
      NOW,
    );
    expect(second.items.map((i) => i.proposalId)).toEqual([P1, P2]);
    expect(second.items[1]!.inputs.beneficiaries).toBe(0.5); // normalised afresh
    const third = rerank({ ...second, version: 2 }, { remove: [P1] }, weights, place, NOW);
    expect(third.items).toEqual([expect.objectContaining({ proposalId: P2, rank: 1 })]);
    expect(third.candidates.map((c) => c.proposalId)).toEqual([P2]);
    expect(third.computedAt).toBe(NOW.toISOString());
  });
});
