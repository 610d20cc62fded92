import { MAX_ORG_SERVICES, orgsApiRoutes } from "@pencai/contracts";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { call, places, token } from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";
import { admittedOrg, freshCreditCode } from "../support/orgs.js";

// The bad-input matrix of every organisation-registry route (API.md "Organisations"): each bad
// request gets the right status, problem code and problem+json, and writes nothing. The fixture:
// one organisation in its public notice (a resident of its community has objected) and one
// admitted (its notice run out on the local clock). Data is unique per run.

const run = Date.now().toString(36);
type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
const t: Record<string, string> = {};
const tokenOf = (name: string) => () => t[name];
const f = { notice: "", active: "", activeCode: "" };
const UNKNOWN = ulid();

const CREATE = "POST /v1/orgs";
const OBJECT = "POST /v1/orgs/{id}/objections";
const REVIEW = "POST /v1/orgs/{id}/review";
const STATUS = "POST /v1/orgs/{id}/status";
const LIST = "GET /v1/orgs";
const GET = "GET /v1/orgs/{id}";
const PUBLIC = "GET /v1/public/orgs";

const v = (route: string, name: string, c: Omit<BadInputCase, "name" | "method">) => ({
  name: `${route}: ${name}`,
  method: route.split(" ")[0]!,
  ...c,
});
const bad = (
  route: string,
  name: string,
  c: Omit<BadInputCase, "name" | "method" | "status" | "code">,
) => v(route, name, { status: 400, code: "validation_failed", ...c });

const orgBody = (over: Record<string, unknown> = {}) => ({
  name: `坏输入组织 ${run}`,
  track: "registered",
  creditCode: "91350100M000100Y43",
  communityId: home.communityId,
  services: ["elderly_care"],
  ...over,
});
const filed = (over: Record<string, unknown> = {}) => {
  const { creditCode: _, ...rest } = orgBody({ track: "filed", sponsorOrgId: f.active, ...over });
  return rest;
};
const create = (name: string, body: () => unknown, errorPath?: string) =>
  bad(CREATE, name, {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body,
    ...(errorPath && { errorPath }),
  });
const at =
  (id: () => string, tail = "") =>
  () =>
    `/v1/orgs/${id()}${tail}`;

