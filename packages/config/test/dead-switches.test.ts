import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cityFileSchema, rulesSchema } from "../src/index.js";
import { leafFields } from "./leaves.js";

// The dead-switch audit (DOMAIN.md "No dead switches"): every leaf field of the rules schema and
// of the city file must change behaviour that a test shows. The table below maps each field to
// the test file(s) that show its effect; a field without an entry fails this test, and so does
// an entry naming a file that does not exist or a field that no longer exists.
//
// To extend: add one line per new field, `"path.of.field": ["dir/of/file.test.ts", ...]`, in
// the rules or the city table (paths from the repository root). A field that a parallel branch
// reads but this branch does not yet goes into `awaitingMerge` with who wires it; that list is
// empty on main.

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Rules (`rules.*` in a city file, or a preset's). */
const rulesTable: Record<string, string[]> = {
  "caps.worksFen": ["services/intake/test/proposal.test.ts", "test/e2e/panlong.test.ts"],
  "caps.serviceFen": ["services/intake/test/intake.int.test.ts"],
  "caps.communityYearFen": [
    "services/intake/test/proposal.test.ts",
    "test/e2e/approval-flow.test.ts",
  ],
  "categoryList.mode": ["services/intake/test/intake.int.test.ts", "test/e2e/panlong.test.ts"],
  "categoryList.categories": ["services/intake/test/intake.int.test.ts"],
  "categories[].id": ["services/intake/test/need.test.ts", "test/e2e/bad-input.test.ts"],
  "categories[].name": ["test/e2e/panlong-ladder.test.ts"],
  "thresholds.council.quorumShare": ["services/deliberation/test/tally.test.ts"],
  "thresholds.council.passShare": ["services/deliberation/test/tally.test.ts"],
  "thresholds.council.requirePresence": [
    "services/deliberation/test/tally.test.ts",
    "test/e2e/deliberation-flow.test.ts",
  ],
  "thresholds.council.rosterRequired": [
    "services/deliberation/test/roster.test.ts",
    "test/e2e/ningbo-councils.test.ts",
  ],
  "thresholds.council.consultation": [
    "services/deliberation/test/roster.test.ts",
    "test/e2e/ningbo-councils.test.ts",
  ],
  "thresholds.householdConsent.required": ["test/e2e/panlong.test.ts"],
  "thresholds.householdConsent.share": ["test/e2e/panlong.test.ts"],
  "thresholds.priorityCriteria.breadth": ["services/deliberation/test/ranking.test.ts"],
  "thresholds.priorityCriteria.participation": ["services/deliberation/test/ranking.test.ts"],
  "thresholds.priorityCriteria.selfRaised": ["services/deliberation/test/ranking.test.ts"],
  "thresholds.priorityCriteria.urgency": ["services/deliberation/test/ranking.test.ts"],
  "thresholds.priorityCriteria.replicability": ["services/deliberation/test/ranking.test.ts"],
  "sla.reviewWorkingDays": ["services/approval/test/workflow.test.ts"],
  "sla.disbursementWorkingDays": ["services/approval/test/workflow.test.ts"],
  "sla.rectificationWorkingDays": ["services/oversight/test/oversight.int.test.ts"],
  "sla.escalation.level2WorkingDays": [
    "services/intake/test/ladder.test.ts",
    "test/e2e/panlong-ladder.test.ts",
  ],
  "sla.escalation.level3WorkingDays": [
    "services/intake/test/ladder.test.ts",
    "test/e2e/panlong-ladder.test.ts",
  ],
  "process.steps[].id": ["services/intake/test/step.test.ts"],
  "process.steps[].name": ["services/intake/test/step.test.ts"],
  "process.steps[].statuses": [
    "packages/config/test/steps.test.ts",
    "services/intake/test/step.test.ts",
  ],
  "process.serviceApplicant": ["services/intake/test/proposal.test.ts"],
  "process.needFitCheck": ["services/intake/test/proposal.test.ts"],
  "process.expertReview": [
    "services/deliberation/test/expert.test.ts",
    "test/e2e/deliberation-flow.test.ts",
  ],
  "process.sponsors": [
    "services/intake/test/proposal.test.ts",
    "services/evaluation/test/implementation.test.ts",
  ],
  "process.projectGroups.minQuotes": [
    "services/evaluation/test/procurement.test.ts",
    "test/e2e/panlong-ladder.test.ts",
  ],
  "process.projectGroups.minGroupSize": [
    "services/evaluation/test/procurement.test.ts",
    "test/e2e/panlong-ladder.test.ts",
  ],
  "process.splitPackages": [
    "services/intake/test/funding-plan.test.ts",
    "test/e2e/luohu-money.test.ts",
    "test/e2e/places-bad-input.test.ts",
  ],
  "process.phasingYears": [
    "services/intake/test/funding-plan.test.ts",
    "test/e2e/luohu-money.test.ts",
    "test/e2e/places-bad-input.test.ts",
  ],
  "process.crossCommunity": [
    "services/intake/test/funding-plan.test.ts",
    "test/e2e/luohu-money.test.ts",
    "test/e2e/places-bad-input.test.ts",
  ],
  "organisations.noticeWorkingDays": ["services/orgs/test/org.test.ts", "test/e2e/orgs.test.ts"],
  "purchaseCatalogue[].category": [
    "services/intake/test/catalogue.test.ts",
    "test/e2e/jinjiang.test.ts",
  ],
  "purchaseCatalogue[].minFen": ["services/intake/test/catalogue.test.ts"],
  "purchaseCatalogue[].maxFen": [
    "services/intake/test/catalogue.test.ts",
    "test/e2e/jinjiang.test.ts",
  ],
  "evaluation.panelMinSize": ["services/evaluation/test/panel.test.ts"],
  "evaluation.panelRequiredTypes": ["services/evaluation/test/panel.test.ts"],
  "evaluation.ratedShare": ["services/evaluation/test/panel.test.ts"],
  "evaluation.passRate": ["services/evaluation/test/panel.test.ts"],
  "scores.weights.awareness": ["services/oversight/test/figures.test.ts"],
  "scores.weights.satisfaction": ["services/oversight/test/figures.test.ts"],
  "scores.weights.slaCompliance": ["services/oversight/test/figures.test.ts"],
  "scores.weights.proceduralCompliance": ["services/oversight/test/figures.test.ts"],
  "scores.weights.orgParticipation": ["services/oversight/test/figures.test.ts"],
};

/** The city file itself (its `rules` are the table above). */
const cityTable: Record<string, string[]> = {
  id: ["infra/test/city-stack.test.ts"],
  name: ["test/e2e/panlong-ladder.test.ts"],
  region: ["infra/test/city-stack.test.ts"],
  timezone: ["services/intake/test/ladder.test.ts"],
  production: ["infra/test/city-stack.test.ts"],
  preset: ["test/e2e/panlong.test.ts", "infra/test/cities.test.ts"],
  "districts[].id": ["test/e2e/authorization-matrix.test.ts"],
  "districts[].name": ["test/e2e/panlong-ladder.test.ts"],
  "districts[].streets[].id": ["test/e2e/authorization-matrix.test.ts"],
  "districts[].streets[].name": ["test/e2e/panlong-ladder.test.ts"],
  "districts[].streets[].communities[].id": ["test/e2e/authorization-matrix.test.ts"],
  "districts[].streets[].communities[].name": ["test/e2e/panlong-ladder.test.ts"],
  "districts[].streets[].communities[].courtyards[].id": [
    "services/intake/test/funding-plan.test.ts",
    "test/e2e/luohu-money.test.ts",
  ],
  "districts[].streets[].communities[].courtyards[].name": ["test/e2e/luohu-money.test.ts"],
  "cors.allowOrigins": ["packages/local/test/cors-throttle.test.ts"],
  "api.throttle.rateLimit": ["packages/local/test/cors-throttle.test.ts"],
  "api.throttle.burstLimit": ["packages/local/test/cors-throttle.test.ts"],
  "calendar.*.holidays": [
    "services/approval/test/timers.test.ts",
    "test/e2e/approval-flow.test.ts",
  ],
  "calendar.*.workdays": ["services/approval/test/timers.test.ts"],
  "evidence.retentionDays": ["infra/test/city-stack.test.ts"],
  // luohu.json sets them; its recorded template shows the hosted UI domain and OAuth client
  "auth.domainPrefix": ["infra/test/cities.test.ts"],
  "auth.callbackUrls": ["infra/test/cities.test.ts"],
  "auth.logoutUrls": ["infra/test/cities.test.ts"],
  "encryption.customerManagedKeys": ["infra/test/policy.test.ts"],
  controlTower: ["infra/test/policy.test.ts"],
};

/**
 * Fields that another branch of issue 11 wires (engineer B: split packages, two-year phasing,
 * cross-community projects); nothing on this branch reads them yet. The lead empties this list
 * at merge and gives each field its line above.
 */
const awaitingMerge: Record<string, string> = {};

const rulesFields = leafFields(rulesSchema);
const cityFields = leafFields(cityFileSchema).filter((f) => !f.startsWith("rules."));

describe("dead-switch audit: every city-file and rules field has a test that shows its effect", () => {
  it("enumerates the schemas' leaf fields", () => {
    expect(rulesFields).toContain("sla.escalation.level2WorkingDays");
    expect(rulesFields).toContain("process.steps[].statuses");
    expect(cityFields).toContain("districts[].streets[].communities[].id");
    expect(cityFields).toContain("calendar.*.holidays");
  });

  it.each([
    ["rules", rulesFields, { ...rulesTable, ...awaitingMerge }],
    ["city file", cityFields, cityTable],
  ] as const)("every %s field has an entry, and every entry a field", (_, fields, table) => {
    expect(
      fields.filter((f) => !(f in table)),
      "fields without an entry",
    ).toEqual([]);
    expect(
      Object.keys(table).filter((f) => !fields.includes(f)),
      "entries without a field",
    ).toEqual([]);
  });

  it("every test named exists", () => {
    const missing = Object.entries({ ...rulesTable, ...cityTable }).flatMap(([field, files]) => {
      expect(files.length, field).toBeGreaterThan(0);
      return files.filter((f) => !existsSync(join(root, f))).map((f) => `${field}: ${f}`);
    });
    expect(missing).toEqual([]);
  });

  it("a field awaiting another branch is not also claimed as tested here", () => {
    expect(Object.keys(awaitingMerge).filter((f) => f in rulesTable)).toEqual([]);
  });
});
