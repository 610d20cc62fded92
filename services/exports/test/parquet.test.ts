import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { exportEntities, exportEntityNames } from "@pencai/contracts/exports";
import { fileWriter } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { EntityParquetWriter } from "../src/domain/parquet.js";
import { applyPatch, patchesOf, type Row } from "../src/domain/rows.js";
import { pseudonym } from "../src/pseudonym.js";
import { lifecycle } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pencai-parquet-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readBack(path: string) {
  const db = await DuckDBConnection.create(await DuckDBInstance.create(":memory:"));
  try {
    const reader = await db.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
    const types = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const meta = await db.runAndReadAll(
      `SELECT DISTINCT compression FROM parquet_metadata('${path}')`,
    );
    return {
      rows: reader.getRowObjectsJS(),
      types: Object.fromEntries(
        types.getRowObjectsJS().map((r) => [r.column_name as string, r.column_type as string]),
      ),
      compression: meta.getRowObjectsJS().map((r) => r.compression),
    };
  } finally {
    db.closeSync();
  }
}

const duckTypes = {
  string: "VARCHAR",
  bigint: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
} as const;

describe("Parquet files", () => {
  it("write every entity's columns with their types, SNAPPY, readable by DuckDB (even with no rows)", async () => {
    for (const entity of exportEntityNames) {
      const path = join(dir, `${entity}-empty.parquet`);
      const w = new EntityParquetWriter(entity, fileWriter(path));
      await w.finish();
      const { rows, types } = await readBack(path);
      expect(rows).toEqual([]);
      expect(types).toEqual(
        Object.fromEntries(exportEntities[entity].columns.map((c) => [c.name, duckTypes[c.type]])),
      );
    }
  });

  it("round-trip rows across several row groups: values, nulls, money and times exact", async () => {
    const path = join(dir, "proposals.parquet");
    const w = new EntityParquetWriter("proposals", fileWriter(path), 7);
    const expected: Record<string, unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const rows = new Map<string, Row>();
      for (const e of lifecycle(`P${i}`)) {
        for (const p of patchesOf(e, (s) => pseudonym("k", s))) {
          const k = `${p.entity}#${p.id}`;
          const after = applyPatch(rows.get(k), p, e.occurredAt, e.id);
          if (after) rows.set(k, after);
        }
      }
      const columns = rows.get(`proposals#P${i}`)!.columns;
      await w.add(columns);
      expected.push(columns);
    }
    await w.finish();
    expect(w.rows).toBe(50);
    const { rows, compression } = await readBack(path);
    expect(compression).toEqual(["SNAPPY"]);
    expect(rows).toHaveLength(50);
    const first = rows[0]!;
    expect(first).toMatchObject({
      proposal_id: "P0",
      status: "funded",
      budget_fen: 1_000_000n,
      approved_fen: 900_000n,
      beneficiaries: 300n,
      ended_at: null,
      completed_at: null,
    });
    expect((first.funded_at as Date).toISOString()).toBe("2026-03-20T01:00:00.000Z");
    const total = rows.reduce((s, r) => s + (r.approved_fen as bigint), 0n);
    expect(total).toBe(BigInt(expected.reduce((s, r) => s + Number(r.approved_fen), 0)));
  });
});
