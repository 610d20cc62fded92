import { calendarsFrom } from "@pencai/calendar";
import { DomainError } from "@pencai/contracts/errors";
import { describe, expect, it } from "vitest";
import {
  drawInspection,
  inspectionView,
  recordFinding,
  rectification,
} from "../src/domain/inspection.js";

const population = Array.from({ length: 30 }, (_, i) => ({
  proposalId: `P${String(i).padStart(2, "0")}`,
  streetId: i < 20 ? "s1" : "s2",
  communityId: i < 20 ? "c1" : "c3",
}));
const now = new Date("2026-03-09T02:00:00.000Z"); // Mon 10:00 Beijing
const body = { districtId: "d1", year: 2026, sampleSize: 6, seed: "published-seed" };
const calendars = calendarsFrom();

describe("an inspection", () => {
  const { record, event } = drawInspection("I1", body, population, "analyst-1", now);

  it("draws 4 of s1's 20 and 2 of s2's 10, and says so in InspectionDrawn", () => {
    expect(record.items.filter((i) => i.streetId === "s1")).toHaveLength(4);
    expect(record.items.filter((i) => i.streetId === "s2")).toHaveLength(2);
    expect(record.items.every((i) => i.communityId === (i.streetId === "s1" ? "c1" : "c3"))).toBe(
      true,
    );
    expect(event).toMatchObject({
      inspectionId: "I1",
      populationCount: 30,
      populationHash: record.population.hash,
      sampleSize: 6,
      items: record.items.map(({ proposalId, streetId }) => ({ proposalId, streetId })),
    });
    // a redraw from what was published gives the same items
    expect(drawInspection("I2", body, [...population].reverse(), "x", now).record.items).toEqual(
      record.items,
    );
  });

  it("a failed finding must be rectified by 24:00 of the n-th working day", () => {
    const proposalId = record.items[0]!.proposalId;
    const f = recordFinding(
      record,
      { proposalId, passed: false, issues: ["a", "b"] },
      10,
      calendars,
      "a",
      now,
    );
    expect(f.record).toMatchObject({
      rectifyWorkingDays: 10,
      rectifyDueAt: "2026-03-23T16:00:00.000Z",
    });
    expect(f.event).toMatchObject({ passed: false, issues: 2, communityId: "c1", streetId: "s1" });
    const own = recordFinding(
      record,
      { proposalId, passed: false, rectifyWorkingDays: 1 },
      10,
      calendars,
      "a",
      now,
    );
    expect(own.record.rectifyDueAt).toBe("2026-03-10T16:00:00.000Z");
    const passed = recordFinding(record, { proposalId, passed: true }, 10, calendars, "a", now);
    expect(passed.record.rectifyDueAt).toBeUndefined();
  });

  it("a finding on a project outside the sample is 422 not_sampled", () => {
    const outside = population.find(
      (p) => !record.items.some((i) => i.proposalId === p.proposalId),
    )!;
    let err: unknown;
    try {
      recordFinding(
        record,
        { proposalId: outside.proposalId, passed: true },
        10,
        calendars,
        "a",
        now,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("not_sampled");
  });

  it("pass rate = passed / findings; rectification once, only of a failed finding", () => {
    const [a, b] = record.items;
    const fa = recordFinding(
      record,
      { proposalId: a!.proposalId, passed: true },
      10,
      calendars,
      "x",
      now,
    );
    const fb = recordFinding(
      record,
      { proposalId: b!.proposalId, passed: false },
      10,
      calendars,
      "x",
      now,
    );
    expect(inspectionView(record, []).passRate).toBeNull();
    expect(inspectionView(record, [fa.record, fb.record]).passRate).toBe(0.5);
    expect(() => rectification(fa.record, now)).toThrow(/nothing to rectify/);
    expect(rectification(fb.record, now).completedAt).toBe(now.toISOString());
    expect(() => rectification({ ...fb.record, rectifiedAt: "x" }, now)).toThrow(/already/);
  });
});