const cases: BadInputCase[] = [
  // ---------------------------------------------------------------- register
  v(CREATE, "no token", {
    path: () => "/v1/orgs",
    body: () => orgBody(),
    status: 401,
    gateway: true,
  }),
  v(CREATE, "a resident", {
    path: () => "/v1/orgs",
    token: tokenOf("resident"),
    body: () => orgBody(),
    status: 403,
    code: "forbidden",
  }),
  v(CREATE, "another community's staff", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => orgBody({ communityId: neighbour.communityId }),
    status: 403,
    code: "forbidden",
  }),
  v(CREATE, "another district's civil affairs", {
    path: () => "/v1/orgs",
    token: tokenOf("farCivil"),
    body: () => orgBody(),
    status: 403,
    code: "forbidden",
  }),
  create("no name", () => orgBody({ name: undefined }), "body.name"),
  create("name too long", () => orgBody({ name: "组".repeat(61) }), "body.name"),
  create("unknown track", () => orgBody({ track: "licensed" }), "body.track"),
  create(
    "registered without a credit code",
    () => orgBody({ creditCode: undefined }),
    "body.creditCode",
  ),
  create(
    "credit code with a wrong check character",
    () => orgBody({ creditCode: "91350100M000100Y44" }),
    "body.creditCode",
  ),
  create(
    "credit code of 17 characters",
    () => orgBody({ creditCode: "91350100M000100Y4" }),
    "body.creditCode",
  ),
  create(
    "credit code with a letter the standard leaves out",
    () => orgBody({ creditCode: "91350100M000100I43" }),
    "body.creditCode",
  ),
  create(
    "registered with a sponsor",
    () => orgBody({ sponsorOrgId: UNKNOWN }),
    "body.sponsorOrgId",
  ),
  create("filed without a sponsor", () => filed({ sponsorOrgId: undefined }), "body.sponsorOrgId"),
  create(
    "filed with a credit code",
    () => ({ ...filed(), creditCode: freshCreditCode() }),
    "body.creditCode",
  ),
  create("sponsor id not a ULID", () => filed({ sponsorOrgId: "org-1" }), "body.sponsorOrgId"),
  create(
    "both a community and a street",
    () => orgBody({ streetId: home.streetId }),
    "body.communityId",
  ),
  create(
    "neither a community nor a street",
    () => orgBody({ communityId: undefined }),
    "body.communityId",
  ),
  create("no services", () => orgBody({ services: [] }), "body.services"),
  create(
    "a service twice",
    () => orgBody({ services: ["elderly_care", "elderly_care"] }),
    "body.services",
  ),
  create(
    "too many services",
    () => orgBody({ services: Array.from({ length: MAX_ORG_SERVICES + 1 }, (_, i) => `s${i}`) }),
    "body.services",
  ),
  create("an unknown field", () => ({ ...orgBody(), licence: "x" })),
  create("not an object", () => ["x"]),
  v(CREATE, "unknown community", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => orgBody({ communityId: "nowhere" }),
    status: 404,
    code: "not_found",
  }),
  v(CREATE, "a category the city's list forbids", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => orgBody({ creditCode: freshCreditCode(), services: ["banquets_gifts"] }),
    status: 422,
    code: "ineligible_category",
  }),
  v(CREATE, "a sponsor still in its notice", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => filed({ sponsorOrgId: f.notice }),
    status: 422,
    code: "sponsor_not_active",
  }),
  v(CREATE, "an unknown sponsor", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => filed({ sponsorOrgId: UNKNOWN }),
    status: 422,
    code: "sponsor_not_active",
  }),
  v(CREATE, "a credit code already registered", {
    path: () => "/v1/orgs",
    token: tokenOf("staff"),
    body: () => orgBody({ creditCode: f.activeCode }),
    status: 409,
    code: "duplicate",
  }),

  // ---------------------------------------------------------------- objections
  v(OBJECT, "no token", {
    path: at(() => f.notice, "/objections"),
    body: () => ({ reason: "x" }),
    status: 401,
    gateway: true,
  }),
  v(OBJECT, "community staff", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("staff"),
    body: () => ({ reason: "x" }),
    status: 403,
    code: "forbidden",
  }),
  v(OBJECT, "a resident of another community", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("neighbour"),
    body: () => ({ reason: "x" }),
    status: 403,
    code: "forbidden",
  }),
  bad(OBJECT, "id not a ULID", {
    path: () => "/v1/orgs/x/objections",
    token: tokenOf("resident2"),
    body: () => ({ reason: "x" }),
    errorPath: "params.id",
  }),
  bad(OBJECT, "no reason", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({}),
    errorPath: "body.reason",
  }),
  bad(OBJECT, "empty reason", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({ reason: "" }),
    errorPath: "body.reason",
  }),
  bad(OBJECT, "reason too long", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({ reason: "异".repeat(1001) }),
    errorPath: "body.reason",
  }),
  bad(OBJECT, "an unknown field", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({ reason: "x", who: "me" }),
  }),
  v(OBJECT, "unknown organisation", {
    path: at(() => UNKNOWN, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({ reason: "x" }),
    status: 404,
    code: "not_found",
  }),
  v(OBJECT, "a second objection of one resident", {
    path: at(() => f.notice, "/objections"),
    token: tokenOf("resident"),
    body: () => ({ reason: "再一次" }),
    status: 409,
    code: "duplicate",
  }),
  v(OBJECT, "after the notice", {
    path: at(() => f.active, "/objections"),
    token: tokenOf("resident2"),
    body: () => ({ reason: "迟到" }),
    status: 409,
    code: "notice_ended",
  }),

  // ---------------------------------------------------------------- review
  v(REVIEW, "no token", {
    path: at(() => f.notice, "/review"),
    body: () => ({ decision: "admit" }),
    status: 401,
    gateway: true,
  }),
  v(REVIEW, "street staff", {
    path: at(() => f.notice, "/review"),
    token: tokenOf("street"),
    body: () => ({ decision: "admit" }),
    status: 403,
    code: "forbidden",
  }),
  v(REVIEW, "another district", {
    path: at(() => f.notice, "/review"),
    token: tokenOf("farCivil"),
    body: () => ({ decision: "admit" }),
    status: 403,
    code: "forbidden",
  }),
  bad(REVIEW, "unknown decision", {
    path: at(() => f.notice, "/review"),
    token: tokenOf("civil"),
    body: () => ({ decision: "approve" }),
    errorPath: "body.decision",
  }),
  bad(REVIEW, "reason too long", {
    path: at(() => f.notice, "/review"),
    token: tokenOf("civil"),
    body: () => ({ decision: "refuse", reason: "因".repeat(1001) }),
    errorPath: "body.reason",
  }),
  bad(REVIEW, "id not a ULID", {
    path: () => "/v1/orgs/x/review",
    token: tokenOf("civil"),
    body: () => ({ decision: "admit" }),
    errorPath: "params.id",
  }),
  v(REVIEW, "unknown organisation", {
    path: at(() => UNKNOWN, "/review"),
    token: tokenOf("civil"),
    body: () => ({ decision: "admit" }),
    status: 404,
    code: "not_found",
  }),
  v(REVIEW, "while the notice runs", {
    path: at(() => f.notice, "/review"),
    token: tokenOf("civil"),
    body: () => ({ decision: "admit", reason: "x" }),
    status: 409,
    code: "notice_running",
  }),
  v(REVIEW, "an organisation already admitted", {
    path: at(() => f.active, "/review"),
    token: tokenOf("civil"),
    body: () => ({ decision: "refuse", reason: "x" }),
    status: 409,
    code: "invalid_state",
  }),

  // ---------------------------------------------------------------- status
  v(STATUS, "no token", {
    path: at(() => f.active, "/status"),
    body: () => ({ status: "suspended", reason: "x" }),
    status: 401,
    gateway: true,
  }),
  v(STATUS, "community staff", {
    path: at(() => f.active, "/status"),
    token: tokenOf("staff"),
    body: () => ({ status: "suspended", reason: "x" }),
    status: 403,
    code: "forbidden",
  }),
  v(STATUS, "another district", {
    path: at(() => f.active, "/status"),
    token: tokenOf("farCivil"),
    body: () => ({ status: "suspended", reason: "x" }),
    status: 403,
    code: "forbidden",
  }),
  bad(STATUS, "a status the route does not set", {
    path: at(() => f.active, "/status"),
    token: tokenOf("civil"),
    body: () => ({ status: "in_notice", reason: "x" }),
    errorPath: "body.status",
  }),
  bad(STATUS, "no reason", {
    path: at(() => f.active, "/status"),
    token: tokenOf("civil"),
    body: () => ({ status: "suspended" }),
    errorPath: "body.reason",
  }),
  v(STATUS, "unknown organisation", {
    path: at(() => UNKNOWN, "/status"),
    token: tokenOf("civil"),
    body: () => ({ status: "suspended", reason: "x" }),
    status: 404,
    code: "not_found",
  }),
  v(STATUS, "an organisation in its notice", {
    path: at(() => f.notice, "/status"),
    token: tokenOf("civil"),
    body: () => ({ status: "active", reason: "x" }),
    status: 409,
    code: "invalid_state",
  }),
  v(STATUS, "to the status it has", {
    path: at(() => f.active, "/status"),
    token: tokenOf("civil"),
    body: () => ({ status: "active", reason: "x" }),
    status: 409,
    code: "invalid_state",
  }),

  // ---------------------------------------------------------------- reads
  v(LIST, "no token", {
    path: () => `/v1/orgs?districtId=${home.districtId}`,
    status: 401,
    gateway: true,
  }),
  v(LIST, "a resident", {
    path: () => `/v1/orgs?communityId=${home.communityId}`,
    token: tokenOf("resident"),
    status: 403,
    code: "forbidden",
  }),
  v(LIST, "another district", {
    path: () => `/v1/orgs?districtId=${home.districtId}`,
    token: tokenOf("farCivil"),
    status: 403,
    code: "forbidden",
  }),
  bad(LIST, "no place", { path: () => "/v1/orgs", token: tokenOf("civil") }),
  bad(LIST, "two places", {
    path: () => `/v1/orgs?districtId=${home.districtId}&streetId=${home.streetId}`,
    token: tokenOf("civil"),
  }),
  bad(LIST, "unknown status", {
    path: () => `/v1/orgs?districtId=${home.districtId}&status=closed`,
    token: tokenOf("civil"),
    errorPath: "query.status",
  }),
  v(LIST, "unknown district", {
    path: () => "/v1/orgs?districtId=nowhere",
    token: tokenOf("civil"),
    status: 404,
    code: "not_found",
  }),
  v(GET, "no token", { path: at(() => f.notice), status: 401, gateway: true }),
  v(GET, "another district", {
    path: at(() => f.notice),
    token: tokenOf("farCivil"),
    status: 403,
    code: "forbidden",
  }),
  v(GET, "a resident (objectors stay private)", {
    path: at(() => f.notice),
    token: tokenOf("resident"),
    status: 403,
    code: "forbidden",
  }),
  bad(GET, "id not a ULID", {
    path: () => "/v1/orgs/x",
    token: tokenOf("civil"),
    errorPath: "params.id",
  }),
  v(GET, "unknown organisation", {
    path: at(() => UNKNOWN),
    token: tokenOf("civil"),
    status: 404,
    code: "not_found",
  }),
  bad(PUBLIC, "no district", { path: () => "/v1/public/orgs", errorPath: "query.districtId" }),
  bad(PUBLIC, "district id malformed", {
    path: () => "/v1/public/orgs?districtId=NO!",
    errorPath: "query.districtId",
  }),
  v(PUBLIC, "unknown district", {
    path: () => "/v1/public/orgs?districtId=nowhere",
    status: 404,
    code: "not_found",
  }),
];

