/** The shared local cloud's gateway (started by test/setup/local-cloud.ts from the real template). */
import { describe, expect, inject, it } from "vitest";

const url = (p: string) => `${inject("baseUrl")}${p}`;
const post = (p: string, body: unknown) =>
  fetch(url(p), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("local gateway", () => {
  it("serves health, JWKS and an OpenAPI document with the local extras", async () => {
    expect(await (await fetch(url("/health"))).json()).toEqual({ status: "ok" });
    const jwks = (await (await fetch(url("/.well-known/jwks.json"))).json()) as {
      keys: { kty: string; alg: string }[];
    };
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256" });
    const doc = (await (await fetch(url("/openapi.json"))).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/proposals",
        "/v1/needs",
        "/dev/token",
        "/dev/clock",
        "/dev/run/{job}",
      ]),
    );
  });

  it("answers like API Gateway: 404 unknown route, 401 missing bearer token", async () => {
    const nf = await fetch(url("/v1/nowhere"));
    expect([nf.status, await nf.json()]).toEqual([404, { message: "Not Found" }]);
    const ua = await post("/v1/proposals", {});
    expect([ua.status, await ua.json()]).toEqual([401, { message: "Unauthorized" }]);
    expect(ua.headers.get("apigw-requestid")).toBeTruthy();
  });

  it("applies the template's CORS configuration", async () => {
    const pre = await fetch(url("/v1/proposals"), {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const other = await fetch(url("/v1/geo"), { headers: { origin: "https://elsewhere.example" } });
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const listed = await fetch(url("/v1/geo"), { headers: { origin: "http://localhost:5173" } });
    expect(listed.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  it("mints tokens the handlers accept and validates the request", async () => {
    const bad = await post("/dev/token", { sub: "x", roles: ["emperor"] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: "validation_failed",
      errors: [{ path: "roles.0" }],
    });
    const { token } = (await (
      await post("/dev/token", {
        sub: "r1",
        roles: ["resident"],
        communityId: "baihua",
        householdId: "h1",
      })
    ).json()) as { token: string };
    const needs = await fetch(url("/v1/needs?communityId=baihua"), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(needs.status).toBe(200);
  });

  it("moves the clock, runs jobs and pauses pollers", async () => {
    const before = Date.now();
    const c = (await (await post("/dev/clock", { advanceDays: 2 })).json()) as { now: string };
    expect(Date.parse(c.now) - before).toBeGreaterThan(2 * 86_400_000 - 5_000);
    expect((await post("/dev/clock", { advanceDays: "x" })).status).toBe(400);
    await post("/dev/clock", { now: new Date().toISOString() });

    const run = await post("/dev/run/outbox-relay", {});
    expect(run.status).toBe(200);
    const ran = (await run.json()) as { job: string; ran: string[]; errors: unknown[] };
    expect(ran).toMatchObject({ job: "outbox-relay", errors: [] });
    // one relay per service that owns a table
    expect(ran.ran.length).toBeGreaterThanOrEqual(2);
    expect((await post("/dev/run/no-such-job", {})).status).toBe(404);

    expect(await (await post("/dev/pollers", { paused: true })).json()).toEqual({
      paused: true,
      dropStreamRecords: false,
    });
    expect(await (await post("/dev/pollers", { paused: false })).json()).toEqual({
      paused: false,
      dropStreamRecords: false,
    });
    const tables = (await (await fetch(url("/dev/tables"))).json()) as {
      tables: Record<string, { itemCount: number }>;
    };
    expect(Object.values(tables.tables).length).toBeGreaterThan(0);
  });
});
