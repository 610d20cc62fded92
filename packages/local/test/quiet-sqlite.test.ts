import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isSqliteExperimentalWarning } from "../src/quiet-sqlite.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** stderr of a fresh Node (the one running the tests) that imports `specifier`. */
function stderrOfImport(specifier: string): string {
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", `await import(${JSON.stringify(specifier)});`],
    { cwd: root, encoding: "utf8" },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stderr;
}

describe("fauxqs without node:sqlite's warning", () => {
  it("drops only SQLite's experimental warning", () => {
    const sqlite = "SQLite is an experimental feature and might change at any time";
    expect(isSqliteExperimentalWarning(sqlite, "ExperimentalWarning")).toBe(true);
    expect(isSqliteExperimentalWarning(sqlite, { type: "ExperimentalWarning" })).toBe(true);
    expect(
      isSqliteExperimentalWarning("VM Modules is an experimental feature", "ExperimentalWarning"),
    ).toBe(false);
    expect(isSqliteExperimentalWarning(sqlite, "DeprecationWarning")).toBe(false);
  });

  it("imports fauxqs with nothing on stderr, where fauxqs alone warns", () => {
    expect(stderrOfImport("fauxqs")).toMatch(/ExperimentalWarning: SQLite/);
    expect(stderrOfImport("./packages/local/src/fauxqs.ts")).toBe("");
  });
});
