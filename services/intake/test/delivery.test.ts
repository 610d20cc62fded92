import { evaluationEventDataSchemas } from "@pencai/contracts/evaluation-events";
import type { Envelope } from "@pencai/contracts/events";
import { describe, expect, it } from "vitest";
import { deliveryAfter } from "../src/domain/delivery.js";
import { applyLifecycleEvent } from "../src/domain/registry.js";
import type { ProposalRecord } from "../src/domain/types.js";
import { proposalRecord, ULID_A } from "./fixtures.js";

// Implementation and effect (四公开's last two stages) as intake keeps them from the evaluation
// service's events: order-free, and never a person.

type EvaluationType = keyof typeof evaluationEventDataSchemas;

/** The person behind every evaluation event: never to be found in what intake keeps. */
const STREET_SUB = "street-secret-7";

let n = 0;
/** An evaluation event as the evaluation service emits it (data checked against its contract). */
function evaluationEvent(
  type: EvaluationType,
  data: Record<string, unknown>,
  at: string,
): Envelope {
  const full = { proposalId: ULID_A, ...data };
  const parsed = evaluationEventDataSchemas[type].safeParse(full);
  if (!parsed.success) throw new Error(`${type} breaks its contract: ${parsed.error.message}`);
  n++;
  return {
    id: `01JEVL${String(n).padStart(20, "0")}`,
    type,
    version: 1,
    occurredAt: at,
    cityId: "testcity",
    proposalId: ULID_A,
    communityId: "c1",
    actor: { sub: STREET_SUB, roles: ["street_staff"] },
    correlationId: "corr",
    data: parsed.data,
  };
}

const milestones = [
  { percent: 50, description: "主体完工", dueOn: "2026-08-01" },
  { percent: 100, description: "验收", dueOn: "2026-09-01" },
];
const started = (at = "2026-06-01T00:00:00.000Z") =>
  evaluationEvent(
    "ImplementationStarted",
    { implementer: { kind: "org", orgId: "org-builder" }, milestones, startedAt: at },
    at,
  );
const progressed = (percent: number, previousPercent: number, at: string) =>
  evaluationEvent(
    "ProgressReported",
    { percent, previousPercent, evidenceIds: [], note: "进度", reportedAt: at },
    at,
  );
const paid = (paymentId: string, amountFen: number, at: string) =>
  evaluationEvent(
    "PaymentMade",
    {
      paymentId,
      milestonePercent: 50,
      amountFen,
      payee: "某建筑公司",
      reference: `PAY-${paymentId}`,
      paidAt: at,
    },
    at,
  );
const contributed = (
  source: "self_raised" | "sponsor" | "street_subsidy",
  amountFen: number,
  sourceTotalFen: number,
  at: string,
) =>
  evaluationEvent(
    "ContributionReceived",
    {
      contributionId: `k-${at}`,
      source,
      amountFen,
      reference: "REC-1",
      sourceTotalFen,
      receivedAt: at,
    },
    at,
  );
const completed = (at = "2026-09-01T00:00:00.000Z") =>
  evaluationEvent("ProjectCompleted", { completedAt: at, totalPaidFen: 1_000_000 }, at);
const closed = (satisfactionRate: number, passed: boolean, at = "2026-10-01T00:00:00.000Z") =>
  evaluationEvent(
    "EvaluationClosed",
    {
      seats: 5,
      ratings: 5,
      satisfiedCount: Math.round(satisfactionRate * 5),
      satisfactionRate,
      passed,
      byType: { resident_rep: { ratings: 5, satisfied: Math.round(satisfactionRate * 5) } },
      closedAt: at,
    },
    at,
  );

const funded = (over: Partial<ProposalRecord> = {}) =>
  proposalRecord({ status: "funded", committed: true, ...over });

/** deliveryAfter applied in turn, as the registry merges it. */
function deliver(events: Envelope[], start = funded()): ProposalRecord {
  let p = start;
  for (const e of events) p = { ...p, ...deliveryAfter(p, e) };
  return p;
}

/** applyLifecycleEvent in turn: the record and every timeline entry. */
function registry(events: Envelope[], start = funded()) {
  let p = start;
  const entries = [];
  for (const e of events) {
    const change = applyLifecycleEvent(p, e);
    p = change.proposal;
    entries.push(change.entry);
  }
  return { proposal: p, entries };
}

