import { createHash } from "node:crypto";
import { ddb, env } from "@pencai/runtime/clients";
import { SignatureV4 } from "@smithy/signature-v4";
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
 * Every S3 call of intake lives here (the evidence bucket only). No S3 client: the four
 * requests intake makes (presigned PUT and GET, GET, COPY) are signed with the SDK's
 * own SigV4 signer (`@smithy/signature-v4`, already in every bundle through the DynamoDB
 * client), with the DynamoDB client's resolved credentials, region and SHA-256, and sent with
 * its HTTP handler. This keeps `@aws-sdk/client-s3` (~140 KB minified with its middleware)
 * out of the evidence bundle; `test/evidence-store.test.ts` proves the presigned URLs equal
 * the ones `getSignedUrl` from `@aws-sdk/s3-request-presigner` produces.
 *
 * Addressing follows the S3 client's rules: the endpoint is `AWS_ENDPOINT_URL_S3` when set,
 * else `https://s3.<region>.amazonaws.com` (`.amazonaws.com.cn` in China regions); the bucket
 * goes into the host name (virtual-hosted), or into the path when `PENCAI_S3_PATH_STYLE=1`
 * (the local S3 needs it) or when the bucket name is not a plain DNS label. Not supported
 * (never configured for Pencai): FIPS and dual-stack endpoints, S3 Express, access points.
 */

/** Headers the upload signs; the client must send them with exactly the declared values. */
export const signedUploadHeaders = ["content-type", "content-length", "x-amz-checksum-sha256"];

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

const bucket = () => env("EVIDENCE_BUCKET");

let signer: SignatureV4 | undefined;
function s3Signer(): SignatureV4 {
  const config = ddb.config;
  signer ??= new SignatureV4({
    service: "s3",
    region: config.region,
    credentials: config.credentials,
    sha256: config.sha256,
    // S3 signs the path as sent (keys are encoded once), never double-encoded
    uriEscapePath: false,
    applyChecksum: false,
  });
  return signer;
}

/** A request for the signer, in the shape of the SDK's HttpRequest. */
interface S3Request {
  method: "GET" | "PUT" | "DELETE";
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** RFC 3986 encoding of one key segment, as the S3 client does (`extendedEncodeURIComponent`). */
const encodeSegment = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
const encodeKey = (key: string) => key.split("/").map(encodeSegment).join("/");

/** A bucket name that can be a host label (no dots: TLS wildcard certificates cover one label). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Where an object lives: endpoint override or regional endpoint, path- or virtual-hosted style. */
export function objectRequest(
  region: string,
  method: S3Request["method"],
  bucketName: string,
  key: string,
  query: Record<string, string> = {},
): S3Request {
  const override = process.env.AWS_ENDPOINT_URL_S3;
  const base = new URL(
    override || `https://s3.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`,
  );
  const pathStyle = process.env.PENCAI_S3_PATH_STYLE === "1" || !VIRTUAL_HOSTABLE.test(bucketName);
  const prefix = base.pathname.replace(/\/+$/, "");
  const hostname = pathStyle ? base.hostname : `${bucketName}.${base.hostname}`;
  const path = `${prefix}${pathStyle ? `/${bucketName}` : ""}/${encodeKey(key)}`;
  return {
    method,
    protocol: base.protocol,
    hostname,
    ...(base.port ? { port: Number(base.port) } : {}),
    path,
    query,
    headers: { host: `${hostname}${base.port ? `:${base.port}` : ""}` },
  };
}

/** The URL of a (signed) request, query parameters sorted (as the SDK's `formatUrl`). */
function urlOf(r: S3Request): string {
  const query = Object.keys(r.query)
    .sort()
    .map((k) => [k, r.query[k]!] as const)
    .map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`)
    .join("&");
  return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ""}${r.path}${query ? `?${query}` : ""}`;
}

/** Presigns like `getSignedUrl`: `x-amz-content-sha256: UNSIGNED-PAYLOAD`, `x-amz-*` hoisted. */
async function presign(
  request: S3Request,
  opts: { expiresIn: number; signableHeaders?: Set<string>; unhoistableHeaders?: Set<string> },
): Promise<string> {
  // the presigner's spelling: hoisted as is into the (case-sensitive) signed query
  request.headers["X-Amz-Content-Sha256"] = UNSIGNED_PAYLOAD;
  const signed = (await s3Signer().presign(request, {
    expiresIn: opts.expiresIn,
    unsignableHeaders: new Set(["content-type"]),
    ...(opts.signableHeaders ? { signableHeaders: opts.signableHeaders } : {}),
    unhoistableHeaders: opts.unhoistableHeaders ?? new Set(),
  })) as S3Request;
  return urlOf(signed);
}

interface S3Response {
  status: number;
  headers: Record<string, string | undefined>;
  body: AsyncIterable<Uint8Array>;
}

/**
 * Signs a request (Authorization header) and sends it with the DynamoDB client's own HTTP
 * handler (keep-alive agent, timeouts). The body comes back as the raw stream: no content
 * decoding, so what is measured is exactly what S3 stores. Like the SDK's standard retry mode,
 * up to 3 attempts on network errors, throttling and 5xx, with jittered backoff.
 */
async function send(request: S3Request): Promise<S3Response> {
  request.headers["x-amz-content-sha256"] = UNSIGNED_PAYLOAD;
  for (let attempt = 1; ; attempt++) {
    let res: S3Response | undefined;
    try {
      const signed = await s3Signer().sign(request);
      const { response } = await ddb.config.requestHandler.handle(signed);
      res = { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS) throw err;
    }
    if (res && !(res.status === 429 || res.status >= 500)) return res;
    if (res && attempt >= MAX_ATTEMPTS) return res;
    if (res) await text(res).catch(() => ""); // drain, so the socket can be reused
    await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** attempt));
  }
}

const MAX_ATTEMPTS = 3;

const ok = (res: S3Response) => res.status >= 200 && res.status < 300;

async function text(res: S3Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** S3's XML error, minimally: the `<Code>`. */
export class S3Error extends Error {
  override readonly name = "S3Error";
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(`S3 ${status} ${code}`);
  }
}

const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

async function failure(res: S3Response): Promise<S3Error> {
  const code = errorCode(await text(res).catch(() => "")) ?? `Http${res.status}`;
  return new S3Error(code, res.status);
}

const region = () => ddb.config.region();

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
export async function presignDownload(key: string, versionId?: string): Promise<string> {
  const request = objectRequest(await region(), "GET", bucket(), key, {
    "x-id": "GetObject",
    ...(versionId ? { versionId } : {}),
  });
  return presign(request, { expiresIn: DOWNLOAD_TTL_SECONDS });
}

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
