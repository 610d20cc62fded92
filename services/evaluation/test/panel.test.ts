import { presets } from "@pencai/config";
import { evaluationClosedDataSchema, type Rating } from "@pencai/contracts/evaluation-events";
import { describe, expect, it } from "vitest";
import {
  closeStep,
  openEvaluation,
  panelProblems,
  rate,
  seatsByType,
  tally,
} from "../src/domain/panel.js";
import type { PanelMember } from "../src/domain/types.js";
import {
  APPLICANT_ORG,
  c1,
  c3,
  completedProject,
  contractEvents,
  evaluatingProject,
  evaluationRules,
  evaluator,
  expectDomainError,
  IMPLEMENTER_ORG,
  implementation,
  implementingProject,
  NOW,
  OWNER,
  orgUser,
  P1,
  PROPOSER,
  panel,
  panelOf,
  ratingsBy,
  streetStaff,
} from "./fixtures.js";

const longgang = presets.longgang.evaluation;
const street = streetStaff();
/** No make-up rules, so each test sets only the threshold it is about. */
const loose = (over: Partial<typeof longgang> = {}) =>
  evaluationRules({ panelMinSize: 1, panelRequiredTypes: [], ...over });

describe("panelProblems", () => {
  it("a panel of five, one of each type Longgang requires, with no conflict is valid", () => {
    expect(longgang).toMatchObject({ panelMinSize: 5 });
    expect(panelProblems(completedProject(), panel, longgang)).toEqual([]);
  });

  it("needs at least the smallest panel: exactly the minimum is enough", () => {
    const rules = loose({ panelMinSize: 3 });
    expect(panelProblems(completedProject(), panelOf(3), rules)).toEqual([]);
    expect(panelProblems(completedProject(), panelOf(2), rules)).toEqual([
      { path: "body.panel", message: "at least 3 members" },
    ]);
  });

  it("needs every member type the city's rules require, one problem each", () => {
    const noExpertNoDeputy = panel.filter((m) => m.type !== "expert" && m.type !== "deputy");
    const more: PanelMember[] = [
      ...noExpertNoDeputy,
      { sub: "resrep-2", type: "resident_rep" },
      { sub: "resrep-3", type: "resident_rep" },
    ];
    expect(panelProblems(completedProject(), more, longgang)).toEqual([
      { path: "body.panel", message: expect.stringContaining("deputy") },
      { path: "body.panel", message: expect.stringContaining("expert") },
    ]);
  });

  it("follows the city's preset: Panlong requires resident representatives only", () => {
    const deputies = panelOf(5, "deputy");
    expect(panelProblems(completedProject(), deputies, presets.panlong.evaluation)).toEqual([
      { path: "body.panel", message: expect.stringContaining("resident_rep") },
    ]);
    expect(panelProblems(completedProject(), panelOf(5), presets.panlong.evaluation)).toEqual([]);
    // the same all-resident panel misses four of Longgang's types
    expect(panelProblems(completedProject(), panelOf(5), longgang)).toHaveLength(4);
  });

  it("names each member who answers for the project or proposed it, by position", () => {
    const reporter = orgUser().sub;
    const p = completedProject({ reporters: [reporter] });
    const conflicted: PanelMember[] = [
      { sub: "deputy-1", type: "deputy" },
      { sub: OWNER, type: "party_member" },
      { sub: reporter, type: "resident_rep" },
      { sub: "owners-1", type: "owners_committee" },
      { sub: PROPOSER, type: "expert" },
    ];
    expect(panelProblems(p, conflicted, longgang)).toEqual([
      {
        path: "body.panel.1.sub",
        message: "conflict of interest: the project's accountable owner",
      },
      {
        path: "body.panel.2.sub",
        message: "conflict of interest: reported the project's progress",
      },
      { path: "body.panel.4.sub", message: "conflict of interest: proposed the project" },
    ]);
  });

  it("lists every problem at once", () => {
    const p = completedProject();
    const problems = panelProblems(p, [{ sub: PROPOSER, type: "deputy" }], longgang);
    expect(problems.map((x) => x.path)).toEqual([
      "body.panel",
      "body.panel",
      "body.panel",
      "body.panel",
      "body.panel",
      "body.panel.0.sub",
    ]);
  });
});

