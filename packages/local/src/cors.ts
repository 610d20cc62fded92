/**
 * CORS the way an API Gateway HTTP API applies its `CorsConfiguration`: the gateway
 * answers preflights itself (no OPTIONS route needed), adds the configured headers to
 * every response for an allowed origin, and ignores CORS headers from integrations.
 */
import type { CorsConfig } from "./template.js";

const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());

export function originAllowed(cors: CorsConfig, origin: string | undefined): boolean {
  if (!origin) return false;
  return cors.allowOrigins.some((o) => o === "*" || o.toLowerCase() === origin.toLowerCase());
}

function allowOriginValue(cors: CorsConfig, origin: string): string {
  return cors.allowOrigins.includes("*") && !cors.allowCredentials ? "*" : origin;
}

export function isPreflight(method: string, headers: Record<string, string | undefined>): boolean {
  return (
    method.toUpperCase() === "OPTIONS" &&
    !!headers.origin &&
    !!headers["access-control-request-method"]
  );
}

/** Headers of the gateway's reply (204) to a preflight request. */
export function preflightHeaders(
  cors: CorsConfig,
  headers: Record<string, string | undefined>,
): Record<string, string> {
  const origin = headers.origin;
  if (!origin || !originAllowed(cors, origin)) return {};
  const requestedMethod = (headers["access-control-request-method"] ?? "").toUpperCase();
  const methods = cors.allowMethods.map((m) => m.toUpperCase());
  if (!methods.includes("*") && !methods.includes(requestedMethod)) return {};
  const requestedHeaders = (headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allowedHeaders = lower(cors.allowHeaders);
  if (!allowedHeaders.includes("*") && requestedHeaders.some((h) => !allowedHeaders.includes(h)))
    return {};
  const out: Record<string, string> = {
    "access-control-allow-origin": allowOriginValue(cors, origin),
    "access-control-allow-methods": methods.includes("*") ? requestedMethod : methods.join(","),
  };
  if (requestedHeaders.length) {
    out["access-control-allow-headers"] = allowedHeaders.includes("*")
      ? requestedHeaders.join(",")
      : allowedHeaders.join(",");
  }
  if (cors.maxAge !== undefined) out["access-control-max-age"] = String(cors.maxAge);
  if (cors.allowCredentials) out["access-control-allow-credentials"] = "true";
  if (out["access-control-allow-origin"] !== "*") out.vary = "Origin";
  return out;
}

/** Headers added to an actual (non-preflight) response. */
export function responseHeaders(
  cors: CorsConfig,
  origin: string | undefined,
): Record<string, string> {
  if (!origin || !originAllowed(cors, origin)) return {};
  const out: Record<string, string> = {
    "access-control-allow-origin": allowOriginValue(cors, origin),
  };
  if (cors.exposeHeaders.length)
    out["access-control-expose-headers"] = cors.exposeHeaders.join(",");
  if (cors.allowCredentials) out["access-control-allow-credentials"] = "true";
  if (out["access-control-allow-origin"] !== "*") out.vary = "Origin";
  return out;
}

/** Remove an integration's own CORS headers (API Gateway ignores them when CORS is configured). */
export function stripCorsHeaders(headers: Record<string, string | string[]>): void {
  for (const k of Object.keys(headers)) if (k.startsWith("access-control-")) delete headers[k];
}
