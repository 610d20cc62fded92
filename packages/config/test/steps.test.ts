import { proposalLifecycle } from "@pencai/contracts/intake";
import { describe, expect, it } from "vitest";
import { presets, rulesSchema, stepOf } from "../src/index.js";

const steps = (preset: keyof typeof presets) => presets[preset].process.steps;
const issuesOf = (raw: unknown) =>
  rulesSchema.safeParse(raw).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

describe("process.steps: the programme's procedure is the proposal's process", () => {
  it("every preset's steps cover the lifecycle exactly once, in order", () => {
    for (const [name, rules] of Object.entries(presets)) {
      expect(
        rules.process.steps.flatMap((s) => s.statuses),
        name,
      ).toEqual(proposalLifecycle);
    }
  });

  it("Ningbo's five steps 说/议/筹/办/评 name where each status stands", () => {
    const ningbo = steps("ningbo");
    expect(ningbo.map((s) => s.name)).toEqual(["说", "议", "筹", "办", "评"]);
    expect(stepOf(ningbo, "submitted")).toEqual({ id: "say", name: "说" });
    expect(stepOf(ningbo, "endorsed")).toEqual({ id: "deliberate", name: "议" });
    expect(stepOf(ningbo, "approved")).toEqual({ id: "fund", name: "筹" });
    expect(stepOf(ningbo, "implementing")).toEqual({ id: "do", name: "办" });
    expect(stepOf(ningbo, "evaluated")).toEqual({ id: "evaluate", name: "评" });
    // the same status is in another step elsewhere: the city's procedure decides
    expect(stepOf(steps("longgang"), "endorsed")).toEqual({ id: "approve", name: "区审核审定" });
  });

  it("the exits are in no step", () => {
    expect(stepOf(steps("ningbo"), "withdrawn")).toBeUndefined();
    expect(stepOf(steps("ningbo"), "rejected")).toBeUndefined();
  });

  it("refuses steps that leave a status out, repeat one, reorder them, or cover none", () => {
    const withSteps = (s: unknown) => ({
      ...presets.ningbo,
      process: { ...presets.ningbo.process, steps: s },
    });
    const [say, deliberate, fund, doIt, evaluate] = steps("ningbo");
    expect(issuesOf(withSteps([deliberate, say, fund, doIt, evaluate])).join()).toMatch(
      /process\.steps: the steps' statuses must cover the lifecycle exactly once, in order/,
    );
    expect(issuesOf(withSteps([say, fund, doIt, evaluate]))).toHaveLength(1);
    expect(issuesOf(withSteps([say, say, deliberate, fund, doIt, evaluate]))).toHaveLength(1);
    expect(
      issuesOf(
        withSteps([say, { id: "x", name: "空", statuses: [] }, deliberate, fund, doIt, evaluate]),
      ),
    ).toContain("process.steps.1.statuses: a step covers at least one proposal status");
    expect(
      issuesOf(
        withSteps([
          { ...say, statuses: ["submitted", "withdrawn"] },
          deliberate,
          fund,
          doIt,
          evaluate,
        ]),
      ).length,
    ).toBeGreaterThan(0);
    expect(issuesOf(withSteps([say, deliberate, fund, doIt, evaluate]))).toEqual([]);
  });
});
