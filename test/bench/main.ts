/**
 * `npm run bench`: bundle size and cold import of every Lambda against a floor
 * bundle that only imports the DynamoDB client, and the in-process latency of
 * POST /v1/proposals and POST /v1/proposals/{id}/payments against the bare DynamoDB calls
 * they make (latency.ts).
 * Then the SLA sweep over 100,000 open timers (sweep.ts, in a child process: its own DynamoDB
 * Local, and the runtime's client must not be the one the latency part already pointed at the
 * local cloud). Prints figures and ratios; asserts nothing. `npm run bench -- --only Evidence`
 * measures only the functions whose id contains that text (the floor always; latency and sweep
 * are skipped); `--only latency` only the latency part; `--only sweep` only the sweep part (no
 * local cloud).
 * Last, the event path under load (load.ts, in a child process: a local cloud of its own with
 * schedules on): `--only load` alone, with `--users 40 --seconds 30 --think-ms 250`.
 * `--only exports`: the exports writer over 100,000 projects, and the exports functions' bundles
 * (exports.ts, in a child process; not part of the full run).
 * After the Lambda bundles, the browser bundle of `@pencai/client` (client.ts); `--only client`
 * prints only that (no local cloud). Then the public board's first load (board.ts); `--only board`
 * prints only that.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildEvent } from "@pencai/local/apigw";
import { type LocalCloud, repoRoot, startLocalCloud } from "@pencai/local/cloud";
import { bundleBanner } from "../../infra/lib/service-function.js";
import { boardFirstLoad, boardTargetGzipBytes } from "./board.js";
import { bundle, bundleFloor, coldImportPairMs } from "./bundles.js";
import { clientBundles, clientTargetGzipBytes } from "./client.js";
import { benchRouteLatency } from "./latency.js";
import { benchLoad } from "./load.js";
import { benchSweep } from "./sweep.js";

const onlyAt = process.argv.indexOf("--only");
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;

const fmtKb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ratio = (a: number, b: number) => (a / b).toFixed(2);

// `--timers N`: the sweep part with N open timers instead of 100,000 (a quicker look)
const timersAt = process.argv.indexOf("--timers");
const timers = timersAt >= 0 ? Number(process.argv[timersAt + 1]) : undefined;

// `--users N --seconds S --think-ms T`: the load part's users, duration and pause between steps
const numberArg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : undefined;
};
const loadArgs = ["--users", "--seconds", "--think-ms"].flatMap((name) =>
  numberArg(name) !== undefined ? [name, String(numberArg(name))] : [],
);

/** Runs a part in a child process of its own (its own env and SDK clients). */
const part = (args: string[]) => {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...args],
    { stdio: "inherit" },
  );
  if (child.status !== 0) process.exitCode = child.status ?? 1;
};

if (only === "exports") {
  // the exports writer in a process of its own, so its peak RSS is the writer's (exports.ts);
  // old space capped at 128 MB: finishing under the cap shows the writer's memory is bounded
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      "--max-old-space-size=128",
      fileURLToPath(new URL("./exports.ts", import.meta.url)),
    ],
    {
      stdio: "inherit",
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  if (child.status !== 0) process.exitCode = child.status ?? 1;
} else if (only === "client") {
  await browserClient(join(repoRoot, ".bench", "client"));
} else if (only === "board") {
  await board(join(repoRoot, ".bench", "board"));
} else if (only === "sweep") {
  await benchSweep(timers ? { timers } : {});
} else if (only === "load") {
  await benchLoad({
    ...(numberArg("--users") !== undefined ? { users: numberArg("--users") } : {}),
    ...(numberArg("--seconds") !== undefined ? { seconds: numberArg("--seconds") } : {}),
    ...(numberArg("--think-ms") !== undefined ? { thinkMs: numberArg("--think-ms") } : {}),
  });
} else {
  await bundlesAndLatency();
  if (!only) {
    part(["--only", "sweep", ...(timers ? ["--timers", String(timers)] : [])]);
    part(["--only", "load", ...loadArgs]);
  }
}