describe("deliveryAfter", () => {
  it("ImplementationStarted: the responsible unit and the plan", () => {
    const p = deliver([started()]);
    expect(p.implementation).toEqual({
      implementer: { kind: "org", orgId: "org-builder" },
      milestones,
      percent: 0,
      payments: [],
      totalPaidFen: 0,
      startedAt: "2026-06-01T00:00:00.000Z",
    });
  });

  it("progress only rises: a late lower report leaves it", () => {
    const p = deliver([
      started(),
      progressed(60, 30, "2026-07-02T00:00:00.000Z"),
      progressed(30, 0, "2026-07-01T00:00:00.000Z"),
    ]);
    expect(p.implementation?.percent).toBe(60);
  });

  it("keeps each payment once by its id, in payment order, the total their sum", () => {
    const a = paid("pay-a", 300_000, "2026-07-05T00:00:00.000Z");
    const b = paid("pay-b", 200_000, "2026-07-20T00:00:00.000Z");
    const p = deliver([started(), b, a]);
    expect(p.implementation?.payments).toEqual([
      {
        paymentId: "pay-a",
        payee: "某建筑公司",
        amountFen: 300_000,
        milestonePercent: 50,
        paidAt: "2026-07-05T00:00:00.000Z",
      },
      {
        paymentId: "pay-b",
        payee: "某建筑公司",
        amountFen: 200_000,
        milestonePercent: 50,
        paidAt: "2026-07-20T00:00:00.000Z",
      },
    ]);
    expect(p.implementation?.totalPaidFen).toBe(500_000);
    // a second delivery of a payment changes nothing at all: it is not counted twice
    expect(deliveryAfter(p, a)).toEqual({});
    expect(deliver([a, b, a, b], p).implementation?.totalPaidFen).toBe(500_000);
  });

  it("completion is 100%, whatever reports come after", () => {
    const p = deliver([started(), completed(), progressed(80, 60, "2026-08-20T00:00:00.000Z")]);
    expect(p.implementation).toMatchObject({
      percent: 100,
      completedAt: "2026-09-01T00:00:00.000Z",
    });
  });

  it("sets the plan from ImplementationStarted even when progress came first", () => {
    const p = deliver([progressed(30, 0, "2026-07-01T00:00:00.000Z"), started()]);
    expect(p.implementation).toMatchObject({
      implementer: { kind: "org", orgId: "org-builder" },
      milestones,
      percent: 30,
      startedAt: "2026-06-01T00:00:00.000Z",
    });
  });

  it("keeps the street's subsidy total, the largest seen; other sources are evaluation's own", () => {
    const p = deliver([
      contributed("street_subsidy", 20_000, 50_000, "2026-07-02T00:00:00.000Z"),
      contributed("street_subsidy", 30_000, 30_000, "2026-07-01T00:00:00.000Z"),
    ]);
    expect(p.streetSubsidyFen).toBe(50_000);
    expect(
      deliveryAfter(p, contributed("self_raised", 10_000, 10_000, "2026-07-03T00:00:00.000Z")),
    ).toEqual({});
    expect(
      deliveryAfter(p, contributed("sponsor", 10_000, 10_000, "2026-07-03T00:00:00.000Z")),
    ).toEqual({});
  });

  it("the panel's result, counts only, set once", () => {
    const p = deliver([closed(0.8, true)]);
    expect(p.effect).toEqual({
      seats: 5,
      ratings: 5,
      satisfactionRate: 0.8,
      passed: true,
      closedAt: "2026-10-01T00:00:00.000Z",
    });
    expect(deliveryAfter(p, closed(0.2, false, "2026-10-05T00:00:00.000Z"))).toEqual({});
  });

  it("changes nothing for events that are not about delivery", () => {
    const opened = evaluationEvent(
      "EvaluationOpened",
      { seats: 5, seatsByType: { resident_rep: 5 }, openedAt: "2026-09-10T00:00:00.000Z" },
      "2026-09-10T00:00:00.000Z",
    );
    expect(deliveryAfter(funded(), opened)).toEqual({});
  });

  it("keeps no person, even were an event's data to carry one", () => {
    const leak = { sub: "owner-secret", owner: { name: "王主任", phone: "13800000000" } };
    const events = [
      started(),
      progressed(50, 0, "2026-07-01T00:00:00.000Z"),
      paid("pay-a", 1, "2026-07-02T00:00:00.000Z"),
    ].map((e) => ({
      ...e,
      data: {
        ...(e.data as object),
        ...leak,
        implementer: { kind: "org", orgId: "org-builder", contact: "李四" },
        milestones: milestones.map((m) => ({ ...m, owner: "王主任" })),
        contributor: "张三",
      },
    }));
    const p = deliver(events);
    const kept = JSON.stringify({ implementation: p.implementation, effect: p.effect });
    for (const secret of ["owner-secret", "王主任", "13800000000", "李四", "张三", STREET_SUB]) {
      expect(kept).not.toContain(secret);
    }
  });
});