beforeAll(async () => {
  ({ home, neighbour, far } = await places());
  t.staff = await token({ sub: `obi-staff-${run}`, roles: ["community_staff"], ...home });
  t.street = await token({
    sub: `obi-street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  t.civil = await token({
    sub: `obi-civil-${run}`,
    roles: ["district_civil"],
    districtId: home.districtId,
  });
  t.farCivil = await token({
    sub: `obi-far-${run}`,
    roles: ["district_civil"],
    districtId: far.districtId,
  });
  const resident = (sub: string, p: Place) =>
    token({ sub, roles: ["resident"], ...p, householdId: `hh-${sub}` });
  t.resident = await resident(`obi-res1-${run}`, home);
  t.resident2 = await resident(`obi-res2-${run}`, home);
  t.neighbour = await resident(`obi-res3-${run}`, neighbour);

  f.active = await admittedOrg(home, ["elderly_care"], `obi-${run}`);
  f.activeCode = (await call("GET", `/v1/orgs/${f.active}`, { token: t.civil })).body.creditCode;
  const n = await call("POST", "/v1/orgs", {
    token: t.staff,
    body: orgBody({ creditCode: freshCreditCode(), name: `公示中 ${run}` }),
  });
  expect(n.status, JSON.stringify(n.body)).toBe(201);
  f.notice = n.body.id;
  const o = await call("POST", `/v1/orgs/${f.notice}/objections`, {
    token: t.resident,
    body: { reason: "fixture" },
  });
  expect(o.status).toBe(201);
}, 60_000);

describe("organisation registry bad-input matrix", () => {
  it("covers every route of the registry", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    expect([...routes].sort()).toEqual(orgsApiRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  badInputTests(cases);
});
