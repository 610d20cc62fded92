import type { Readable } from "node:stream";
import { SignatureV4 } from "@smithy/signature-v4";
import { ddb } from "./clients.js";

/**
 * S3 without an S3 client: the requests our services make (presigned PUT and GET, GET, PUT,
 * COPY) are signed with the SDK's own SigV4 signer (`@smithy/signature-v4`, already in every
 * bundle through the DynamoDB client), with the DynamoDB client's resolved credentials, region
 * and SHA-256, and sent with its HTTP handler. This keeps `@aws-sdk/client-s3` and the
 * presigner (~140 KB minified with their middleware) out of the bundles; intake's
 * `test/evidence-store.test.ts` proves the presigned URLs equal the ones `getSignedUrl` makes.
 *
 * Addressing follows the S3 client's rules: the endpoint is `AWS_ENDPOINT_URL_S3` when set,
 * else `https://s3.<region>.amazonaws.com` (`.amazonaws.com.cn` in China regions); the bucket
 * goes into the host name (virtual-hosted), or into the path when `PENCAI_S3_PATH_STYLE=1`
 * (the local S3 needs it) or when the bucket name is not a plain DNS label. Not supported
 * (never configured for Pencai): FIPS and dual-stack endpoints, S3 Express, access points.
 */

const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

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
export interface S3Request {
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
export const encodeKey = (key: string) => key.split("/").map(encodeSegment).join("/");

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
export async function presign(
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

/** What a PUT sends: bytes, or a stream (then `content-length` must be set). */
export type Body = Uint8Array | string | Readable;

export interface S3Response {
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
export async function send(request: S3Request, body?: () => Body): Promise<S3Response> {
  request.headers["x-amz-content-sha256"] = UNSIGNED_PAYLOAD;
  for (let attempt = 1; ; attempt++) {
    let res: S3Response | undefined;
    try {
      // a fresh body each attempt: a stream is spent by the one before
      const signed = await s3Signer().sign({ ...request, ...(body ? { body: body() } : {}) });
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

export const ok = (res: S3Response) => res.status >= 200 && res.status < 300;

export async function text(res: S3Response): Promise<string> {
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

export const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

export async function failure(res: S3Response): Promise<S3Error> {
  const code = errorCode(await text(res).catch(() => "")) ?? `Http${res.status}`;
  return new S3Error(code, res.status);
}

export const region = () => ddb.config.region();

/** A short-lived GET of an object (of one version, when given), like `getSignedUrl`. */
export async function presignGet(
  bucket: string,
  key: string,
  expiresIn: number,
  versionId?: string,
): Promise<string> {
  const request = objectRequest(await region(), "GET", bucket, key, {
    "x-id": "GetObject",
    ...(versionId ? { versionId } : {}),
  });
  return presign(request, { expiresIn });
}

/** PutObject of `length` bytes; throws `S3Error` unless S3 stored them. */
export async function putObject(
  bucket: string,
  key: string,
  body: () => Body,
  opts: { contentType: string; contentLength: number },
): Promise<void> {
  const request = objectRequest(await region(), "PUT", bucket, key, { "x-id": "PutObject" });
  Object.assign(request.headers, {
    "content-type": opts.contentType,
    "content-length": String(opts.contentLength),
  });
  const res = await send(request, body);
  if (!ok(res)) throw await failure(res);
  await text(res); // drain, so the socket can be reused
}