describe("through the registry (applyLifecycleEvent)", () => {
  it("moves funded -> implementing -> completed -> evaluated, a timeline entry per event", () => {
    const events = [
      started(),
      progressed(50, 0, "2026-07-01T00:00:00.000Z"),
      paid("pay-a", 500_000, "2026-07-02T00:00:00.000Z"),
      contributed("street_subsidy", 30_000, 30_000, "2026-07-03T00:00:00.000Z"),
      completed(),
      closed(0.8, true),
    ];
    const { proposal, entries } = registry(events);
    expect(entries.map((e) => [e.type, e.data.status])).toEqual([
      ["ImplementationStarted", "funded"],
      ["ProgressReported", "implementing"],
      ["PaymentMade", "implementing"],
      ["ContributionReceived", "implementing"],
      ["ProjectCompleted", "completed"],
      ["EvaluationClosed", "evaluated"],
    ]);
    expect(entries.map((e) => e.at)).toEqual(events.map((e) => e.occurredAt));
    expect(proposal).toMatchObject({
      status: "evaluated",
      streetSubsidyFen: 30_000,
      implementation: { percent: 100, totalPaidFen: 500_000 },
      effect: { passed: true },
      updatedAt: "2026-10-01T00:00:00.000Z",
    });
  });

  it("the timeline shows the role that acted and the public amounts, never the person", () => {
    const { entries } = registry([paid("pay-a", 500_000, "2026-07-02T00:00:00.000Z")]);
    expect(entries[0]).toMatchObject({
      actor: { role: "street_staff" },
      data: { payee: "某建筑公司", amountFen: 500_000, milestonePercent: 50 },
    });
    expect(JSON.stringify(entries)).not.toContain(STREET_SUB);
  });

  it("late events never move the status back; their facts still land", () => {
    const evaluated = registry([started(), completed(), closed(0.9, true)]).proposal;
    expect(evaluated.status).toBe("evaluated");
    const late = registry(
      [
        progressed(90, 50, "2026-08-01T00:00:00.000Z"),
        completed(),
        paid("pay-z", 1, "2026-08-02T00:00:00.000Z"),
      ],
      evaluated,
    );
    expect(late.entries.map((e) => e.data.status)).toEqual(["evaluated", "evaluated", "evaluated"]);
    expect(late.proposal.implementation?.percent).toBe(100);
    expect(late.proposal.implementation?.payments.map((x) => x.paymentId)).toEqual(["pay-z"]);

    const done = registry([completed()]).proposal;
    expect(registry([progressed(70, 50, "2026-08-01T00:00:00.000Z")], done).proposal.status).toBe(
      "completed",
    );
  });

  it("skips ahead when evaluation's events overtake approval's", () => {
    const approvedOnly = funded({ status: "approved" });
    const { proposal } = registry([progressed(10, 0, "2026-07-01T00:00:00.000Z")], approvedOnly);
    expect(proposal).toMatchObject({ status: "implementing", implementation: { percent: 10 } });
  });

  it("a redelivered event adds a timeline entry but changes no fact", () => {
    const once = registry([started(), paid("pay-a", 500_000, "2026-07-02T00:00:00.000Z")]);
    const again = applyLifecycleEvent(
      once.proposal,
      paid("pay-a", 500_000, "2026-07-02T00:00:00.000Z"),
    );
    expect(again.proposal).toEqual(once.proposal);
    expect(again.entry.type).toBe("PaymentMade");
  });

  describe("is order-free", () => {
    const events = [
      started(),
      progressed(30, 0, "2026-07-01T00:00:00.000Z"),
      progressed(60, 30, "2026-07-10T00:00:00.000Z"),
      paid("pay-a", 300_000, "2026-07-05T00:00:00.000Z"),
      paid("pay-b", 300_000, "2026-07-12T00:00:00.000Z"),
      contributed("street_subsidy", 10_000, 10_000, "2026-07-03T00:00:00.000Z"),
      contributed("street_subsidy", 15_000, 25_000, "2026-07-08T00:00:00.000Z"),
      completed(),
      closed(0.8, true),
    ];
    /** A seeded shuffle (deterministic: a failure names its seed). */
    const shuffled = <T>(xs: readonly T[], seed: number): T[] => {
      const out = [...xs];
      let s = seed;
      for (let i = out.length - 1; i > 0; i--) {
        s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
        const j = s % (i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const facts = (p: ProposalRecord) => ({
      status: p.status,
      implementation: p.implementation,
      effect: p.effect,
      streetSubsidyFen: p.streetSubsidyFen,
    });

    it("ends with the same record whatever order the events arrive in", () => {
      const inOrder = facts(registry(events).proposal);
      expect(inOrder).toMatchObject({
        status: "evaluated",
        implementation: {
          percent: 100,
          totalPaidFen: 600_000,
          startedAt: "2026-06-01T00:00:00.000Z",
        },
        streetSubsidyFen: 25_000,
      });
      for (const order of [
        [...events].reverse(),
        ...Array.from({ length: 300 }, (_, s) => shuffled(events, s + 1)),
      ]) {
        const { proposal, entries } = registry(order);
        expect(facts(proposal)).toEqual(inOrder);
        expect(entries).toHaveLength(events.length);
      }
    });
  });
});
