import { describe, expect, it } from "vitest";
import { noteEvent, recordOf } from "../src/domain/record.js";

describe("an organisation's record of evaluated projects", () => {
  const empty = { id: "P1", counted: false };
  const evaluation = { passed: true, satisfactionRate: 0.9 };

  it("counts a project once both its applicant and its result are known, in either order", () => {
    const a = noteEvent(empty, { orgId: "O1" });
    expect(a.add).toBeUndefined();
    const b = noteEvent(a.note, { evaluation });
    expect(b.add).toEqual({
      orgId: "O1",
      counters: { evaluated: 1, passed: 1, satisfactionSum: 0.9 },
    });
    const c = noteEvent(noteEvent(empty, { evaluation }).note, { orgId: "O1" });
    expect(c.add).toEqual(b.add);
  });
  it("never counts it twice", () => {
    const done = noteEvent(noteEvent(empty, { orgId: "O1" }).note, { evaluation }).note;
    expect(
      noteEvent(done, { evaluation: { passed: false, satisfactionRate: 0.1 } }).add,
    ).toBeUndefined();
  });
  it("a project no organisation applied for counts for none", () => {
    expect(noteEvent(empty, { evaluation }).add).toBeUndefined();
  });
  it("averages the satisfaction rates; none evaluated is null", () => {
    expect(
      recordOf({ evaluated: 0, passed: 0, satisfactionSum: 0 }).averageSatisfaction,
    ).toBeNull();
    expect(recordOf({ evaluated: 2, passed: 1, satisfactionSum: 1.5 })).toEqual({
      evaluated: 2,
      passed: 1,
      averageSatisfaction: 0.75,
    });
  });
});
