import { type Calendars, calendarsFrom } from "@pencai/calendar";
import { describe, expect, it } from "vitest";
import {
  applySweep,
  breachAt,
  bucketsThrough,
  cancelTimer,
  dependsOnYear,
  dueBucket,
  dueIndex,
  nextActionAt,
  recompute,
  recomputed,
  slaIndex,
  startTimer,
  stopTimer,
  sweepDecision,
  sweepTimer,
} from "../src/domain/timers.js";
import type { Timer } from "../src/domain/types.js";

const official: Calendars = calendarsFrom();
const cst = (local: string) => new Date(`${local}+08:00`);
const owner = { proposalId: "P1", communityId: "c1", districtId: "d1" };
const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta);

/** Reported Tue 2025-09-30 17:30 Beijing, the last working day before National Day. */
const review = () => startTimer(owner, "review", cst("2025-09-30T17:30:00"), 5, official);

describe("deadlines on the official calendar", () => {
  it("a report on 2025-09-30 is due at the end of 2025-10-14, reminded at the end of 10-13", () => {
    expect(review()).toEqual({
      ...owner,
      kind: "review",
      round: 1,
      state: "open",
      workingDays: 5,
      startedAt: "2025-09-30T09:30:00.000Z",
      dueAt: "2025-10-14T16:00:00.000Z",
      reminderAt: "2025-10-13T16:00:00.000Z",
      provisional: false,
      years: [2025],
    });
  });

  it("a deadline crossing the 2026 Spring Festival (Feb 15-23 off, make-up Sat Feb 14 and 28)", () => {
    const t = startTimer(owner, "review", cst("2026-02-13T15:00:00"), 5, official);
    expect(t.dueAt).toBe("2026-02-27T16:00:00.000Z"); // end of Fri Feb 27
    expect(t.reminderAt).toBe("2026-02-26T16:00:00.000Z");
    const d = startTimer(owner, "disbursement", cst("2026-02-13T15:00:00"), 15, official);
    expect(d.dueAt).toBe("2026-03-12T16:00:00.000Z"); // end of Thu Mar 12
    expect(d.provisional).toBe(false);
  });

  it("a deadline in 2027 (no official data yet) is provisional and names both years", () => {
    const t = startTimer(owner, "review", cst("2026-12-30T10:00:00"), 5, official);
    expect(t).toMatchObject({
      dueAt: "2027-01-06T16:00:00.000Z",
      provisional: true,
      years: [2026, 2027],
    });
    expect(dependsOnYear(t, 2027)).toBe(true);
    expect(dependsOnYear(t, 2025)).toBe(false);
  });
});

describe("sweep decisions", () => {
  const t = review();
  it("before the reminder: none; next action is the reminder", () => {
    expect(sweepDecision(t, ms(t.reminderAt, -1))).toBe("none");
    expect(nextActionAt(t)).toBe(t.reminderAt);
  });

  it("from the reminder to the deadline (inclusive): remind", () => {
    expect(sweepDecision(t, new Date(t.reminderAt))).toBe("remind");
    expect(sweepDecision(t, new Date(t.dueAt))).toBe("remind");
  });

  it("after the deadline: breach (the reminder is skipped)", () => {
    expect(sweepDecision(t, ms(t.dueAt, 1))).toBe("breach");
    const r = sweepTimer(t, ms(t.dueAt, 60_000));
    expect(r.timer).toMatchObject({ state: "breached", breachedAt: "2025-10-14T16:01:00.000Z" });
    expect(r.timer.remindedAt).toBeUndefined();
    expect(r.event?.type).toBe("SlaBreached");
  });

  it("already reminded: none until the breach, whose time becomes the next action", () => {
    const reminded = applySweep(t, "remind", new Date(t.reminderAt));
    expect(reminded.event).toMatchObject({
      type: "SlaReminder",
      data: { remindedAt: t.reminderAt, kind: "review" },
    });
    expect(sweepDecision(reminded.timer, new Date(t.dueAt))).toBe("none");
    expect(nextActionAt(reminded.timer)).toBe(breachAt(t));
    expect(nextActionAt(reminded.timer)).toBe("2025-10-14T16:00:00.001Z");
    expect(sweepDecision(reminded.timer, ms(t.dueAt, 1))).toBe("breach");
  });

  it("already breached or stopped: none, and no next action", () => {
    const breached = sweepTimer(t, ms(t.dueAt, 1)).timer;
    const met = stopTimer(t, new Date(t.startedAt)).timer;
    for (const x of [breached, met, cancelTimer(t, new Date(t.startedAt)).timer]) {
      expect(sweepDecision(x, ms(t.dueAt, 86_400_000))).toBe("none");
      expect(nextActionAt(x)).toBeUndefined();
      expect(dueIndex(x)).toBeUndefined();
    }
  });

  it("applying none changes nothing", () => {
    expect(applySweep(t, "none", new Date())).toEqual({ timer: t });
  });
});

