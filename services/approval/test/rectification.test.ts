import { calendarsFrom } from "@pencai/calendar";
import type { InspectionFindingData } from "@pencai/contracts/oversight-events";
import { describe, expect, it } from "vitest";
import { startRectification, stopRectification, sweepTimer } from "../src/domain/timers.js";

// Rectification (整改) timers: oversight's failed finding starts one; the sweeper watches it like
// the review and disbursement deadlines.

const official = calendarsFrom();
const failed = (over: Partial<InspectionFindingData> = {}): InspectionFindingData => ({
  inspectionId: "I1",
  proposalId: "P1",
  communityId: "c1",
  streetId: "s1",
  districtId: "d1",
  year: 2026,
  passed: false,
  issues: 2,
  rectifyWorkingDays: 10,
  rectifyDueAt: "2026-03-23T16:00:00.000Z",
  recordedAt: "2026-03-09T02:00:00.000Z", // Mon 2026-03-09 10:00 Beijing
  ...over,
});

describe("rectification timers", () => {
  it("a failed finding starts one, due at 24:00 of the 10th working day after the finding", () => {
    const t = startRectification(failed(), [], official)!;
    expect(t).toMatchObject({
      kind: "rectification",
      round: 1,
      state: "open",
      inspectionId: "I1",
      workingDays: 10,
      startedAt: "2026-03-09T02:00:00.000Z",
      dueAt: "2026-03-23T16:00:00.000Z", // end of Mon 2026-03-23, as oversight computed
    });
  });

  it("a passed finding starts nothing; a redelivered one finds its timer", () => {
    expect(
      startRectification(failed({ passed: true, rectifyWorkingDays: undefined }), [], official),
    ).toBeUndefined();
    const t = startRectification(failed(), [], official)!;
    expect(startRectification(failed(), [t], official)).toBeUndefined();
    const next = startRectification(failed({ inspectionId: "I2" }), [t], official)!;
    expect(next).toMatchObject({ round: 2, inspectionId: "I2" });
  });

  it("a breached rectification produces SlaBreached once", () => {
    const t = startRectification(failed(), [], official)!;
    const late = new Date(Date.parse(t.dueAt) + 1);
    const first = sweepTimer(t, late);
    expect(first.event).toMatchObject({
      type: "SlaBreached",
      data: { kind: "rectification", proposalId: "P1", startedAt: t.startedAt },
    });
    expect(sweepTimer(first.timer, new Date(late.getTime() + 3_600_000)).event).toBeUndefined();
    // the street reports it rectified afterwards: stopped, still breached, no second event
    const stop = stopRectification(
      {
        inspectionId: "I1",
        proposalId: "P1",
        communityId: "c1",
        districtId: "d1",
        completedAt: new Date(late.getTime() + 7_200_000).toISOString(),
      },
      [first.timer],
    )!;
    expect(stop.event).toBeUndefined();
    expect(stop.timer).toMatchObject({ state: "breached", stopReason: "completed" });
  });

  it("rectified on time is met; late, before the sweep, breaches at the stop", () => {
    const t = startRectification(failed(), [], official)!;
    const done = (at: string) => ({
      inspectionId: "I1",
      proposalId: "P1",
      communityId: "c1",
      districtId: "d1",
      completedAt: at,
    });
    expect(stopRectification(done(t.dueAt), [t])).toMatchObject({ timer: { state: "met" } });
    const late = stopRectification(done("2026-03-24T01:00:00.000Z"), [t])!;
    expect(late.timer.state).toBe("breached");
    expect(late.event).toMatchObject({ type: "SlaBreached", data: { kind: "rectification" } });
    expect(stopRectification(done(t.dueAt), [])).toBeUndefined();
  });
});
