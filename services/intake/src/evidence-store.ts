import { createHash } from "node:crypto";
import { env } from "@pencai/runtime/clients";
import {
  encodeKey,
  errorCode,
  failure,
  objectRequest,
  ok,
  presign,
  presignGet,
  region,
  S3Error,
  send,
  text,
} from "@pencai/runtime/s3";
import {
  DOWNLOAD_TTL_SECONDS,
  evidenceKey,
  hexToBase64,
  quarantineKey,
  type StoredObject,
  UPLOAD_TTL_SECONDS,
} from "./domain/evidence.js";
import type { EvidenceRecord } from "./domain/types.js";

/**
 * Every S3 call of intake lives here (the evidence bucket only), on the runtime's client-less
 * S3 requests (`@pencai/runtime/s3`).
 */

/** Headers the upload signs; the client must send them with exactly the declared values. */
export const signedUploadHeaders = ["content-type", "content-length", "x-amz-checksum-sha256"];

const bucket = () => env("EVIDENCE_BUCKET");

/**
 * A presigned PUT that signs the declared type, length and SHA-256 as headers (not query
 * parameters), so S3 refuses any other bytes. `content-length` is set by the HTTP client
 * from the body; the other two headers are returned for the client to send.
 */
export async function presignUpload(
  e: EvidenceRecord,
): Promise<{ url: string; headers: Record<string, string> }> {
  const checksum = hexToBase64(e.sha256);
  const request = objectRequest(await region(), "PUT", bucket(), e.key, { "x-id": "PutObject" });
  Object.assign(request.headers, {
    "content-type": e.contentType,
    "content-length": String(e.sizeBytes),
    "x-amz-checksum-sha256": checksum,
  });
  const url = await presign(request, {
    expiresIn: UPLOAD_TTL_SECONDS,
    signableHeaders: new Set(signedUploadHeaders),
    unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
  });
  return { url, headers: { "content-type": e.contentType, "x-amz-checksum-sha256": checksum } };
}

/** A short-lived GET of a kept object, of exactly the version that was verified (when versioned). */
export const presignDownload = (key: string, versionId?: string): Promise<string> =>
  presignGet(bucket(), key, DOWNLOAD_TTL_SECONDS, versionId);

/**
 * Reads the uploaded object and measures it: bytes counted and hashed as they stream by, the
 * stored content type and the version read. `undefined` when nothing was uploaded yet.
 */
export async function measure(key: string): Promise<StoredObject | undefined> {
  const res = await send(
    objectRequest(await region(), "GET", bucket(), key, { "x-id": "GetObject" }),
  );
  if (!ok(res)) {
    const err = await failure(res);
    if (err.code === "NoSuchKey" || res.status === 404) return undefined;
    throw err;
  }
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of res.body) {
    sizeBytes += chunk.byteLength;
    hash.update(chunk);
  }
  const versionId = res.headers["x-amz-version-id"];
  return {
    sizeBytes,
    contentType: res.headers["content-type"],
    sha256: hash.digest("hex"),
    ...(versionId && versionId !== "null" ? { versionId } : {}),
  };
}

/**
 * A server-side copy of one version of an object (CopyObject); answers the new version's id.
 * CopyObject may answer 200 with an error document when the copy fails midway.
 */
async function copy(
  from: { key: string; versionId?: string },
  to: string,
  headers: Record<string, string>,
): Promise<string | undefined> {
  const request = objectRequest(await region(), "PUT", bucket(), to, { "x-id": "CopyObject" });
  const version = from.versionId ? `?versionId=${encodeURIComponent(from.versionId)}` : "";
  request.headers["x-amz-copy-source"] = `${bucket()}/${encodeKey(from.key)}${version}`;
  Object.assign(request.headers, headers);
  const copied = await send(request);
  const body = await text(copied);
  if (!ok(copied) || errorCode(body) !== undefined) {
    throw new S3Error(errorCode(body) ?? `Http${copied.status}`, copied.status);
  }
  const versionId = copied.headers["x-amz-version-id"];
  return versionId && versionId !== "null" ? versionId : undefined;
}

/**
 * Keeps a verified upload: the measured version is copied to the evidence path under object
 * lock (governance mode, until `retainUntil`), where nothing can overwrite or delete it. Answers
 * the key and the version downloads will name.
 */
export async function keep(
  e: { proposalId: string; evidenceId: string; key: string },
  measured: StoredObject,
  retainUntil: Date,
): Promise<{ key: string; versionId?: string }> {
  const key = evidenceKey(e.proposalId, e.evidenceId);
  const versionId = await copy(
    { key: e.key, ...(measured.versionId ? { versionId: measured.versionId } : {}) },
    key,
    {
      "x-amz-metadata-directive": "COPY",
      "x-amz-object-lock-mode": "GOVERNANCE",
      "x-amz-object-lock-retain-until-date": retainUntil.toISOString(),
    },
  );
  return { key, ...(versionId ? { versionId } : {}) };
}

/**
 * Copies a rejected upload to `quarantine/…` for review (a lifecycle rule deletes it after 30
 * days); the upload itself expires with everything else under `uploads/`.
 */
export async function quarantine(
  e: { proposalId: string; evidenceId: string; key: string },
  measured: StoredObject,
): Promise<string> {
  const target = quarantineKey(e.proposalId, e.evidenceId);
  await copy(
    { key: e.key, ...(measured.versionId ? { versionId: measured.versionId } : {}) },
    target,
    { "x-amz-metadata-directive": "COPY" },
  );
  return target;
}
