import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type ExportEntityName, exportFileKey } from "@pencai/contracts/exports";
import { env } from "@pencai/runtime/clients";
import { fileWriter } from "hyparquet-writer";
import { EntityParquetWriter } from "./domain/parquet.js";
import type { Values } from "./domain/rows.js";
import type { ExportFile } from "./store.js";

// The exports bucket: each entity's rows go to a Parquet file in the function's /tmp, a row
// group at a time (bounded memory), then up to S3 as one PUT streamed from the file.

/** How long a download link of GET /v1/exports/{id} works. */
export const DOWNLOAD_TTL_SECONDS = 300;

let client: S3Client | undefined;
const s3 = () => {
  client ??= new S3Client({ forcePathStyle: process.env.PENCAI_S3_PATH_STYLE === "1" });
  return client;
};
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
    await s3().send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: "application/vnd.apache.parquet",
      }),
    );
    return { entity, key, rows: writer.rows, bytes: size };
  } finally {
    await rm(path, { force: true });
  }
}

/** Writes a small text file (a pabulib instance). */
export async function putText(key: string, body: string): Promise<number> {
  const bytes = Buffer.from(body, "utf8");
  await s3().send(
    new PutObjectCommand({
      Bucket: bucket(),
      Key: key,
      Body: bytes,
      ContentType: "text/plain; charset=utf-8",
    }),
  );
  return bytes.length;
}

/** A short-lived download link of an export file. */
export const downloadUrl = (key: string): Promise<string> =>
  getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
    expiresIn: DOWNLOAD_TTL_SECONDS,
  });
