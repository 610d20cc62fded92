/**
 * `npm run query -- [--api URL | --endpoint URL | --dir DIR] [--city ID] "<SQL>"`: runs SQL with
 * DuckDB over the exports, with one view per Glue table of the synthesized template
 * (docs/analytics.md). By default the running local cloud (`--api`, default
 * http://127.0.0.1:$PENCAI_PORT or 3000) names its S3 (`GET /dev/endpoints`) and the exports
 * bucket's `exports/` is copied into DIR first; `--endpoint` names the S3 directly; with only
 * `--dir` the directory is read as it is. DIR defaults to `.local/exports` in the repository.
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { loadCityFile } from "@pencai/config/load";
import { copyExports, openAnalytics, query } from "./analytics.js";
import { repoRoot } from "./cloud.js";
import { synthesize } from "./synth.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: "string" },
    endpoint: { type: "string" },
    dir: { type: "string" },
    city: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const sql = positionals.join(" ").trim();
if (values.help || !sql) {
  console.log(
    'usage: npm run query -- [--api http://127.0.0.1:3000 | --endpoint http://127.0.0.1:<s3 port> | --dir .local/exports] [--city demo] "SELECT ..."',
  );
  process.exit(values.help ? 0 : 2);
}

const city = loadCityFile(join(repoRoot, "infra", "cities", `${values.city ?? "demo"}.json`));
const dir = values.dir ?? join(repoRoot, ".local", "exports");
const { template } = await synthesize(repoRoot, city);
/** The local cloud's S3, asked of the running `npm start`; fails loudly when none answers. */
async function localS3(): Promise<string> {
  const api = values.api ?? `http://127.0.0.1:${process.env.PENCAI_PORT ?? 3000}`;
  try {
    const res = await fetch(`${api}/dev/endpoints`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return ((await res.json()) as { fauxqs: string }).fauxqs;
  } catch (err) {
    console.error(
      `no local cloud answers at ${api} (${(err as Error).message}): run npm start, or give --api, --endpoint or --dir`,
    );
    process.exit(1);
  }
}
const endpoint = values.endpoint ?? (values.dir && !values.api ? undefined : await localS3());
if (endpoint) {
  const keys = await copyExports(endpoint, template, dir);
  console.error(`copied ${keys.length} export file(s) into ${relative(process.cwd(), dir) || "."}`);
}
const files = (() => {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".parquet"))
      .map((f) => f.split("\\").join("/"));
  } catch {
    return [];
  }
})();
/** Dates as ISO text, BIGINTs as numbers (as text beyond 2^53). */
const printable = (v: unknown) =>
  v instanceof Date
    ? v.toISOString()
    : typeof v === "bigint"
      ? Number.isSafeInteger(Number(v))
        ? Number(v)
        : v.toString()
      : v;
const connection = await openAnalytics(template, dir, files);
const rows = await query(connection, sql);
console.table(
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, printable(v)]))),
);
connection.closeSync();