describe("stopping", () => {
  const t = review();
  it("at dueAt itself is met; one millisecond later is breached (with SlaBreached)", () => {
    const met = stopTimer(t, new Date(t.dueAt));
    expect(met.timer).toMatchObject({ state: "met", stoppedAt: t.dueAt, stopReason: "completed" });
    expect(met.event).toBeUndefined();
    const late = stopTimer(t, ms(t.dueAt, 1));
    expect(late.timer).toMatchObject({ state: "breached", breachedAt: "2025-10-14T16:00:00.001Z" });
    expect(late.event?.type).toBe("SlaBreached");
  });

  it("is final: a met timer never changes; a breached one records stoppedAt once", () => {
    const met = stopTimer(t, new Date(t.startedAt)).timer;
    expect(stopTimer(met, ms(t.dueAt, 999)).timer).toBe(met);
    expect(cancelTimer(met, ms(t.dueAt, 999)).timer).toBe(met);
    const breached = sweepTimer(t, ms(t.dueAt, 1)).timer;
    const stopped = stopTimer(breached, ms(t.dueAt, 5000));
    expect(stopped.event).toBeUndefined();
    expect(stopped.timer).toMatchObject({
      state: "breached",
      breachedAt: breached.breachedAt,
      stoppedAt: ms(t.dueAt, 5000).toISOString(),
    });
    expect(stopTimer(stopped.timer, ms(t.dueAt, 9000)).timer).toBe(stopped.timer);
  });

  it("a withdrawal cancels before the deadline, breaches after it", () => {
    expect(cancelTimer(t, new Date(t.dueAt)).timer.state).toBe("cancelled");
    expect(cancelTimer(t, ms(t.dueAt, 1)).event?.type).toBe("SlaBreached");
  });
});

describe("recompute when a provisional 2027 gets data", () => {
  // Suppose the 2027 notice makes Jan 1-3 the New Year holiday (Fri-Sun).
  const with2027: Calendars = (year) =>
    year === 2027
      ? {
          year,
          holidays: ["2027-01-01", "2027-01-02", "2027-01-03"],
          workdays: [],
          provisional: false,
        }
      : official(year);
  const t = startTimer(owner, "review", cst("2026-12-30T10:00:00"), 5, official);

  it("moves an open timer's deadline and clears provisional, keeping startedAt", () => {
    // 1: Thu Dec 31, 2: Mon Jan 4, 3: Tue 5, 4: Wed 6, 5: Thu 7
    expect(recompute(t, with2027)).toEqual({
      dueAt: "2027-01-07T16:00:00.000Z",
      reminderAt: "2027-01-06T16:00:00.000Z",
      provisional: false,
      years: [2026, 2027],
    });
    const r = recomputed(t, with2027);
    expect(r.startedAt).toBe(t.startedAt);
    expect(r.state).toBe("open");
  });

  it("keeps a reminder already sent (not sent twice) and moves the next action to the new breach", () => {
    const reminded = applySweep(t, "remind", new Date(t.reminderAt)).timer;
    const r = recomputed(reminded, with2027);
    expect(r.remindedAt).toBe(t.reminderAt);
    expect(sweepDecision(r, new Date(r.reminderAt))).toBe("none");
    expect(nextActionAt(r)).toBe("2027-01-07T16:00:00.001Z");
  });

  it("leaves final timers alone", () => {
    const met = stopTimer(t, new Date(t.startedAt)).timer;
    expect(recompute(met, with2027)).toBeUndefined();
    expect(recomputed(met, with2027)).toBe(met);
  });
});

describe("index keys", () => {
  it("hour buckets in UTC", () => {
    expect(dueBucket("2025-10-13T16:00:00.000Z")).toBe("2025-10-13T16");
    expect(dueBucket(new Date("2025-10-13T16:59:59.999Z"))).toBe("2025-10-13T16");
  });

  it("a sweep reads the buckets from its watermark through now", () => {
    expect(
      bucketsThrough(new Date("2025-10-13T22:30:00Z"), new Date("2025-10-14T01:05:00Z")),
    ).toEqual(["2025-10-13T22", "2025-10-13T23", "2025-10-14T00", "2025-10-14T01"]);
    expect(
      bucketsThrough(new Date("2025-10-14T02:00:00Z"), new Date("2025-10-14T01:00:00Z")),
    ).toEqual([]);
    expect(
      bucketsThrough(new Date("2025-01-01T00:00:00Z"), new Date("2025-12-31T00:00:00Z"), 5),
    ).toHaveLength(5);
  });

  it("gsi1 follows the next action; gsi2 lists by district, kind and state", () => {
    const t = review();
    expect(dueIndex(t)).toEqual({
      gsi1pk: "DUE#2025-10-13T16",
      gsi1sk: "2025-10-13T16:00:00.000Z#P1#review",
    });
    const reminded = applySweep(t, "remind", new Date(t.reminderAt)).timer;
    expect(dueIndex(reminded)).toEqual({
      gsi1pk: "DUE#2025-10-14T16",
      gsi1sk: "2025-10-14T16:00:00.001Z#P1#review",
    });
    expect(slaIndex(t)).toEqual({
      gsi2pk: "SLA#d1#review#open",
      gsi2sk: "2025-10-14T16:00:00.000Z#P1#1",
    });
  });
});

describe("events", () => {
  it("carry the timer's facts", () => {
    const t: Timer = review();
    const r = sweepTimer(t, new Date(t.reminderAt));
    expect(r.event).toEqual({
      type: "SlaReminder",
      data: {
        proposalId: "P1",
        communityId: "c1",
        districtId: "d1",
        kind: "review",
        round: 1,
        startedAt: t.startedAt,
        dueAt: t.dueAt,
        provisional: false,
        remindedAt: t.reminderAt,
      },
    });
  });
});
