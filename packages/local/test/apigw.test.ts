import { describe, expect, it } from "vitest";
import { buildEvent, isTextContentType, mapResult, routeMatcher } from "../src/apigw.js";

const route = (routeKey: string) => {
  const [method, path] =
    routeKey === "$default" ? ["ANY", "/{proxy+}"] : (routeKey.split(" ") as [string, string]);
  return { routeKey, method, path };
};

describe("route matching", () => {
  const m = routeMatcher(
    [
      "GET /v1/proposals/{id}",
      "GET /v1/proposals/public",
      "POST /v1/proposals/{id}/screening",
      "ANY /v1/files/{proxy+}",
      "GET /v1/files/{proxy+}",
    ].map(route),
  );

  it("prefers literal segments over parameters and decodes path parameters", () => {
    expect(m.match("GET", "/v1/proposals/public")?.route.routeKey).toBe("GET /v1/proposals/public");
    const r = m.match("POST", "/v1/proposals/01ABC%20x/screening");
    expect(r?.route.routeKey).toBe("POST /v1/proposals/{id}/screening");
    expect(r?.pathParameters).toEqual({ id: "01ABC x" });
  });

  it("matches greedy paths, a method before ANY, and nothing else", () => {
    expect(m.match("GET", "/v1/files/a/b")).toMatchObject({
      route: { routeKey: "GET /v1/files/{proxy+}" },
      pathParameters: { proxy: "a/b" },
    });
    expect(m.match("PUT", "/v1/files/a")?.route.routeKey).toBe("ANY /v1/files/{proxy+}");
    expect(m.match("DELETE", "/v1/proposals/1")).toBeUndefined();
    expect(m.match("GET", "/v1/proposals/1/extra")).toBeUndefined();
    expect(routeMatcher([route("$default")]).match("GET", "/anything")?.route.routeKey).toBe(
      "$default",
    );
  });
});

describe("payload format 2.0 event", () => {
  const base = {
    requestId: "rid",
    timeEpoch: Date.UTC(2026, 10, 22, 15, 39, 0),
    apiId: "local",
    domainName: "127.0.0.1",
  };

  it("carries routeKey, raw path and query, parameters, lower-cased headers and cookies", () => {
    const e = buildEvent(
      {
        method: "post",
        url: "/v1/proposals/P1/screening?a=1&a=2&b=x%20y",
        rawHeaders: [
          "Content-Type",
          "application/json",
          "X-Multi",
          "1",
          "x-multi",
          "2",
          "Cookie",
          "s=1; t=2",
          "User-Agent",
          "curl/8",
        ],
        body: Buffer.from('{"decision":"accept"}'),
        sourceIp: "127.0.0.1",
      },
      { ...base, routeKey: "POST /v1/proposals/{id}/screening", pathParameters: { id: "P1" } },
    );
    expect(e).toMatchObject({
      version: "2.0",
      routeKey: "POST /v1/proposals/{id}/screening",
      rawPath: "/v1/proposals/P1/screening",
      rawQueryString: "a=1&a=2&b=x%20y",
      queryStringParameters: { a: "1,2", b: "x y" },
      pathParameters: { id: "P1" },
      cookies: ["s=1", "t=2"],
      headers: { "content-type": "application/json", "x-multi": "1,2", "user-agent": "curl/8" },
      body: '{"decision":"accept"}',
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: "POST",
          path: "/v1/proposals/P1/screening",
          sourceIp: "127.0.0.1",
          userAgent: "curl/8",
          protocol: "HTTP/1.1",
        },
        requestId: "rid",
        routeKey: "POST /v1/proposals/{id}/screening",
        stage: "$default",
        timeEpoch: base.timeEpoch,
        time: "22/Nov/2026:15:39:00 +0000",
      },
    });
    expect(e.headers.cookie).toBeUndefined();
  });

  it("omits absent parts and base64-encodes binary bodies", () => {
    const e = buildEvent(
      { method: "GET", url: "/health", rawHeaders: [], body: Buffer.alloc(0), sourceIp: "::1" },
      { ...base, routeKey: "GET /health", pathParameters: {} },
    );
    expect(e.body).toBeUndefined();
    expect(e.queryStringParameters).toBeUndefined();
    expect(e.pathParameters).toBeUndefined();
    expect(e.isBase64Encoded).toBe(false);
    const bin = Buffer.from([0, 1, 2, 255]);
    const b = buildEvent(
      {
        method: "PUT",
        url: "/f",
        rawHeaders: ["content-type", "image/png"],
        body: bin,
        sourceIp: "::1",
      },
      { ...base, routeKey: "PUT /f", pathParameters: {} },
    );
    expect(b.isBase64Encoded).toBe(true);
    expect(Buffer.from(b.body as string, "base64")).toEqual(bin);
    expect(isTextContentType("application/problem+json")).toBe(true);
    expect(isTextContentType("application/octet-stream")).toBe(false);
  });
});

describe("result mapping", () => {
  it("maps a structured result with cookies and base64 bodies", () => {
    const r = mapResult({
      statusCode: 201,
      headers: { "Content-Type": "application/json" },
      cookies: ["a=1", "b=2"],
      body: '{"id":1}',
    });
    expect(r).toMatchObject({
      status: 201,
      headers: { "content-type": "application/json", "set-cookie": ["a=1", "b=2"] },
    });
    expect(r.body.toString()).toBe('{"id":1}');
    expect(
      mapResult({
        statusCode: 200,
        body: Buffer.from("hi").toString("base64"),
        isBase64Encoded: true,
      }).body.toString(),
    ).toBe("hi");
  });

  it("passes a 304 through with its validators and no body", () => {
    const r = mapResult({
      statusCode: 304,
      headers: { ETag: '"abc"', "Cache-Control": "public, max-age=60" },
    });
    expect(r).toMatchObject({
      status: 304,
      headers: { etag: '"abc"', "cache-control": "public, max-age=60" },
    });
    expect(r.body.length).toBe(0);
  });

  it("infers 200 JSON for a result without statusCode, like API Gateway", () => {
    const r = mapResult({ ok: true });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body.toString())).toEqual({ ok: true });
  });
});
