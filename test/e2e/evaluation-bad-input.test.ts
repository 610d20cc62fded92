import {
  evaluationApiRoutes,
  MAX_FEN,
  MAX_MILESTONES,
  MAX_PANEL,
  MAX_PROGRESS_EVIDENCE,
  panelTypes,
} from "@pencai/contracts";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { publish, publishFunded } from "../support/events.js";
import {
  call,
  eventually,
  places,
  quietTableCounts,
  type Reply,
  tableCounts,
  tablesTouched,
  token,
} from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// The bad-input matrix of every evaluation route (API.md "Implementation and evaluation" and
// "Funds by source"): each bad request gets the right status, problem code and problem+json, and
// writes nothing: the item counts of every table (/dev/tables) are unchanged, and so are the
// implementation record and the spending notice of the project it was aimed at. Projects reach
// evaluation the way intake's and approval's outboxes would deliver them (ProposalSubmitted,
// ProposalApproved, FundsDisbursed published on the city topic), then the street's staff drive
// them to the states the cases need. Expectations that depend on the city (panel make-up,
// sponsors) come from GET /v1/rules. Data is unique per run, so reruns against one local cloud
// work.

const run = Date.now().toString(36);
/** A programme year nobody else uses. */
const year = 2050 + ((Date.now() + 37) % 45);
/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;
/** A well-formed ULID that no proposal has. */
const UNKNOWN = ulid();

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
let cityId = "";
let sponsorsAllowed = true;
let projectGroups = false;
let panelMinSize = 1;
let requiredTypes: string[] = [];

const proposerSub = `ebi-prop-${run}`;
const implOrg = `ebi-impl-${run}`;

// ---------------------------------------------------------------- fixtures

const BUDGET = 1_000_000;
/** I: 80% self-raised, so only the programme's 200,000 came in at first */
const I_SELF_RAISED = 800_000;
const I_PROGRAMME = BUDGET - I_SELF_RAISED;
const I_PAID = 50_000;
const I_CONTRIBUTED = 10_000;
/** I's money received: the programme's part and the residents' first 10,000 */
const I_RECEIVED = I_PROGRAMME + I_CONTRIBUTED;
/** the 30% milestone lets 30% of the budget be paid in all */
const I_SHARE_30 = (BUDGET * 30) / 100;

/**
 * P: submitted only; A: approved, no money disbursed; F: funded, no plan; N: funded with a plan
 * (community implementer), no progress; I: implementing at 30% (org implementer, 50,000 paid,
 * 10,000 self-raised received); C: completed (street implementer, reported by the street's staff);
 * E: evaluating (org implementer, member 0 rated); V: evaluated (members 0 and 1 rated).
 */
const p = { P: "", A: "", F: "", N: "", I: "", C: "", E: "", V: "" };
/** evidence verified for F, cited on I */
const foreignEvidence = ulid();
const owners = Object.fromEntries(
  Object.keys(p).map((k) => [k, `ebi-owner-${k.toLowerCase()}-${run}`]),
) as Record<keyof typeof p, string>;

/** Panel subjects per project (E and V are convened; C's are for the refused convenings). */
const panelSubs = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => `ebi-${tag}${i}-${run}`);
/** A panel the city's rules accept: every member type, at least the smallest size. */
const panelOf = (tag: string) => {
  const size = Math.max(panelMinSize, panelTypes.length);
  return panelSubs(tag, size).map((sub, i) => ({ sub, type: panelTypes[i % panelTypes.length]! }));
};

const t: Record<string, string> = {};
const tokenOf = (name: string) => () => t[name];
const key = (what: string) => `ebi-${run}-${what}`;

// the first request of every idempotency key, replayed below
interface First {
  name: string;
  method: string;
  path: () => string;
  token: () => string;
  body?: () => unknown;
  key: string;
  reply?: { status: number; body: unknown };
}
const firsts: First[] = [];

/** A write of the fixture, with an Idempotency-Key that the matrix reuses and replays. */
async function first(f: Omit<First, "reply">, status: number): Promise<Reply> {
  const r = await call(f.method, f.path(), {
    token: f.token(),
    body: f.body?.(),
    headers: { "idempotency-key": f.key },
  });
  expect(r.status, `${f.name}: ${JSON.stringify(r.body)}`).toBe(status);
  firsts.push({ ...f, reply: { status: r.status, body: r.body } });
  return r;
}