describe("openEvaluation (一菜一评)", () => {
  it("convenes the panel of a completed project; the event tells its size and make-up only", () => {
    const p = completedProject();
    const step = openEvaluation(p, street, { panel }, longgang, NOW);
    expect(step.project).toMatchObject({
      status: "evaluating",
      evaluation: { panel, status: "open", openedAt: NOW.toISOString() },
      version: p.version + 1,
    });
    expect(contractEvents(step.events)).toEqual([
      {
        type: "EvaluationOpened",
        data: {
          proposalId: P1,
          seats: 5,
          seatsByType: {
            deputy: 1,
            party_member: 1,
            resident_rep: 1,
            owners_committee: 1,
            expert: 1,
          },
          openedAt: NOW.toISOString(),
        },
      },
    ]);
    const json = JSON.stringify(step.events);
    for (const m of panel) expect(json).not.toContain(m.sub);
  });

  it("refuses a panel that breaks the rules, with the problems", () => {
    const err = expectDomainError(
      () =>
        openEvaluation(
          completedProject(),
          street,
          { panel: [...panel.slice(0, 4), { sub: OWNER, type: "expert" }] },
          longgang,
          NOW,
        ),
      "panel_invalid",
      422,
    );
    expect(err.errors).toEqual([
      {
        path: "body.panel.4.sub",
        message: "conflict of interest: the project's accountable owner",
      },
    ]);
  });

  it("convenes once", () => {
    const open = openEvaluation(completedProject(), street, { panel }, longgang, NOW).project;
    expectDomainError(
      () => openEvaluation(open, street, { panel }, longgang, NOW),
      "duplicate",
      409,
    );
  });

  it("only a completed project", () => {
    for (const p of [
      implementingProject({ progressPercent: 100 }),
      completedProject({ status: "evaluated" }),
    ]) {
      expectDomainError(
        () => openEvaluation(p, street, { panel }, longgang, NOW),
        "invalid_state",
        409,
      );
    }
  });

  it("only the staff of the project's street", () => {
    for (const who of [streetStaff(c3), orgUser(IMPLEMENTER_ORG), evaluator("deputy-1")]) {
      expectDomainError(
        () => openEvaluation(completedProject(), who, { panel }, longgang, NOW),
        "forbidden",
        403,
      );
    }
  });
});

