import type { Envelope } from "@pencai/contracts/events";
import {
  proposalSchema,
  publicProposalDetailSchema,
  publicProposalSchema,
} from "@pencai/contracts/intake";
import { describe, expect, it } from "vitest";
import { withdrawProposal } from "../src/domain/proposal.js";
import { applyLifecycleEvent } from "../src/domain/registry.js";
import {
  mergeSla,
  type SlaRecord,
  slaObservationOf,
  slaSummary,
  slaView,
} from "../src/domain/sla.js";
import type { ProposalRecord } from "../src/domain/types.js";
import { proposalView, publicProposalView } from "../src/domain/views.js";
import {
  approvalEvent,
  approved,
  breached,
  disbursed,
  reminded,
  reported,
  reviewed,
} from "./approval-fixtures.js";
import { proposalRecord, resident, useTestCity } from "./fixtures.js";

useTestCity();

// Times: a report on Mon 2026-05-11 (08:00 Shanghai) is due at the end of Mon 05-18.
const REPORT = "2026-05-11T00:00:00.000Z";
const DUE = "2026-05-18T15:59:59.999Z";
const REMIND = "2026-05-17T16:00:00.000Z";
const ON_TIME = "2026-05-15T02:00:00.000Z";
const LATE = "2026-05-19T02:00:00.000Z";
const BREACH = "2026-05-18T16:00:00.000Z";

const apply = (p: ProposalRecord, ...events: Envelope[]) =>
  events.reduce((acc, e) => applyLifecycleEvent(acc, e).proposal, p);

