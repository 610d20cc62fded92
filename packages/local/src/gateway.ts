/**
 * The local HTTP gateway: API Gateway HTTP API semantics in front of the workers.
 * Order like API Gateway: CORS preflight, local endpoints, route match (404),
 * throttling (429), JWT presence (401), integration (500/503 on failure).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildEvent, gatewayError, type HttpResult, mapResult, routeMatcher } from "./apigw.js";
import { isPreflight, preflightHeaders, responseHeaders, stripCorsHeaders } from "./cors.js";
import { FunctionError } from "./functions.js";
import type { CorsConfig, RouteDef, ThrottleConfig } from "./template.js";
import { Throttler } from "./throttle.js";

/** API Gateway's payload limit for HTTP APIs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  routes: readonly RouteDef[];
  cors?: CorsConfig;
  throttle: ThrottleConfig;
  /** false: no 429s (default true) */
  throttling?: boolean;
  invoke(functionId: string, event: unknown, requestId: string): Promise<unknown>;
  /** local endpoints; undefined = not a local path */
  local(req: { method: string; path: string; body: Buffer }): Promise<HttpResult | undefined>;
  /** verified JWT claims for `requestContext.authorizer` (undefined: not verifiable locally) */
  verify?(token: string): Promise<Record<string, unknown> | undefined>;
  /** errors */
  log?(line: string): void;
  /** one line per request */
  access?(line: string): void;
}

export interface Gateway {
  server: Server;
  /** resolves with the base URL */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
  /** set once the gateway knows its own URL (domain name in events) */
  url?: string;
}

function requestId(): string {
  // API Gateway ids look like "Jx3kKgRmoAMEbcw="
  return randomBytes(10).toString("base64");
}

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function claimStrings(payload: Record<string, unknown>): Record<string, string> {
  // API Gateway hands JWT claims over as strings; arrays look like "[a b]".
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    out[k] = Array.isArray(v)
      ? `[${v.join(" ")}]`
      : typeof v === "object"
        ? JSON.stringify(v)
        : String(v);
  }
  return out;
}

export function createGateway(o: GatewayOptions): Gateway {
  const match = routeMatcher(o.routes);
  const throttler = new Throttler(o.throttle);
  const throttling = o.throttling !== false;

  const gateway: Gateway = {
    server: createServer((req, res) => {
      handle(req, res).catch((e) => {
        o.log?.(`gateway error: ${(e as Error).stack ?? e}`);
        if (!res.headersSent) send(res, gatewayError(500, "Internal Server Error"), {});
        else res.destroy();
      });
    }),
    listen(port, host) {
      return new Promise((resolve, reject) => {
        gateway.server.once("error", reject);
        gateway.server.listen(port, host, () => {
          const { port: p } = gateway.server.address() as AddressInfo;
          gateway.url = `http://${host}:${p}`;
          resolve(gateway.url);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        gateway.server.close(() => resolve());
        gateway.server.closeAllConnections();
      });
    },
  };

  function send(
    res: ServerResponse,
    r: HttpResult,
    extra: Record<string, string>,
    id?: string,
  ): void {
    const headers: Record<string, string | string[]> = { ...r.headers, ...extra };
    if (id) headers["apigw-requestid"] = id;
    headers["content-length"] = String(r.body.length);
    res.writeHead(r.status, headers);
    res.end(r.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const id = requestId();
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const path = url.split("?")[0] as string;
    const headers = req.headers as Record<string, string | undefined>;
    const cors = o.cors ? responseHeaders(o.cors, headers.origin) : {};
    const done = (r: HttpResult, extra: Record<string, string> = cors) => {
      send(res, r, extra, id);
      o.access?.(`${method} ${url} ${r.status} ${(performance.now() - started).toFixed(1)}ms`);
    };

    if (o.cors && isPreflight(method, headers)) {
      await readBody(req);
      return done(
        { status: 204, headers: {}, body: Buffer.alloc(0) },
        preflightHeaders(o.cors, headers),
      );
    }

    const body = await readBody(req);
    if (body === "too-large") return done(gatewayError(413, "Request Entity Too Large"));

    const local = await o.local({ method, path, body });
    if (local) return done(local);

    const m = match.match(method, path);
    if (!m) return done(gatewayError(404, "Not Found"));
    const { route, pathParameters } = m;

    if (throttling && !throttler.allow(route.routeKey))
      return done(gatewayError(429, "Too Many Requests"));

    let jwtClaims: Record<string, string> | undefined;
    if (route.authorizationType === "JWT") {
      const auth = headers.authorization ?? "";
      const token =
        /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ??
        (auth && !/\s/.test(auth.trim()) ? auth.trim() : "");
      if (!token) {
        return done({
          ...gatewayError(401, "Unauthorized"),
          headers: { "content-type": "application/json", "www-authenticate": "Bearer" },
        });
      }
      // Signature and expiry are checked by the handler itself (problem+json answers).
      const payload = await o.verify?.(token);
      if (payload) jwtClaims = claimStrings(payload);
    }

    const event = buildEvent(
      {
        method,
        url,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
      },
      {
        routeKey: route.routeKey,
        pathParameters,
        requestId: id,
        timeEpoch: Date.now(),
        apiId: "local",
        domainName: (headers.host ?? "127.0.0.1").split(":")[0] as string,
        ...(jwtClaims ? { jwtClaims } : {}),
      },
    );

    let result: HttpResult;
    try {
      result = mapResult(await o.invoke(route.functionId, event, id));
    } catch (e) {
      const timeout = e instanceof FunctionError && e.kind === "timeout";
      o.log?.(`${route.routeKey} -> ${route.functionId} failed: ${(e as Error).stack ?? e}`);
      result = timeout
        ? gatewayError(503, "Service Unavailable")
        : gatewayError(500, "Internal Server Error");
    }
    if (o.cors) stripCorsHeaders(result.headers);
    done(result);
  }

  return gateway;
}
