import { DomainError } from "@pencai/contracts/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ledgerView, planCommit, planDisbursement } from "../src/domain/ledger.js";

const CAP = 200_000_000; // 2,000,000 CNY in fen
const view = (committedFen: number, disbursedFen = 0) =>
  ledgerView("c1", 2026, { communityId: "c1", year: 2026, committedFen, disbursedFen }, CAP);
const code = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
};

describe("the ledger view", () => {
  it("an unknown community-year has nothing committed", () => {
    expect(ledgerView("c1", 2026, undefined, CAP)).toEqual({
      communityId: "c1",
      year: 2026,
      capFen: CAP,
      committedFen: 0,
      disbursedFen: 0,
      remainingFen: CAP,
    });
  });

  it("remaining = cap - committed, never negative (a lowered cap)", () => {
    expect(view(150_000_000, 20_000_000)).toMatchObject({
      remainingFen: 50_000_000,
      disbursedFen: 20_000_000,
    });
    expect(
      ledgerView("c1", 2026, { communityId: "c1", year: 2026, committedFen: 5, disbursedFen: 0 }, 3)
        .remainingFen,
    ).toBe(0);
  });
});

describe("committing an approval", () => {
  it("fits exactly at the cap", () => {
    expect(planCommit(view(150_000_000), 50_000_000)).toEqual({
      amountFen: 50_000_000,
      committedFen: CAP,
      committedLimitFen: 150_000_000,
    });
  });

  it("one fen over the cap is community_cap_exceeded", () => {
    expect(code(() => planCommit(view(150_000_001), 50_000_000))).toBe("community_cap_exceeded");
    expect(code(() => planCommit(view(0), CAP + 1))).toBe("community_cap_exceeded");
  });

  it("a full ledger still takes a zero amount; negative or fractional amounts are invalid", () => {
    expect(planCommit(view(CAP), 0).committedFen).toBe(CAP);
    expect(code(() => planCommit(view(0), -1))).toBe("validation_failed");
    expect(code(() => planCommit(view(0), 1.5))).toBe("validation_failed");
  });

  it("the store's condition (committed ≤ committedLimitFen) accepts exactly what the rule accepts", () => {
    fc.assert(
      fc.property(fc.nat(CAP + 10), fc.nat(CAP + 10), (committed, amount) => {
        const fits = committed + amount <= CAP;
        const result = code(() => planCommit(view(committed), amount));
        expect(result === "ok").toBe(fits);
        if (fits)
          expect(committed <= planCommit(view(committed), amount).committedLimitFen).toBe(true);
      }),
    );
  });
});

describe("disbursing", () => {
  it("exactly the remainder fully disburses", () => {
    expect(planDisbursement(30_000_000, 10_000_000, 20_000_000)).toEqual({
      amountFen: 20_000_000,
      totalDisbursedFen: 30_000_000,
      outstandingFen: 0,
      fullyDisbursed: true,
      disbursedLimitFen: 10_000_000,
    });
  });

  it("less than the remainder leaves it open", () => {
    expect(planDisbursement(30_000_000, 0, 1)).toMatchObject({
      fullyDisbursed: false,
      outstandingFen: 29_999_999,
    });
  });

  it("one fen over the remainder, or anything after full disbursement, is disbursement_exceeds_approved", () => {
    expect(code(() => planDisbursement(30_000_000, 10_000_000, 20_000_001))).toBe(
      "disbursement_exceeds_approved",
    );
    expect(code(() => planDisbursement(30_000_000, 30_000_000, 1))).toBe(
      "disbursement_exceeds_approved",
    );
  });

  it("zero, negative or fractional amounts are invalid", () => {
    for (const a of [0, -5, 0.5])
      expect(code(() => planDisbursement(100, 0, a))).toBe("validation_failed");
  });

  it("payments never add up to more than approved", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 400_000 })),
        (approved, amounts) => {
          let disbursed = 0;
          for (const a of amounts) {
            if (code(() => planDisbursement(approved, disbursed, a)) !== "ok") continue;
            const plan = planDisbursement(approved, disbursed, a);
            expect(disbursed <= plan.disbursedLimitFen).toBe(true);
            disbursed = plan.totalDisbursedFen;
            expect(plan.fullyDisbursed).toBe(disbursed === approved);
          }
          expect(disbursed).toBeLessThanOrEqual(approved);
        },
      ),
    );
  });
});
