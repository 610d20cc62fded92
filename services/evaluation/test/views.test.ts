import { implementationViewSchema, spendingNoticeSchema } from "@pencai/contracts/evaluation";
import { describe, expect, it } from "vitest";
import { tally } from "../src/domain/panel.js";
import type {
  Contribution,
  Disbursement,
  Payment,
  ProgressReport,
  Project,
} from "../src/domain/types.js";
import { implementationView, spendingNotice } from "../src/domain/views.js";
import {
  completedProject,
  evaluatingProject,
  evaluationRules,
  implementingProject,
  OWNER,
  orgUser,
  P1,
  panel,
  ratingsBy,
  streetStaff,
} from "./fixtures.js";

const report = (percent: number, at: string): ProgressReport => ({
  proposalId: P1,
  percent,
  note: `到 ${percent}%`,
  evidenceIds: [],
  reportedAt: at,
  sub: orgUser().sub,
});
const paid = (id: string, amountFen: number, at: string): Payment => ({
  id,
  proposalId: P1,
  milestonePercent: 30,
  amountFen,
  payee: "某建筑公司",
  reference: `PAY-${id}`,
  paidAt: at,
  sub: streetStaff().sub,
});
const disbursement = (id: string, amountFen: number, at: string): Disbursement => ({
  id,
  proposalId: P1,
  amountFen,
  reference: `VOUCHER-${id}`,
  disbursedAt: at,
});
const contribution = (
  id: string,
  source: Contribution["source"],
  amountFen: number,
  at: string,
): Contribution => ({
  id,
  proposalId: P1,
  source,
  amountFen,
  contributor: `捐款人-${id}`,
  reference: `REC-${id}`,
  receivedAt: at,
  sourceTotalFen: amountFen,
  sub: "staff-c1",
});

/** The view, checked against the reply's contract. */
const viewOf = (...args: Parameters<typeof implementationView>) => {
  const view = implementationView(...args);
  const r = implementationViewSchema.safeParse(view);
  expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
  return view;
};

describe("implementationView", () => {
  const p = implementingProject({
    progressPercent: 30,
    paidFen: 100_000,
    contributedFen: { self_raised: 50_000, sponsor: 0, street_subsidy: 20_000 },
  });
  const parts = {
    progress: [report(10, "2026-06-10T00:00:00.000Z"), report(30, "2026-06-20T00:00:00.000Z")],
    payments: [paid("a", 100_000, "2026-06-21T00:00:00.000Z")],
    ratings: 0,
  };

  it("names the accountable owner only when asked (officials over the place)", () => {
    expect(viewOf(p, parts, true).owner).toEqual({ sub: OWNER, name: "王主任" });
    const pub = viewOf(p, parts, false);
    expect(Object.hasOwn(pub, "owner")).toBe(false);
    expect(JSON.stringify(pub)).not.toContain(OWNER);
  });

  it("shows progress and payments without who reported or paid", () => {
    const view = viewOf(p, parts, true);
    expect(view.progress).toEqual([
      { percent: 10, note: "到 10%", evidenceIds: [], reportedAt: "2026-06-10T00:00:00.000Z" },
      { percent: 30, note: "到 30%", evidenceIds: [], reportedAt: "2026-06-20T00:00:00.000Z" },
    ]);
    expect(view.payments).toEqual([
      {
        id: "a",
        proposalId: P1,
        milestonePercent: 30,
        amountFen: 100_000,
        payee: "某建筑公司",
        reference: "PAY-a",
        paidAt: "2026-06-21T00:00:00.000Z",
      },
    ]);
    const json = JSON.stringify(view);
    expect(json).not.toContain(orgUser().sub);
    expect(json).not.toContain(streetStaff().sub);
  });

  it("money received is disbursed programme money plus every contribution", () => {
    const view = viewOf(p, parts, false);
    expect(view).toMatchObject({
      status: "implementing",
      progressPercent: 30,
      totalPaidFen: 100_000,
      receivedFen: 900_000 + 50_000 + 20_000,
      implementer: { kind: "org", orgId: "org-builder" },
    });
    expect(Object.hasOwn(view, "completedAt")).toBe(false);
    expect(Object.hasOwn(view, "evaluation")).toBe(false);
  });

  it("an open panel: its size and make-up, the ratings so far", () => {
    const view = viewOf(evaluatingProject(), { progress: [], payments: [], ratings: 3 }, false);
    expect(view.completedAt).toBe("2026-09-30T00:00:00.000Z");
    expect(view.evaluation).toEqual({
      status: "open",
      seats: 5,
      seatsByType: { deputy: 1, party_member: 1, resident_rep: 1, owners_committee: 1, expert: 1 },
      ratings: 3,
      openedAt: "2026-10-02T00:00:00.000Z",
    });
    expect(JSON.stringify(view)).not.toContain("deputy-1");
  });

  it("a closing panel still reads as open (ratings have stopped, the result is not out)", () => {
    const view = viewOf(
      evaluatingProject({}, panel, "closing"),
      { progress: [], payments: [], ratings: 4 },
      false,
    );
    expect(view.evaluation).toMatchObject({ status: "open", ratings: 4 });
    expect(Object.hasOwn(view.evaluation!, "result")).toBe(false);
  });

  it("a closed panel: the result, and the ratings it counted", () => {
    const base = evaluatingProject({}, panel, "closing");
    const result = tally(
      base,
      ratingsBy(panel, ["satisfied", "satisfied", "satisfied", "satisfied"]),
      evaluationRules(),
      new Date("2026-10-10T00:00:00.000Z"),
    );
    const p: Project = {
      ...base,
      status: "evaluated",
      evaluation: { ...base.evaluation!, status: "closed", result },
    };
    // the parts' count is what the store holds now; the result is what was counted at closing
    const view = viewOf(p, { progress: [], payments: [], ratings: 9 }, false);
    expect(view.status).toBe("evaluated");
    expect(view.evaluation).toMatchObject({ status: "closed", ratings: 4, result });
  });
});

