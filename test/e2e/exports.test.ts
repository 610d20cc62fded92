import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { loadCityFile } from "@pencai/config/load";
import { copyExports, openAnalytics, query } from "@pencai/local/analytics";
import { repoRoot } from "@pencai/local/cloud";
import { synthesize } from "@pencai/local/synth";
import type { CfnTemplate } from "@pencai/local/template";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, eventually, ownYears, places, token } from "../support/http.js";
import { endorsedProposal, fund, type Officials, officialsOf } from "../support/lifecycle.js";

// Exports on the local cloud: projects driven through their lifecycle over HTTP, an export
// requested by a city-wide analyst, its Parquet files copied from the local S3 and read with
// DuckDB through the views generated from the template's Glue tables, and the figures checked
// against the API's own (the budget ledger, the spending notice).

const run = Date.now().toString(36);
/** A programme year nobody else uses: ledgers are per community-year. */
const year = ownYears.exports;
const EVENTS_MS = 30_000;

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let o: Officials;
let analyst: string;
let template: CfnTemplate;
const ids: string[] = [];
const dirs: string[] = [];
const connections: DuckDBConnection[] = [];

const post = (path: string, tok: string, body?: unknown) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }) });

/** Requests an export and waits until it is done (or failed). */
async function exported(body: Record<string, unknown>) {
  const started = await post("/v1/exports", analyst, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await eventually(
    () => call("GET", `/v1/exports/${started.body.exportId}`, { token: analyst }),
    (r) => r.body?.status === "done" || r.body?.status === "failed",
    EVENTS_MS,
  );
  expect(done.body.status, JSON.stringify(done.body)).toBe("done");
  return done.body as {
    exportId: string;
    pabulib?: boolean;
    files: { entity: string; key: string; url: string; rows: number; bytes: number }[];
  };
}

/** The local S3's exports, copied into a fresh directory, behind the Glue tables' views. */
async function analytics(): Promise<DuckDBConnection> {
  const dir = mkdtempSync(join(tmpdir(), "pencai-exports-"));
  dirs.push(dir);
  // npm run query finds the S3 the way this does: the running cloud names it
  const endpoints = await call("GET", "/dev/endpoints");
  expect(endpoints.body.fauxqs).toBe(inject("fauxqsEndpoint"));
  // the copy is a mirror: a file of an earlier local cloud must not be counted again
  const stale = join(dir, "exports/proposals/year=1999/dt=1999-01-01/stale.parquet");
  mkdirSync(dirname(stale), { recursive: true });
  writeFileSync(stale, "not parquet");
  const keys = await copyExports(endpoints.body.fauxqs, template, dir);
  expect(existsSync(stale)).toBe(false);
  const connection = await openAnalytics(template, dir, keys);
  connections.push(connection);
  return connection;
}

/** The newest version of each row (rows of later exports supersede earlier ones). */
const current = (table: string, key: string) =>
  `(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY ${key} ORDER BY changed_at DESC) AS n FROM ${table}) WHERE n = 1)`;

beforeAll(async () => {
  ({ home } = await places());
  o = await officialsOf(home, run);
  analyst = await token({ sub: `analyst-${run}`, roles: ["analyst"], cityWide: true });
  template = (await synthesize(repoRoot, loadCityFile(join(repoRoot, "infra/cities/demo.json"))))
    .template;
}, 120_000);

afterAll(() => {
  for (const c of connections) c.closeSync();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("exports on the local cloud", () => {
  it("drives two projects to funded and pays one of them", async () => {
    for (const n of [1, 2]) {
      const resident = await token({
        sub: `res-${run}-${n}`,
        roles: ["resident"],
        ...home,
        householdId: `hh-${run}-${n}`,
      });
      const id = await endorsedProposal({
        place: home,
        officials: o,
        proposer: resident,
        title: `口袋公园 ${run} ${n}`,
        year,
        body: { budgetFen: n * 10_000_000 },
      });
      await fund(id, o);
      ids.push(id);
    }
    const [paid] = ids;
    const started = await eventually(
      () =>
        post(`/v1/proposals/${paid}/implementation`, o.street, {
          owner: { sub: `owner-${run}`, name: "王主任" },
          implementer: { kind: "street" },
          milestones: [{ percent: 100, description: "完工", dueOn: `${year}-12-31` }],
        }),
      (r) => r.status !== 404 && r.status !== 409,
      EVENTS_MS,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const progress = await post(`/v1/proposals/${paid}/progress`, o.street, {
      percent: 100,
      note: "完工",
      evidenceIds: [],
    });
    expect(progress.status, JSON.stringify(progress.body)).toBe(201);
    const payment = await post(`/v1/proposals/${paid}/payments`, o.street, {
      milestonePercent: 100,
      amountFen: 3_000_000,
      payee: "深圳市某园林公司",
      reference: `FK-${run}`,
    });
    expect(payment.status, JSON.stringify(payment.body)).toBe(201);
  }, 240_000);

  it("exports them as Parquet whose rows and sums match the API's own figures", async () => {
    const ledger = await call("GET", `/v1/budgets/${home.communityId}/${year}`, {
      token: o.civil,
    });
    expect(ledger.status).toBe(200);
    const spending = await call("GET", `/v1/proposals/${ids[0]}/spending`, { token: o.street });
    expect(spending.status, JSON.stringify(spending.body)).toBe(200);

    // the exports inbox hears the events a little after the API answers: export until it has
    type Figures = { committed: bigint; disbursed: bigint; paid: bigint; funded: bigint };
    let figures: Figures | undefined;
    const settled = await eventually(
      async () => {
        const out = await exported({
          entities: ["proposals", "disbursements", "payments", "sla_timers", "events"],
        });
        const db = await analytics();
        const inList = ids.map((id) => `'${id}'`).join(", ");
        const [row] = await query(
          db,
          `SELECT
             (SELECT sum(approved_fen) FROM ${current("proposals", "proposal_id")} WHERE proposal_id IN (${inList})) AS committed,
             (SELECT count(*) FROM ${current("proposals", "proposal_id")} WHERE proposal_id IN (${inList}) AND funded_at IS NOT NULL) AS funded,
             (SELECT sum(amount_fen) FROM ${current("disbursements", "disbursement_id")} WHERE proposal_id IN (${inList})) AS disbursed,
             (SELECT coalesce(sum(amount_fen), 0) FROM ${current("payments", "payment_id")} WHERE proposal_id IN (${inList})) AS paid`,
        );
        figures = row as Figures;
        return { out, figures: row as Figures };
      },
      (r) => r.figures.funded === 2n && r.figures.paid > 0n,
      EVENTS_MS,
    );
    expect(figures).toEqual({
      committed: BigInt(ledger.body.committedFen),
      funded: 2n,
      disbursed: BigInt(ledger.body.disbursedFen),
      paid: BigInt(spending.body.out.totalFen),
    });

    // files are Hive-partitioned by year and export day, and each link downloads the object
    const { out } = settled;
    expect(out.files.map((f) => f.entity).sort()).toEqual(
      ["disbursements", "events", "payments", "proposals", "sla_timers"].sort(),
    );
    for (const f of out.files) {
      expect(f.key).toMatch(
        new RegExp(
          `^exports/${f.entity}/year=\\d{4}/dt=\\d{4}-\\d{2}-\\d{2}/${out.exportId}\\.parquet$`,
        ),
      );
      const download = await fetch(f.url);
      expect(download.status).toBe(200);
      const bytes = new Uint8Array(await download.arrayBuffer());
      expect(bytes.length).toBe(f.bytes);
      expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe("PAR1");
    }
  }, 120_000);

  it("writes the community-year as pabulib: both projects selected, three pseudonymous council approvals each", async () => {
    const pb = await eventually(
      async () => {
        const out = await exported({ entities: ["budgets"], pabulib: true });
        const file = out.files.find(
          (f) =>
            f.entity === "pabulib" &&
            f.key.startsWith(`exports/pabulib/year=${year}/dt=`) &&
            f.key.endsWith(`/${home.communityId}.pb`),
        );
        return file ? await (await fetch(file.url)).text() : "";
      },
      (text) =>
        ids.every((id) => text.includes(`\n${id};`)) &&
        text.split("\nVOTES\n")[1]!.split("\n").length > 6,
      EVENTS_MS,
    );
    const [meta, projects, votes] = pb.split(/^(?:PROJECTS|VOTES)\n/m);
    expect(meta).toContain(`instance;${year}\n`);
    expect(meta).toContain("vote_type;approval\n");
    const projectLines = projects!.trim().split("\n").slice(1);
    for (const id of ids) {
      const line = projectLines.find((l) => l.startsWith(`${id};`));
      // cost (yuan);votes;name;category;selected
      expect(line?.split(";")[2], line).toBe("3");
      expect(line?.endsWith(";1"), line).toBe(true);
    }
    const voterLines = votes!.trim().split("\n").slice(1);
    for (const l of voterLines) {
      const [voter] = l.split(";");
      expect(voter).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(pb).not.toMatch(/\bm-[0-9A-Z]{10}-\d/);
  }, 60_000);

  it("keeps personal data out: no account ids, no payee, the actor a pseudonym", async () => {
    const db = await analytics();
    const actors = await query(
      db,
      `SELECT DISTINCT actor FROM events WHERE proposal_id = '${ids[0]}'`,
    );
    expect(actors.length).toBeGreaterThan(0);
    for (const { actor } of actors) {
      expect(actor).toMatch(/^[0-9a-f]{32}$/);
      expect(String(actor)).not.toContain(run);
    }
    const columns = await query(db, "SELECT * FROM payments LIMIT 1");
    expect(Object.keys(columns[0] ?? {})).not.toContain("payee");
  });

  it("runs every ready query of docs/analytics.md", async () => {
    const db = await analytics();
    const doc = readFileSync(join(repoRoot, "docs/analytics.md"), "utf8");
    const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const sql of queries) {
      await expect(query(db, sql), sql).resolves.toBeInstanceOf(Array);
    }
  });

  it("lets only a city-wide analyst export or read an export", async () => {
    const district = await token({
      sub: `district-analyst-${run}`,
      roles: ["analyst"],
      districtId: home.districtId,
    });
    const denied = await post("/v1/exports", district, {});
    expect([denied.status, denied.body.code]).toEqual([403, "forbidden"]);
    const started = await post("/v1/exports", analyst, { entities: ["needs"] });
    expect(started.status).toBe(202);
    const read = await call("GET", `/v1/exports/${started.body.exportId}`, { token: district });
    expect(read.status).toBe(403);
    expect(
      (await call("GET", `/v1/exports/${started.body.exportId}`, { token: o.staff })).status,
    ).toBe(403);
  });

  it("runs the daily export of the day before as the `exports` job, once a day", async () => {
    const base = inject("baseUrl");
    const first = await fetch(`${base}/dev/run/exports`, { method: "POST" });
    expect(first.status).toBe(200);
    const body = (await first.json()) as { results: { day: string; exportId?: string }[] };
    const [result] = body.results;
    expect(result?.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const again = (await (await fetch(`${base}/dev/run/exports`, { method: "POST" })).json()) as {
      results: { day: string; exportId?: string }[];
    };
    expect(again.results[0]).toEqual({ day: result?.day });
    if (result?.exportId) {
      const record = await call("GET", `/v1/exports/${result.exportId}`, { token: analyst });
      expect(record.body.status).toBe("done");
    }
  });
});
