import { MAX_ISSUES, MAX_SAMPLE, oversightApiRoutes } from "@pencai/contracts";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { publishFunded } from "../support/events.js";
import { call, eventually, ownYears, places, token } from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// The bad-input matrix of every oversight route (API.md "Oversight"): each bad request gets the
// right status, problem code and problem+json, and writes nothing (the item counts of every
// table are unchanged). The fixture: two funded projects of a year nobody else uses (published as
// intake's and approval's outboxes would), an inspection that samples both, and one passed
// finding. Data is unique per run, so reruns against one local cloud work.

const run = Date.now().toString(36);
const year = ownYears.oversightBadInput;

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let far: Place;
const t: Record<string, string> = {};
const tokenOf = (name: string) => () => t[name];
const f = { inspection: "", passed: "", open: "" };
const UNKNOWN = ulid();

const STATS = "GET /v1/stats";
const PUBLIC = "GET /v1/public/stats";
const DRAW = "POST /v1/inspections";
const FINDING = "POST /v1/inspections/{id}/findings";
const INSPECTION = "GET /v1/inspections/{id}";
const RECTIFY = "POST /v1/inspections/{id}/findings/{proposalId}/rectification";
const SCORES = "GET /v1/scores";
const SURVEY = "POST /v1/surveys/awareness";

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

const drawBody = (over: Record<string, unknown> = {}) => ({
  districtId: home.districtId,
  year,
  sampleSize: 2,
  seed: `bad-${run}`,
  ...over,
});
const surveyBody = (over: Record<string, unknown> = {}) => ({
  streetId: home.streetId,
  year,
  respondents: 100,
  aware: 50,
  ...over,
});
const without = (body: Record<string, unknown>, field: string) => {
  const { [field]: _, ...rest } = body;
  return rest;
};
const rectifyPath =
  (proposalId: () => string, inspection = () => f.inspection) =>
  () =>
    `/v1/inspections/${inspection()}/findings/${proposalId()}/rectification`;

