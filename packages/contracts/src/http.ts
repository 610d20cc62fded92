import type * as z from "zod/mini";
import type { ErrorCode } from "./errors.js";
import type { Role } from "./roles.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/**
 * One route = one definition, used by the handler (validation, auth), infra (API Gateway
 * routes), the OpenAPI document and the typed client.
 *
 * Bodies: use `z.strictObject` so unknown fields are rejected with 400. Params and query
 * values arrive as strings; the runtime coerces them to the schema's number/boolean/array
 * types before validating, so write `z.optional(z.int())`, not a coercing schema.
 */
export interface RouteDef {
  /** Stable name, used by the client: `createProposal`. */
  operationId: string;
  method: HttpMethod;
  /** API Gateway syntax: `/v1/proposals/{id}/screening`. */
  path: string;
  summary: string;
  tags: readonly string[];
  /** `"public"` (no token, a token is ignored) or the roles allowed to call. */
  auth: "public" | readonly Role[];
  params?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  body?: z.ZodMiniType;
  response: z.ZodMiniType;
  /** Success status. */
  status: number;
  /** Documented error codes (besides validation_failed / unauthenticated / forbidden). */
  errors?: readonly ErrorCode[];
  /** Accepts an `Idempotency-Key` header (every POST/PUT write). */
  idempotent?: boolean;
  /** Largest request body, when a route needs more than the runtime's default (64 KiB). */
  maxBodyBytes?: number;
  /**
   * Public GET routes only: how long browsers and CloudFront may keep a reply, in seconds
   * (`Cache-Control: public, max-age=<n>`). Defaults to the runtime's `PUBLIC_MAX_AGE` (60 s).
   */
  maxAge?: number;
}

export function defineRoute<const R extends RouteDef>(r: R): R {
  return r;
}

/** API Gateway route key: `POST /v1/proposals/{id}/screening`. */
export const routeKey = (r: Pick<RouteDef, "method" | "path">) => `${r.method} ${r.path}`;

/** Parsed value of an optional schema (`undefined` when the route has none). */
export type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;
/** Accepted input of an optional schema (`undefined` when the route has none). */
export type In<S> = S extends z.ZodMiniType ? z.input<S> : undefined;
