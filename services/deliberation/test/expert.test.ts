import { describe, expect, it } from "vitest";
import { endorses } from "../src/domain/endorsement.js";
import { decideExpertReview, expertReviewRequired, reviewProposal } from "../src/domain/expert.js";
import type { CouncilResult, ProposalProjection } from "../src/domain/types.js";
import { expert, NOW, P1, projection, staff, streetStaff } from "./fixtures.js";

const review = { feasible: true, lawful: true, score: 80 };
const council = (passed: boolean): CouncilResult => ({
  proposalId: P1,
  yes: passed ? 3 : 0,
  no: 0,
  abstain: 0,
  present: 3,
  quorumMet: true,
  passed,
  members: 5,
});
const reviewed = (n: number, objections = 0, sum = 80 * n) =>
  projection({ expertReviews: n, expertObjections: objections, expertScoreSum: sum });

describe("which projects go to expert review", () => {
  it("follows the city's process.expertReview", () => {
    expect(expertReviewRequired("service", "all")).toBe(true);
    expect(expertReviewRequired("works", "works")).toBe(true);
    expect(expertReviewRequired("service", "works")).toBe(false);
    expect(expertReviewRequired("works", "none")).toBe(false);
  });
});

describe("expert reviews", () => {
  it("are by experts of the proposal's street, before any decision and not after a failed council", () => {
    expect(
      reviewProposal(projection(), expert(), { ...review, comment: "可行" }, "all", NOW),
    ).toEqual({
      proposalId: P1,
      sub: "expert-1",
      ...review,
      comment: "可行",
      reviewedAt: NOW.toISOString(),
    });
    expect(() => reviewProposal(projection(), expert("e2", "s2"), review, "all", NOW)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => reviewProposal(projection(), staff(), review, "all", NOW)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    const decided = projection({
      expert: { decision: "pass", reviews: 1, averageScore: 80, at: "t" },
    });
    for (const p of [
      decided,
      projection({ council: council(false) }),
      projection({ status: "withdrawn" }),
    ]) {
      expect(() => reviewProposal(p, expert(), review, "all", NOW)).toThrow(
        expect.objectContaining({ code: "invalid_state" }),
      );
    }
    // council passed: still reviewable
    expect(
      reviewProposal(projection({ council: council(true) }), expert(), review, "all", NOW).score,
    ).toBe(80);
    // service projects where only works are reviewed
    expect(() =>
      reviewProposal(projection({ kind: "service" }), expert(), review, "works", NOW),
    ).toThrow(expect.objectContaining({ code: "invalid_state" }));
  });
});

describe("the expert decision", () => {
  const decide = (
    p: ProposalProjection,
    decision: "pass" | "fail" = "pass",
    mode: "all" | "works" = "all",
  ) => decideExpertReview(p, streetStaff(), { decision }, mode, NOW);

  it("averages the reviews and needs at least one", () => {
    expect(decide(reviewed(2, 0, 150))).toEqual({
      decision: "pass",
      reviews: 2,
      averageScore: 75,
      at: NOW.toISOString(),
    });
    expect(decide(reviewed(3, 0, 200)).averageScore).toBe(66.7);
    expect(() => decide(reviewed(0))).toThrow(expect.objectContaining({ code: "invalid_state" }));
  });

  it("passes works only when every review is feasible and lawful", () => {
    expect(() => decide(reviewed(3, 1))).toThrow(
      expect.objectContaining({ code: "expert_review_not_unanimous" }),
    );
    expect(decide(reviewed(3, 1), "fail").decision).toBe("fail");
  });

  it("passes service projects on the street's pass with at least one review, objections or not", () => {
    expect(decide({ ...reviewed(3, 2), kind: "service" }).decision).toBe("pass");
  });

  it("is recorded once (409 duplicate), by street staff of the proposal's street", () => {
    const done = projection({
      expertReviews: 1,
      expertScoreSum: 80,
      expert: { decision: "fail", reviews: 1, averageScore: 80, at: "t" },
    });
    expect(() => decide(done)).toThrow(expect.objectContaining({ code: "duplicate" }));
    expect(() =>
      decideExpertReview(reviewed(1), streetStaff("s2"), { decision: "pass" }, "all", NOW),
    ).toThrow(expect.objectContaining({ code: "forbidden" }));
    expect(() => decide({ ...reviewed(1), council: council(false) })).toThrow(
      expect.objectContaining({ code: "invalid_state" }),
    );
  });
});

describe("endorsement: council passed and expert passed, exactly once, in either order", () => {
  const pass = { decision: "pass" as const, reviews: 1, averageScore: 90, at: "t" };

  it("council first, then experts: the expert decision endorses", () => {
    const afterCouncil = projection({ council: council(true) });
    expect(endorses(afterCouncil, "all")).toBe(false);
    expect(endorses({ ...afterCouncil, expert: pass }, "all")).toBe(true);
  });

  it("experts first, then council: the close endorses", () => {
    const afterExperts = projection({ expert: pass });
    expect(endorses(afterExperts, "all")).toBe(false);
    expect(endorses({ ...afterExperts, council: council(true) }, "all")).toBe(true);
  });

  it("never twice, never on a failure, never for a withdrawn proposal", () => {
    const both = projection({ council: council(true), expert: pass });
    expect(endorses({ ...both, endorsedAt: "t" }, "all")).toBe(false);
    expect(endorses({ ...both, council: council(false) }, "all")).toBe(false);
    expect(endorses({ ...both, expert: { ...pass, decision: "fail" } }, "all")).toBe(false);
    expect(endorses({ ...both, status: "withdrawn" }, "all")).toBe(false);
  });

  it("on the council alone where the project skips expert review", () => {
    expect(endorses(projection({ council: council(true) }), "none")).toBe(true);
    expect(endorses(projection({ kind: "service", council: council(true) }), "works")).toBe(true);
    expect(endorses(projection({ kind: "works", council: council(true) }), "works")).toBe(false);
  });
});
