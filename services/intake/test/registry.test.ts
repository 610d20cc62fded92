import type { Envelope } from "@pencai/contracts/events";
import { describe, expect, it } from "vitest";
import { applyLifecycleEvent, inWaves, publicData } from "../src/domain/registry.js";
import { proposalRecord, ULID_A } from "./fixtures.js";

const event = (
  type: Envelope["type"],
  data: Record<string, unknown> = {},
  at = "2026-05-01T00:00:00.000Z",
): Envelope => ({
  id: `evt-${type}-${at}`,
  type,
  version: 1,
  occurredAt: at,
  cityId: "testcity",
  proposalId: ULID_A,
  communityId: "c1",
  actor: { sub: "official-9", roles: ["district_group"] },
  correlationId: "corr",
  data,
});

describe("proposal registry", () => {
  it("moves the status forward along the lifecycle with a timeline entry", () => {
    const steps: [Envelope["type"], Record<string, unknown>, string][] = [
      ["DeliberationConcluded", { passed: true }, "deliberated"],
      ["ExpertReviewConcluded", { decision: "pass" }, "deliberated"],
      ["ProposalEndorsed", {}, "endorsed"],
      ["ProposalReported", {}, "reported"],
      ["DistrictReviewCompleted", { decision: "forward" }, "forwarded"],
      ["ProposalApproved", {}, "approved"],
      [
        "FundsDisbursed",
        { amountFen: 60, totalDisbursedFen: 60, fullyDisbursed: false },
        "approved",
      ],
      ["FundsDisbursed", { amountFen: 40, totalDisbursedFen: 100, fullyDisbursed: true }, "funded"],
      ["ProgressReported", { percent: 50 }, "implementing"],
      ["PaymentMade", { amountFen: 50 }, "implementing"],
      ["ProjectCompleted", {}, "completed"],
      ["EvaluationClosed", { satisfactionRate: 0.9, passed: true }, "evaluated"],
    ];
    let p = proposalRecord({ status: "screened" });
    for (const [type, data, status] of steps) {
      const change = applyLifecycleEvent(p, event(type, data));
      expect(change.proposal.status, type).toBe(status);
      expect(change.entry).toMatchObject({
        type,
        actor: { role: "district_group" },
        data: { status },
      });
      p = change.proposal;
    }
  });

  it("never moves backwards: a late event is recorded, the status stays", () => {
    const change = applyLifecycleEvent(
      proposalRecord({ status: "approved", committed: true }),
      event("ProposalReported"),
    );
    expect(change.proposal.status).toBe("approved");
    expect(change.entry.type).toBe("ProposalReported");
  });

  it("skips ahead when events arrive out of order", () => {
    const change = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("ProposalEndorsed"),
    );
    expect(change.proposal.status).toBe("endorsed");
  });

  it("rejects at the stage that failed, but only before approval and never after an exit", () => {
    expect(
      applyLifecycleEvent(
        proposalRecord({ status: "screened" }),
        event("DeliberationConcluded", { passed: false }),
      ).proposal,
    ).toMatchObject({
      status: "rejected",
      rejectedAt: "deliberation",
    });
    expect(
      applyLifecycleEvent(
        proposalRecord({ status: "deliberated" }),
        event("ExpertReviewConcluded", { decision: "fail" }),
      ).proposal.rejectedAt,
    ).toBe("expert_review");
    expect(
      applyLifecycleEvent(
        proposalRecord({ status: "reported" }),
        event("DistrictReviewCompleted", { decision: "reject", reason: "超范围" }),
      ).proposal,
    ).toMatchObject({
      status: "rejected",
      rejectedAt: "district_review",
      rejectionReason: "超范围",
    });
    expect(
      applyLifecycleEvent(proposalRecord({ status: "forwarded" }), event("ProposalRejected", {}))
        .proposal.rejectedAt,
    ).toBe("approval");
    expect(
      applyLifecycleEvent(proposalRecord({ status: "funded" }), event("ProposalRejected")).proposal
        .status,
    ).toBe("funded");
    expect(
      applyLifecycleEvent(proposalRecord({ status: "withdrawn" }), event("ProposalEndorsed"))
        .proposal.status,
    ).toBe("withdrawn");
  });

  it("a district 'return' keeps the status", () => {
    const change = applyLifecycleEvent(
      proposalRecord({ status: "reported" }),
      event("DistrictReviewCompleted", { decision: "return" }),
    );
    expect(change.proposal.status).toBe("reported");
  });

  it("commits the approved budget once", () => {
    const first = applyLifecycleEvent(
      proposalRecord({ status: "forwarded", budgetFen: 7_000 }),
      event("ProposalApproved"),
    );
    expect(first.commitFen).toBe(7_000);
    expect(first.proposal.committed).toBe(true);
    const again = applyLifecycleEvent(
      first.proposal,
      event("ProposalApproved", {}, "2026-05-02T00:00:00.000Z"),
    );
    expect(again.commitFen).toBeUndefined();
    const amount = applyLifecycleEvent(
      proposalRecord({ status: "forwarded" }),
      event("ProposalApproved", { budgetFen: 123 }),
    );
    expect(amount.commitFen).toBe(123);
  });

  it("copies only impersonal scalars onto the public timeline", () => {
    expect(
      publicData({
        decision: "forward",
        reviewDueAt: "2026-05-08T16:00:00.000Z",
        yes: 7,
        sub: "x",
        memberIds: ["a"],
        householdId: "h",
        panel: [{ sub: "p" }],
        residentName: "张三",
        phone: "138",
        nested: { sub: "y" },
      }),
    ).toEqual({ decision: "forward", reviewDueAt: "2026-05-08T16:00:00.000Z", yes: 7 });
  });
});

describe("inWaves (one record per proposal at a time)", () => {
  it("puts the n-th item of each key into the n-th wave, keeping the order", () => {
    const items = ["a1", "b1", "a2", "c1", "a3", "b2"];
    expect(inWaves(items, (i) => i[0]!)).toEqual([["a1", "b1", "c1"], ["a2", "b2"], ["a3"]]);
    expect(inWaves([], (i: string) => i)).toEqual([]);
    expect(inWaves(["x", "y"], (i) => i)).toEqual([["x", "y"]]);
  });
});