describe("rate", () => {
  it("a member's rating, typed by their seat", () => {
    const r = rate(
      evaluatingProject(),
      evaluator("expert-1"),
      { rating: "satisfied", comment: "好" },
      NOW,
    );
    expect(r).toEqual({
      proposalId: P1,
      sub: "expert-1",
      type: "expert",
      rating: "satisfied",
      comment: "好",
      ratedAt: NOW.toISOString(),
    });
    const bare = rate(evaluatingProject(), evaluator("deputy-1"), { rating: "neutral" }, NOW);
    expect(Object.hasOwn(bare, "comment")).toBe(false);
  });

  it("only the panel's members rate", () => {
    for (const who of [evaluator("stranger"), streetStaff(c1), orgUser("org-other")]) {
      expectDomainError(
        () => rate(evaluatingProject(), who, { rating: "satisfied" }, NOW),
        "forbidden",
        403,
      );
    }
    // no panel yet: nobody is a member
    expectDomainError(
      () => rate(completedProject(), evaluator("deputy-1"), { rating: "satisfied" }, NOW),
      "forbidden",
      403,
    );
  });

  it("not a member who speaks for the implementing or applicant organisation", () => {
    for (const orgId of [IMPLEMENTER_ORG, APPLICANT_ORG]) {
      expectDomainError(
        () =>
          rate(
            evaluatingProject(),
            evaluator("resrep-1", orgId),
            { rating: "very_satisfied" },
            NOW,
          ),
        "forbidden",
        403,
      );
    }
    // another organisation's member rates
    expect(
      rate(evaluatingProject(), evaluator("resrep-1", "org-other"), { rating: "satisfied" }, NOW)
        .sub,
    ).toBe("resrep-1");
  });

  it("an orgId claim is no conflict where no organisation runs or applied for the project", () => {
    const p = evaluatingProject({
      implementation: implementation({ implementer: { kind: "street" } }),
      applicantOrgId: undefined,
    });
    expect(rate(p, evaluator("resrep-1", "org-any"), { rating: "satisfied" }, NOW).rating).toBe(
      "satisfied",
    );
  });

  it("only while the panel is open", () => {
    for (const status of ["closing", "closed"] as const) {
      expectDomainError(
        () =>
          rate(
            evaluatingProject({}, panel, status),
            evaluator("deputy-1"),
            { rating: "satisfied" },
            NOW,
          ),
        "invalid_state",
        409,
      );
    }
    // a stranger learns nothing of the panel's state
    expectDomainError(
      () =>
        rate(
          evaluatingProject({}, panel, "closed"),
          evaluator("stranger"),
          { rating: "satisfied" },
          NOW,
        ),
      "forbidden",
      403,
    );
  });
});

describe("closeStep", () => {
  it("open: begin; closing: finish; closed: done (closing again answers the same)", () => {
    expect(closeStep(evaluatingProject({}, panel, "open"))).toBe("begin");
    expect(closeStep(evaluatingProject({}, panel, "closing"))).toBe("finish");
    expect(closeStep(evaluatingProject({}, panel, "closed"))).toBe("done");
  });

  it("a project with no panel has nothing to close", () => {
    expectDomainError(() => closeStep(completedProject()), "invalid_state", 409);
  });
});

