import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LocalCloud, startLocalCloud } from "@pencai/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callAt, tokenAt } from "../support/http.js";
import { shellBlocks, shellScript } from "../support/readme.js";

// The README's walk-throughs, run as a reader runs them: its ```sh blocks (except those marked
// not to run) in order, as one bash session against a local cloud like `npm start`'s (demo
// data, which the Oversight and Organisations blocks read), twice against the same cloud.

const root = fileURLToPath(new URL("../..", import.meta.url));
const blocks = shellBlocks(readFileSync(`${root}README.md`, "utf8"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** bash -c with the walk-through's API set to the cloud; async, since the cloud runs in this process. */
function bash(script: string, api: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], {
      cwd: root,
      env: { ...process.env, API: api },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The reader's view of a failed run: where it stopped and why. */
const why = (r: Run) =>
  `exit ${r.code}\n--- last output ---\n${r.stdout.slice(-1500)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
const lines = (r: Run) => r.stdout.split("\n");
const proposalOf = (r: Run) =>
  lines(r)
    .find((l) => /^proposal \S+$/.test(l))
    ?.slice("proposal ".length);

let cloud: LocalCloud;
const runs: Run[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, schedules: false, quiet: true });
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe("README walk-throughs", () => {
  it("runs the blocks of every walk-through, and only those", () => {
    expect([...new Set(blocks.map((b) => b.heading))]).toEqual([
      "First requests",
      "From screened proposal to endorsed proposal",
      "From endorsed proposal to funded, and a missed deadline",
      "From funded to evaluated",
      "Oversight: stats, sampling inspection, street scores",
      "Organisations: registration, public notice, review",
      "Exports and analytics",
    ]);
    expect(blocks[0]?.code).toMatch(/^set -euo pipefail$/m);
  });

  it("runs once without a failing command", async () => {
    const run = await bash(shellScript(blocks), cloud.url);
    runs.push(run);
    expect(run.code, why(run)).toBe(0);
  }, 300_000);

  it("runs a second time against the same cloud", async () => {
    const run = await bash(shellScript(blocks), cloud.url);
    runs.push(run);
    expect(run.code, why(run)).toBe(0);
  }, 300_000);

  it("takes each run's own proposal to endorsed, funded and evaluated", async () => {
    expect(runs).toHaveLength(2);
    const ids = runs.map(proposalOf);
    expect(ids[0]).toBeTruthy();
    expect(ids[1]).toBeTruthy();
    expect(ids[1]).not.toBe(ids[0]);
    for (const run of runs) {
      // the statuses the walk-through reads from the API (`| json status`), in order
      expect(lines(run).filter((l) => /^[a-z_]+$/.test(l))).toEqual([
        "endorsed",
        "funded",
        "evaluated",
      ]);
      // the refusals each run shows, with the status and problem code `expect` checked
      expect(
        lines(run)
          .filter((l) => /^4\d\d \{/.test(l))
          .map((l) => l.slice(0, 3)),
      ).toEqual(["409", "409", "422", "422", "422", "409"]);
      // the DuckDB query over the export sees the run's evaluated proposal
      expect(run.stdout).toMatch(/'evaluated'\s*│\s*[1-9]/);
    }
    const token = await tokenAt(cloud.url, {
      sub: "readme-check",
      roles: ["analyst"],
      cityWide: true,
    });
    for (const id of ids) {
      const p = await callAt(cloud.url, "GET", `/v1/proposals/${id}`, { token });
      expect(p.body.status).toBe("evaluated");
    }
  });
});
