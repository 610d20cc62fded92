import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj, type Request } from "@middy/core";
import type { FieldError } from "@pencai/contracts/errors";
import { conflict, DomainError, validationFailed } from "@pencai/contracts/errors";
import { type In, type Out, type RouteDef, routeKey } from "@pencai/contracts/http";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { type Principal, requireRoles, verifyBearer } from "./auth.js";
import { NO_STORE, withCaching } from "./caching.js";
import { env } from "./clients.js";
import { now } from "./clock.js";
import { retrying } from "./conflict.js";
import { problemResponse } from "./errors.js";
import {
  findStored,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyClaim,
  IdempotencyRecord,
  MAX_IDEMPOTENCY_KEY,
  requestHash,
  type StoredReply,
} from "./idempotency.js";
import { logger } from "./logger.js";
import { metrics } from "./metrics.js";
import { IdempotencyRace, Tx } from "./tx.js";
import { coerceStrings, validate } from "./validation.js";

/** Largest accepted request body (decoded bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequest<R extends RouteDef> {
  route: R;
  body: Out<R["body"]>;
  query: Out<R["query"]>;
  params: Out<R["params"]>;
  principal: Principal | null;
  now: Date;
  requestId: string;
  correlationId: string;
}

/**
 * What a route's handler returns: the reply, and the transaction holding its state change. The
 * runtime commits `tx` with the request's idempotency record in it (a route cannot forget the
 * record), and when the commit loses an optimistic-concurrency race (409 `conflict`) it runs the
 * handler again: read, decide, commit. `after` runs once the state is committed.
 */
export interface HttpReply<R extends RouteDef> {
  /** Defaults to the route's success status. */
  status?: number;
  body: In<R["response"]>;
  headers?: Record<string, string>;
  tx?: Tx;
  after?: () => Promise<void> | void;
}

export interface BoundRoute {
  def: RouteDef;
  key: string;
  handle(req: HttpRequest<RouteDef>): Promise<HttpReply<RouteDef>>;
}

/** Binds a handler to its route definition; `req` is typed from the route's schemas. */
export function route<R extends RouteDef>(
  def: R,
  handle: (req: HttpRequest<R>) => Promise<HttpReply<R>>,
): BoundRoute {
  return { def, key: routeKey(def), handle: handle as BoundRoute["handle"] };
}

export interface HttpApiOptions {
  /** Service name (logs and metrics). */
  service: string;
  /** Table holding idempotency records; defaults to `TABLE_NAME`, read when first needed. */
  table?: string;
  routes: BoundRoute[];
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The HTTP Lambda handler: Powertools logger and metrics around a router on `event.routeKey`
 * that runs, per request: body size limit, auth, JSON parsing and validation, idempotency,
 * the route's handler, and maps every error to problem+json. Public GETs get `Cache-Control`,
 * `ETag` and 304s; every other reply `Cache-Control: no-store` (`caching.ts`).
 */
export function httpApi(opts: HttpApiOptions): Handler {
  const router = new Router(opts.routes);
  const table = () => opts.table ?? env("TABLE_NAME");
  const core: Handler = (event, context) => serve(router, table, event, context);
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(core)
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: false, throwOnEmptyMetrics: false }))
    .use(accessLog(opts.service)) as unknown as Handler;
}

/** One log line and one metric per request: route, status, latency. Never bodies or tokens. */
function accessLog(
  service: string,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const started = new WeakMap<object, number>();
  // middy's own request type: its response is null or undefined until a handler answers.
  const done = (request: Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>) => {
    const status = request.response?.statusCode ?? 500;
    const latencyMs =
      Math.round((performance.now() - (started.get(request) ?? performance.now())) * 10) / 10;
    logger.info("request", { service, route: request.event?.routeKey, status, latencyMs });
    metrics.addMetric(
      status < 400 ? "Http2xx" : status < 500 ? "Http4xx" : "Http5xx",
      MetricUnit.Count,
      1,
    );
  };
  return {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: done,
    onError: (request) => {
      // serve() answers every error itself; this only guards the stack's own failures.
      logger.error("unhandled error", request.error as Error);
      request.response = problemResponse(request.error, { "cache-control": NO_STORE });
      done(request);
    },
  };
}

