/**
 * `npm run bench -- --only exports`: the exports writer over 100,000 projects plus their SLA
 * timers (two each) and payments (two each), through the same code the worker runs
 * (EntityParquetWriter, a row group at a time, into a file as the worker does in /tmp; the
 * upload is left out). Rows are streamed from a generator, never held. Prints peak RSS, rows per
 * second, the Parquet bytes against the same rows as JSON lines, and the exports functions'
 * bundle sizes and cold imports against the DynamoDB-client floor. Asserts nothing.
 * Run in a process of its own (main.ts spawns it) so the RSS is the writer's.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCityFile } from "@pencai/config/load";
import type { ExportEntityName } from "@pencai/contracts/exports";
import { fileWriter } from "hyparquet-writer";
import { bundleBanner } from "../../infra/lib/service-function.js";
import { EntityParquetWriter } from "../../services/exports/src/domain/parquet.js";
import type { Values } from "../../services/exports/src/domain/rows.js";
import { bundle, bundleFloor, coldImportPairMs } from "./bundles.js";

const repoRoot = join(import.meta.dirname, "../..");
const PROJECTS = Number(process.env.PENCAI_BENCH_PROJECTS ?? 100_000);
const RSS_TARGET_MB = 256;
const t0 = Date.parse("2026-03-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const id = (prefix: string, i: number) => `${prefix}${String(i).padStart(10, "0")}`;

function* proposals(): Generator<Values> {
  for (let i = 0; i < PROJECTS; i++) {
    const at = t0 + i * 1000;
    yield {
      proposal_id: id("01JPROP", i),
      community_id: `c${i % 300}`,
      street_id: `s${i % 40}`,
      district_id: `d${i % 10}`,
      year: 2026,
      kind: i % 3 ? "works" : "service",
      category: `cat${i % 25}`,
      title: `项目 ${i}`,
      status: i % 5 ? "funded" : "completed",
      budget_fen: 10_000_000 + (i % 1000) * 100,
      programme_fen: 9_000_000 + (i % 1000) * 100,
      self_raised_fen: 1_000_000,
      sponsor_fen: 0,
      approved_fen: 9_000_000 + (i % 1000) * 100,
      beneficiaries: 100 + (i % 900),
      progress_percent: 100,
      submitted_at: iso(at),
      approved_at: iso(at + 86_400_000),
      funded_at: iso(at + 5 * 86_400_000),
      changed_at: iso(at + 5 * 86_400_000),
    };
  }
}

function* timers(): Generator<Values> {
  for (let i = 0; i < PROJECTS; i++) {
    for (const kind of ["review", "disbursement"]) {
      const at = t0 + i * 1000;
      yield {
        timer_id: `${id("01JPROP", i)}#${kind}#1`,
        proposal_id: id("01JPROP", i),
        community_id: `c${i % 300}`,
        district_id: `d${i % 10}`,
        kind,
        round: 1,
        state: i % 50 ? "met" : "breached",
        provisional: false,
        started_at: iso(at),
        due_at: iso(at + 7 * 86_400_000),
        stopped_at: iso(at + 3 * 86_400_000),
        changed_at: iso(at + 3 * 86_400_000),
      };
    }
  }
}

function* payments(): Generator<Values> {
  for (let i = 0; i < PROJECTS; i++) {
    for (const m of [50, 100]) {
      yield {
        payment_id: id(`01JPAY${m}`, i),
        proposal_id: id("01JPROP", i),
        community_id: `c${i % 300}`,
        milestone_percent: m,
        amount_fen: 4_500_000,
        paid_at: iso(t0 + i * 1000 + m * 86_400_000),
        changed_at: iso(t0 + i * 1000 + m * 86_400_000),
      };
    }
  }
}

async function write(entity: ExportEntityName, rows: Iterable<Values>, dir: string) {
  const path = join(dir, `${entity}.parquet`);
  const writer = new EntityParquetWriter(entity, fileWriter(path));
  let jsonBytes = 0;
  for (const row of rows) {
    jsonBytes += Buffer.byteLength(`${JSON.stringify(row)}\n`);
    await writer.add(row);
  }
  await writer.finish();
  return { entity, rows: writer.rows, parquet: statSync(path).size, json: jsonBytes };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const dir = mkdtempSync(join(tmpdir(), "pencai-bench-exports-"));
const baseline = process.memoryUsage().rss;
try {
  console.log(
    `\n== exports writer: ${PROJECTS.toLocaleString("en")} projects, their timers and payments (Parquet SNAPPY, row groups of 10,000) ==`,
  );
  const started = performance.now();
  const files = [
    await write("proposals", proposals(), dir),
    await write("sla_timers", timers(), dir),
    await write("payments", payments(), dir),
  ];
  const seconds = (performance.now() - started) / 1000;
  const rows = files.reduce((s, f) => s + f.rows, 0);
  console.log("entity          rows       Parquet        JSON lines   ratio");
  for (const f of files) {
    console.log(
      `${f.entity.padEnd(14)} ${String(f.rows).padStart(8)}  ${mb(f.parquet).padStart(10)}  ${mb(f.json).padStart(14)}   ${(f.parquet / f.json).toFixed(3)}`,
    );
  }
  const parquet = files.reduce((s, f) => s + f.parquet, 0);
  const json = files.reduce((s, f) => s + f.json, 0);
  console.log(
    `all            ${String(rows).padStart(8)}  ${mb(parquet).padStart(10)}  ${mb(json).padStart(14)}   ${(parquet / json).toFixed(3)}`,
  );
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(`RSS before writing (Node, tsx, the writer's modules): ${mb(baseline)}`);
  console.log(
    `rows/s: ${Math.round(rows / seconds).toLocaleString("en")} (${seconds.toFixed(1)} s)`,
  );
  console.log(
    `peak RSS: ${mb(peak)}   (target < ${RSS_TARGET_MB} MB: ${peak < RSS_TARGET_MB * 1024 * 1024 ? "met" : "NOT met"})`,
  );

  console.log("\n== exports functions: bundle and cold import against the floor ==");
  const banner = bundleBanner(loadCityFile(join(repoRoot, "infra/cities/demo.json")));
  // bundled inside the repository, where the packages resolve
  const out = join(repoRoot, ".bench", "exports");
  const floor = await bundleFloor(out, banner);
  console.log(`floor (DynamoDB client only): ${kb(floor.size)}`);
  console.log(
    "function          size   ratio    import   floor import   ratio   (medians of 15, alternating; targets: size <= 1.25x, import <= 1.2x)",
  );
  for (const name of ["api", "inbox", "worker"]) {
    const file = join(out, `exports-${name}.mjs`);
    const { size } = await bundle(
      join(repoRoot, `services/exports/src/handlers/${name}.ts`),
      file,
      banner,
    );
    const ms = coldImportPairMs(file, floor.file);
    console.log(
      `exports/${name.padEnd(8)} ${kb(size).padStart(9)}  ${(size / floor.size).toFixed(2).padStart(5)}x  ${ms.bundle.toFixed(1).padStart(6)} ms  ${ms.floor.toFixed(1).padStart(9)} ms  ${(ms.bundle / ms.floor).toFixed(2).padStart(5)}x`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
