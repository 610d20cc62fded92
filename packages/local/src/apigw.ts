/**
 * API Gateway HTTP API (payload format 2.0) emulation: route matching, the event a
 * Lambda integration receives, and the mapping of its result back to HTTP.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export interface RouteMatcher<R> {
  match(
    method: string,
    path: string,
  ): { route: R; pathParameters: Record<string, string> } | undefined;
}

type Segment =
  | { kind: "literal"; value: string }
  | { kind: "param"; name: string }
  | { kind: "greedy"; name: string };

function compile(path: string): Segment[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((s): Segment => {
      const m = /^\{([^}+]+)(\+)?\}$/.exec(s);
      if (!m) return { kind: "literal", value: s };
      return m[2]
        ? { kind: "greedy", name: m[1] as string }
        : { kind: "param", name: m[1] as string };
    });
}

const rank = { literal: 0, param: 1, greedy: 2 } as const;

/**
 * Matches like API Gateway: the most specific route wins (literal segments before
 * `{param}` before `{proxy+}`, left to right), a method before `ANY`, `$default` last.
 */
export function routeMatcher<R extends { method: string; path: string; routeKey: string }>(
  routes: readonly R[],
): RouteMatcher<R> {
  const compiled = routes
    .filter((r) => r.routeKey !== "$default")
    .map((r) => ({ route: r, segments: compile(r.path), method: r.method.toUpperCase() }));
  const fallback = routes.find((r) => r.routeKey === "$default");
  return {
    match(method, path) {
      const parts = path.split("/").filter(Boolean);
      let best: { route: R; params: Record<string, string>; score: number[] } | undefined;
      for (const c of compiled) {
        if (c.method !== "ANY" && c.method !== method.toUpperCase()) continue;
        const params: Record<string, string> = {};
        const score: number[] = [];
        let ok = true;
        for (let i = 0; i < c.segments.length && ok; i++) {
          const seg = c.segments[i] as Segment;
          const part = parts[i];
          score.push(rank[seg.kind]);
          if (seg.kind === "greedy") {
            if (part === undefined) ok = false;
            else params[seg.name] = parts.slice(i).map(safeDecode).join("/");
            break;
          }
          if (part === undefined) ok = false;
          else if (seg.kind === "literal") ok = seg.value === part;
          else params[seg.name] = safeDecode(part);
        }
        const last = c.segments[c.segments.length - 1];
        if (ok && last?.kind !== "greedy" && c.segments.length !== parts.length) ok = false;
        if (!ok) continue;
        score.push(c.method === "ANY" ? 1 : 0);
        if (!best || compareScore(score, best.score) < 0) best = { route: c.route, params, score };
      }
      if (best) return { route: best.route, pathParameters: best.params };
      return fallback ? { route: fallback, pathParameters: {} } : undefined;
    },
  };
}

function compareScore(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 3) - (b[i] ?? 3);
    if (d !== 0) return d;
  }
  return 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface IncomingRequest {
  method: string;
  /** path and query as received (`/v1/needs?communityId=x`) */
  url: string;
  /** raw header list as received: [name, value, name, value, ...] */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
}

export interface EventOptions {
  routeKey: string;
  pathParameters: Record<string, string>;
  requestId: string;
  /** real wall-clock time of the request */
  timeEpoch: number;
  apiId: string;
  domainName: string;
  stage?: string;
  jwtClaims?: Record<string, string>;
}

const TEXT_TYPES =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql)\b)/i;

/** Whether API Gateway passes a body of this content type as text (else base64). */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return TEXT_TYPES.test(contentType.trim());
}

export function buildEvent(req: IncomingRequest, o: EventOptions): APIGatewayProxyEventV2 {
  const q = req.url.indexOf("?");
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQueryString = q < 0 ? "" : req.url.slice(q + 1);

  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[k] =
        k in queryStringParameters ? `${queryStringParameters[k]},${v}` : v;
    }
  }

  const text = isTextContentType(headers["content-type"]);
  const hasBody = req.body.length > 0;
  const now = new Date(o.timeEpoch);
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: o.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: o.apiId,
      domainName: o.domainName,
      domainPrefix: o.domainName.split(".")[0] ?? o.domainName,
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: req.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: o.requestId,
      routeKey: o.routeKey,
      stage: o.stage ?? "$default",
      time: clfTime(now),
      timeEpoch: o.timeEpoch,
      ...(o.jwtClaims ? { authorizer: { jwt: { claims: o.jwtClaims, scopes: null } } } : {}),
    } as APIGatewayProxyEventV2["requestContext"],
    ...(Object.keys(o.pathParameters).length ? { pathParameters: o.pathParameters } : {}),
    ...(hasBody ? { body: text ? req.body.toString("utf8") : req.body.toString("base64") } : {}),
    isBase64Encoded: hasBody && !text,
  };
  return event;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `22/Nov/2026:15:39:00 +0000`, the format API Gateway uses for `requestContext.time`. */
function clfTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000`;
}

export interface HttpResult {
  status: number;
  /** header values; `set-cookie` may hold several */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Map a Lambda result to HTTP the way API Gateway does for payload format 2.0. */
export function mapResult(result: unknown): HttpResult {
  const structured =
    result !== null &&
    typeof result === "object" &&
    "statusCode" in (result as Record<string, unknown>);
  if (!structured) {
    // No statusCode: API Gateway infers 200 + JSON.
    const body = typeof result === "string" ? result : JSON.stringify(result ?? null);
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from(body),
    };
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers["set-cookie"] = r.cookies;
  const raw = r.body ?? "";
  const body = r.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  return { status: Number(r.statusCode), headers, body };
}

/** API Gateway's own JSON error replies. */
export function gatewayError(status: number, message: string): HttpResult {
  return {
    status,
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify({ message })),
  };
}