async function step(what: string, path: string, who: string, body: unknown, status: number) {
  const r = await call("POST", path, { token: t[who], ...(body !== undefined && { body }) });
  expect(r.status, `${what} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r;
}

const ms = (...percents: number[]) =>
  percents.map((percent, i) => ({
    percent,
    description: `第${i + 1}阶段 ${percent}%`,
    dueOn: `${year}-${String(Math.min(12, 2 + i)).padStart(2, "0")}-28`,
  }));
const planBody = (over: Record<string, unknown> = {}) => ({
  owner: { sub: `ebi-owner-new-${run}`, name: "王主任", phone: "0755-83000000" },
  implementer: { kind: "street" },
  milestones: ms(50, 100),
  ...over,
});
const progressBody = (over: Record<string, unknown> = {}) => ({
  percent: 40,
  note: "主体施工推进",
  evidenceIds: [],
  ...over,
});
const paymentBody = (over: Record<string, unknown> = {}) => ({
  milestonePercent: 30,
  amountFen: 1,
  payee: "深圳市安居建设工程有限公司",
  reference: `FK-${run}`,
  ...over,
});
const contributionBody = (over: Record<string, unknown> = {}) => ({
  source: "self_raised",
  amountFen: 1_000,
  contributor: "3栋业主",
  reference: `SJ-${run}`,
  ...over,
});
const without = (body: Record<string, unknown>, field: string) => {
  const { [field]: _, ...rest } = body;
  return rest;
};

const envelope = (
  proposalId: string,
  type: string,
  sub: string,
  data: Record<string, unknown>,
) => ({
  id: ulid(),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  cityId,
  proposalId,
  communityId: home.communityId,
  actor: { sub, roles: [] },
  correlationId: `ebi-${run}`,
  data: { proposalId, ...data },
});

/** intake's ProposalSubmitted and, when `approved`, approval's ProposalApproved (no money yet). */
async function publishUnfunded(label: string, approved: boolean): Promise<string> {
  const id = ulid();
  const now = new Date().toISOString();
  await publish(
    envelope(id, "ProposalSubmitted", proposerSub, {
      ...home,
      kind: "works",
      category: "old_estate_renovation",
      title: `评估矩阵 ${label} ${run}`,
      budgetFen: BUDGET,
      selfRaisedFen: 0,
      sponsorFen: 0,
      programmeFen: BUDGET,
      year,
      needIds: [],
    }),
  );
  if (approved) {
    await publish(
      envelope(id, "ProposalApproved", "system:approval", {
        communityId: home.communityId,
        districtId: home.districtId,
        year,
        budgetFen: BUDGET,
        programmeFen: BUDGET,
        approvedAt: now,
        disbursementDueAt: now,
        disbursementWorkingDays: 15,
        provisional: false,
        committedFen: BUDGET,
        capFen: BUDGET,
      }),
    );
  }
  return id;
}

const funded = (label: string, selfRaisedFen = 0) =>
  publishFunded({
    cityId,
    place: home,
    budgetFen: BUDGET,
    selfRaisedFen,
    year,
    title: `评估矩阵 ${label} ${run}`,
    proposerSub,
    correlationId: `ebi-${run}-${label}`,
  });

/** Read-only: evaluation knows the proposal's place and, for `approved`, that it was approved. */
async function learnt(id: string, approved: boolean, programmeFen?: number) {
  const spending = await eventually(
    () => call("GET", `/v1/proposals/${id}/spending`, { token: t.street }),
    (r) =>
      r.status === 200 &&
      (programmeFen === undefined || r.body.in.bySource.programme === programmeFen),
    EVENTS_MS,
  );
  expect(
    spending.status,
    `evaluation never learnt of ${id}: ${JSON.stringify(spending.body)}`,
  ).toBe(200);
  if (programmeFen !== undefined) expect(spending.body.in.bySource.programme).toBe(programmeFen);
  if (approved) {
    const pub = await eventually(
      () => call("GET", `/v1/public/proposals/${id}/spending`),
      (r) => r.status === 200,
      EVENTS_MS,
    );
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
  }
}

/** Names the owner and plan once evaluation learnt of the full disbursement (read-only probe). */
async function start(id: string, body: unknown, withKey?: string) {
  const path = `/v1/proposals/${id}/implementation`;
  const spending = await eventually(
    () => call("GET", `/v1/proposals/${id}/spending`, { token: t.street }),
    (r) => r.status === 200 && r.body.in.bySource.programme === r.body.funding.programmeFen,
    EVENTS_MS,
  );
  expect(
    spending.status,
    `evaluation never learnt of ${id}: ${JSON.stringify(spending.body)}`,
  ).toBe(200);
  if (withKey) {
    return first(
      {
        name: "start implementation",
        method: "POST",
        path: () => path,
        token: () => t.street!,
        body: () => body,
        key: withKey,
      },
      201,
    );
  }
  return step("start", path, "street", body, 201);
}

const progress = (id: string, who: string, percent: number) =>
  step("progress", `/v1/proposals/${id}/progress`, who, progressBody({ percent }), 201);
const complete = (id: string) =>
  step("complete", `/v1/proposals/${id}/complete`, "street", undefined, 200);
const rate = (id: string, member: string, rating: string) =>
  step("rate", `/v1/proposals/${id}/evaluation/ratings`, member, { rating }, 201);

/** Each project's implementation record and spending notice, as the street's staff read them. */
const snapshots = new Map<string, unknown>();
async function views(id: string) {
  const [impl, spending] = await Promise.all([
    call("GET", `/v1/proposals/${id}/implementation`, { token: t.street }),
    call("GET", `/v1/proposals/${id}/spending`, { token: t.street }),
  ]);
  return {
    implementation: { status: impl.status, body: impl.body },
    spending: { status: spending.status, body: spending.body },
  };
}

beforeAll(async () => {
  let geo: Awaited<ReturnType<typeof places>>["geo"];
  ({ geo, home, neighbour, far } = await places());
  cityId = geo.cityId;
  const rules = (await call("GET", "/v1/rules")).body;
  sponsorsAllowed = rules.process.sponsors;
  projectGroups = rules.process.projectGroups !== undefined;
  panelMinSize = rules.evaluation.panelMinSize;
  requiredTypes = rules.evaluation.panelRequiredTypes;

  const d0 = geo.districts.find((d) => d.id === home.districtId)!;
  const otherStreet = d0.streets.find((s) => s.id !== home.streetId)!;
  const street = { districtId: home.districtId, streetId: home.streetId };
  const tokens: [string, Parameters<typeof token>[0]][] = [
    ["street", { sub: `ebi-street-${run}`, roles: ["street_staff"], ...street }],
    [
      "otherStreet",
      {
        sub: `ebi-ostreet-${run}`,
        roles: ["street_staff"],
        districtId: home.districtId,
        streetId: otherStreet.id,
      },
    ],
    [
      "farStreet",
      {
        sub: `ebi-fstreet-${run}`,
        roles: ["street_staff"],
        districtId: far.districtId,
        streetId: far.streetId,
      },
    ],
    ["staff", { sub: `ebi-staff-${run}`, roles: ["community_staff"], ...home }],
    ["nStaff", { sub: `ebi-nstaff-${run}`, roles: ["community_staff"], ...neighbour }],
    ["civil", { sub: `ebi-civil-${run}`, roles: ["district_civil"], districtId: home.districtId }],
    ["proposer", { sub: proposerSub, roles: ["resident"], ...home, householdId: `hhp-${run}` }],
    ["resident", { sub: `ebi-res-${run}`, roles: ["resident"], ...home, householdId: `hh-${run}` }],
    ["implOrg", { sub: `ebi-implorg-${run}`, roles: ["org"], ...home, orgId: implOrg }],
    ["otherOrg", { sub: `ebi-oorg-${run}`, roles: ["org"], ...home, orgId: `ebi-other-${run}` }],
    ["evaluator", { sub: `ebi-eval-${run}`, roles: ["evaluator"] }],
  ];
  for (const [name, claims] of tokens) t[name] = await token(claims);
  const ePanel = panelOf("e");
  const vPanel = panelOf("v");
  for (const [i, m] of ePanel.entries())
    t[`e${i}`] = await token({ sub: m.sub, roles: ["evaluator"] });
  for (const [i, m] of vPanel.entries())
    t[`v${i}`] = await token({ sub: m.sub, roles: ["evaluator"] });
  // a panel member of E who also speaks for E's implementing organisation
  t.eMemberOrg = await token({ sub: ePanel[2]!.sub, roles: ["evaluator"], orgId: implOrg });

  tablesTouched();
  const [pP, pA, pF, pN, pI, pC, pE, pV] = await Promise.all([
    publishUnfunded("P", false),
    publishUnfunded("A", true),
    funded("F"),
    funded("N"),
    funded("I", I_SELF_RAISED),
    funded("C"),
    funded("E"),
    funded("V"),
  ]);
  Object.assign(p, { P: pP, A: pA, F: pF, N: pN, I: pI, C: pC, E: pE, V: pV });
  // evidence intake verified for F: no progress report of another proposal may cite it
  await publish(
    envelope(p.F, "EvidenceVerified", "system:intake", {
      evidenceId: foreignEvidence,
      purpose: "photo",
      contentType: "image/jpeg",
      sizeBytes: 1024,
      sha256: "a".repeat(64),
      verifiedAt: new Date().toISOString(),
    }),
  );
  await Promise.all([
    learnt(p.P, false),
    learnt(p.A, true),
    learnt(p.F, true, BUDGET),
    learnt(p.I, true, I_PROGRAMME),
  ]);

  // N: the owner and plan (with a key), no progress
  await start(
    p.N,
    planBody({
      owner: { sub: owners.N, name: "陈主任" },
      implementer: { kind: "community" },
      milestones: ms(50, 100),
    }),
    key("start"),
  );

  // I: implementing at 30% (org implementer), 50,000 paid, 10,000 self-raised received
  await start(
    p.I,
    planBody({
      owner: { sub: owners.I, name: "林主任" },
      implementer: { kind: "org", orgId: implOrg },
      milestones: ms(30, 70, 100),
    }),
  );
  await first(
    {
      name: "progress",
      method: "POST",
      path: () => `/v1/proposals/${p.I}/progress`,
      token: () => t.implOrg!,
      body: () => progressBody({ percent: 30, note: "基础施工完成" }),
      key: key("progress"),
    },
    201,
  );
  await first(
    {
      name: "payment",
      method: "POST",
      path: () => `/v1/proposals/${p.I}/payments`,
      token: () => t.street!,
      body: () => paymentBody({ milestonePercent: 30, amountFen: I_PAID }),
      key: key("payment"),
    },
    201,
  );
  await first(
    {
      name: "contribution",
      method: "POST",
      path: () => `/v1/proposals/${p.I}/contributions`,
      token: () => t.staff!,
      body: () => contributionBody({ amountFen: I_CONTRIBUTED }),
      key: key("contribution"),
    },
    201,
  );

  // C: completed (street implementer; the street's staff reported progress)
  await start(p.C, planBody({ owner: { sub: owners.C, name: "黄主任" } }));
  await progress(p.C, "street", 100);
  await first(
    {
      name: "complete",
      method: "POST",
      path: () => `/v1/proposals/${p.C}/complete`,
      token: () => t.street!,
      key: key("complete"),
    },
    200,
  );

  // E: evaluating (org implementer), member 0 rated
  await start(
    p.E,
    planBody({
      owner: { sub: owners.E, name: "赵主任" },
      implementer: { kind: "org", orgId: implOrg },
      milestones: ms(100),
    }),
  );
  await progress(p.E, "street", 100);
  await complete(p.E);
  await first(
    {
      name: "open evaluation",
      method: "POST",
      path: () => `/v1/proposals/${p.E}/evaluation`,
      token: () => t.street!,
      body: () => ({ panel: ePanel }),
      key: key("open"),
    },
    201,
  );
  await first(
    {
      name: "rating",
      method: "POST",
      path: () => `/v1/proposals/${p.E}/evaluation/ratings`,
      token: () => t.e0!,
      body: () => ({ rating: "satisfied", comment: "楼道干净了" }),
      key: key("rating"),
    },
    201,
  );

  // V: evaluated, members 0 and 1 rated
  await start(p.V, planBody({ owner: { sub: owners.V, name: "周主任" }, milestones: ms(100) }));
  await progress(p.V, "street", 100);
  await complete(p.V);
  await step("open", `/v1/proposals/${p.V}/evaluation`, "street", { panel: vPanel }, 201);
  await rate(p.V, "v0", "very_satisfied");
  await rate(p.V, "v1", "neutral");
  await first(
    {
      name: "close",
      method: "POST",
      path: () => `/v1/proposals/${p.V}/evaluation/close`,
      token: () => t.street!,
      key: key("close"),
    },
    200,
  );

  // the fixture as the matrix expects it
  const impl = async (id: string) =>
    (await call("GET", `/v1/proposals/${id}/implementation`, { token: t.street })).body;
  expect(await impl(p.N)).toMatchObject({ status: "funded", progressPercent: 0 });
  expect(await impl(p.I)).toMatchObject({
    status: "implementing",
    progressPercent: 30,
    totalPaidFen: I_PAID,
    receivedFen: I_RECEIVED,
  });
  expect(await impl(p.C)).toMatchObject({ status: "completed", progressPercent: 100 });
  expect(await impl(p.E)).toMatchObject({
    status: "evaluating",
    evaluation: { status: "open", ratings: 1 },
  });
  expect(await impl(p.V)).toMatchObject({
    status: "evaluated",
    evaluation: { status: "closed", ratings: 2 },
  });

  // let every event of the setup settle (other services' inboxes too) before the snapshots
  await quietTableCounts();
  for (const id of Object.values(p)) snapshots.set(id, await views(id));
}, 240_000);

// ---------------------------------------------------------------- case builders

const noToken = (method: string, path: () => string, body?: () => unknown): BadInputCase[] => [
  { name: "no token", method, path, body, status: 401, gateway: true },
  {
    name: "garbage token",
    method,
    path,
    token: () => "not.a.jwt",
    body,
    status: 401,
    code: "unauthenticated",
  },
];
/** Malformed JSON, JSON that is no object, an empty body. */
const notAnObject = (method: string, path: () => string, who: string): BadInputCase[] =>
  [
    { name: "malformed JSON", method, path, token: tokenOf(who), raw: '{"a": ', status: 400 },
    { name: "JSON array", method, path, token: tokenOf(who), raw: "[1,2,3]", status: 400 },
    { name: "JSON string", method, path, token: tokenOf(who), raw: '"yes"', status: 400 },
    { name: "JSON null", method, path, token: tokenOf(who), raw: "null", status: 400 },
    { name: "empty body", method, path, token: tokenOf(who), raw: "", status: 400 },
  ].map((c) => ({ ...c, code: "validation_failed", errorPath: "body" }));
/** 400 validation_failed for each body, naming the field when given. */
const invalid = (
  method: string,
  path: () => string,
  who: string,
  bodies: [string, () => unknown, string?][],
): BadInputCase[] =>
  bodies.map(([name, body, errorPath]) => ({
    name,
    method,
    path,
    token: tokenOf(who),
    body,
    status: 400,
    code: "validation_failed",
    ...(errorPath && { errorPath }),
  }));
const denied = (
  method: string,
  path: () => string,
  who: [string, string][],
  body?: () => unknown,
): BadInputCase[] =>
  who.map(([name, tok]) => ({
    name,
    method,
    path,
    token: tokenOf(tok),
    body,
    status: 403,
    code: "forbidden",
  }));
/** An unknown proposal (404) and malformed ids (400). */
const badIds = (
  method: string,
  pathOf: (id: string) => string,
  who: string | undefined,
  body?: () => unknown,
): BadInputCase[] => [
  {
    name: "unknown proposal",
    method,
    path: () => pathOf(UNKNOWN),
    token: who ? tokenOf(who) : undefined,
    body,
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed proposal id",
    method,
    path: () => pathOf("not-a-ulid"),
    token: who ? tokenOf(who) : undefined,
    body,
    status: 400,
    code: "validation_failed",
    errorPath: "params.id",
  },
  {
    name: "lower-case ULID",
    method,
    path: () => pathOf(p.I.toLowerCase()),
    token: who ? tokenOf(who) : undefined,
    body,
    status: 400,
    code: "validation_failed",
    errorPath: "params.id",
  },
];
/** 409 invalid_state on each fixture project. */
const wrongState = (
  method: string,
  pathOf: (id: string) => string,
  who: string,
  on: [string, keyof typeof p][],
  body?: () => unknown,
): BadInputCase[] =>
  on.map(([name, which]) => ({
    name,
    method,
    path: () => pathOf(p[which]),
    token: tokenOf(who),
    body,
    status: 409,
    code: "invalid_state",
  }));
/** A body over the 64 KiB limit. */
const tooBig = (
  method: string,
  path: () => string,
  who: string,
  body: () => unknown,
): BadInputCase => ({
  name: "a body over 64 KiB",
  method,
  path,
  token: tokenOf(who),
  body,
  status: 413,
  code: "payload_too_large",
});
/** Idempotency-Key headers the runtime refuses before anything runs. */
const badKeys = (
  method: string,
  path: () => string,
  who: string,
  body?: () => unknown,
): BadInputCase[] => [
  {
    name: "Idempotency-Key over 128 characters",
    method,
    path,
    token: tokenOf(who),
    body,
    headers: () => ({ "idempotency-key": "k".repeat(129) }),
    status: 400,
    code: "validation_failed",
    errorPath: "headers.idempotency-key",
  },
  {
    name: "Idempotency-Key with spaces",
    method,
    path,
    token: tokenOf(who),
    body,
    headers: () => ({ "idempotency-key": "two words" }),
    status: 400,
    code: "validation_failed",
    errorPath: "headers.idempotency-key",
  },
];
const reused = (
  name: string,
  method: string,
  path: () => string,
  who: string,
  what: string,
  body?: () => unknown,
): BadInputCase => ({
  name,
  method,
  path,
  token: tokenOf(who),
  headers: () => ({ "idempotency-key": key(what) }),
  body,
  status: 422,
  code: "idempotency_key_reused",
});
const prefix = (route: string, cases: BadInputCase[]) =>
  cases.map((c) => ({ ...c, name: `${route}: ${c.name}` }));

const huge = "x".repeat(70 * 1024);
const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${run}-${i}`);
const ulids = (n: number) => Array.from({ length: n }, () => ulid());
const implPath = (id: string) => `/v1/proposals/${id}/implementation`;
const progressPath = (id: string) => `/v1/proposals/${id}/progress`;
const paymentsPath = (id: string) => `/v1/proposals/${id}/payments`;
const completePath = (id: string) => `/v1/proposals/${id}/complete`;
const evaluationPath = (id: string) => `/v1/proposals/${id}/evaluation`;
const ratingsPath = (id: string) => `/v1/proposals/${id}/evaluation/ratings`;
const closePath = (id: string) => `/v1/proposals/${id}/evaluation/close`;
const contributionsPath = (id: string) => `/v1/proposals/${id}/contributions`;
const spendingPath = (id: string) => `/v1/proposals/${id}/spending`;
const publicSpendingPath = (id: string) => `/v1/public/proposals/${id}/spending`;

// ---------------------------------------------------------------- POST /v1/proposals/{id}/implementation

const implOnF = () => implPath(p.F);
const plan = () => planBody();
const withOwner = (owner: Record<string, unknown>) => () =>
  planBody({ owner: { sub: `ebi-owner-new-${run}`, name: "王主任", ...owner } });
const withMilestone = (m: Record<string, unknown>) => () =>
  planBody({ milestones: [{ percent: 100, description: "完工", dueOn: `${year}-12-31`, ...m }] });
const startCases = prefix("POST /v1/proposals/{id}/implementation", [
  ...notAnObject("POST", implOnF, "street"),
  ...invalid("POST", implOnF, "street", [
    ["missing owner", () => without(planBody(), "owner"), "body.owner"],
    ["missing implementer", () => without(planBody(), "implementer"), "body.implementer"],
    ["missing milestones", () => without(planBody(), "milestones"), "body.milestones"],
    ["owner a string", () => planBody({ owner: "王主任" }), "body.owner"],
    ["owner without a sub", () => planBody({ owner: { name: "王主任" } }), "body.owner.sub"],
    ["owner without a name", () => planBody({ owner: { sub: "o-1" } }), "body.owner.name"],
    ["owner sub with #", withOwner({ sub: "a#b" }), "body.owner.sub"],
    ["owner sub of 129 characters", withOwner({ sub: "o".repeat(129) }), "body.owner.sub"],
    ["owner sub a number", withOwner({ sub: 42 }), "body.owner.sub"],
    ["blank owner name", withOwner({ name: "   " }), "body.owner.name"],
    ["owner name of 61 characters", withOwner({ name: "王".repeat(61) }), "body.owner.name"],
    ["owner name with a control character", withOwner({ name: "王\u0007主任" }), "body.owner.name"],
    ["owner name with a line break", withOwner({ name: "王\n主任" }), "body.owner.name"],
    ["owner name with a bidi override", withOwner({ name: "王\u202E主任" }), "body.owner.name"],
    ["owner name only zero-width spaces", withOwner({ name: "\u200B\u200B" }), "body.owner.name"],
    ["owner phone not a phone number", withOwner({ phone: "call me" }), "body.owner.phone"],
    ["owner phone a number", withOwner({ phone: 13800138000 }), "body.owner.phone"],
    ["owner with an unknown field", withOwner({ idCard: "440300199001011234" }), "body.owner"],
    [
      "implementer kind not in the enum",
      () => planBody({ implementer: { kind: "contractor" } }),
      "body.implementer.kind",
    ],
    ["implementer a string", () => planBody({ implementer: "street" }), "body.implementer"],
    [
      "org implementer without an orgId",
      () => planBody({ implementer: { kind: "org" } }),
      "body.implementer",
    ],
    [
      "street implementer with an orgId",
      () => planBody({ implementer: { kind: "street", orgId: implOrg } }),
      "body.implementer",
    ],
    [
      "malformed orgId",
      () => planBody({ implementer: { kind: "org", orgId: "an org!" } }),
      "body.implementer.orgId",
    ],
    [
      "implementer with an unknown field",
      () => planBody({ implementer: { kind: "street", name: "园岭街道" } }),
      "body.implementer",
    ],
    ["no milestones", () => planBody({ milestones: [] }), "body.milestones"],
    ["milestones not an array", () => planBody({ milestones: ms(100)[0] }), "body.milestones"],
    [
      `${MAX_MILESTONES + 1} milestones`,
      () =>
        planBody({
          milestones: ms(...Array.from({ length: MAX_MILESTONES }, (_, i) => i + 1), 100),
        }),
      "body.milestones",
    ],
    ["percents not ascending", () => planBody({ milestones: ms(70, 30, 100) }), "body.milestones"],
    ["a percent repeated", () => planBody({ milestones: ms(50, 50, 100) }), "body.milestones"],
    ["last milestone not 100", () => planBody({ milestones: ms(30, 70) }), "body.milestones"],
    ["100 before the end", () => planBody({ milestones: ms(100, 100) }), "body.milestones"],
    ["percent 0", () => planBody({ milestones: ms(0, 100) }), "body.milestones.0.percent"],
    ["percent 101", () => planBody({ milestones: ms(101) }), "body.milestones.0.percent"],
    ["percent -10", () => planBody({ milestones: ms(-10, 100) }), "body.milestones.0.percent"],
    ["percent 50.5", () => planBody({ milestones: ms(50.5, 100) }), "body.milestones.0.percent"],
    ["percent a string", withMilestone({ percent: "100" }), "body.milestones.0.percent"],
    ["missing percent", withMilestone({ percent: undefined }), "body.milestones.0.percent"],
    ["blank description", withMilestone({ description: " " }), "body.milestones.0.description"],
    [
      "description of 501 characters",
      withMilestone({ description: "段".repeat(501) }),
      "body.milestones.0.description",
    ],
    [
      "description with a NUL",
      withMilestone({ description: "完\u0000工" }),
      "body.milestones.0.description",
    ],
    [
      "description with a line break",
      withMilestone({ description: "完\r\n工" }),
      "body.milestones.0.description",
    ],
    ["dueOn not a date", withMilestone({ dueOn: "next spring" }), "body.milestones.0.dueOn"],
    [
      "dueOn a day that does not exist",
      withMilestone({ dueOn: `${year}-02-30` }),
      "body.milestones.0.dueOn",
    ],
    ["dueOn with slashes", withMilestone({ dueOn: `${year}/06/30` }), "body.milestones.0.dueOn"],
    [
      "dueOn without leading zeros",
      withMilestone({ dueOn: `${year}-6-30` }),
      "body.milestones.0.dueOn",
    ],
    [
      "dueOn a date-time",
      withMilestone({ dueOn: `${year}-06-30T00:00:00Z` }),
      "body.milestones.0.dueOn",
    ],
    ["dueOn in 2101", withMilestone({ dueOn: "2101-06-30" }), "body.milestones.0.dueOn"],
    [
      "dueOn before the programme",
      withMilestone({ dueOn: "1999-06-30" }),
      "body.milestones.0.dueOn",
    ],
    ["dueOn a number", withMilestone({ dueOn: 20300630 }), "body.milestones.0.dueOn"],
    ["missing dueOn", withMilestone({ dueOn: undefined }), "body.milestones.0.dueOn"],
    ["milestone with an unknown field", withMilestone({ amountFen: 1 }), "body.milestones.0"],
    ["unknown field", () => planBody({ budgetFen: BUDGET }), "body"],
  ]),
  tooBig("POST", implOnF, "street", () => planBody({ note: huge })),
  ...noToken("POST", implOnF, plan),
  ...denied(
    "POST",
    implOnF,
    [
      ["community staff", "staff"],
      ["district civil affairs", "civil"],
      ["a resident", "resident"],
      ["the implementing organisation", "implOrg"],
      ["an evaluator", "evaluator"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    plan,
  ),
  ...badIds("POST", implPath, "street", plan),
  ...wrongState(
    "POST",
    implPath,
    "street",
    [
      ["a proposal not yet approved", "P"],
      ["an approved project not yet funded", "A"],
    ],
    plan,
  ),
  ...(["N", "I", "V"] as const).map(
    (which): BadInputCase => ({
      name: `plan already set (${which})`,
      method: "POST",
      path: () => implPath(p[which]),
      token: tokenOf("street"),
      body: plan,
      status: 409,
      code: "duplicate",
    }),
  ),
  reused(
    "Idempotency-Key reused with another body",
    "POST",
    () => implPath(p.N),
    "street",
    "start",
    plan,
  ),
  ...badKeys("POST", implOnF, "street", plan),
]);

// ---------------------------------------------------------------- GET /v1/proposals/{id}/implementation

const readI = () => implPath(p.I);
const getImplCases = prefix("GET /v1/proposals/{id}/implementation", [
  ...noToken("GET", readI),
  ...denied("GET", readI, [
    ["a resident who did not propose it", "resident"],
    ["another organisation", "otherOrg"],
    ["an evaluator on no panel of it", "evaluator"],
    ["a panel member of another project", "v0"],
    ["staff of a neighbouring community", "nStaff"],
    ["street staff of another street of the district", "otherStreet"],
    ["street staff of another district", "farStreet"],
  ]),
  ...badIds("GET", implPath, "street"),
  {
    name: "a funded project with no plan yet",
    method: "GET",
    path: () => implPath(p.F),
    token: tokenOf("street"),
    status: 404,
    code: "not_found",
  },
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/progress

const progressOnI = () => progressPath(p.I);
const prog = () => progressBody();
const progressCases = prefix("POST /v1/proposals/{id}/progress", [
  ...notAnObject("POST", progressOnI, "implOrg"),
  ...invalid("POST", progressOnI, "implOrg", [
    ["missing percent", () => without(progressBody(), "percent"), "body.percent"],
    ["missing note", () => without(progressBody(), "note"), "body.note"],
    ["missing evidenceIds", () => without(progressBody(), "evidenceIds"), "body.evidenceIds"],
    ["percent 101", () => progressBody({ percent: 101 }), "body.percent"],
    ["percent -1", () => progressBody({ percent: -1 }), "body.percent"],
    ["percent 40.5", () => progressBody({ percent: 40.5 }), "body.percent"],
    ["percent a string", () => progressBody({ percent: "40" }), "body.percent"],
    ["percent null", () => progressBody({ percent: null }), "body.percent"],
    ["percent 1e9", () => progressBody({ percent: 1e9 }), "body.percent"],
    ["blank note", () => progressBody({ note: "\t \n" }), "body.note"],
    ["note of 2001 characters", () => progressBody({ note: "进".repeat(2001) }), "body.note"],
    ["note with a NUL", () => progressBody({ note: "进\u0000度" }), "body.note"],
    ["note with a bidi isolate", () => progressBody({ note: "进\u2066度" }), "body.note"],
    ["note a number", () => progressBody({ note: 40 }), "body.note"],
    [
      "evidenceIds not an array",
      () => progressBody({ evidenceIds: foreignEvidence }),
      "body.evidenceIds",
    ],
    [
      "a malformed evidence id",
      () => progressBody({ evidenceIds: ["photo.jpg"] }),
      "body.evidenceIds.0",
    ],
    [
      "a lower-case evidence id",
      () => progressBody({ evidenceIds: [foreignEvidence.toLowerCase()] }),
      "body.evidenceIds.0",
    ],
    [
      "an evidence id twice",
      () => progressBody({ evidenceIds: [foreignEvidence, foreignEvidence] }),
      "body.evidenceIds",
    ],
    [
      `${MAX_PROGRESS_EVIDENCE + 1} evidence ids`,
      () => progressBody({ evidenceIds: ulids(MAX_PROGRESS_EVIDENCE + 1) }),
      "body.evidenceIds",
    ],
    ["unknown field", () => progressBody({ status: "completed" }), "body"],
  ]),
  tooBig("POST", progressOnI, "implOrg", () => progressBody({ note: huge })),
  ...noToken("POST", progressOnI, prog),
  ...denied(
    "POST",
    progressOnI,
    [
      ["a resident", "resident"],
      ["the proposer", "proposer"],
      ["district civil affairs", "civil"],
      ["an evaluator", "evaluator"],
      ["another organisation", "otherOrg"],
      ["community staff where an organisation implements", "staff"],
      ["staff of a neighbouring community", "nStaff"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    prog,
  ),
  {
    name: "staff of a neighbouring community where the community implements",
    method: "POST",
    path: () => progressPath(p.N),
    token: tokenOf("nStaff"),
    body: prog,
    status: 403,
    code: "forbidden",
  },
  ...badIds("POST", progressPath, "street", prog),
  ...wrongState(
    "POST",
    progressPath,
    "street",
    [
      ["a funded project with no plan", "F"],
      ["an approved project not yet funded", "A"],
      ["a completed project", "C"],
      ["a project under evaluation", "E"],
      ["an evaluated project", "V"],
    ],
    () => progressBody({ percent: 100 }),
  ),
  {
    name: "percent below the last report",
    method: "POST",
    path: progressOnI,
    token: tokenOf("implOrg"),
    body: () => progressBody({ percent: 20 }),
    status: 422,
    code: "progress_regressed",
  },
  {
    name: "percent 0 after 30",
    method: "POST",
    path: progressOnI,
    token: tokenOf("street"),
    body: () => progressBody({ percent: 0 }),
    status: 422,
    code: "progress_regressed",
  },
  {
    name: "evidence nobody verified",
    method: "POST",
    path: progressOnI,
    token: tokenOf("implOrg"),
    body: () => progressBody({ percent: 40, evidenceIds: [ulid()] }),
    status: 422,
    code: "evidence_not_verified",
    errorPath: "body.evidenceIds",
  },
  {
    name: "evidence verified for another proposal",
    method: "POST",
    path: progressOnI,
    token: tokenOf("implOrg"),
    body: () => progressBody({ percent: 40, evidenceIds: [foreignEvidence] }),
    status: 422,
    code: "evidence_not_verified",
    errorPath: "body.evidenceIds",
  },
  reused(
    "Idempotency-Key reused with another body",
    "POST",
    progressOnI,
    "implOrg",
    "progress",
    () => progressBody({ percent: 35, note: "基础施工完成" }),
  ),
  ...badKeys("POST", progressOnI, "implOrg", prog),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/payments

const payOnI = () => paymentsPath(p.I);
const pay = () => paymentBody();
const paymentCases = prefix("POST /v1/proposals/{id}/payments", [
  ...notAnObject("POST", payOnI, "street"),
  ...invalid("POST", payOnI, "street", [
    [
      "missing milestonePercent",
      () => without(paymentBody(), "milestonePercent"),
      "body.milestonePercent",
    ],
    ["missing amountFen", () => without(paymentBody(), "amountFen"), "body.amountFen"],
    ["missing payee", () => without(paymentBody(), "payee"), "body.payee"],
    ["missing reference", () => without(paymentBody(), "reference"), "body.reference"],
    ["milestonePercent 0", () => paymentBody({ milestonePercent: 0 }), "body.milestonePercent"],
    ["milestonePercent 101", () => paymentBody({ milestonePercent: 101 }), "body.milestonePercent"],
    [
      "milestonePercent 30.5",
      () => paymentBody({ milestonePercent: 30.5 }),
      "body.milestonePercent",
    ],
    [
      "milestonePercent a string",
      () => paymentBody({ milestonePercent: "30" }),
      "body.milestonePercent",
    ],
    ["amountFen 0", () => paymentBody({ amountFen: 0 }), "body.amountFen"],
    ["negative amountFen", () => paymentBody({ amountFen: -100 }), "body.amountFen"],
    ["fractional amountFen", () => paymentBody({ amountFen: 1.5 }), "body.amountFen"],
    ["amountFen a string", () => paymentBody({ amountFen: "100" }), "body.amountFen"],
    ["amountFen null", () => paymentBody({ amountFen: null }), "body.amountFen"],
    ["amountFen over the maximum", () => paymentBody({ amountFen: MAX_FEN + 1 }), "body.amountFen"],
    ["amountFen 1e300", () => paymentBody({ amountFen: 1e300 }), "body.amountFen"],
    ["blank payee", () => paymentBody({ payee: "  " }), "body.payee"],
    ["payee of 201 characters", () => paymentBody({ payee: "公".repeat(201) }), "body.payee"],
    [
      "payee with a control character",
      () => paymentBody({ payee: "安居\u001B公司" }),
      "body.payee",
    ],
    ["payee with a bidi override", () => paymentBody({ payee: "安居\u202D公司" }), "body.payee"],
    ["reference with a line break", () => paymentBody({ reference: "FK\n1" }), "body.reference"],
    [
      "reference of 201 characters",
      () => paymentBody({ reference: "F".repeat(201) }),
      "body.reference",
    ],
    ["reference a number", () => paymentBody({ reference: 1 }), "body.reference"],
    ["unknown field", () => paymentBody({ paidAt: new Date().toISOString() }), "body"],
  ]),
  {
    name: "a milestone the plan does not have",
    method: "POST",
    path: payOnI,
    token: tokenOf("street"),
    body: () => paymentBody({ milestonePercent: 20 }),
    status: 400,
    code: "validation_failed",
    errorPath: "body.milestonePercent",
  },
  tooBig("POST", payOnI, "street", () => paymentBody({ payee: huge })),
  ...noToken("POST", payOnI, pay),
  ...denied(
    "POST",
    payOnI,
    [
      ["community staff", "staff"],
      ["the implementing organisation", "implOrg"],
      ["district civil affairs", "civil"],
      ["a resident", "resident"],
      ["an evaluator", "evaluator"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    pay,
  ),
  ...badIds("POST", paymentsPath, "street", pay),
  ...wrongState(
    "POST",
    paymentsPath,
    "street",
    [
      ["a funded project with no plan", "F"],
      ["before any progress", "N"],
      ["an approved project not yet funded", "A"],
    ],
    () => paymentBody({ milestonePercent: 50 }),
  ),
  ...(
    [
      ["a milestone progress has not reached", 70, 1, "milestone_not_reached"],
      ["the last milestone at 30%", 100, 1, "milestone_not_reached"],
      [
        "over the milestone's share of the budget",
        30,
        I_SHARE_30 - I_PAID + 1,
        "milestone_not_reached",
      ],
      ["more than the money received", 30, I_RECEIVED - I_PAID + 1, "insufficient_funds"],
    ] as const
  ).map(
    ([name, milestonePercent, amountFen, code]): BadInputCase => ({
      name,
      method: "POST",
      path: payOnI,
      token: tokenOf("street"),
      body: () => paymentBody({ milestonePercent, amountFen }),
      status: 422,
      code,
    }),
  ),
  reused("Idempotency-Key reused with another body", "POST", payOnI, "street", "payment", () =>
    paymentBody({ milestonePercent: 30, amountFen: I_PAID + 1 }),
  ),
  ...badKeys("POST", payOnI, "street", pay),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/complete

const completeI = () => completePath(p.I);
const completeCases = prefix("POST /v1/proposals/{id}/complete", [
  ...noToken("POST", completeI),
  ...denied("POST", completeI, [
    ["community staff", "staff"],
    ["the implementing organisation", "implOrg"],
    ["district civil affairs", "civil"],
    ["an evaluator", "evaluator"],
    ["street staff of another street of the district", "otherStreet"],
    ["street staff of another district", "farStreet"],
  ]),
  ...badIds("POST", completePath, "street"),
  ...wrongState("POST", completePath, "street", [
    ["an approved project not yet funded", "A"],
    ["a funded project with no plan", "F"],
    ["before any progress", "N"],
    ["at 30%", "I"],
    ["already completed", "C"],
    ["a project under evaluation", "E"],
    ["an evaluated project", "V"],
  ]),
  reused(
    "Idempotency-Key of another project's completion",
    "POST",
    completeI,
    "street",
    "complete",
  ),
  ...badKeys("POST", completeI, "street"),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/evaluation

const openOnC = () => evaluationPath(p.C);
const panelC = () => ({ panel: panelOf("c") });
/** C's valid panel with its first member replaced */
const member = (m: Record<string, unknown>) => () => ({
  panel: [{ sub: `ebi-c-new-${run}`, type: "deputy", ...m }, ...panelOf("c").slice(1)],
});
/** C's valid panel with its first member's sub replaced */
const conflicted = (sub: () => string) => () => ({
  panel: panelOf("c").map((m, i) => (i === 0 ? { ...m, sub: sub() } : m)),
});
const openCases = prefix("POST /v1/proposals/{id}/evaluation", [
  ...notAnObject("POST", openOnC, "street"),
  ...invalid("POST", openOnC, "street", [
    ["missing panel", () => ({}), "body.panel"],
    ["panel not an array", () => ({ panel: panelOf("c")[0] }), "body.panel"],
    ["an empty panel", () => ({ panel: [] }), "body.panel"],
    [
      `${MAX_PANEL + 1} members`,
      () => ({
        panel: many(MAX_PANEL + 1, "ebi-big").map((sub, i) => ({
          sub,
          type: panelTypes[i % panelTypes.length],
        })),
      }),
      "body.panel",
    ],
    ["a type not in the enum", member({ type: "mayor" }), `body.panel.0.type`],
    ["a type in capitals", member({ type: "DEPUTY" }), `body.panel.0.type`],
    ["a member without a type", member({ type: undefined }), `body.panel.0.type`],
    ["a member without a sub", member({ sub: undefined }), `body.panel.0.sub`],
    ["a sub with #", member({ sub: "a#b" }), `body.panel.0.sub`],
    ["a sub with /", member({ sub: "a/b" }), `body.panel.0.sub`],
    ["a sub of 129 characters", member({ sub: "s".repeat(129) }), `body.panel.0.sub`],
    ["a sub a number", member({ sub: 7 }), `body.panel.0.sub`],
    ["a member a string", () => ({ panel: [`ebi-c0-${run}`] }), "body.panel.0"],
    [
      "the same sub twice",
      () => ({
        panel: panelOf("c").map((m, i) => (i === 1 ? { ...m, sub: panelOf("c")[0]!.sub } : m)),
      }),
      "body.panel",
    ],
    ["a member with an unknown field", member({ name: "王代表" }), `body.panel.0`],
    ["unknown field", () => ({ ...panelC(), passRate: 0 }), "body"],
  ]),
  tooBig("POST", openOnC, "street", () => ({ ...panelC(), note: huge })),
  ...noToken("POST", openOnC, panelC),
  ...denied(
    "POST",
    openOnC,
    [
      ["community staff", "staff"],
      ["district civil affairs", "civil"],
      ["an evaluator", "evaluator"],
      ["the proposer", "proposer"],
      ["an organisation", "implOrg"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    panelC,
  ),
  ...badIds("POST", evaluationPath, "street", panelC),
  ...wrongState(
    "POST",
    evaluationPath,
    "street",
    [
      ["an approved project not yet funded", "A"],
      ["a funded project with no plan", "F"],
      ["before any progress", "N"],
      ["before completion (30%)", "I"],
    ],
    panelC,
  ),
  ...(["E", "V"] as const).map(
    (which): BadInputCase => ({
      name: `panel already convened (${which})`,
      method: "POST",
      path: () => evaluationPath(p[which]),
      token: tokenOf("street"),
      body: panelC,
      status: 409,
      code: "duplicate",
    }),
  ),
  {
    name: "fewer members than the city's smallest panel",
    method: "POST",
    path: openOnC,
    token: tokenOf("street"),
    body: () => ({ panel: panelOf("c").slice(0, panelMinSize - 1) }),
    status: 422,
    code: "panel_invalid",
    errorPath: "body.panel",
    when: () => panelMinSize > 1,
  },
  {
    name: "without a member type the city requires",
    method: "POST",
    path: openOnC,
    token: tokenOf("street"),
    body: () => {
      const other = panelTypes.find((x) => x !== requiredTypes[0])!;
      return {
        panel: panelSubs("c", Math.max(panelMinSize, panelTypes.length)).map((sub) => ({
          sub,
          type: other,
        })),
      };
    },
    status: 422,
    code: "panel_invalid",
    errorPath: "body.panel",
    when: () => requiredTypes.length > 0,
  },
  ...(
    [
      ["the accountable owner on the panel", () => owners.C],
      ["the proposer on the panel", () => proposerSub],
      ["someone who reported its progress on the panel", () => `ebi-street-${run}`],
    ] as const
  ).map(
    ([name, sub]): BadInputCase => ({
      name,
      method: "POST",
      path: openOnC,
      token: tokenOf("street"),
      body: conflicted(sub),
      status: 422,
      code: "panel_invalid",
      errorPath: "body.panel.0.sub",
    }),
  ),
  reused(
    "Idempotency-Key reused with another panel",
    "POST",
    () => evaluationPath(p.E),
    "street",
    "open",
    () => ({
      panel: panelOf("e").slice().reverse(),
    }),
  ),
  ...badKeys("POST", openOnC, "street", panelC),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/evaluation/ratings

const rateE = () => ratingsPath(p.E);
const satisfied = () => ({ rating: "satisfied" });
const ratingCases = prefix("POST /v1/proposals/{id}/evaluation/ratings", [
  ...notAnObject("POST", rateE, "e1"),
  ...invalid("POST", rateE, "e1", [
    ["missing rating", () => ({ comment: "不错" }), "body.rating"],
    ["rating not in the enum", () => ({ rating: "excellent" }), "body.rating"],
    ["rating in capitals", () => ({ rating: "SATISFIED" }), "body.rating"],
    ["rating a number", () => ({ rating: 5 }), "body.rating"],
    ["rating null", () => ({ rating: null }), "body.rating"],
    ["blank comment", () => ({ rating: "satisfied", comment: " \n " }), "body.comment"],
    [
      "comment of 2001 characters",
      () => ({ rating: "satisfied", comment: "好".repeat(2001) }),
      "body.comment",
    ],
    ["comment with a NUL", () => ({ rating: "satisfied", comment: "好\u0000" }), "body.comment"],
    [
      "comment with a bidi override",
      () => ({ rating: "satisfied", comment: "好\u202E坏" }),
      "body.comment",
    ],
    ["comment a number", () => ({ rating: "satisfied", comment: 5 }), "body.comment"],
    ["unknown field", () => ({ rating: "satisfied", sub: `ebi-e4-${run}` }), "body"],
  ]),
  tooBig("POST", rateE, "e1", () => ({ rating: "satisfied", comment: huge })),
  ...noToken("POST", rateE, satisfied),
  ...denied(
    "POST",
    rateE,
    [
      ["an evaluator on no panel of it", "evaluator"],
      ["a panel member of another project", "v2"],
      ["the street's staff", "street"],
      ["the proposer", "proposer"],
      ["the implementing organisation", "implOrg"],
      ["a panel member speaking for the implementing organisation", "eMemberOrg"],
    ],
    satisfied,
  ),
  {
    name: "a project with no panel",
    method: "POST",
    path: () => ratingsPath(p.C),
    token: tokenOf("e1"),
    body: satisfied,
    status: 403,
    code: "forbidden",
  },
  ...badIds("POST", ratingsPath, "e1", satisfied),
  {
    name: "a second rating from the member",
    method: "POST",
    path: rateE,
    token: tokenOf("e0"),
    body: () => ({ rating: "dissatisfied" }),
    status: 409,
    code: "duplicate",
  },
  {
    name: "after the panel closed",
    method: "POST",
    path: () => ratingsPath(p.V),
    token: tokenOf("v4"),
    body: satisfied,
    status: 409,
    code: "invalid_state",
  },
  reused("Idempotency-Key reused with another rating", "POST", rateE, "e0", "rating", () => ({
    rating: "neutral",
    comment: "楼道干净了",
  })),
  ...badKeys("POST", rateE, "e1", satisfied),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/evaluation/close

const closeE = () => closePath(p.E);
const closeCases = prefix("POST /v1/proposals/{id}/evaluation/close", [
  ...noToken("POST", closeE),
  ...denied("POST", closeE, [
    ["community staff", "staff"],
    ["district civil affairs", "civil"],
    ["a panel member", "e1"],
    ["the implementing organisation", "implOrg"],
    ["street staff of another street of the district", "otherStreet"],
    ["street staff of another district", "farStreet"],
  ]),
  ...badIds("POST", closePath, "street"),
  ...wrongState("POST", closePath, "street", [
    ["an approved project not yet funded", "A"],
    ["a funded project with no plan", "F"],
    ["before any progress", "N"],
    ["an implementing project", "I"],
    ["a completed project with no panel", "C"],
  ]),
  reused(
    "Idempotency-Key of another project's close",
    "POST",
    () => closePath(p.C),
    "street",
    "close",
  ),
  ...badKeys("POST", closeE, "street"),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/contributions

const contributeI = () => contributionsPath(p.I);
const gift = () => contributionBody();
const contributionCases = prefix("POST /v1/proposals/{id}/contributions", [
  ...notAnObject("POST", contributeI, "staff"),
  ...invalid("POST", contributeI, "staff", [
    ["missing source", () => without(contributionBody(), "source"), "body.source"],
    ["missing amountFen", () => without(contributionBody(), "amountFen"), "body.amountFen"],
    ["missing contributor", () => without(contributionBody(), "contributor"), "body.contributor"],
    ["missing reference", () => without(contributionBody(), "reference"), "body.reference"],
    ["source programme", () => contributionBody({ source: "programme" }), "body.source"],
    ["source in capitals", () => contributionBody({ source: "SELF_RAISED" }), "body.source"],
    ["source a number", () => contributionBody({ source: 1 }), "body.source"],
    ["amountFen 0", () => contributionBody({ amountFen: 0 }), "body.amountFen"],
    ["negative amountFen", () => contributionBody({ amountFen: -1 }), "body.amountFen"],
    ["fractional amountFen", () => contributionBody({ amountFen: 0.5 }), "body.amountFen"],
    ["amountFen a string", () => contributionBody({ amountFen: "1000" }), "body.amountFen"],
    [
      "amountFen over the maximum",
      () => contributionBody({ amountFen: MAX_FEN + 1 }),
      "body.amountFen",
    ],
    ["blank contributor", () => contributionBody({ contributor: "\u3000" }), "body.contributor"],
    [
      "contributor of 201 characters",
      () => contributionBody({ contributor: "业".repeat(201) }),
      "body.contributor",
    ],
    [
      "contributor with a control character",
      () => contributionBody({ contributor: "3栋\u0008业主" }),
      "body.contributor",
    ],
    [
      "contributor with a bidi override",
      () => contributionBody({ contributor: "3栋\u202E业主" }),
      "body.contributor",
    ],
    ["reference with a tab", () => contributionBody({ reference: "SJ\t1" }), "body.reference"],
    [
      "reference of 201 characters",
      () => contributionBody({ reference: "S".repeat(201) }),
      "body.reference",
    ],
    ["unknown field", () => contributionBody({ receivedAt: new Date().toISOString() }), "body"],
  ]),
  tooBig("POST", contributeI, "staff", () => contributionBody({ contributor: huge })),
  ...noToken("POST", contributeI, gift),
  ...denied(
    "POST",
    contributeI,
    [
      ["a resident", "resident"],
      ["the proposer", "proposer"],
      ["the implementing organisation", "implOrg"],
      ["district civil affairs", "civil"],
      ["an evaluator", "evaluator"],
      ["staff of a neighbouring community", "nStaff"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    gift,
  ),
  ...badIds("POST", contributionsPath, "staff", gift),
  ...wrongState("POST", contributionsPath, "staff", [["a proposal not yet approved", "P"]], gift),
  {
    name: "sponsor money where the city takes none",
    method: "POST",
    path: contributeI,
    token: tokenOf("staff"),
    body: () => contributionBody({ source: "sponsor", contributor: "某企业" }),
    status: 422,
    code: "sponsor_not_allowed",
    when: () => !sponsorsAllowed,
  },
  reused(
    "Idempotency-Key reused with another body",
    "POST",
    contributeI,
    "staff",
    "contribution",
    () => contributionBody({ amountFen: I_CONTRIBUTED + 1 }),
  ),
  ...badKeys("POST", contributeI, "staff", gift),
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/procurement

const procurementBody = (over: Record<string, unknown> = {}) => ({
  group: [`ebi-g1-${run}`, `ebi-g2-${run}`, `ebi-g3-${run}`],
  // well-formed evidence ids that are nobody's verified evidence
  quotes: [1, 2, 3].map((i) => ({
    supplier: `供应商${i}`,
    amountFen: i * 10_000,
    evidenceId: ulid(),
  })),
  chosen: "供应商1",
  ...over,
});
const quote = (over: Record<string, unknown>) => [
  { supplier: "甲公司", amountFen: 1_000, evidenceId: UNKNOWN, ...over },
];
const procureI = () => `/v1/proposals/${p.I}/procurement`;
const procurementCases = prefix("POST /v1/proposals/{id}/procurement", [
  ...notAnObject("POST", procureI, "staff"),
  ...invalid("POST", procureI, "staff", [
    ["missing group", () => without(procurementBody(), "group"), "body.group"],
    ["missing quotes", () => without(procurementBody(), "quotes"), "body.quotes"],
    ["missing chosen", () => without(procurementBody(), "chosen"), "body.chosen"],
    ["empty group", () => procurementBody({ group: [] }), "body.group"],
    ["a resident twice in the group", () => procurementBody({ group: ["a", "a"] }), "body.group"],
    ["no quotes", () => procurementBody({ quotes: [] }), "body.quotes"],
    [
      "a supplier quoting twice",
      () => procurementBody({ quotes: [...quote({}), ...quote({ evidenceId: ulid() })] }),
      "body.quotes",
    ],
    ["a quote of 0 fen", () => procurementBody({ quotes: quote({ amountFen: 0 }) })],
    ["a fractional quote", () => procurementBody({ quotes: quote({ amountFen: 0.5 }) })],
    ["a quote without evidence", () => procurementBody({ quotes: quote({ evidenceId: "x" }) })],
    ["a blank supplier", () => procurementBody({ quotes: quote({ supplier: "\u3000" }) })],
    [
      "chosen of 201 characters",
      () => procurementBody({ chosen: "甲".repeat(201) }),
      "body.chosen",
    ],
    ["reason with a bidi override", () => procurementBody({ reason: "便宜\u202E" }), "body.reason"],
    ["unknown field", () => procurementBody({ winner: "供应商1" }), "body"],
  ]),
  tooBig("POST", procureI, "staff", () => procurementBody({ reason: huge })),
  ...noToken("POST", procureI, () => procurementBody()),
  ...denied(
    "POST",
    procureI,
    [
      ["a resident", "resident"],
      ["the proposer", "proposer"],
      ["the implementing organisation", "implOrg"],
      ["district civil affairs", "civil"],
      ["staff of a neighbouring community", "nStaff"],
      ["street staff of another street of the district", "otherStreet"],
      ["street staff of another district", "farStreet"],
    ],
    () => procurementBody(),
  ),
  ...badIds(
    "POST",
    (id) => `/v1/proposals/${id}/procurement`,
    "staff",
    () => procurementBody(),
  ),
  {
    name: "a city without resident project groups",
    method: "POST",
    path: procureI,
    token: tokenOf("staff"),
    body: () => procurementBody(),
    status: 422,
    code: "procurement_not_available",
    when: () => !projectGroups,
  },
  {
    name: "quotes without verified evidence",
    method: "POST",
    path: procureI,
    token: tokenOf("staff"),
    body: () => procurementBody(),
    status: 422,
    code: "evidence_not_verified",
    when: () => projectGroups,
  },
]);

// ---------------------------------------------------------------- GET /v1/proposals/{id}/spending

const spendingI = () => spendingPath(p.I);
const spendingCases = prefix("GET /v1/proposals/{id}/spending", [
  ...noToken("GET", spendingI),
  ...denied("GET", spendingI, [
    ["a resident who did not propose it", "resident"],
    ["another organisation", "otherOrg"],
    ["an evaluator", "evaluator"],
    ["staff of a neighbouring community", "nStaff"],
    ["street staff of another street of the district", "otherStreet"],
    ["street staff of another district", "farStreet"],
  ]),
  ...badIds("GET", spendingPath, "street"),
]);

// ---------------------------------------------------------------- GET /v1/public/proposals/{id}/spending

const publicSpendingCases = prefix("GET /v1/public/proposals/{id}/spending", [
  ...badIds("GET", publicSpendingPath, undefined),
  {
    name: "a proposal not yet approved",
    method: "GET",
    path: () => publicSpendingPath(p.P),
    status: 404,
    code: "not_found",
  },
]);

// ---------------------------------------------------------------- the matrix

/** Every case also leaves its project's implementation record and spending notice unchanged. */
const unchangedProject = (c: BadInputCase): BadInputCase => ({
  ...c,
  also: async () => {
    await c.also?.();
    const id = /\/proposals\/([^/]+)/.exec(c.path())?.[1];
    const before = id ? snapshots.get(id) : undefined;
    if (id && before) expect(await views(id), `${c.name}: project ${id} changed`).toEqual(before);
  },
});

const cases: BadInputCase[] = [
  ...startCases,
  ...getImplCases,
  ...progressCases,
  ...paymentCases,
  ...completeCases,
  ...openCases,
  ...ratingCases,
  ...closeCases,
  ...contributionCases,
  ...procurementCases,
  ...spendingCases,
  ...publicSpendingCases,
].map(unchangedProject);

describe("evaluation bad-input matrix", () => {
  it("covers every evaluation route", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    expect([...routes].sort()).toEqual(
      evaluationApiRoutes.map((r) => `${r.method} ${r.path}`).sort(),
    );
  });

  badInputTests(cases);

  it("replays every write with the same Idempotency-Key and body: the first reply, nothing written", async () => {
    expect(firsts.map((f) => f.name).sort()).toEqual(
      [
        "start implementation",
        "progress",
        "payment",
        "contribution",
        "complete",
        "open evaluation",
        "rating",
        "close",
      ].sort(),
    );
    const before = await quietTableCounts();
    for (const f of firsts) {
      const r = await call(f.method, f.path(), {
        token: f.token(),
        body: f.body?.(),
        headers: { "idempotency-key": f.key },
      });
      expect(r.status, `${f.name}: ${JSON.stringify(r.body)}`).toBe(f.reply!.status);
      expect(r.body, f.name).toEqual(f.reply!.body);
      expect(r.headers.get("idempotent-replayed"), f.name).toBe("true");
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("closing a closed panel again answers its stored result and writes nothing", async () => {
    const before = await quietTableCounts();
    const firstClose = firsts.find((f) => f.name === "close")!.reply!.body;
    const r = await call("POST", closePath(p.V), { token: t.street });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual(firstClose);
    expect(await tableCounts()).toEqual(before);
  });

  it("left every project as the setup made it", async () => {
    for (const [name, id] of Object.entries(p)) {
      expect(await views(id), name).toEqual(snapshots.get(id));
    }
  });
});
