import { describe, expect, it } from "vitest";
import { isPreflight, preflightHeaders, responseHeaders } from "../src/cors.js";
import type { CorsConfig } from "../src/template.js";
import { Throttler, TokenBucket } from "../src/throttle.js";

const cors: CorsConfig = {
  allowOrigins: ["http://localhost:5173"],
  allowMethods: ["GET", "POST"],
  allowHeaders: ["authorization", "content-type", "idempotency-key"],
  exposeHeaders: ["idempotent-replayed"],
  maxAge: 3600,
  allowCredentials: false,
};

describe("CORS like an HTTP API CorsConfiguration", () => {
  it("answers a preflight from a listed origin", () => {
    const h = {
      origin: "http://localhost:5173",
      "access-control-request-method": "POST",
      "access-control-request-headers": "Authorization, Content-Type",
    };
    expect(isPreflight("OPTIONS", h)).toBe(true);
    expect(preflightHeaders(cors, h)).toEqual({
      "access-control-allow-origin": "http://localhost:5173",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "authorization,content-type,idempotency-key",
      "access-control-max-age": "3600",
      vary: "Origin",
    });
  });

  it("gives no CORS headers to unlisted origins, methods or headers", () => {
    expect(
      preflightHeaders(cors, {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
      }),
    ).toEqual({});
    expect(
      preflightHeaders(cors, {
        origin: "http://localhost:5173",
        "access-control-request-method": "DELETE",
      }),
    ).toEqual({});
    expect(
      preflightHeaders(cors, {
        origin: "http://localhost:5173",
        "access-control-request-method": "GET",
        "access-control-request-headers": "x-other",
      }),
    ).toEqual({});
    expect(responseHeaders(cors, "https://evil.example")).toEqual({});
    expect(responseHeaders(cors, undefined)).toEqual({});
    expect(isPreflight("OPTIONS", { origin: "http://localhost:5173" })).toBe(false);
  });

  it("adds allow-origin and expose-headers to responses for listed origins; * when configured", () => {
    expect(responseHeaders(cors, "http://localhost:5173")).toEqual({
      "access-control-allow-origin": "http://localhost:5173",
      "access-control-expose-headers": "idempotent-replayed",
      vary: "Origin",
    });
    expect(
      responseHeaders({ ...cors, allowOrigins: ["*"], exposeHeaders: [] }, "https://any.example"),
    ).toEqual({ "access-control-allow-origin": "*" });
  });
});

describe("stage throttling", () => {
  it("allows a burst, then the rate", () => {
    let t = 0;
    const b = new TokenBucket({ rateLimit: 10, burstLimit: 3 }, () => t);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    t += 100; // 10/s -> one token per 100 ms
    expect([b.take(), b.take()]).toEqual([true, false]);
    t += 10_000; // refills up to the burst only
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });

  it("keeps one bucket per route, with RouteSettings overrides and no limit without settings", () => {
    const t = 0;
    const th = new Throttler(
      {
        default: { rateLimit: 1, burstLimit: 1 },
        routes: { "GET /b": { rateLimit: 1, burstLimit: 2 } },
      },
      () => t,
    );
    expect([th.allow("GET /a"), th.allow("GET /a")]).toEqual([true, false]);
    expect([th.allow("GET /b"), th.allow("GET /b"), th.allow("GET /b")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(th.allow("GET /c")).toBe(true);
    const none = new Throttler({ routes: {} });
    expect(Array.from({ length: 1000 }, () => none.allow("GET /a")).every(Boolean)).toBe(true);
  });
});