describe("spendingNotice (公示)", () => {
  const p = completedProject({
    disbursedFen: 900_000,
    contributedFen: { self_raised: 80_000, sponsor: 0, street_subsidy: 30_000 },
    paidFen: 950_000,
  });
  const parts = {
    disbursements: [
      disbursement("d2", 300_000, "2026-05-15T00:00:00.000Z"),
      disbursement("d1", 600_000, "2026-05-10T00:00:00.000Z"),
    ],
    contributions: [
      contribution("k2", "street_subsidy", 30_000, "2026-06-05T00:00:00.000Z"),
      contribution("k1", "self_raised", 80_000, "2026-05-12T00:00:00.000Z"),
    ],
    payments: [
      paid("a", 300_000, "2026-06-21T00:00:00.000Z"),
      paid("b", 650_000, "2026-09-30T00:00:00.000Z"),
    ],
  };
  const notice = (showContributors: boolean) => {
    const n = spendingNotice(p, parts, { showContributors });
    const r = spendingNoticeSchema.safeParse(n);
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    return n;
  };

  it("lists money in by time, programme money as district finance disbursed it", () => {
    expect(notice(false).in.entries).toEqual([
      {
        source: "programme",
        amountFen: 600_000,
        reference: "VOUCHER-d1",
        at: "2026-05-10T00:00:00.000Z",
      },
      {
        source: "self_raised",
        amountFen: 80_000,
        reference: "REC-k1",
        at: "2026-05-12T00:00:00.000Z",
      },
      {
        source: "programme",
        amountFen: 300_000,
        reference: "VOUCHER-d2",
        at: "2026-05-15T00:00:00.000Z",
      },
      {
        source: "street_subsidy",
        amountFen: 30_000,
        reference: "REC-k2",
        at: "2026-06-05T00:00:00.000Z",
      },
    ]);
  });

  it("names contributors only for officials; the public notice leaves them out", () => {
    const pub = notice(false);
    for (const e of pub.in.entries) expect(Object.hasOwn(e, "contributor")).toBe(false);
    expect(JSON.stringify(pub)).not.toContain("捐款人");
    const official = notice(true);
    expect(official.in.entries.map((e) => e.contributor)).toEqual([
      undefined,
      "捐款人-k1",
      undefined,
      "捐款人-k2",
    ]);
    // programme entries never carry a contributor
    expect(Object.hasOwn(official.in.entries[0]!, "contributor")).toBe(false);
  });

  it("totals by source, money out by payment, and the balance = received - paid", () => {
    const n = notice(false);
    expect(n.in.bySource).toEqual({
      programme: 900_000,
      self_raised: 80_000,
      sponsor: 0,
      street_subsidy: 30_000,
    });
    expect(n.in.totalFen).toBe(1_010_000);
    expect(n.out).toEqual({
      totalFen: 950_000,
      payments: [
        {
          milestonePercent: 30,
          amountFen: 300_000,
          payee: "某建筑公司",
          reference: "PAY-a",
          paidAt: "2026-06-21T00:00:00.000Z",
        },
        {
          milestonePercent: 30,
          amountFen: 650_000,
          payee: "某建筑公司",
          reference: "PAY-b",
          paidAt: "2026-09-30T00:00:00.000Z",
        },
      ],
    });
    expect(n.balanceFen).toBe(60_000);
    expect(JSON.stringify(n)).not.toContain(streetStaff().sub);
  });

  it("the budget by source as planned, the street's subsidy as received", () => {
    expect(notice(false)).toMatchObject({
      proposalId: P1,
      budgetFen: 1_000_000,
      funding: {
        programmeFen: 900_000,
        selfRaisedFen: 100_000,
        sponsorFen: 0,
        streetSubsidyFen: 30_000,
      },
    });
  });

  it("before anything is paid the balance is all that was received", () => {
    const n = spendingNotice(
      implementingProject({ paidFen: 0 }),
      {
        disbursements: [disbursement("d1", 900_000, "2026-05-10T00:00:00.000Z")],
        contributions: [],
        payments: [],
      },
      { showContributors: true },
    );
    expect(n).toMatchObject({ balanceFen: 900_000, out: { totalFen: 0, payments: [] } });
  });
});
