import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { env } from "@pencai/runtime/clients";
import {
  DOWNLOAD_TTL_SECONDS,
  hexToBase64,
  quarantineKey,
  type StoredObject,
  UPLOAD_TTL_SECONDS,
} from "./domain/evidence.js";
import type { EvidenceRecord } from "./domain/types.js";

/**
 * Every S3 call of intake lives here (the evidence bucket only), so the SDK client can be
 * swapped for a smaller signer without touching handlers.
 */

let client: S3Client | undefined;
function s3(): S3Client {
  client ??= new S3Client({
    forcePathStyle: process.env.PENCAI_S3_PATH_STYLE === "1",
    // checksums are ours: the declared SHA-256 is signed into the upload, not computed by the SDK
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return client;
}

const bucket = () => env("EVIDENCE_BUCKET");

/** Headers the upload signs; the client must send them with exactly the declared values. */
export const signedUploadHeaders = ["content-type", "content-length", "x-amz-checksum-sha256"];

/**
 * A presigned PUT that signs the declared type, length and SHA-256 as headers (not query
 * parameters), so S3 refuses any other bytes. `content-length` is set by the HTTP client
 * from the body; the other two headers are returned for the client to send.
 */
export async function presignUpload(
  e: EvidenceRecord,
): Promise<{ url: string; headers: Record<string, string> }> {
  const checksum = hexToBase64(e.sha256);
  const url = await getSignedUrl(
    s3(),
    new PutObjectCommand({
      Bucket: bucket(),
      Key: e.key,
      ContentType: e.contentType,
      ContentLength: e.sizeBytes,
      ChecksumSHA256: checksum,
    }),
    {
      expiresIn: UPLOAD_TTL_SECONDS,
      signableHeaders: new Set(signedUploadHeaders),
      unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
    },
  );
  return { url, headers: { "content-type": e.contentType, "x-amz-checksum-sha256": checksum } };
}

/** A short-lived GET of a stored object. */
export function presignDownload(key: string): Promise<string> {
  return getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucket(), Key: key }), {
    expiresIn: DOWNLOAD_TTL_SECONDS,
  });
}

/**
 * Reads the stored object and measures it: bytes counted and hashed as they stream by, and
 * the stored content type. `undefined` when nothing was uploaded yet.
 */
export async function measure(key: string): Promise<StoredObject | undefined> {
  let out: GetObjectCommandOutput;
  try {
    out = await s3().send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  } catch (err) {
    if (err instanceof NoSuchKey || (err as { name?: string }).name === "NoSuchKey")
      return undefined;
    throw err;
  }
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of out.Body as Readable) {
    const bytes = chunk as Uint8Array;
    sizeBytes += bytes.byteLength;
    hash.update(bytes);
  }
  return { sizeBytes, contentType: out.ContentType, sha256: hash.digest("hex") };
}

/** Moves a rejected upload out of the evidence path (copy to `quarantine/…`, delete the original). */
export async function quarantine(key: string): Promise<string> {
  const target = quarantineKey(key);
  await s3().send(
    new CopyObjectCommand({
      Bucket: bucket(),
      Key: target,
      CopySource: `${bucket()}/${key.split("/").map(encodeURIComponent).join("/")}`,
      MetadataDirective: "COPY",
    }),
  );
  await s3().send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));
  return target;
}
