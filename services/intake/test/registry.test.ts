import type { Envelope } from "@pencai/contracts/events";
import type { TimelineItem } from "@pencai/contracts/intake";
import { describe, expect, it } from "vitest";
import { applyLifecycleEvent, inWaves, publicData } from "../src/domain/registry.js";
import { chainItem, firstBrokenLink } from "../src/domain/timeline.js";
import {
  approved,
  breached,
  disbursed,
  reminded,
  reported,
  reviewed,
} from "./approval-fixtures.js";
import { lifecycleEvent, proposalRecord } from "./fixtures.js";

const event = (type: Envelope["type"], data: Record<string, unknown> = {}, at?: string) =>
  lifecycleEvent({ sub: "official-9", roles: ["district_group"] }, type, data, at);

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

  it("a district 'return' sends the proposal back to endorsed; the next round reports it again", () => {
    let p = proposalRecord({ status: "endorsed" });
    const steps: [Envelope["type"], Record<string, unknown>, string][] = [
      ["ProposalReported", { round: 1 }, "reported"],
      ["DistrictReviewCompleted", { decision: "return", round: 1 }, "endorsed"],
      ["ProposalReported", { round: 2 }, "reported"],
      ["DistrictReviewCompleted", { decision: "forward", round: 2 }, "forwarded"],
    ];
    for (const [i, [type, data, status]] of steps.entries()) {
      const change = applyLifecycleEvent(p, event(type, data, `2026-05-0${i + 1}T00:00:00.000Z`));
      expect(change.proposal.status, `${type} ${JSON.stringify(data)}`).toBe(status);
      expect(change.entry.data).toMatchObject({ ...data, status });
      p = change.proposal;
    }
    expect(p).toMatchObject({ reportRound: 2, returnedRound: 1 });
  });

  it("keeps the return order-safe with the round number", () => {
    const reported1 = applyLifecycleEvent(
      proposalRecord({ status: "endorsed" }),
      event("ProposalReported", { round: 1 }),
    ).proposal;
    // round 2's report overtook round 1's return: the late return changes nothing
    const reported2 = applyLifecycleEvent(reported1, event("ProposalReported", { round: 2 }));
    expect(reported2.proposal).toMatchObject({ status: "reported", reportRound: 2 });
    const lateReturn = applyLifecycleEvent(
      reported2.proposal,
      event("DistrictReviewCompleted", { decision: "return", round: 1 }),
    );
    expect(lateReturn.proposal.status).toBe("reported");
    expect(lateReturn.entry.type).toBe("DistrictReviewCompleted");

    // the return arrived before its own report: the report of a returned round only records
    const returnedFirst = applyLifecycleEvent(
      proposalRecord({ status: "endorsed" }),
      event("DistrictReviewCompleted", { decision: "return", round: 1 }),
    ).proposal;
    expect(returnedFirst).toMatchObject({ status: "endorsed", returnedRound: 1 });
    const lateReport = applyLifecycleEvent(returnedFirst, event("ProposalReported", { round: 1 }));
    expect(lateReport.proposal.status).toBe("endorsed");
    expect(
      applyLifecycleEvent(lateReport.proposal, event("ProposalReported", { round: 2 })).proposal
        .status,
    ).toBe("reported");

    // a return never moves anything but `reported`
    for (const status of ["forwarded", "approved", "withdrawn", "rejected"] as const) {
      expect(
        applyLifecycleEvent(
          proposalRecord({ status, reportRound: 1 }),
          event("DistrictReviewCompleted", { decision: "return", round: 1 }),
        ).proposal.status,
        status,
      ).toBe(status);
    }
    // the same return twice (two event ids) is still one step back
    const twice = applyLifecycleEvent(
      applyLifecycleEvent(
        reported1,
        event("DistrictReviewCompleted", { decision: "return", round: 1 }),
      ).proposal,
      event(
        "DistrictReviewCompleted",
        { decision: "return", round: 1 },
        "2026-05-02T00:00:00.000Z",
      ),
    );
    expect(twice.proposal.status).toBe("endorsed");
  });

  it("rejects at district review or approval as the event says, and a second rejection keeps the first stage", () => {
    const district = applyLifecycleEvent(
      proposalRecord({ status: "reported" }),
      event("DistrictReviewCompleted", { decision: "reject", round: 1, reason: "超范围" }),
    ).proposal;
    const echoed = applyLifecycleEvent(
      district,
      event("ProposalRejected", { stage: "district_review", reason: "超范围" }),
    );
    expect(echoed.proposal).toMatchObject({ status: "rejected", rejectedAt: "district_review" });
    expect(echoed.entry).toMatchObject({
      type: "ProposalRejected",
      data: { stage: "district_review", status: "rejected" },
    });
    // the ProposalRejected overtook the DistrictReviewCompleted: same stage
    expect(
      applyLifecycleEvent(
        proposalRecord({ status: "reported" }),
        event("ProposalRejected", { stage: "district_review" }),
      ).proposal.rejectedAt,
    ).toBe("district_review");
    expect(
      applyLifecycleEvent(
        proposalRecord({ status: "forwarded" }),
        event("ProposalRejected", { stage: "approval", reason: "预算不足" }),
      ).proposal,
    ).toMatchObject({ status: "rejected", rejectedAt: "approval", rejectionReason: "预算不足" });
  });

  it("funds only on the full disbursement, even when it overtakes the approval", () => {
    const full = applyLifecycleEvent(
      proposalRecord({ status: "forwarded", budgetFen: 100 }),
      event("FundsDisbursed", { amountFen: 100, totalDisbursedFen: 100, fullyDisbursed: true }),
    );
    expect(full.proposal.status).toBe("funded");
    const approvedLate = applyLifecycleEvent(
      full.proposal,
      event("ProposalApproved", { budgetFen: 100, programmeFen: 100 }),
    );
    expect(approvedLate.proposal.status).toBe("funded");
    expect(approvedLate.commitFen).toBe(100); // the money is committed all the same
    const partialLate = applyLifecycleEvent(
      approvedLate.proposal,
      event("FundsDisbursed", { amountFen: 40, totalDisbursedFen: 40, fullyDisbursed: false }),
    );
    expect(partialLate.proposal.status).toBe("funded");
  });

  it("commits the approved programme money once", () => {
    const first = applyLifecycleEvent(
      proposalRecord({ status: "forwarded", budgetFen: 9_000, programmeFen: 7_000 }),
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
      event("ProposalApproved", { budgetFen: 200, programmeFen: 123 }),
    );
    expect(amount.commitFen).toBe(123);
  });

  it("commits a phased or cross-community approval to each ledger it charged", () => {
    const charges = [
      { communityId: "c1", year: 2026, programmeFen: 500, committedFen: 500 },
      { communityId: "c1", year: 2027, programmeFen: 300, committedFen: 300 },
    ];
    const phased = applyLifecycleEvent(
      proposalRecord({ status: "forwarded", budgetFen: 800, programmeFen: 800 }),
      event("ProposalApproved", { budgetFen: 800, programmeFen: 800, charges }),
    );
    expect(phased.commitFen).toBeUndefined();
    expect(phased.commitShares).toEqual([
      { communityId: "c1", year: 2026, fen: 500 },
      { communityId: "c1", year: 2027, fen: 300 },
    ]);
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

describe("proposal registry: the approval lifecycle on the timeline", () => {
  it("chains one item per approval event, each with its facts and no official's identity", () => {
    const DUE1 = "2026-05-18T15:59:59.999Z";
    const DUE2 = "2026-05-27T15:59:59.999Z";
    const PAY_DUE = "2026-06-22T15:59:59.999Z";
    const events = [
      reported(1, "2026-05-11T00:00:00.000Z", DUE1),
      reminded("review", 1, "2026-05-11T00:00:00.000Z", DUE1, "2026-05-17T16:00:00.000Z"),
      reviewed("return", 1, "2026-05-18T02:00:00.000Z", DUE1, "met"),
      reported(2, "2026-05-20T00:00:00.000Z", DUE2),
      breached("review", 2, "2026-05-20T00:00:00.000Z", DUE2, "2026-05-28T01:00:00.000Z"),
      reviewed("forward", 2, "2026-05-28T01:00:00.000Z", DUE2, "breached"),
      approved("2026-06-01T02:00:00.000Z", PAY_DUE, 1_000_000),
      disbursed(400_000, 400_000, "2026-06-10T02:00:00.000Z", PAY_DUE),
      disbursed(600_000, 1_000_000, "2026-06-12T02:00:00.000Z", PAY_DUE, "met"),
    ];
    let p = proposalRecord({ status: "endorsed" });
    let head: TimelineItem | null = null;
    const chain: TimelineItem[] = [];
    const commits: number[] = [];
    for (const e of events) {
      const change = applyLifecycleEvent(p, e);
      if (change.commitFen !== undefined) commits.push(change.commitFen);
      head = chainItem(head, change.entry);
      chain.push(head);
      p = { ...change.proposal, timelineSeq: head.seq, timelineHash: head.hash };
    }
    expect(firstBrokenLink(chain)).toBeNull();
    expect(commits).toEqual([1_000_000]);
    expect(p).toMatchObject({ status: "funded", timelineSeq: 9, timelineHash: chain[8]!.hash });
    expect(chain.map((i) => [i.type, i.actor.role, i.data.status])).toEqual([
      ["ProposalReported", "street_staff", "reported"],
      ["SlaReminder", "system", "reported"],
      ["DistrictReviewCompleted", "district_civil", "endorsed"],
      ["ProposalReported", "street_staff", "reported"],
      ["SlaBreached", "system", "reported"],
      ["DistrictReviewCompleted", "district_civil", "forwarded"],
      ["ProposalApproved", "district_group", "approved"],
      ["FundsDisbursed", "district_finance", "approved"],
      ["FundsDisbursed", "district_finance", "funded"],
    ]);
    expect(chain[0]!.data).toMatchObject({ round: 1, reviewDueAt: DUE1, provisional: false });
    expect(chain[1]!.data).toMatchObject({ kind: "review", dueAt: DUE1 });
    expect(chain[2]!.data).toMatchObject({ decision: "return", sla: "met", round: 1 });
    expect(chain[4]!.data).toMatchObject({
      kind: "review",
      round: 2,
      dueAt: DUE2,
      breachedAt: "2026-05-28T01:00:00.000Z",
    });
    expect(chain[5]!.data).toMatchObject({ decision: "forward", sla: "breached", round: 2 });
    expect(chain[6]!.data).toMatchObject({ budgetFen: 1_000_000, disbursementDueAt: PAY_DUE });
    expect(chain[7]!.data).toMatchObject({ amountFen: 400_000, fullyDisbursed: false });
    expect(chain[8]!.data).toMatchObject({
      amountFen: 600_000,
      totalDisbursedFen: 1_000_000,
      sla: "met",
    });
    expect(JSON.stringify(chain)).not.toMatch(/secret|sla-sweep/);
    expect(p.sla?.map((t) => [t.kind, t.round, t.state])).toEqual([
      ["review", 1, "met"],
      ["review", 2, "breached"],
      ["disbursement", 1, "met"],
    ]);
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
