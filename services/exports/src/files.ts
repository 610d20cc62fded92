import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExportEntityName, exportFileKey } from "@pencai/contracts/exports";
import { env } from "@pencai/runtime/clients";
import { presignGet, putObject } from "@pencai/runtime/s3";
import { fileWriter } from "hyparquet-writer";
import { EntityParquetWriter } from "./domain/parquet.js";
import type { Values } from "./domain/rows.js";
import type { ExportFile } from "./store.js";

// The exports bucket: each entity's rows go to a Parquet file in the function's /tmp, a row
// group at a time (bounded memory), then up to S3 as one PUT streamed from the file.

/** How long a download link of GET /v1/exports/{id} works. */
export const DOWNLOAD_TTL_SECONDS = 300;

const bucket = () => env("EXPORTS_BUCKET");

/** Writes `rows` of `entity` as the export's file of `day`; no file (undefined) when there are none. */
export async function exportEntity(
  entity: ExportEntityName,
  rows: AsyncIterable<Values>,
  exportId: string,
  day: string,
): Promise<ExportFile | undefined> {
  const path = join(tmpdir(), `${exportId}-${entity}.parquet`);
  try {
    const writer = new EntityParquetWriter(entity, fileWriter(path));
    for await (const row of rows) await writer.add(row);
    await writer.finish();
    if (writer.rows === 0) return undefined;
    const { size } = await stat(path);
    const key = exportFileKey(entity, day, exportId);
    await putObject(bucket(), key, () => createReadStream(path), {
      contentType: "application/vnd.apache.parquet",
      contentLength: size,
    });
    return { entity, key, rows: writer.rows, bytes: size };
  } finally {
    await rm(path, { force: true });
  }
}

/** Writes a small text file (a pabulib instance). */
export async function putText(key: string, body: string): Promise<number> {
  const bytes = Buffer.from(body, "utf8");
  await putObject(bucket(), key, () => bytes, {
    contentType: "text/plain; charset=utf-8",
    contentLength: bytes.length,
  });
  return bytes.length;
}

/** A short-lived download link of an export file. */
export const downloadUrl = (key: string): Promise<string> =>
  presignGet(bucket(), key, DOWNLOAD_TTL_SECONDS);
