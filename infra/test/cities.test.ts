import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VALIDATION_REPORT_FILE } from "aws-cdk-lib/cx-api";
import { beforeAll, describe, expect, it } from "vitest";
import { cityIds, synthCity } from "./support.js";

interface PluginReport {
  summary: { pluginName: string };
  violations: { ruleName: string; violatingResources?: { constructPath?: string }[] }[];
}

/** Findings that are neither fixed nor acknowledged, from the synth's validation report. */
function openFindings(assemblyDir: string): string[] {
  const report = JSON.parse(readFileSync(join(assemblyDir, VALIDATION_REPORT_FILE), "utf8")) as {
    pluginReports: PluginReport[];
  };
  return report.pluginReports.flatMap((p) =>
    p.violations.map(
      (v) =>
        `${p.summary.pluginName} ${v.ruleName} at ${(v.violatingResources ?? []).map((r) => r.constructPath).join(", ")}`,
    ),
  );
}

/** Asset hashes depend on the machine (absolute paths, bundler output); everything else must be stable. */
function masked(template: unknown): string {
  return JSON.stringify(template, null, 2).replace(/\b[0-9a-f]{64}\b/g, "[HASH]");
}

describe.each(cityIds)("infra/cities/%s.json", (id) => {
  beforeAll(() => void synthCity(id), 180_000);

  it("passes cdk-nag (AwsSolutions, Serverless): every finding fixed or acknowledged", () => {
    expect(openFindings(synthCity(id).assembly.directory)).toEqual([]);
  });

  it("keeps every promise of infra/policy/*.guard (no CloudFormation Validate finding)", () => {
    expect(
      openFindings(synthCity(id).assembly.directory).filter((f) =>
        f.startsWith("CloudFormation Validate"),
      ),
    ).toEqual([]);
  });

  it("synthesizes to the recorded template", async () => {
    await expect(masked(synthCity(id).json)).toMatchFileSnapshot(
      `__snapshots__/${id}.template.snap`,
    );
  });
});
