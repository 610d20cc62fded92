import { type Calendars, calendarsFrom } from "@pencai/calendar";
import { approvalEventDataSchemas } from "@pencai/contracts/approval-events";
import { DomainError } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import { describe, expect, it } from "vitest";
import { ledgerView } from "../src/domain/ledger.js";
import { type EndorsedFacts, fromEndorsed, withdraw } from "../src/domain/projection.js";
import { startTimer } from "../src/domain/timers.js";
import type { Actor, ApprovalProposal, DomainEvent, Timer } from "../src/domain/types.js";
import {
  approve,
  disburse,
  districtReview,
  report,
  type Transition,
  type WorkflowRules,
} from "../src/domain/workflow.js";

const official: Calendars = calendarsFrom();
const cst = (local: string) => new Date(`${local}+08:00`);
const rules: WorkflowRules = { reviewWorkingDays: 5, disbursementWorkingDays: 15 };
const CAP = 200_000_000; // 2,000,000 CNY
const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";

const facts: EndorsedFacts = {
  proposalId: P1,
  communityId: "c1",
  streetId: "s1",
  districtId: "d1",
  kind: "works",
  title: "加装电梯",
  budgetFen: 30_000_000,
  programmeFen: 30_000_000,
  year: 2025,
};
const endorsed = (over: Partial<ApprovalProposal> = {}): ApprovalProposal => ({
  ...fromEndorsed(facts, "2025-09-01T00:00:00.000Z"),
  ...over,
});
const inState = (status: ApprovalProposal["status"], over: Partial<ApprovalProposal> = {}) =>
  endorsed({ status, ...over });

const actor = (role: Role, place: Partial<Actor> = {}): Actor => ({
  sub: `${role}-1`,
  roles: [role],
  ...place,
});
const street = actor("street_staff", { districtId: "d1", streetId: "s1" });
const otherStreet = actor("street_staff", { districtId: "d1", streetId: "s2" });
const civil = actor("district_civil", { districtId: "d1" });
const group = actor("district_group", { districtId: "d1" });
const finance = actor("district_finance", { districtId: "d1" });
const otherDistrict = (role: Role) => actor(role, { districtId: "d2" });

const REPORTED = cst("2025-09-30T17:30:00");
const reviewTimer = (round = 1): Timer =>
  startTimer({ ...facts, round }, "review", REPORTED, 5, official);
const ledger = (committedFen = 0) =>
  ledgerView("c1", 2025, { communityId: "c1", year: 2025, committedFen, disbursedFen: 0 }, CAP);