const cases: BadInputCase[] = [
  // ---------------------------------------------------------------- stats
  v(STATS, "no token", {
    path: () => `/v1/stats?districtId=${home.districtId}&year=${year}`,
    status: 401,
    gateway: true,
  }),
  bad(STATS, "no year", {
    path: () => `/v1/stats?districtId=${home.districtId}`,
    token: tokenOf("analyst"),
    errorPath: "query.year",
  }),
  bad(STATS, "year out of range", {
    path: () => `/v1/stats?districtId=${home.districtId}&year=1800`,
    token: tokenOf("analyst"),
    errorPath: "query.year",
  }),
  bad(STATS, "no place", { path: () => `/v1/stats?year=${year}`, token: tokenOf("analyst") }),
  bad(STATS, "two places", {
    path: () => `/v1/stats?districtId=${home.districtId}&streetId=${home.streetId}&year=${year}`,
    token: tokenOf("analyst"),
  }),
  bad(STATS, "malformed communityId", {
    path: () => `/v1/stats?communityId=Not%20An%20Id&year=${year}`,
    token: tokenOf("analyst"),
    errorPath: "query.communityId",
  }),
  v(STATS, "unknown community", {
    path: () => `/v1/stats?communityId=nowhere&year=${year}`,
    token: tokenOf("analyst"),
    status: 404,
    code: "not_found",
  }),
  v(STATS, "another district's analyst", {
    path: () => `/v1/stats?districtId=${home.districtId}&year=${year}`,
    token: tokenOf("farAnalyst"),
    status: 403,
    code: "forbidden",
  }),
  v(STATS, "a street official asks for the district", {
    path: () => `/v1/stats?districtId=${home.districtId}&year=${year}`,
    token: tokenOf("street"),
    status: 403,
    code: "forbidden",
  }),
  v(STATS, "a resident", {
    path: () => `/v1/stats?communityId=${home.communityId}&year=${year}`,
    token: tokenOf("resident"),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- public stats
  bad(PUBLIC, "no year", {
    path: () => `/v1/public/stats?districtId=${home.districtId}`,
    errorPath: "query.year",
  }),
  bad(PUBLIC, "year not a number", {
    path: () => `/v1/public/stats?districtId=${home.districtId}&year=soon`,
    errorPath: "query.year",
  }),
  bad(PUBLIC, "three places", {
    path: () =>
      `/v1/public/stats?districtId=${home.districtId}&streetId=${home.streetId}&communityId=${home.communityId}&year=${year}`,
  }),
  v(PUBLIC, "unknown street", {
    path: () => `/v1/public/stats?streetId=nowhere&year=${year}`,
    status: 404,
    code: "not_found",
  }),
  // ---------------------------------------------------------------- draw
  v(DRAW, "no token", {
    path: () => "/v1/inspections",
    body: () => drawBody(),
    status: 401,
    gateway: true,
  }),
  bad(DRAW, "malformed JSON", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    raw: '{"a": ',
    errorPath: "body",
  }),
  bad(DRAW, "no seed", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => without(drawBody(), "seed"),
    errorPath: "body.seed",
  }),
  bad(DRAW, "empty seed", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => drawBody({ seed: "" }),
    errorPath: "body.seed",
  }),
  bad(DRAW, "sample of 0", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => drawBody({ sampleSize: 0 }),
    errorPath: "body.sampleSize",
  }),
  bad(DRAW, "sample over the maximum", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => drawBody({ sampleSize: MAX_SAMPLE + 1 }),
    errorPath: "body.sampleSize",
  }),
  bad(DRAW, "fractional sample", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => drawBody({ sampleSize: 1.5 }),
    errorPath: "body.sampleSize",
  }),
  bad(DRAW, "unknown field", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => drawBody({ stratum: "street" }),
  }),
  bad(DRAW, "no year", {
    path: () => "/v1/inspections",
    token: tokenOf("analyst"),
    body: () => without(drawBody(), "year"),
    errorPath: "body.year",
  }),
  v(DRAW, "unknown district", {
    path: () => "/v1/inspections",
    token: tokenOf("cityAnalyst"),
    body: () => drawBody({ districtId: "nowhere" }),
    status: 404,
    code: "not_found",
  }),
  v(DRAW, "another district's analyst", {
    path: () => "/v1/inspections",
    token: tokenOf("farAnalyst"),
    body: () => drawBody(),
    status: 403,
    code: "forbidden",
  }),
  v(DRAW, "a street official", {
    path: () => "/v1/inspections",
    token: tokenOf("street"),
    body: () => drawBody(),
    status: 403,
    code: "forbidden",
  }),
  v(DRAW, "an analyst without a district claim", {
    path: () => "/v1/inspections",
    token: tokenOf("placelessAnalyst"),
    body: () => drawBody(),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- findings
  bad(FINDING, "inspection id not a ULID", {
    path: () => "/v1/inspections/not-an-id/findings",
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open, passed: true }),
    errorPath: "params.id",
  }),
  bad(FINDING, "no passed", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open }),
    errorPath: "body.passed",
  }),
  bad(FINDING, "passed not a boolean", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open, passed: "no" }),
    errorPath: "body.passed",
  }),
  bad(FINDING, "proposalId not a ULID", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: "x", passed: true }),
    errorPath: "body.proposalId",
  }),
  bad(FINDING, "0 working days", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open, passed: false, rectifyWorkingDays: 0 }),
    errorPath: "body.rectifyWorkingDays",
  }),
  bad(FINDING, "too many issues", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({
      proposalId: f.open,
      passed: false,
      issues: Array.from({ length: MAX_ISSUES + 1 }, (_, i) => `问题 ${i}`),
    }),
    errorPath: "body.issues",
  }),
  bad(FINDING, "an empty issue", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open, passed: false, issues: [""] }),
  }),
  v(FINDING, "unknown inspection", {
    path: () => `/v1/inspections/${UNKNOWN}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.open, passed: true }),
    status: 404,
    code: "not_found",
  }),
  v(FINDING, "a project outside the sample", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: UNKNOWN, passed: true }),
    status: 422,
    code: "not_sampled",
    errorPath: "body.proposalId",
  }),
  v(FINDING, "a second finding", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("analyst"),
    body: () => ({ proposalId: f.passed, passed: false }),
    status: 409,
    code: "duplicate",
  }),
  v(FINDING, "another district's analyst", {
    path: () => `/v1/inspections/${f.inspection}/findings`,
    token: tokenOf("farAnalyst"),
    body: () => ({ proposalId: f.open, passed: true }),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- inspection
  bad(INSPECTION, "id not a ULID", {
    path: () => "/v1/inspections/abc",
    token: tokenOf("analyst"),
    errorPath: "params.id",
  }),
  v(INSPECTION, "unknown inspection", {
    path: () => `/v1/inspections/${UNKNOWN}`,
    token: tokenOf("analyst"),
    status: 404,
    code: "not_found",
  }),
  v(INSPECTION, "another district's analyst", {
    path: () => `/v1/inspections/${f.inspection}`,
    token: tokenOf("farAnalyst"),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- rectification
  bad(RECTIFY, "proposal id not a ULID", {
    path: rectifyPath(() => "x"),
    token: tokenOf("street"),
    errorPath: "params.proposalId",
  }),
  v(RECTIFY, "no finding for the project", {
    path: rectifyPath(() => f.open),
    token: tokenOf("street"),
    status: 404,
    code: "not_found",
  }),
  v(RECTIFY, "unknown inspection", {
    path: rectifyPath(
      () => f.passed,
      () => UNKNOWN,
    ),
    token: tokenOf("street"),
    status: 404,
    code: "not_found",
  }),
  v(RECTIFY, "a passed finding", {
    path: rectifyPath(() => f.passed),
    token: tokenOf("street"),
    status: 409,
    code: "invalid_state",
  }),
  v(RECTIFY, "another street's official", {
    path: rectifyPath(() => f.passed),
    token: tokenOf("farStreet"),
    status: 403,
    code: "forbidden",
  }),
  v(RECTIFY, "an analyst", {
    path: rectifyPath(() => f.passed),
    token: tokenOf("analyst"),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- scores
  bad(SCORES, "no district", {
    path: () => `/v1/scores?year=${year}`,
    token: tokenOf("analyst"),
    errorPath: "query.districtId",
  }),
  bad(SCORES, "no year", {
    path: () => `/v1/scores?districtId=${home.districtId}`,
    token: tokenOf("analyst"),
    errorPath: "query.year",
  }),
  v(SCORES, "unknown district", {
    path: () => `/v1/scores?districtId=nowhere&year=${year}`,
    token: tokenOf("cityAnalyst"),
    status: 404,
    code: "not_found",
  }),
  v(SCORES, "another district's analyst", {
    path: () => `/v1/scores?districtId=${home.districtId}&year=${year}`,
    token: tokenOf("farAnalyst"),
    status: 403,
    code: "forbidden",
  }),
  v(SCORES, "a street official", {
    path: () => `/v1/scores?districtId=${home.districtId}&year=${year}`,
    token: tokenOf("street"),
    status: 403,
    code: "forbidden",
  }),
  // ---------------------------------------------------------------- surveys
  bad(SURVEY, "more aware than respondents", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("analyst"),
    body: () => surveyBody({ aware: 101 }),
  }),
  bad(SURVEY, "no respondents", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("analyst"),
    body: () => surveyBody({ respondents: 0, aware: 0 }),
    errorPath: "body.respondents",
  }),
  bad(SURVEY, "negative aware", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("analyst"),
    body: () => surveyBody({ aware: -1 }),
    errorPath: "body.aware",
  }),
  bad(SURVEY, "no year", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("analyst"),
    body: () => without(surveyBody(), "year"),
    errorPath: "body.year",
  }),
  bad(SURVEY, "JSON array", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("analyst"),
    raw: "[1]",
    errorPath: "body",
  }),
  v(SURVEY, "unknown street", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("cityAnalyst"),
    body: () => surveyBody({ streetId: "nowhere" }),
    status: 404,
    code: "not_found",
  }),
  v(SURVEY, "another district's analyst", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("farAnalyst"),
    body: () => surveyBody(),
    status: 403,
    code: "forbidden",
  }),
  v(SURVEY, "a district finance official", {
    path: () => "/v1/surveys/awareness",
    token: tokenOf("finance"),
    body: () => surveyBody(),
    status: 403,
    code: "forbidden",
  }),
];

beforeAll(async () => {
  const p = await places();
  home = p.home;
  far = p.far;
  const cityId = p.geo.cityId;
  const mint = (sub: string, roles: string[], claims: Record<string, unknown>) =>
    token({ sub: `obi-${sub}-${run}`, roles, ...claims });
  t.analyst = await mint("analyst", ["analyst"], { districtId: home.districtId });
  t.farAnalyst = await mint("far-analyst", ["analyst"], { districtId: far.districtId });
  t.cityAnalyst = await mint("city-analyst", ["analyst"], { cityWide: true });
  t.placelessAnalyst = await mint("placeless", ["analyst"], {});
  t.finance = await mint("finance", ["district_finance"], { districtId: home.districtId });
  t.street = await mint("street", ["street_staff"], {
    districtId: home.districtId,
    streetId: home.streetId,
  });
  t.farStreet = await mint("far-street", ["street_staff"], {
    districtId: far.districtId,
    streetId: far.streetId,
  });
  t.resident = await mint("resident", ["resident"], { ...home, householdId: `obi-hh-${run}` });
  const ids: string[] = [];
  for (const i of [1, 2]) {
    ids.push(
      await publishFunded({
        cityId,
        place: home,
        budgetFen: 100_000,
        year,
        title: `抽检矩阵 ${i} ${run}`,
        proposerSub: `obi-proposer-${run}`,
        correlationId: `obi-${run}`,
      }),
    );
  }
  const drawn = await eventually(
    () => call("POST", "/v1/inspections", { token: t.analyst, body: drawBody() }),
    (r) => r.status === 201 && r.body.population.count === 2,
    30_000,
  );
  expect(drawn.status, JSON.stringify(drawn.body)).toBe(201);
  expect(drawn.body.items.map((i: { proposalId: string }) => i.proposalId).sort()).toEqual(
    ids.sort(),
  );
  f.inspection = drawn.body.id;
  [f.passed, f.open] = drawn.body.items.map((i: { proposalId: string }) => i.proposalId);
  const finding = await call("POST", `/v1/inspections/${f.inspection}/findings`, {
    token: t.analyst,
    body: { proposalId: f.passed, passed: true },
  });
  expect(finding.status, JSON.stringify(finding.body)).toBe(201);
}, 120_000);

describe("oversight bad-input matrix", () => {
  it("covers every oversight route", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    expect([...routes].sort()).toEqual(
      oversightApiRoutes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  badInputTests(cases);

  it("left the inspection as the setup made it: one finding, passed", async () => {
    const r = await call("GET", `/v1/inspections/${f.inspection}`, { token: t.analyst });
    expect(r.status).toBe(200);
    expect(r.body.findings).toHaveLength(1);
    expect(r.body.passRate).toBe(1);
  });
});
