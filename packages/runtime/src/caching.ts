import { createHash } from "node:crypto";
import type { RouteDef } from "@pencai/contracts/http";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

// HTTP caching for the public board (issue 13): public GET replies carry `Cache-Control` and a
// strong `ETag`, and a matching `If-None-Match` gets `304 Not Modified` with no body, so phones
// and CloudFront keep them; everything else is `no-store`. Applied once, by `httpApi`.

/** Public GETs without a `maxAge` of their own: lists and proposal pages change with events, a minute late is fine. */
export const PUBLIC_MAX_AGE = 60;

/** What a reply that must never be kept (a token's view, a write, an error) says. */
export const NO_STORE = "no-store";

/** Whether browsers and shared caches may keep this route's successful replies. */
export const isCacheable = (def: Pick<RouteDef, "auth" | "method">): boolean =>
  def.auth === "public" && def.method === "GET";

/** `Cache-Control` of a route's successful reply. */
export function cacheControl(def: Pick<RouteDef, "auth" | "method" | "maxAge">): string {
  return isCacheable(def) ? `public, max-age=${def.maxAge ?? PUBLIC_MAX_AGE}` : NO_STORE;
}

/**
 * A strong entity tag of a body: the first 128 bits of its SHA-256, base64url, quoted. Equal
 * bodies give equal tags in every container, so a tag from one Lambda revalidates at another.
 */
export function entityTag(body: string): string {
  return `"${createHash("sha256").update(body, "utf8").digest("base64url").slice(0, 22)}"`;
}

/**
 * RFC 9110 §13.1.2: does `If-None-Match` (a list of entity tags, or `*`) match `etag`? Weak
 * comparison: `W/"x"` matches `"x"`. An unparsable header matches nothing (a full reply).
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] === opaque) return true;
  return false;
}

/**
 * The reply as sent: a cacheable route's 200 gets `Cache-Control` and `ETag`, and becomes a 304
 * (same validators, no body, no `content-type`) when `ifNoneMatch` matches; any other reply gets
 * `Cache-Control: no-store` unless it set its own.
 */
export function withCaching(
  def: Pick<RouteDef, "auth" | "method" | "maxAge"> | undefined,
  ifNoneMatch: string | undefined,
  result: APIGatewayProxyStructuredResultV2,
): APIGatewayProxyStructuredResultV2 {
  const headers = { ...result.headers };
  if (!def || !isCacheable(def) || result.statusCode !== 200 || result.body === undefined) {
    return { ...result, headers: { "cache-control": NO_STORE, ...headers } };
  }
  const etag = entityTag(result.body);
  const validators = { "cache-control": cacheControl(def), etag };
  if (!noneMatch(ifNoneMatch, etag)) return { ...result, headers: { ...headers, ...validators } };
  const { "content-type": _, ...kept } = headers;
  return { statusCode: 304, headers: { ...kept, ...validators } };
}