describe("tally", () => {
  const closing = (members: PanelMember[]) => evaluatingProject({}, members, "closing");
  const result = (members: PanelMember[], ratings: readonly Rating[], rules = longgang) =>
    tally(closing(members), ratingsBy(members, ratings), rules, NOW);

  it("rate = (very satisfied + satisfied) / ratings; neutral and dissatisfied count against", () => {
    const r = result(panel, [
      "very_satisfied",
      "satisfied",
      "neutral",
      "dissatisfied",
      "satisfied",
    ]);
    expect(r).toMatchObject({
      seats: 5,
      ratings: 5,
      satisfiedCount: 3,
      satisfactionRate: 0.6,
      passed: false,
    });
    expect(r.closedAt).toBe(NOW.toISOString());
    expect(evaluationClosedDataSchema.safeParse(r).success).toBe(true);
  });

  it("rounds the rate to four places", () => {
    const three = panelOf(3);
    expect(result(three, ["satisfied", "satisfied", "neutral"], loose()).satisfactionRate).toBe(
      0.6667,
    );
    expect(result(three, ["satisfied", "neutral", "neutral"], loose()).satisfactionRate).toBe(
      0.3333,
    );
    const seven = panelOf(7);
    expect(
      result(seven, ["satisfied", ...Array<Rating>(6).fill("neutral")], loose()).satisfactionRate,
    ).toBe(0.1429);
  });

  describe("passRate (Longgang: 0.8)", () => {
    it("exactly reached passes: 4 of 5 satisfied", () => {
      const r = result(panel, ["satisfied", "satisfied", "very_satisfied", "satisfied", "neutral"]);
      expect(r).toMatchObject({ satisfactionRate: 0.8, passed: true });
    });

    it("just below fails: 3 of 4 satisfied, 4 of 5 seats rated", () => {
      const r = result(panel, ["satisfied", "satisfied", "satisfied", "neutral"]);
      expect(r).toMatchObject({ ratings: 4, satisfactionRate: 0.75, passed: false });
    });

    it("compares the exact rate, not the rounded one shown", () => {
      // 2/3 shows as 0.6667 but is below a pass rate of 0.6667
      const three = panelOf(3);
      const rules = loose({ ratedShare: 0, passRate: 0.6667 });
      const r = result(three, ["satisfied", "satisfied", "neutral"], rules);
      expect(r).toMatchObject({ satisfactionRate: 0.6667, passed: false });
      expect(
        result(
          three,
          ["satisfied", "satisfied", "neutral"],
          loose({ ratedShare: 0, passRate: 2 / 3 }),
        ).passed,
      ).toBe(true);
    });
  });

  describe("ratedShare: enough of the panel must rate", () => {
    it("Longgang's two thirds, exactly reached: 4 of 6 seats", () => {
      const six = panelOf(6);
      const rules = { ...longgang, panelRequiredTypes: [] };
      expect(
        result(six, ["satisfied", "satisfied", "satisfied", "satisfied"], rules),
      ).toMatchObject({
        seats: 6,
        ratings: 4,
        satisfactionRate: 1,
        passed: true,
      });
      // 3 of 6: every rating satisfied, still too few
      expect(result(six, ["satisfied", "satisfied", "satisfied"], rules)).toMatchObject({
        satisfactionRate: 1,
        passed: false,
      });
    });

    it("a half exactly reached passes, one seat more without a rating fails", () => {
      const rules = loose({ ratedShare: 0.5, passRate: 0.5 });
      expect(result(panelOf(4), ["satisfied", "satisfied"], rules).passed).toBe(true);
      expect(result(panelOf(5), ["satisfied", "satisfied"], rules).passed).toBe(false);
    });

    it("no ratings: rate 0, not passed", () => {
      expect(result(panel, [])).toMatchObject({
        ratings: 0,
        satisfiedCount: 0,
        satisfactionRate: 0,
        passed: false,
      });
    });
  });

  it("ignores ratings by anyone not on the panel", () => {
    const p = closing(panelOf(4));
    const ratings = [
      ...ratingsBy(panelOf(4), ["satisfied", "neutral"]),
      {
        proposalId: P1,
        sub: "intruder-1",
        type: "resident_rep" as const,
        rating: "very_satisfied" as const,
        ratedAt: NOW.toISOString(),
      },
      {
        proposalId: P1,
        sub: "intruder-2",
        type: "expert" as const,
        rating: "very_satisfied" as const,
        ratedAt: NOW.toISOString(),
      },
    ];
    const r = tally(p, ratings, loose({ ratedShare: 0.5, passRate: 0.5 }), NOW);
    expect(r).toMatchObject({
      seats: 4,
      ratings: 2,
      satisfiedCount: 1,
      satisfactionRate: 0.5,
      passed: true,
    });
    // had they counted: 4 ratings of 4 seats, 3 satisfied; and an `expert` type with no seat
    expect(r.byType).toEqual({ resident_rep: { ratings: 2, satisfied: 1 } });
  });

  it("counts ratings and satisfied per member type, every seated type listed", () => {
    const r = result(panel, ["satisfied", "dissatisfied", "very_satisfied"]);
    expect(r.byType).toEqual({
      deputy: { ratings: 1, satisfied: 1 },
      party_member: { ratings: 1, satisfied: 0 },
      resident_rep: { ratings: 1, satisfied: 1 },
      owners_committee: { ratings: 0, satisfied: 0 },
      expert: { ratings: 0, satisfied: 0 },
    });
    expect(seatsByType([...panel, { sub: "deputy-2", type: "deputy" }])).toMatchObject({
      deputy: 2,
      expert: 1,
    });
  });

  it("an empty panel never passes", () => {
    const r = tally(closing([]), [], loose({ ratedShare: 0, passRate: 0 }), NOW);
    expect(r).toMatchObject({ seats: 0, ratings: 0, passed: false });
  });
});
