import { type Calendars, calendarsFrom } from "@pencai/calendar";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applySweep,
  cancelTimer,
  nextActionAt,
  type SweepAction,
  startTimer,
  stopTimer,
  sweepDecision,
} from "../src/domain/timers.js";
import type { Timer } from "../src/domain/types.js";

const official: Calendars = calendarsFrom();
const DAY = 86_400_000;
const FROM = Date.parse("2024-01-01T00:00:00Z");
const TO = Date.parse("2026-12-20T00:00:00Z");

const timerArb = fc
  .record({
    start: fc.integer({ min: FROM, max: TO }),
    days: fc.integer({ min: 1, max: 20 }),
    kind: fc.constantFrom("review" as const, "disbursement" as const),
  })
  .map(({ start, days, kind }) =>
    startTimer(
      { proposalId: "P", communityId: "c", districtId: "d" },
      kind,
      new Date(start),
      days,
      official,
    ),
  );

/** Steps after the start: sweeps mostly, sometimes a stop or a withdrawal; gaps up to 3 days. */
const stepsArb = fc.array(
  fc.record({
    gap: fc.oneof(fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 60_000 })),
    op: fc.constantFrom("sweep", "sweep", "sweep", "sweep", "stop", "cancel"),
  }),
  { maxLength: 40 },
);

function invariant(t: Timer) {
  // never both met and breached: exactly one state, breach facts only on breached timers
  expect(t.breachedAt !== undefined).toBe(t.state === "breached");
  if (t.state === "met")
    expect(Date.parse(t.stoppedAt ?? "")).toBeLessThanOrEqual(Date.parse(t.dueAt));
  if (t.state === "met" || t.state === "cancelled") expect(t.stoppedAt).toBeDefined();
}

describe("timer properties (fast-check)", () => {
  it("a timer is never both met and breached, and a final state never changes", () => {
    fc.assert(
      fc.property(timerArb, stepsArb, (start, steps) => {
        let t = start;
        let at = Date.parse(t.startedAt);
        let final: Timer["state"] | undefined;
        for (const s of steps) {
          at += s.gap;
          const now = new Date(at);
          t =
            s.op === "sweep"
              ? applySweep(t, sweepDecision(t, now), now).timer
              : s.op === "stop"
                ? stopTimer(t, now).timer
                : cancelTimer(t, now).timer;
          invariant(t);
          if (final) expect(t.state).toBe(final);
          if (t.state !== "open") final = t.state;
        }
      }),
    );
  });

  it("sweeps never take the same action twice, and emit at most one event of each kind", () => {
    fc.assert(
      fc.property(
        timerArb,
        fc.array(fc.integer({ min: 0, max: 2 * DAY }), { maxLength: 60 }),
        (start, gaps) => {
          let t = start;
          let at = Date.parse(t.startedAt);
          const actions: SweepAction[] = [];
          for (const gap of gaps) {
            at += gap;
            const now = new Date(at);
            const action = sweepDecision(t, now);
            // two sweeps reading the same state decide the same (the store lets one win)
            expect(sweepDecision(t, now)).toBe(action);
            if (action !== "none") actions.push(action);
            t = applySweep(t, action, now).timer;
            invariant(t);
          }
          expect(new Set(actions).size).toBe(actions.length);
          if (actions.includes("remind") && actions.includes("breach")) {
            expect(actions).toEqual(["remind", "breach"]);
          }
          // a sweep late enough breaches every open timer
          const late = new Date(Date.parse(t.dueAt) + 1);
          if (t.state === "open") expect(sweepDecision(t, late)).toBe("breach");
        },
      ),
    );
  });

  it("nextActionAt is non-decreasing as actions are applied, and due once reached", () => {
    fc.assert(
      fc.property(timerArb, stepsArb, (start, steps) => {
        let t = start;
        let at = Date.parse(t.startedAt);
        let last = Number.NEGATIVE_INFINITY;
        for (const s of steps) {
          const next = nextActionAt(t);
          if (next === undefined) break;
          expect(Date.parse(next)).toBeGreaterThanOrEqual(last);
          last = Date.parse(next);
          // at its next action time the sweep has something to do
          expect(sweepDecision(t, new Date(next))).not.toBe("none");
          at += s.gap;
          const now = new Date(at);
          t =
            s.op === "stop"
              ? stopTimer(t, now).timer
              : applySweep(t, sweepDecision(t, now), now).timer;
        }
      }),
    );
  });

  it("the reminder is one working day before the deadline, after the start", () => {
    fc.assert(
      fc.property(timerArb, (t) => {
        expect(Date.parse(t.reminderAt)).toBeLessThan(Date.parse(t.dueAt));
        expect(Date.parse(t.reminderAt)).toBeGreaterThan(Date.parse(t.startedAt));
      }),
    );
  });
});