async function bundlesAndLatency() {
  const out = join(repoRoot, ".bench");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const cloud = await startLocalCloud({ port: 0, schedules: false, demoData: false, quiet: true });
  try {
    // The very banner ServiceFunction gives every Lambda (createRequire shim + the city).
    const banner = bundleBanner(cloud.city);
    console.log("\n== Lambda bundles (esbuild, ESM, node22, minified, SDK bundled) ==");
    const floor = await bundleFloor(out, banner);
    console.log(`floor (DynamoDB client only): ${fmtKb(floor.size)}`);
    console.log(
      "function                              size   ratio    import   floor import   ratio   commons   (medians of 15, alternating; targets: size <= 1.25x, import <= 1.2x; commons: copies of Powertools commons, 1 when their versions agree)",
    );
    for (const fn of cloud.functions.byId.values()) {
      if (only && (only === "latency" || !fn.spec.id.includes(only))) continue;
      const file = join(out, `${fn.spec.id}.mjs`);
      const { size, commonsCopies } = await bundle(fn.spec.entry, file, banner);
      const ms = coldImportPairMs(file, floor.file);
      console.log(
        `${fn.spec.id.padEnd(36)} ${fmtKb(size).padStart(9)}  ${ratio(size, floor.size).padStart(5)}x  ${ms.bundle.toFixed(1).padStart(6)} ms  ${ms.floor.toFixed(1).padStart(9)} ms  ${ratio(ms.bundle, ms.floor).padStart(5)}x   ${String(commonsCopies).padStart(7)}   ${relative(repoRoot, fn.spec.entry)}`,
      );
    }

    if (!only) await browserClient(join(out, "client"));
    if (!only) await board(join(out, "board"));
    if (!only || only === "latency") await latency(cloud);
  } finally {
    await cloud.stop();
  }
}

async function browserClient(dir: string) {
  console.log("\n== browser client (esbuild, ESM, browser, minified; gzipped) ==");
  for (const b of await clientBundles(dir)) {
    console.log(
      `${b.name.padEnd(36)} ${fmtKb(b.minified).padStart(9)}  ${fmtKb(b.gzipped).padStart(9)} gzipped`,
    );
  }
  console.log(`target: @pencai/client <= ${fmtKb(clientTargetGzipBytes)} gzipped`);
}

async function board(dir: string) {
  console.log("\n== public board, first load (packages/board, esbuild, minified; gzipped) ==");
  const load = await boardFirstLoad(dir);
  for (const f of load.files) {
    console.log(
      `${f.file.padEnd(36)} ${fmtKb(f.raw).padStart(9)}  ${fmtKb(f.gzipped).padStart(9)} gzipped`,
    );
  }
  console.log(
    `first-load JavaScript: ${fmtKb(load.jsGzipped)} gzipped (target <= ${fmtKb(boardTargetGzipBytes)}); built in ${load.buildMs.toFixed(0)} ms`,
  );
}

async function latency(cloud: LocalCloud) {
  console.log("\n== warm handlers against the bare DynamoDB calls they make (in-process) ==");
  for (const r of await benchRouteLatency(cloud, buildEvent)) {
    console.log(`${r.route}: ${r.n} handler calls, ${r.n} replays of its calls (interleaved)`);
    console.log(`  calls    ${r.calls}`);
    console.log(
      `  handler  median ${r.handler.median.toFixed(2)} ms  p95 ${r.handler.p95.toFixed(2)} ms`,
    );
    console.log(
      `  bare     median ${r.bare.median.toFixed(2)} ms  p95 ${r.bare.p95.toFixed(2)} ms`,
    );
    console.log(
      `  latency ratio (median): ${ratio(r.handler.median, r.bare.median)}x   (target <= 1.1)`,
    );
    console.log(`  capacity ${r.capacity}`);
  }
}