/** Asserts a DomainError with the code. */
function fails(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

/** Every event's data matches its contract schema. */
function validEvents(t: Transition | { events: DomainEvent[] }) {
  for (const e of t.events) {
    const r = approvalEventDataSchemas[e.type].safeParse(e.data);
    expect(r.success, `${e.type}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
  }
  return t.events.map((e) => e.type);
}

describe("report (street_staff of the street, endorsed only)", () => {
  it("moves to reported and starts the 5-working-day review timer", () => {
    const t = report(endorsed(), street, REPORTED, rules, official);
    expect(t.proposal).toMatchObject({ status: "reported", round: 1, version: 2 });
    expect(t.proposal.reportedAt).toBe(REPORTED.toISOString());
    expect(validEvents(t)).toEqual(["ProposalReported"]);
    expect(t.events[0]?.data).toMatchObject({
      reviewDueAt: "2025-10-14T16:00:00.000Z",
      provisional: false,
      round: 1,
    });
    expect(t.timers).toHaveLength(1);
    expect(t.timers[0]?.previous).toBeUndefined();
    expect(t.timers[0]?.timer).toMatchObject({
      kind: "review",
      state: "open",
      round: 1,
      dueAt: "2025-10-14T16:00:00.000Z",
      reminderAt: "2025-10-13T16:00:00.000Z",
    });
  });

  it("rejects other roles, other streets and other states", () => {
    fails(() => report(endorsed(), civil, REPORTED, rules, official), "forbidden");
    fails(() => report(endorsed(), otherStreet, REPORTED, rules, official), "forbidden");
    for (const s of [
      "reported",
      "forwarded",
      "approved",
      "funded",
      "rejected",
      "withdrawn",
    ] as const) {
      fails(() => report(inState(s), street, REPORTED, rules, official), "invalid_state");
    }
  });

  it("checks the role before the state (403 before 409)", () => {
    fails(() => report(inState("approved"), civil, REPORTED, rules, official), "forbidden");
  });
});

describe("district review (district_civil of the district, reported only)", () => {
  const reported = () => report(endorsed(), street, REPORTED, rules, official).proposal;
  const day = cst("2025-10-10T10:00:00");

  it("forwards and stops the review timer as met", () => {
    const timer = reviewTimer();
    const t = districtReview(reported(), civil, { decision: "forward" }, day, timer);
    expect(t.proposal).toMatchObject({ status: "forwarded", version: 3 });
    expect(validEvents(t)).toEqual(["DistrictReviewCompleted"]);
    expect(t.events[0]?.data).toMatchObject({
      decision: "forward",
      sla: "met",
      round: 1,
      provisional: false,
    });
    // a deadline that touched a year without official data says so on the final event too
    const provisional = districtReview(reported(), civil, { decision: "forward" }, day, {
      ...timer,
      provisional: true,
    });
    expect(provisional.events[0]?.data).toMatchObject({ provisional: true });
    expect(t.timers).toEqual([
      {
        timer: { ...timer, state: "met", stoppedAt: day.toISOString(), stopReason: "completed" },
        previous: timer,
      },
    ]);
  });

  it("returns to the street: endorsed again, a second report starts round 2", () => {
    const back = districtReview(
      reported(),
      civil,
      { decision: "return", reason: "补材料" },
      day,
      reviewTimer(),
    );
    expect(back.proposal.status).toBe("endorsed");
    expect(back.events[0]?.data).toMatchObject({ decision: "return", reason: "补材料" });
    const again = report(back.proposal, street, cst("2025-10-15T09:00:00"), rules, official);
    expect(again.proposal).toMatchObject({ status: "reported", round: 2 });
    expect(again.timers[0]?.timer.round).toBe(2);
  });

  it("rejects: DistrictReviewCompleted and ProposalRejected at stage district_review", () => {
    const t = districtReview(
      reported(),
      civil,
      { decision: "reject", reason: "不合规" },
      day,
      reviewTimer(),
    );
    expect(t.proposal.status).toBe("rejected");
    expect(t.proposal.rejection).toEqual({
      stage: "district_review",
      reason: "不合规",
      at: day.toISOString(),
    });
    expect(validEvents(t)).toEqual(["DistrictReviewCompleted", "ProposalRejected"]);
    expect(t.events[1]?.data).toMatchObject({ stage: "district_review", reason: "不合规" });
  });

  it("a late review is breached, and records the breach if no sweep did", () => {
    const late = cst("2025-10-15T00:00:01");
    const t = districtReview(reported(), civil, { decision: "forward" }, late, reviewTimer());
    expect(validEvents(t)).toEqual(["SlaBreached", "DistrictReviewCompleted"]);
    expect(t.events[1]?.data).toMatchObject({ sla: "breached" });
    expect(t.timers[0]?.timer.state).toBe("breached");
  });

  it("a review after a sweep's breach keeps the breach and emits no second SlaBreached", () => {
    const breached: Timer = {
      ...reviewTimer(),
      state: "breached",
      breachedAt: "2025-10-14T16:01:00.000Z",
    };
    const t = districtReview(
      reported(),
      civil,
      { decision: "forward" },
      cst("2025-10-16T10:00:00"),
      breached,
    );
    expect(t.events.map((e) => e.type)).toEqual(["DistrictReviewCompleted"]);
    expect(t.timers[0]?.timer).toMatchObject({
      state: "breached",
      breachedAt: breached.breachedAt,
    });
  });

  it("rejects other roles, other districts and other states", () => {
    fails(
      () => districtReview(reported(), group, { decision: "forward" }, day, reviewTimer()),
      "forbidden",
    );
    fails(
      () => districtReview(reported(), street, { decision: "forward" }, day, reviewTimer()),
      "forbidden",
    );
    fails(
      () =>
        districtReview(
          reported(),
          otherDistrict("district_civil"),
          { decision: "forward" },
          day,
          reviewTimer(),
        ),
      "forbidden",
    );
    for (const s of [
      "endorsed",
      "forwarded",
      "approved",
      "funded",
      "rejected",
      "withdrawn",
    ] as const) {
      fails(
        () => districtReview(inState(s), civil, { decision: "forward" }, day, reviewTimer()),
        "invalid_state",
      );
    }
  });
});

describe("approval (district_group of the district, forwarded only)", () => {
  const forwarded = (over: Partial<ApprovalProposal> = {}) =>
    inState("forwarded", { round: 1, ...over });
  const day = cst("2025-10-20T10:00:00");

  it("approves: commits the budget and starts the 15-working-day disbursement timer", () => {
    const t = approve(
      forwarded(),
      group,
      { decision: "approve" },
      day,
      ledger(100_000_000),
      rules,
      official,
    );
    expect(t.proposal).toMatchObject({ status: "approved", approvedFen: 30_000_000 });
    expect(t.commit).toEqual({
      amountFen: 30_000_000,
      committedFen: 130_000_000,
      committedLimitFen: 170_000_000,
    });
    expect(validEvents(t)).toEqual(["ProposalApproved"]);
    expect(t.events[0]?.data).toMatchObject({
      budgetFen: 30_000_000,
      programmeFen: 30_000_000,
      year: 2025,
      committedFen: 130_000_000,
      capFen: CAP,
      // Mon 2025-10-20 + 15 working days = Mon 2025-11-10
      disbursementDueAt: "2025-11-10T16:00:00.000Z",
    });
    expect(t.timers[0]?.timer).toMatchObject({ kind: "disbursement", state: "open", round: 1 });
  });

  it("commits programme money only: a 500,000 CNY project with 100,000 self-raised commits 400,000", () => {
    const t = approve(
      forwarded({ budgetFen: 50_000_000, programmeFen: 40_000_000 }),
      group,
      { decision: "approve" },
      day,
      ledger(100_000_000),
      rules,
      official,
    );
    expect(t.commit).toMatchObject({ amountFen: 40_000_000, committedFen: 140_000_000 });
    expect(t.proposal).toMatchObject({ approvedFen: 40_000_000 });
    expect(t.events[0]?.data).toMatchObject({ budgetFen: 50_000_000, programmeFen: 40_000_000 });
    // finance disburses the programme's part, never the self-raised money
    const paid = disburse(
      t.proposal,
      finance,
      { id: "01JDISBURSEMENTAAAAAAAAAAAA", amountFen: 40_000_000, reference: "PZ-1" },
      day,
      undefined,
    );
    expect(paid.proposal.status).toBe("funded");
    expect(() =>
      disburse(
        t.proposal,
        finance,
        { id: "01JDISBURSEMENTAAAAAAAAAAAA", amountFen: 40_000_001, reference: "PZ-1" },
        day,
        undefined,
      ),
    ).toThrow(expect.objectContaining({ code: "disbursement_exceeds_approved" }));
  });

  it("approves exactly up to the cap; one fen over is community_cap_exceeded", () => {
    const at = CAP - 30_000_000;
    expect(
      approve(forwarded(), group, { decision: "approve" }, day, ledger(at), rules, official).commit
        ?.committedFen,
    ).toBe(CAP);
    fails(
      () =>
        approve(forwarded(), group, { decision: "approve" }, day, ledger(at + 1), rules, official),
      "community_cap_exceeded",
    );
  });

  it("rejects: ProposalRejected at stage approval, no ledger change, no timer", () => {
    const t = approve(
      forwarded(),
      group,
      { decision: "reject", reason: "预算不足" },
      day,
      ledger(CAP),
      rules,
      official,
    );
    expect(t.proposal.status).toBe("rejected");
    expect(validEvents(t)).toEqual(["ProposalRejected"]);
    expect(t.events[0]?.data).toMatchObject({ stage: "approval", reason: "预算不足" });
    expect(t.commit).toBeUndefined();
    expect(t.timers).toEqual([]);
  });

  it("rejects other roles, other districts and other states", () => {
    const go = (p: ApprovalProposal, a: Actor) =>
      approve(p, a, { decision: "approve" }, day, ledger(), rules, official);
    fails(() => go(forwarded(), civil), "forbidden");
    fails(() => go(forwarded(), finance), "forbidden");
    fails(() => go(forwarded(), otherDistrict("district_group")), "forbidden");
    for (const s of [
      "endorsed",
      "reported",
      "approved",
      "funded",
      "rejected",
      "withdrawn",
    ] as const) {
      fails(() => go(inState(s), group), "invalid_state");
    }
  });
});

describe("disbursements (district_finance of the district, approved only)", () => {
  const approvedAt = cst("2025-10-20T10:00:00");
  const approved = (disbursedFen = 0) =>
    inState("approved", {
      approvedFen: 30_000_000,
      disbursedFen,
      approvedAt: approvedAt.toISOString(),
    });
  const timer = () => startTimer(facts, "disbursement", approvedAt, 15, official);
  const day = cst("2025-11-03T10:00:00");
  const pay = (amountFen: number) => ({
    id: "01JBBBBBBBBBBBBBBBBBBBBBBB",
    amountFen,
    reference: "V-1",
  });

  it("a partial payment keeps it approved and the timer open", () => {
    const t = disburse(approved(), finance, pay(10_000_000), day, timer());
    expect(t.proposal).toMatchObject({ status: "approved", disbursedFen: 10_000_000 });
    expect(validEvents(t)).toEqual(["FundsDisbursed"]);
    expect(t.events[0]?.data).toMatchObject({
      amountFen: 10_000_000,
      totalDisbursedFen: 10_000_000,
      fullyDisbursed: false,
    });
    expect(t.timers).toEqual([]);
    expect(t.disbursement).toMatchObject({
      disbursedLimitFen: 20_000_000,
      outstandingFen: 20_000_000,
    });
  });

  it("paying exactly the remainder funds it and stops the timer (met)", () => {
    const t = disburse(approved(10_000_000), finance, pay(20_000_000), day, timer());
    expect(t.proposal).toMatchObject({
      status: "funded",
      disbursedFen: 30_000_000,
      fundedAt: day.toISOString(),
    });
    expect(t.events.at(-1)?.data).toMatchObject({
      totalDisbursedFen: 30_000_000,
      fullyDisbursed: true,
    });
    expect(t.timers[0]?.timer).toMatchObject({ state: "met", stoppedAt: day.toISOString() });
  });

  it("one fen over the remainder is disbursement_exceeds_approved", () => {
    fails(
      () => disburse(approved(10_000_000), finance, pay(20_000_001), day, timer()),
      "disbursement_exceeds_approved",
    );
  });

  it("a late full payment breaches the timer (SlaBreached first)", () => {
    const t = disburse(approved(), finance, pay(30_000_000), cst("2025-11-11T09:00:00"), timer());
    expect(validEvents(t)).toEqual(["SlaBreached", "FundsDisbursed"]);
  });

  it("FundsDisbursed carries the disbursement deadline; `sla` only once fully disbursed", () => {
    const partial = disburse(approved(), finance, pay(10_000_000), day, timer());
    validEvents(partial);
    expect(partial.events[0]?.data).toMatchObject({
      disbursementDueAt: "2025-11-10T16:00:00.000Z",
    });
    expect(partial.events[0]?.data).not.toHaveProperty("sla");
  });

  it("a full payment on the deadline's last instant is sla met; one instant later, breached", () => {
    const dueAt = new Date("2025-11-10T16:00:00.000Z");
    const onTime = disburse(approved(), finance, pay(30_000_000), dueAt, timer());
    expect(validEvents(onTime)).toEqual(["FundsDisbursed"]);
    expect(onTime.events[0]?.data).toMatchObject({
      fullyDisbursed: true,
      disbursementDueAt: dueAt.toISOString(),
      sla: "met",
    });
    const late = disburse(
      approved(),
      finance,
      pay(30_000_000),
      new Date(dueAt.getTime() + 1),
      timer(),
    );
    expect(validEvents(late)).toEqual(["SlaBreached", "FundsDisbursed"]);
    expect(late.events[1]?.data).toMatchObject({ fullyDisbursed: true, sla: "breached" });
  });

  it("a full payment after the sweep breached the timer: sla breached, no second SlaBreached", () => {
    const breached: Timer = {
      ...timer(),
      state: "breached",
      breachedAt: "2025-11-10T16:05:00.000Z",
    };
    const t = disburse(approved(), finance, pay(30_000_000), cst("2025-11-12T10:00:00"), breached);
    expect(validEvents(t)).toEqual(["FundsDisbursed"]);
    expect(t.events[0]?.data).toMatchObject({ sla: "breached" });
    expect(t.timers[0]?.timer).toMatchObject({
      state: "breached",
      stoppedAt: "2025-11-12T02:00:00.000Z",
    });
  });

  it("rejects other roles, other districts and other states", () => {
    fails(() => disburse(approved(), group, pay(1), day, timer()), "forbidden");
    fails(
      () => disburse(approved(), otherDistrict("district_finance"), pay(1), day, timer()),
      "forbidden",
    );
    for (const s of [
      "endorsed",
      "reported",
      "forwarded",
      "funded",
      "rejected",
      "withdrawn",
    ] as const) {
      fails(() => disburse(inState(s), finance, pay(1), day, timer()), "invalid_state");
    }
  });
});

describe("the whole path and withdrawal", () => {
  it("endorsed -> reported -> forwarded -> approved -> funded", () => {
    let p = endorsed();
    const r = report(p, street, REPORTED, rules, official);
    p = r.proposal;
    const rev = districtReview(
      p,
      civil,
      { decision: "forward" },
      cst("2025-10-09T10:00:00"),
      r.timers[0]!.timer,
    );
    p = rev.proposal;
    const a = approve(
      p,
      group,
      { decision: "approve" },
      cst("2025-10-10T10:00:00"),
      ledger(),
      rules,
      official,
    );
    p = a.proposal;
    const d = disburse(
      p,
      finance,
      { id: "X", amountFen: 30_000_000, reference: "V" },
      cst("2025-10-20T10:00:00"),
      a.timers[0]!.timer,
    );
    expect(d.proposal).toMatchObject({ status: "funded", version: 5 });
  });

  it("a withdrawal before the deadline cancels the open review timer", () => {
    const r = report(endorsed(), street, REPORTED, rules, official);
    const w = withdraw(r.proposal, [r.timers[0]!.timer], cst("2025-10-09T10:00:00"));
    expect(w.proposal).toMatchObject({ status: "withdrawn", version: 3 });
    expect(w.timers[0]?.timer).toMatchObject({ state: "cancelled", stopReason: "withdrawn" });
    expect(w.events).toEqual([]);
  });

  it("a withdrawal after the deadline leaves the timer breached (with SlaBreached once)", () => {
    const r = report(endorsed(), street, REPORTED, rules, official);
    const w = withdraw(r.proposal, [r.timers[0]!.timer], cst("2025-10-20T10:00:00"));
    expect(w.timers[0]?.timer.state).toBe("breached");
    expect(validEvents(w)).toEqual(["SlaBreached"]);
  });

  it("an approved, funded or already final proposal ignores a withdrawal", () => {
    for (const s of ["approved", "funded", "rejected", "withdrawn"] as const) {
      expect(withdraw(inState(s), [], REPORTED)).toEqual({ events: [], timers: [] });
    }
  });
});