class Router {
  private readonly byKey = new Map<string, BoundRoute>();
  private readonly templates: { method: string; pattern: RegExp; bound: BoundRoute }[] = [];

  constructor(routes: BoundRoute[]) {
    for (const bound of routes) {
      if (this.byKey.has(bound.key)) throw new Error(`duplicate route ${bound.key}`);
      this.byKey.set(bound.key, bound);
      const pattern = bound.def.path
        .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
        .replace(/\\?\{(\w+)\\?\}/g, "(?<$1>[^/]+)");
      this.templates.push({
        method: bound.def.method,
        pattern: new RegExp(`^${pattern}/?$`),
        bound,
      });
    }
  }

  /** By API Gateway's `routeKey`; for a `$default` route, by method and path. */
  find(
    event: APIGatewayProxyEventV2,
  ): { bound: BoundRoute; pathParameters?: Record<string, string | undefined> } | undefined {
    const bound = this.byKey.get(event.routeKey);
    if (bound)
      return { bound, ...(event.pathParameters ? { pathParameters: event.pathParameters } : {}) };
    const method = event.requestContext?.http?.method;
    const path = event.requestContext?.http?.path ?? event.rawPath;
    if (!method || !path) return undefined;
    for (const t of this.templates) {
      const match = t.method === method ? t.pattern.exec(path) : null;
      if (match) {
        const params = Object.fromEntries(
          Object.entries(match.groups ?? {}).map(([k, v]) => [k, safeDecode(v)]),
        );
        return { bound: t.bound, pathParameters: { ...params, ...event.pathParameters } };
      }
    }
    return undefined;
  }
}

const safeDecode = (v: string) => {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
};

const CORRELATION_ID = /^[\w.:/=+-]{1,128}$/;

async function serve(
  router: Router,
  table: () => string,
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const headers = lowerCaseHeaders(event.headers);
  const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? "unknown";
  const given = headers["x-correlation-id"];
  const correlationId = given && CORRELATION_ID.test(given) ? given : requestId;
  logger.appendKeys({ correlationId });
  const echo = { "x-correlation-id": correlationId };
  try {
    const found = router.find(event);
    if (!found) throw new DomainError("not_found", "no such route");
    const reply = await handle(found.bound, found.pathParameters, event, headers, table, {
      requestId,
      correlationId,
    });
    return withCaching(found.bound.def, headers["if-none-match"], {
      ...reply,
      headers: { ...reply.headers, ...echo },
    });
  } catch (err) {
    if (err instanceof DomainError) {
      // the caller's problem: the code, and what caused it (a cancelled transaction, a JOSE error)
      const cause =
        err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
      logger.info("request refused", {
        code: err.code,
        detail: err.detail,
        ...(cause && { cause }),
      });
    } else {
      logger.error("unhandled error", err as Error);
    }
    return problemResponse(err, { ...echo, "cache-control": NO_STORE });
  }
}

