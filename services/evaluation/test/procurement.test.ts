import { presets } from "@pencai/config";
import {
  type ProcurementBody,
  procurementBodySchema,
  spendingNoticeSchema,
} from "@pencai/contracts/evaluation";
import { describe, expect, it } from "vitest";
import { recordProcurement } from "../src/domain/procurement.js";
import { procurementView, spendingNotice } from "../src/domain/views.js";
import {
  c1,
  c3,
  communityStaff,
  completedProject,
  expectDomainError,
  fundedProject,
  implementingProject,
  NOW,
  resident,
  streetStaff,
} from "./fixtures.js";

const E = [
  "01JEEEEEEEEEEEEEEEEEEEEEE1",
  "01JEEEEEEEEEEEEEEEEEEEEEE2",
  "01JEEEEEEEEEEEEEEEEEEEEEE3",
];
const body = (over: Partial<ProcurementBody> = {}): ProcurementBody => ({
  group: ["res-a", "res-b", "res-c"],
  quotes: [
    { supplier: "昆明甲建筑公司", amountFen: 900_000, evidenceId: E[0]! },
    { supplier: "昆明乙建筑公司", amountFen: 850_000, evidenceId: E[1]! },
    { supplier: "昆明丙建筑公司", amountFen: 990_000, evidenceId: E[2]! },
  ],
  chosen: "昆明乙建筑公司",
  ...over,
});
const panlong = presets.panlong;
const record = (p = fundedProject(), b = body(), who = communityStaff(c1), rules = panlong) =>
  recordProcurement(p, who, b, rules, NOW);

describe("Panlong's resident project groups choose the supplier", () => {
  it("records the group, the quotes and the cheapest choice", () => {
    expect(record()).toMatchObject({
      chosen: "昆明乙建筑公司",
      cheapest: true,
      group: body().group,
    });
    expect(record(implementingProject(), body(), streetStaff(c1)).cheapest).toBe(true);
  });

  it("a dearer choice needs a reason", () => {
    const dearer = body({ chosen: "昆明甲建筑公司" });
    expect(
      expectDomainError(() => record(fundedProject(), dearer), "procurement_invalid", 422).errors,
    ).toEqual([{ path: "body.reason", message: "say why the chosen quote is not the cheapest" }]);
    expect(record(fundedProject(), { ...dearer, reason: "工期更短，质保三年" })).toMatchObject({
      cheapest: false,
      reason: "工期更短，质保三年",
    });
  });

  it("the city's rule sets the fewest quotes and residents (minQuotes 3, minGroupSize 3)", () => {
    const two = body({ quotes: body().quotes.slice(0, 2) });
    expectDomainError(() => record(fundedProject(), two), "procurement_invalid", 422);
    const pair = body({ group: ["res-a", "res-b"] });
    expectDomainError(() => record(fundedProject(), pair), "procurement_invalid", 422);
    const looser = {
      ...panlong,
      process: { ...panlong.process, projectGroups: { minQuotes: 2, minGroupSize: 2 } },
    };
    expect(record(fundedProject(), two, communityStaff(c1), looser).quotes).toHaveLength(2);
    expect(record(fundedProject(), pair, communityStaff(c1), looser).group).toHaveLength(2);
  });

  it("the chosen supplier is one of the quotes", () => {
    expectDomainError(
      () => record(fundedProject(), body({ chosen: "未报价公司" })),
      "procurement_invalid",
      422,
    );
  });

  it("a city without project groups refuses (422), after the caller's reach (403)", () => {
    expect(presets.longgang.process.projectGroups).toBeUndefined();
    expectDomainError(
      () => record(fundedProject(), body(), communityStaff(c1), presets.longgang),
      "procurement_not_available",
      422,
    );
    expectDomainError(
      () => record(fundedProject(), body(), communityStaff(c3), presets.longgang),
      "forbidden",
      403,
    );
    expectDomainError(() => record(fundedProject(), body(), resident()), "forbidden", 403);
  });

  it("only between approval and completion", () => {
    expectDomainError(() => record(fundedProject({ status: "proposed" })), "invalid_state", 409);
    expectDomainError(() => record(completedProject()), "invalid_state", 409);
    expectDomainError(() => record(fundedProject({ status: "withdrawn" })), "invalid_state", 409);
  });

  it("the body refuses repeated suppliers, evidence or residents", () => {
    const q = body().quotes;
    expect(procurementBodySchema.safeParse(body({ quotes: [q[0]!, q[0]!, q[1]!] })).success).toBe(
      false,
    );
    expect(procurementBodySchema.safeParse(body({ group: ["a", "a", "b"] })).success).toBe(false);
    expect(procurementBodySchema.safeParse(body()).success).toBe(true);
  });

  it("the public notice shows the group's size and the quotes, never who is in the group", () => {
    const c = record();
    const parts = { disbursements: [], contributions: [], payments: [], procurement: c };
    const pub = spendingNotice(fundedProject(), parts, { showContributors: false });
    expect(pub.procurement).toEqual({
      groupSize: 3,
      quotes: body().quotes,
      chosen: "昆明乙建筑公司",
      cheapest: true,
      recordedAt: NOW.toISOString(),
    });
    expect(JSON.stringify(pub)).not.toContain("res-a");
    expect(spendingNoticeSchema.safeParse(pub).success).toBe(true);
    const own = spendingNotice(fundedProject(), parts, { showContributors: true });
    expect(own.procurement?.group).toEqual(["res-a", "res-b", "res-c"]);
    expect(procurementView(c, { showGroup: false })).not.toHaveProperty("group");
  });
});
