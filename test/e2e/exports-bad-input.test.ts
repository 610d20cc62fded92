import { exportsApiRoutes, MAX_EXPORT_DAYS } from "@pencai/contracts";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { call, eventually, places, token } from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// The bad-input matrix of the exports routes (API.md "Exports"): each bad request gets the
// right status, problem code and problem+json, and writes nothing (the item counts of every
// table are unchanged: no export record, no idempotency record).

const run = Date.now().toString(36);
const UNKNOWN = ulid();
const t = { analyst: "", district: "", staff: "" };

beforeAll(async () => {
  const { home } = await places();
  t.analyst = await token({ sub: `xbi-analyst-${run}`, roles: ["analyst"], cityWide: true });
  t.district = await token({
    sub: `xbi-district-${run}`,
    roles: ["analyst"],
    districtId: home.districtId,
  });
  t.staff = await token({ sub: `xbi-staff-${run}`, roles: ["community_staff"], ...home });
}, 60_000);

const start = "POST /v1/exports";
const read = "GET /v1/exports/{id}";
const post = (name: string, body: unknown, status = 400, code = "validation_failed") =>
  ({
    name: `${start}: ${name}`,
    method: "POST",
    path: () => "/v1/exports",
    token: () => t.analyst,
    body: () => body,
    status,
    code,
  }) satisfies BadInputCase;

const cases: BadInputCase[] = [
  {
    name: `${start}: no token`,
    method: "POST",
    path: () => "/v1/exports",
    body: () => ({}),
    status: 401,
    gateway: true,
  },
  { ...post("a district-scoped analyst", {}, 403, "forbidden"), token: () => t.district },
  { ...post("community staff", {}, 403, "forbidden"), token: () => t.staff },
  { ...post("an unknown entity", { entities: ["households"] }), errorPath: "body.entities.0" },
  post("no entities", { entities: [] }),
  post("an entity twice", { entities: ["needs", "needs"] }),
  post("more entities than there are", {
    entities: Array.from({ length: 20 }, () => "needs"),
  }),
  post("an unknown field", { entities: ["needs"], format: "csv" }),
  post("from without to", { from: "2026-01-01" }),
  post("to before from", { from: "2026-02-01", to: "2026-01-01" }),
  post("a day that is not a date", { from: "2026-02-30", to: "2026-03-01" }),
  post("a time instead of a day", { from: "2026-01-01T00:00:00Z", to: "2026-01-02" }),
  post(`more than ${MAX_EXPORT_DAYS} days`, { from: "2024-01-01", to: "2026-01-01" }),
  post("not an object", ["proposals"]),
  post("pabulib not a boolean", { pabulib: "yes" }),
  {
    name: `${start}: not JSON`,
    method: "POST",
    path: () => "/v1/exports",
    token: () => t.analyst,
    raw: "{entities:",
    status: 400,
    code: "validation_failed",
  },
  {
    name: `${read}: no token`,
    method: "GET",
    path: () => `/v1/exports/${UNKNOWN}`,
    status: 401,
    gateway: true,
  },
  {
    name: `${read}: not a ULID`,
    method: "GET",
    path: () => "/v1/exports/latest",
    token: () => t.analyst,
    status: 400,
    code: "validation_failed",
  },
  {
    name: `${read}: unknown export`,
    method: "GET",
    path: () => `/v1/exports/${UNKNOWN}`,
    token: () => t.analyst,
    status: 404,
    code: "not_found",
  },
  {
    name: `${read}: a district-scoped analyst`,
    method: "GET",
    path: () => `/v1/exports/${UNKNOWN}`,
    token: () => t.district,
    status: 403,
    code: "forbidden",
  },
];

describe("exports bad-input matrix", () => {
  it("covers every exports route", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    expect([...routes].sort()).toEqual(exportsApiRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  badInputTests(cases);

  it("replays a POST with the same Idempotency-Key: the same export, no second one", async () => {
    const key = `xbi-${run}`;
    const body = { entities: ["needs"] };
    const first = await call("POST", "/v1/exports", {
      token: t.analyst,
      body,
      headers: { "idempotency-key": key },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await call("POST", "/v1/exports", {
      token: t.analyst,
      body,
      headers: { "idempotency-key": key },
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const done = await eventually(
      () => call("GET", `/v1/exports/${first.body.exportId}`, { token: t.analyst }),
      (r) => r.body?.status === "done",
      30_000,
    );
    expect(done.body.status).toBe("done");
  });
});
