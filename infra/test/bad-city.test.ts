import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cityFile, fromRoot } from "../lib/paths.js";

describe("a bad city file", () => {
  it("fails synth with the file and the field path named", () => {
    const demo = JSON.parse(readFileSync(cityFile("demo"), "utf8"));
    demo.districts[1].streets[0].communities[1].id = "Long Xi";
    demo.rules = { caps: { worksFen: "500000" } };
    const dir = mkdtempSync(join(tmpdir(), "pencai-bad-city-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(demo));

    const run = spawnSync(
      process.execPath,
      [fromRoot("node_modules/tsx/dist/cli.mjs"), fromRoot("infra/bin/app.ts")],
      {
        cwd: fromRoot("."),
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ cityFile: file }),
          CDK_OUTDIR: join(dir, "out"),
        },
        encoding: "utf8",
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}: invalid city configuration`);
    expect(run.stderr).toContain(
      "districts[1].streets[0].communities[1].id: must be a lowercase ascii id",
    );
    expect(run.stderr).toContain("rules.caps.worksFen: expected number");
  });
});