/** Every order of `items` (small n). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

describe("SLA projection: review timer", () => {
  it("opens on the report and is met by a review before the deadline", () => {
    const open = apply(proposalRecord({ status: "endorsed" }), reported(1, REPORT, DUE, true));
    expect(slaView(open.sla)).toEqual([
      { kind: "review", round: 1, state: "open", startedAt: REPORT, dueAt: DUE, provisional: true },
    ]);
    const met = apply(open, reviewed("forward", 1, ON_TIME, DUE, "met"));
    expect(slaView(met.sla)).toEqual([
      {
        kind: "review",
        round: 1,
        state: "met",
        startedAt: REPORT,
        dueAt: DUE,
        stoppedAt: ON_TIME,
        provisional: true,
      },
    ]);
    expect(met.status).toBe("forwarded");
    expect(met.updatedAt).toBe(ON_TIME);
  });

  it("records a reminder without changing the state", () => {
    const p = apply(
      proposalRecord({ status: "endorsed" }),
      reported(1, REPORT, DUE),
      reminded("review", 1, REPORT, DUE, REMIND),
    );
    expect(slaView(p.sla)).toEqual([
      expect.objectContaining({ state: "open", remindedAt: REMIND }),
    ]);
  });

  it("keeps a breach final: a later 'met' never overwrites it, a late stop adds stoppedAt", () => {
    const swept = apply(
      proposalRecord({ status: "endorsed" }),
      reported(1, REPORT, DUE),
      breached("review", 1, REPORT, DUE, BREACH),
    );
    expect(slaView(swept.sla)[0]).toMatchObject({ state: "breached", breachedAt: BREACH });
    expect(slaView(swept.sla)[0]).not.toHaveProperty("stoppedAt");
    const stopped = apply(swept, reviewed("forward", 1, LATE, DUE, "breached"));
    expect(slaView(stopped.sla)[0]).toMatchObject({
      state: "breached",
      breachedAt: BREACH,
      stoppedAt: LATE,
    });
    // even a (wrong) 'met' from a confused producer cannot undo it
    const metAfter = apply(
      stopped,
      approvalEvent(
        "DistrictReviewCompleted",
        { decision: "forward", reviewedAt: ON_TIME, reviewDueAt: DUE, sla: "met", round: 1 },
        ON_TIME,
      ),
    );
    expect(slaView(metAfter.sla)[0]).toMatchObject({ state: "breached", stoppedAt: LATE });
  });

  it("lets a breach that arrives before the report still win", () => {
    const p = apply(
      proposalRecord({ status: "endorsed" }),
      breached("review", 1, REPORT, DUE, BREACH),
      reported(1, REPORT, DUE),
    );
    expect(p.status).toBe("reported");
    expect(slaView(p.sla)).toEqual([
      {
        kind: "review",
        round: 1,
        state: "breached",
        startedAt: REPORT,
        dueAt: DUE,
        breachedAt: BREACH,
        provisional: false,
      },
    ]);
  });

  it("ends in the same state whatever order (and how often) the events of a late review arrive", () => {
    // a late stop: approval emits SlaBreached and DistrictReviewCompleted (breached) together
    const events = [
      reported(1, REPORT, DUE),
      reminded("review", 1, REPORT, DUE, REMIND),
      breached("review", 1, REPORT, DUE, LATE),
      reviewed("forward", 1, LATE, DUE, "breached"),
    ];
    const expected = {
      kind: "review",
      round: 1,
      state: "breached",
      startedAt: REPORT,
      dueAt: DUE,
      stoppedAt: LATE,
      remindedAt: REMIND,
      breachedAt: LATE,
      provisional: false,
    };
    for (const order of permutations(events)) {
      const once = apply(proposalRecord({ status: "endorsed" }), ...order);
      const twice = apply(once, ...order);
      const label = order.map((e) => e.type).join(" > ");
      expect(slaView(once.sla), label).toEqual([expected]);
      expect(slaView(twice.sla), label).toEqual([expected]);
      expect(once.status, label).toBe("forwarded");
    }
  });

  it("keeps one timer per round: round 1 returned on time, round 2 late", () => {
    const DUE2 = "2026-05-27T15:59:59.999Z";
    const p = apply(
      proposalRecord({ status: "endorsed" }),
      reported(1, REPORT, DUE),
      reviewed("return", 1, ON_TIME, DUE, "met"),
      reported(2, "2026-05-20T00:00:00.000Z", DUE2),
      breached("review", 2, "2026-05-20T00:00:00.000Z", DUE2, "2026-05-27T16:00:00.000Z"),
    );
    expect(p.status).toBe("reported");
    expect(slaView(p.sla).map((t) => [t.round, t.state])).toEqual([
      [1, "met"],
      [2, "breached"],
    ]);
    expect(slaSummary(p.sla)).toEqual({ review: "breached" });
    // and the other way round: a breach in round 1 is not forgiven by a met round 2
    const q = apply(
      proposalRecord({ status: "endorsed" }),
      breached("review", 1, REPORT, DUE, BREACH),
      reviewed("return", 1, LATE, DUE, "breached"),
      reported(2, "2026-05-20T00:00:00.000Z", DUE2),
    );
    expect(slaSummary(q.sla)).toEqual({ review: "breached" });
    const r = apply(
      proposalRecord({ status: "endorsed" }),
      reported(1, REPORT, DUE),
      reviewed("return", 1, ON_TIME, DUE, "met"),
      reported(2, "2026-05-20T00:00:00.000Z", DUE2),
    );
    expect(slaSummary(r.sla)).toEqual({ review: "open" }); // the latest round
  });

  it("takes the deadline from the newest event (approval recomputes provisional deadlines)", () => {
    const RECOMPUTED = "2026-05-19T15:59:59.999Z";
    const later = reminded("review", 1, REPORT, RECOMPUTED, "2026-05-18T16:00:00.000Z", false);
    const report = reported(1, REPORT, DUE, true);
    for (const order of [
      [report, later],
      [later, report],
    ]) {
      const p = apply(proposalRecord({ status: "endorsed" }), ...order);
      expect(slaView(p.sla)[0]).toMatchObject({ dueAt: RECOMPUTED, provisional: false });
    }
  });

  it("a finished timer shows whether its final deadline was provisional, as the step's event says", () => {
    const RECOMPUTED = "2026-05-19T15:59:59.999Z";
    const report = reported(1, REPORT, DUE, true);
    // the deadline was recomputed with official data (no reminder or breach followed), then met
    const review = reviewed("forward", 1, "2026-05-15T02:00:00.000Z", RECOMPUTED, "met", false);
    for (const order of [
      [report, review],
      [review, report],
    ]) {
      const p = apply(proposalRecord({ status: "endorsed" }), ...order);
      expect(slaView(p.sla)[0]).toMatchObject({
        state: "met",
        dueAt: RECOMPUTED,
        provisional: false,
      });
    }
  });

  it("ignores malformed timer data", () => {
    const bad: Envelope = {
      ...breached("review", 1, REPORT, DUE, BREACH),
      data: { kind: "coffee", round: 1, dueAt: DUE, breachedAt: BREACH },
    };
    expect(slaObservationOf(bad)).toBeUndefined();
    expect(
      slaObservationOf({ ...bad, data: { kind: "review", round: 0, breachedAt: BREACH } }),
    ).toBeUndefined();
    expect(
      slaObservationOf({ ...reported(1, REPORT, DUE), data: { round: 1, reviewDueAt: "soon" } }),
    ).toBeUndefined();
    const p = applyLifecycleEvent(proposalRecord({ status: "reported" }), bad);
    expect(p.proposal.sla).toBeUndefined();
    expect(p.entry.type).toBe("SlaBreached"); // still on the timeline
  });
});

describe("SLA projection: disbursement timer", () => {
  const APPROVED = "2026-06-01T02:00:00.000Z";
  const PAY_DUE = "2026-06-22T15:59:59.999Z";

  it("opens on approval, stays open on a partial payment, is met by the full one", () => {
    const open = apply(proposalRecord({ status: "forwarded" }), approved(APPROVED, PAY_DUE));
    expect(slaView(open.sla)).toEqual([
      {
        kind: "disbursement",
        round: 1,
        state: "open",
        startedAt: APPROVED,
        dueAt: PAY_DUE,
        provisional: false,
      },
    ]);
    const partial = apply(open, disbursed(400_000, 400_000, "2026-06-10T02:00:00.000Z", PAY_DUE));
    expect(partial.status).toBe("approved");
    expect(slaView(partial.sla)[0]!.state).toBe("open");
    const full = apply(
      partial,
      disbursed(600_000, 1_000_000, "2026-06-12T02:00:00.000Z", PAY_DUE, "met"),
    );
    expect(full.status).toBe("funded");
    expect(slaView(full.sla)[0]).toMatchObject({
      state: "met",
      stoppedAt: "2026-06-12T02:00:00.000Z",
    });
    expect(slaSummary(full.sla)).toEqual({ disbursement: "met" });
  });

  it("is built in any order: the full payment before the approval, the breach before both", () => {
    const events = [
      approved(APPROVED, PAY_DUE),
      breached("disbursement", 1, APPROVED, PAY_DUE, "2026-06-22T16:00:00.000Z"),
      disbursed(1_000_000, 1_000_000, "2026-06-25T02:00:00.000Z", PAY_DUE, "breached"),
    ];
    for (const order of permutations(events)) {
      const p = apply(proposalRecord({ status: "forwarded" }), ...order);
      expect(p.status).toBe("funded");
      expect(slaView(p.sla)).toEqual([
        {
          kind: "disbursement",
          round: 1,
          state: "breached",
          startedAt: APPROVED,
          dueAt: PAY_DUE,
          stoppedAt: "2026-06-25T02:00:00.000Z",
          breachedAt: "2026-06-22T16:00:00.000Z",
          provisional: false,
        },
      ]);
    }
  });

  it("lists review rounds before the disbursement", () => {
    const p = apply(
      proposalRecord({ status: "endorsed" }),
      approved(APPROVED, PAY_DUE),
      reviewed("forward", 1, ON_TIME, DUE, "met"),
      reported(1, REPORT, DUE),
    );
    expect(slaView(p.sla).map((t) => t.kind)).toEqual(["review", "disbursement"]);
    expect(slaSummary(p.sla)).toEqual({ review: "met", disbursement: "open" });
  });
});

describe("SLA projection: withdrawal", () => {
  const WITHDRAWN = "2026-05-13T02:00:00.000Z";
  const withdraw = (p: ProposalRecord, at: string) =>
    withdrawProposal(p, undefined, { principal: resident(), now: new Date(at) }).proposal;

  it("cancels the open review timer before its deadline", () => {
    const p = withdraw(
      apply(proposalRecord({ status: "endorsed" }), reported(1, REPORT, DUE)),
      WITHDRAWN,
    );
    expect(p.status).toBe("withdrawn");
    expect(slaView(p.sla)[0]).toMatchObject({ state: "cancelled", stoppedAt: WITHDRAWN });
  });

  it("leaves final timers alone and an overdue one open for approval's breach", () => {
    const DUE2 = "2026-05-27T15:59:59.999Z";
    const base = apply(
      proposalRecord({ status: "endorsed" }),
      reported(1, REPORT, DUE),
      reviewed("return", 1, ON_TIME, DUE, "met"),
      reported(2, "2026-05-20T00:00:00.000Z", DUE2),
    );
    const overdue = withdraw(base, "2026-05-28T02:00:00.000Z");
    expect(slaView(overdue.sla).map((t) => t.state)).toEqual(["met", "open"]);
    const breachedAfter = apply(
      overdue,
      breached("review", 2, "2026-05-20T00:00:00.000Z", DUE2, "2026-05-28T02:00:05.000Z"),
    );
    expect(slaView(breachedAfter.sla).map((t) => t.state)).toEqual(["met", "breached"]);
  });

  it("yields to approval's word: breached or met after intake's cancellation", () => {
    const cancelled = withdraw(
      apply(proposalRecord({ status: "endorsed" }), reported(1, REPORT, DUE)),
      WITHDRAWN,
    );
    // approval handled the withdrawal only after the deadline: breached
    expect(
      slaView(apply(cancelled, breached("review", 1, REPORT, DUE, BREACH)).sla)[0],
    ).toMatchObject({ state: "breached", stoppedAt: WITHDRAWN, breachedAt: BREACH });
    // the district had decided before approval saw the withdrawal: met
    expect(
      slaView(apply(cancelled, reviewed("forward", 1, ON_TIME, DUE, "met")).sla)[0],
    ).toMatchObject({ state: "met", stoppedAt: ON_TIME });
  });

  it("cancels a review timer whose report arrives after the withdrawal", () => {
    const p = apply(
      withdraw(proposalRecord({ status: "endorsed" }), "2026-05-10T23:00:00.000Z"),
      reported(1, REPORT, DUE),
    );
    expect(p.status).toBe("withdrawn");
    // stopped no earlier than it started
    expect(slaView(p.sla)[0]).toMatchObject({ state: "cancelled", stoppedAt: REPORT });
  });
});

describe("SLA in the views", () => {
  const p = apply(
    proposalRecord({ status: "endorsed" }),
    reported(1, REPORT, DUE),
    breached("review", 1, REPORT, DUE, BREACH),
    reviewed("forward", 1, LATE, DUE, "breached"),
    approved("2026-06-01T02:00:00.000Z", "2026-06-22T15:59:59.999Z"),
  );

  it("shows every timer on the proposal and the public record, without internal fields", () => {
    for (const view of [proposalView(p), publicProposalView(p)]) {
      expect(view.sla).toEqual(slaView(p.sla));
      expect(view.sla).toHaveLength(2);
      expect(view.slaSummary).toEqual({ review: "breached", disbursement: "open" });
      expect(JSON.stringify(view)).not.toContain("factsAt");
    }
    const detail = publicProposalDetailSchema.safeParse({ ...publicProposalView(p), timeline: [] });
    expect(detail.success, JSON.stringify(detail.error?.issues)).toBe(true);
    const own = proposalSchema.safeParse(proposalView(p));
    expect(own.success, JSON.stringify(own.error?.issues)).toBe(true);
  });

  it("gives the public list only the summary", () => {
    const item = publicProposalView(p, { compact: true });
    expect(item).not.toHaveProperty("sla");
    expect(item.slaSummary).toEqual({ review: "breached", disbursement: "open" });
    expect(publicProposalSchema.safeParse(item).success).toBe(true);
  });

  it("has no SLA fields before any timer, and hides a timer whose deadline is unknown", () => {
    expect(publicProposalView(proposalRecord())).not.toHaveProperty("sla");
    expect(publicProposalView(proposalRecord())).not.toHaveProperty("slaSummary");
    const noDue: SlaRecord[] = mergeSla(undefined, {
      kind: "disbursement",
      round: 1,
      at: LATE,
      state: "met",
      stoppedAt: LATE,
    });
    expect(noDue).toHaveLength(1);
    expect(slaView(noDue)).toEqual([]);
    expect(slaSummary(noDue)).toBeUndefined();
  });
});
