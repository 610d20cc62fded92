import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { CfnTemplate } from "./template.js";

/**
 * Local analytics: DuckDB over the exports' Parquet files, with one view per Glue table of the
 * synthesized template (same names, same columns, `year` and `dt` from the Hive partitions), so
 * a query tried here is the query analysts run in Athena. DuckDB reads local files (its httpfs
 * extension cannot be installed offline), so the exports are copied from the local S3 first.
 */

export interface GlueTable {
  name: string;
  columns: { name: string; type: string }[];
  partitionKeys: { name: string; type: string }[];
}

/** The Glue tables of a template (`AWS::Glue::Table`). */
export function glueTablesOf(template: CfnTemplate): GlueTable[] {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === "AWS::Glue::Table")
    .map((r) => {
      const input = (r.Properties as { TableInput: Record<string, unknown> }).TableInput as {
        Name: string;
        PartitionKeys?: { Name: string; Type: string }[];
        StorageDescriptor: { Columns: { Name: string; Type: string }[] };
      };
      return {
        name: input.Name,
        columns: input.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type })),
        partitionKeys: (input.PartitionKeys ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

const duckTypes: Record<string, string> = {
  string: "VARCHAR",
  bigint: "BIGINT",
  int: "INTEGER",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
};
const duckType = (glue: string) => {
  const t = duckTypes[glue];
  if (!t) throw new Error(`no DuckDB type for Glue type ${glue}`);
  return t;
};
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The view of one Glue table over `<dir>/exports/<table>/year=…/dt=…/*.parquet`. */
export function viewSql(table: GlueTable, dir: string, hasFiles: boolean): string {
  const all = [...table.columns, ...table.partitionKeys];
  const select = all.map(
    (c) => `CAST(${quote(c.name)} AS ${duckType(c.type)}) AS ${quote(c.name)}`,
  );
  if (!hasFiles) {
    const nulls = all.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${quote(c.name)}`);
    return `CREATE OR REPLACE VIEW ${quote(table.name)} AS SELECT ${nulls.join(", ")} WHERE false`;
  }
  const glob = join(dir, "exports", table.name, "**", "*.parquet").replace(/'/g, "''");
  return `CREATE OR REPLACE VIEW ${quote(table.name)} AS SELECT ${select.join(", ")} FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`;
}

/** A DuckDB connection with the template's Glue tables as views over the files in `dir`. */
export async function openAnalytics(
  template: CfnTemplate,
  dir: string,
  files: readonly string[],
): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await DuckDBConnection.create(instance);
  for (const table of glueTablesOf(template)) {
    const hasFiles = files.some((f) => f.startsWith(`exports/${table.name}/`));
    await connection.run(viewSql(table, dir, hasFiles));
  }
  return connection;
}

/** The local name of the exports bucket (the local cloud names buckets after their logical id). */
async function exportsBucket(s3: S3Client, template: CfnTemplate): Promise<string> {
  const names = Object.entries(template.Resources ?? {})
    .filter(([id, r]) => r.Type === "AWS::S3::Bucket" && /^Exports/.test(id))
    .map(([id]) =>
      id
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 63),
    );
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  const found = Buckets.find((b) => b.Name !== undefined && names.includes(b.Name));
  if (!found?.Name) throw new Error("no exports bucket in the local S3");
  return found.Name;
}

/** Copies every object under `exports/` of the local cloud's exports bucket into `dir`. */
export async function copyExports(
  s3Endpoint: string,
  template: CfnTemplate,
  dir: string,
): Promise<string[]> {
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const bucket = await exportsBucket(s3, template);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "exports/", ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key?.endsWith(".parquet")) keys.push(o.Key);
    token = page.NextContinuationToken;
  } while (token);
  // a mirror of this cloud's bucket: files of an earlier local cloud would count twice
  rmSync(join(dir, "exports"), { recursive: true, force: true });
  for (const key of keys) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const path = join(dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await out.Body!.transformToByteArray());
  }
  return keys;
}

/** Rows of a query as plain JS values (BIGINT as bigint, TIMESTAMP as Date). */
export async function query(
  connection: DuckDBConnection,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