async function handle(
  bound: BoundRoute,
  pathParameters: Record<string, string | undefined> | undefined,
  event: APIGatewayProxyEventV2,
  headers: Record<string, string>,
  table: () => string,
  ids: { requestId: string; correlationId: string },
): Promise<APIGatewayProxyStructuredResultV2> {
  const { def } = bound;
  const text = bodyText(event, def.maxBodyBytes ?? MAX_BODY_BYTES);

  const principal = def.auth === "public" ? null : await verifyBearer(headers.authorization);
  requireRoles(principal, def.auth);

  const errors: FieldError[] = [];
  const params = def.params
    ? validate("params", def.params, coerceStrings(def.params, pathParameters), errors)
    : undefined;
  const query = def.query
    ? validate("query", def.query, coerceStrings(def.query, event.queryStringParameters), errors)
    : undefined;
  let body: unknown;
  if (def.body) {
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw validationFailed("request body is not valid JSON", [
        { path: "body", message: "malformed JSON" },
      ]);
    }
    body = validate("body", def.body, json, errors);
  }
  const rawKey = def.idempotent ? headers["idempotency-key"] : undefined;
  if (rawKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(rawKey)) {
    errors.push({
      path: "headers.idempotency-key",
      message: `must be 1 to ${MAX_IDEMPOTENCY_KEY} printable ASCII characters without spaces`,
    });
  }
  if (errors.length) throw validationFailed("request does not match the schema", errors);

  const req: HttpRequest<RouteDef> = {
    route: def,
    body,
    query: query as HttpRequest<RouteDef>["query"],
    params: params as HttpRequest<RouteDef>["params"],
    principal,
    now: now(),
    ...ids,
  };

  let claim: IdempotencyClaim | undefined;
  if (rawKey !== undefined) {
    claim = {
      key: rawKey,
      sub: principal?.sub ?? "anonymous",
      requestHash: requestHash(bound.key, params, query, body),
    };
    const stored = await findStored(table(), claim, req.now);
    if (stored) return replay(stored, claim.requestHash);
  }

  try {
    const { reply, after } = await retrying(async () => {
      const out = await bound.handle(req);
      const reply = storedReply(def, out);
      const record = claim && new IdempotencyRecord(claim, reply, req.now);
      // the record rides in the state change's transaction; a handler that changed nothing
      // (an answer that is already final) still leaves one, so a retry replays it
      if (out.tx) await (record ? out.tx.idempotency(record) : out.tx).commit();
      else if (record) await new Tx(table()).idempotency(record).commit();
      return { reply, after: out.after };
    });
    await after?.();
    return toResult(reply);
  } catch (err) {
    if (!(err instanceof IdempotencyRace) || !claim) throw err;
    return settleRace(table(), claim, req.now);
  }
}

/** A concurrent identical request committed first: answer with its reply. */
async function settleRace(
  table: string,
  claim: IdempotencyClaim,
  at: Date,
): Promise<APIGatewayProxyStructuredResultV2> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await findStored(table, claim, at);
    if (stored) return replay(stored, claim.requestHash);
    await new Promise((r) => setTimeout(r, 25 * (attempt + 1)));
  }
  throw conflict("a request with the same Idempotency-Key is in progress; retry");
}

/** A reply as stored: the body as the JSON text sent (none for 204). */
function storedReply(def: RouteDef, reply: HttpReply<RouteDef>): StoredReply {
  const status = reply.status ?? def.status;
  return {
    status,
    ...(reply.body === undefined || status === 204 ? {} : { body: JSON.stringify(reply.body) }),
    ...(reply.headers ? { headers: reply.headers } : {}),
  };
}

function replay(stored: { requestHash: string; reply: StoredReply }, hash: string) {
  if (stored.requestHash !== hash) {
    throw new DomainError(
      "idempotency_key_reused",
      "this Idempotency-Key was used with a different request",
    );
  }
  const result = toResult(stored.reply);
  return { ...result, headers: { ...result.headers, "idempotent-replayed": "true" } };
}

function toResult(reply: StoredReply): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: reply.status,
    headers: {
      ...reply.headers,
      ...(reply.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(reply.body === undefined ? {} : { body: reply.body }),
  };
}

function bodyText(event: APIGatewayProxyEventV2, max: number): string {
  const raw = typeof event.body === "string" ? event.body : "";
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : undefined;
  if ((bytes?.byteLength ?? Buffer.byteLength(raw, "utf8")) > max) {
    throw new DomainError("payload_too_large", `request body exceeds ${max} bytes`);
  }
  return bytes ? bytes.toString("utf8") : raw;
}

function lowerCaseHeaders(
  headers: APIGatewayProxyEventV2["headers"] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === "string") out[name.toLowerCase()] = value;
  }
  return out;
}
