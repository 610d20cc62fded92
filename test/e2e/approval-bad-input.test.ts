import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { publishEndorsed } from "../support/events.js";
import {
  call,
  countsBeforeCase,
  eventually,
  places,
  type Reply,
  tableCounts,
  tablesTouched,
  token,
} from "../support/http.js";
import { type BadInputCase, badInputTests, sendCase } from "../support/matrix.js";

// The bad-input matrix of every approval route (API.md "Approval and SLA timers",
// services/approval/README.md): each bad request gets the right status, problem code and
// problem+json, and writes nothing (item counts of every table via /dev/tables unchanged).
// Proposals reach approval the way deliberation's outbox would deliver them: a ProposalEndorsed
// envelope published on the city topic. Ids, titles, subjects and the programme year are
// unique per run, so the file relies on no other test file and survives reruns.

const run = Date.now().toString(36);
/** A programme year nobody else uses: the community-year ledgers start empty. */
const year = 2050 + (Date.now() % 45);
/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;
/** A well-formed ULID that no proposal has. */
const UNKNOWN = ulid();

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
/** another street of the home district, and one of its communities */
let otherStreet: { districtId: string; streetId: string; communityId: string };
let capFen = 0;
let worksFen = 0;

const t: Record<string, string> = {};
const tok = (name: string) => () => t[name];

// ---------------------------------------------------------------- fixtures

const PA_BUDGET = 1_000_000;
const PA_FIRST_PAYMENT = 400_000;
/** pE endorsed; pR reported; pF forwarded; pA approved and partly paid (home community) */
const p = { pE: "", pR: "", pF: "", pA: "" };
/** neighbour community: approved fills totalling cap - 1, then c2 (2 fen) and c1 (1 fen) */
let fills: { id: string; budgetFen: number }[] = [];
let c2 = "";
let c1 = "";
const approveKey = `abi-approve-${run}`;
const disburseKey = `abi-disburse-${run}`;
let approveReply: Reply | undefined;
let disburseReply: Reply | undefined;
let neighbourLedger: unknown;
let homeLedger: unknown;

const budgetOf = (communityId: string) =>
  call("GET", `/v1/budgets/${communityId}/${year}`, { token: t.analyst });

/** Publishes ProposalEndorsed as deliberation's outbox would; returns the new proposal id. */
const endorse = (place: Place, budgetFen: number, label: string, cityId: string) =>
  publishEndorsed({
    cityId,
    place,
    budgetFen,
    year,
    title: `审批矩阵 ${label} ${run}`,
    correlationId: `abi-${run}-${label}`,
  });

/**
 * Waits until approval projected the proposal, read-only: a street official of another
 * district gets 404 for a proposal approval does not know and 403 once it does.
 */
async function known(id: string): Promise<void> {
  const r = await eventually(
    () => call("POST", `/v1/proposals/${id}/report`, { token: t.farStreetStaff }),
    (x) => x.status !== 404,
    EVENTS_MS,
  );
  expect(r.status, `approval never learnt of ${id}: ${JSON.stringify(r.body)}`).toBe(403);
}

async function step(
  what: string,
  path: string,
  who: string,
  body: unknown,
  status: number,
  key?: string,
): Promise<Reply> {
  tablesTouched();
  const r = await call("POST", path, {
    token: t[who],
    body,
    ...(key && { headers: { "idempotency-key": key } }),
  });
  expect(r.status, `${what} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r;
}
const report = (id: string) =>
  step("report", `/v1/proposals/${id}/report`, "streetStaff", undefined, 200);
const forward = (id: string) =>
  step("forward", `/v1/proposals/${id}/district-review`, "civil", { decision: "forward" }, 200);
const approve = (id: string, key?: string) =>
  step("approve", `/v1/proposals/${id}/approval`, "group", { decision: "approve" }, 200, key);

/** Every SLA timer of a district, kind and state (all pages). */
async function slaItems(districtId: string, kind: string, state: string) {
  const items: { proposalId: string; state: string; kind: string }[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `districtId=${districtId}&kind=${kind}&state=${state}&limit=200${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
    }`;
    const r = await call("GET", `/v1/sla?${q}`, { token: t.analyst });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  let geo: Awaited<ReturnType<typeof places>>["geo"];
  ({ geo, home, neighbour, far } = await places());
  const d0 = geo.districts.find((d) => d.id === home.districtId)!;
  const s1 = d0.streets.find((s) => s.id !== home.streetId)!;
  otherStreet = { districtId: d0.id, streetId: s1.id, communityId: s1.communities[0]!.id };
  expect(neighbour.streetId).toBe(home.streetId);
  const rules = (await call("GET", "/v1/rules")).body;
  capFen = rules.caps.communityYearFen;
  worksFen = rules.caps.worksFen;
  expect(capFen).toBe(200_000_000);

  const district = { districtId: home.districtId };
  const farDistrict = { districtId: far.districtId };
  const street = { districtId: home.districtId, streetId: home.streetId };
  const tokens: [string, Parameters<typeof token>[0]][] = [
    ["streetStaff", { sub: `abi-street-${run}`, roles: ["street_staff"], ...street }],
    [
      "otherStreetStaff",
      {
        sub: `abi-ostreet-${run}`,
        roles: ["street_staff"],
        districtId: otherStreet.districtId,
        streetId: otherStreet.streetId,
      },
    ],
    [
      "farStreetStaff",
      {
        sub: `abi-fstreet-${run}`,
        roles: ["street_staff"],
        districtId: far.districtId,
        streetId: far.streetId,
      },
    ],
    ["civil", { sub: `abi-civil-${run}`, roles: ["district_civil"], ...district }],
    ["farCivil", { sub: `abi-fcivil-${run}`, roles: ["district_civil"], ...farDistrict }],
    ["group", { sub: `abi-group-${run}`, roles: ["district_group"], ...district }],
    ["farGroup", { sub: `abi-fgroup-${run}`, roles: ["district_group"], ...farDistrict }],
    ["finance", { sub: `abi-fin-${run}`, roles: ["district_finance"], ...district }],
    ["farFinance", { sub: `abi-ffin-${run}`, roles: ["district_finance"], ...farDistrict }],
    ["analyst", { sub: `abi-analyst-${run}`, roles: ["analyst"], cityWide: true }],
    ["admin", { sub: `abi-admin-${run}`, roles: ["admin"], cityWide: true }],
    ["communityStaff", { sub: `abi-cstaff-${run}`, roles: ["community_staff"], ...home }],
    [
      "resident",
      { sub: `abi-res-${run}`, roles: ["resident"], ...home, householdId: `abi-hh-${run}` },
    ],
  ];
  for (const [name, claims] of tokens) t[name] = await token(claims);

  // the year's ledgers start empty (a year no other file uses)
  const emptyLedger = { capFen, committedFen: 0, disbursedFen: 0, remainingFen: capFen };
  expect((await budgetOf(home.communityId)).body).toMatchObject(emptyLedger);
  expect((await budgetOf(neighbour.communityId)).body).toMatchObject(emptyLedger);

  // fills of the neighbour community: works projects (each within the works cap) to cap - 1
  const fillBudgets: number[] = [];
  for (let left = capFen - 1; left > 0; left -= Math.min(left, worksFen)) {
    fillBudgets.push(Math.min(left, worksFen));
  }

  const cityId = geo.cityId;
  tablesTouched();
  const [pE, pR, pF, pA, cc2, cc1, ...fillIds] = await Promise.all([
    endorse(home, 2_000_000, "E", cityId),
    endorse(home, 2_000_000, "R", cityId),
    endorse(home, 2_000_000, "F", cityId),
    endorse(home, PA_BUDGET, "A", cityId),
    endorse(neighbour, 2, "C2", cityId),
    endorse(neighbour, 1, "C1", cityId),
    ...fillBudgets.map((b, i) => endorse(neighbour, b, `fill${i}`, cityId)),
  ]);
  Object.assign(p, { pE, pR, pF, pA });
  c2 = cc2!;
  c1 = cc1!;
  fills = fillIds.map((id, i) => ({ id, budgetFen: fillBudgets[i]! }));
  const all = [pE!, pR!, pF!, pA!, c2, c1, ...fillIds];
  await Promise.all(all.map(known));

  // pR reported; pF forwarded; pA approved (with a key) and paid in part (with a key)
  const forwarded = [p.pF, p.pA, c2, c1, ...fills.map((f) => f.id)];
  for (const id of [p.pR, ...forwarded]) {
    const r = await report(id);
    expect(r.body).toMatchObject({ proposalId: id, status: "reported" });
    expect(typeof r.body.reviewDueAt).toBe("string");
  }
  for (const id of forwarded) {
    const r = await forward(id);
    expect(r.body).toMatchObject({ proposalId: id, status: "forwarded", sla: "met" });
  }
  const a = await approve(p.pA, approveKey);
  expect(a.body).toMatchObject({ status: "approved", committedFen: PA_BUDGET });
  approveReply = a;
  for (const f of fills) {
    const r = await approve(f.id);
    expect(r.body).toMatchObject({ status: "approved", committedFen: f.budgetFen });
  }
  const d = await step(
    "disburse",
    `/v1/proposals/${p.pA}/disbursements`,
    "finance",
    { amountFen: PA_FIRST_PAYMENT, reference: `abi-v1-${run}` },
    201,
    disburseKey,
  );
  expect(d.body).toMatchObject({
    amountFen: PA_FIRST_PAYMENT,
    totalDisbursedFen: PA_FIRST_PAYMENT,
    approvedFen: PA_BUDGET,
    fullyDisbursed: false,
    status: "approved",
  });
  disburseReply = d;

  // the fixture as the matrix expects it
  const nl = await budgetOf(neighbour.communityId);
  expect(nl.body).toMatchObject({ committedFen: capFen - 1, disbursedFen: 0, remainingFen: 1 });
  neighbourLedger = nl.body;
  const hl = await budgetOf(home.communityId);
  expect(hl.body).toMatchObject({
    committedFen: PA_BUDGET,
    disbursedFen: PA_FIRST_PAYMENT,
    remainingFen: capFen - PA_BUDGET,
  });
  homeLedger = hl.body;
  const openReviews = (await slaItems(home.districtId, "review", "open")).map((i) => i.proposalId);
  expect(openReviews).toContain(p.pR);
  expect(openReviews).not.toContain(p.pF);
  const openPayouts = (await slaItems(home.districtId, "disbursement", "open")).map(
    (i) => i.proposalId,
  );
  expect(openPayouts).toContain(p.pA);
}, 180_000);

// ---------------------------------------------------------------- case builders

const prefix = (route: string, cases: BadInputCase[]) =>
  cases.map((c) => ({ ...c, name: `${route}: ${c.name}` }));
const bad = (
  method: string,
  path: () => string,
  who: string,
  bodies: [string, () => unknown, string?][],
): BadInputCase[] =>
  bodies.map(([name, body, errorPath]) => ({
    name,
    method,
    path,
    token: tok(who),
    body,
    status: 400,
    code: "validation_failed",
    ...(errorPath && { errorPath }),
  }));
const denied = (
  method: string,
  path: () => string,
  who: string[],
  body?: () => unknown,
): BadInputCase[] =>
  who.map((w) => ({
    name: `${w} is refused`,
    method,
    path,
    token: tok(w),
    body,
    status: 403,
    code: "forbidden",
  }));
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
const ledgerUnchanged = (communityId: () => string, expected: () => unknown) => async () => {
  expect((await budgetOf(communityId())).body).toEqual(expected());
};

// ---------------------------------------------------------------- report

const reportOf = (id: () => string) => () => `/v1/proposals/${id()}/report`;
const reportCases = prefix("POST report", [
  ...noToken(
    "POST",
    reportOf(() => p.pE),
  ),
  ...denied(
    "POST",
    reportOf(() => p.pE),
    ["resident", "civil", "group", "analyst"],
  ),
  {
    name: "street staff of another street of the district",
    method: "POST",
    path: reportOf(() => p.pE),
    token: tok("otherStreetStaff"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "street staff of another district",
    method: "POST",
    path: reportOf(() => p.pE),
    token: tok("farStreetStaff"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "unknown proposal",
    method: "POST",
    path: reportOf(() => UNKNOWN),
    token: tok("streetStaff"),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed id",
    method: "POST",
    path: reportOf(() => "not-a-ulid"),
    token: tok("streetStaff"),
    status: 400,
    code: "validation_failed",
    errorPath: "params.id",
  },
  {
    name: "lower-case ULID",
    method: "POST",
    path: reportOf(() => p.pE.toLowerCase()),
    token: tok("streetStaff"),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "already reported",
    method: "POST",
    path: reportOf(() => p.pR),
    token: tok("streetStaff"),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "already forwarded",
    method: "POST",
    path: reportOf(() => p.pF),
    token: tok("streetStaff"),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "already approved",
    method: "POST",
    path: reportOf(() => p.pA),
    token: tok("streetStaff"),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "Idempotency-Key over 128 characters",
    method: "POST",
    path: reportOf(() => p.pE),
    token: tok("streetStaff"),
    headers: () => ({ "idempotency-key": "k".repeat(129) }),
    status: 400,
    code: "validation_failed",
  },
]);

// ---------------------------------------------------------------- district review

const reviewOf = (id: () => string) => () => `/v1/proposals/${id()}/district-review`;
const fwd = () => ({ decision: "forward" });
const reviewCases = prefix("POST district-review", [
  ...noToken(
    "POST",
    reviewOf(() => p.pR),
    fwd,
  ),
  ...bad(
    "POST",
    reviewOf(() => p.pR),
    "civil",
    [
      ["decision not in the enum", () => ({ decision: "approve" }), "body.decision"],
      ["decision missing", () => ({}), "body.decision"],
      ["decision of the wrong type", () => ({ decision: true }), "body.decision"],
      ["extra field", () => ({ decision: "forward", budgetFen: 1 })],
      ["blank reason", () => ({ decision: "return", reason: "   " }), "body.reason"],
      ["reason over 2000 characters", () => ({ decision: "return", reason: "长".repeat(2001) })],
      ["JSON array", () => ["forward"]],
    ],
  ),
  {
    name: "malformed JSON",
    method: "POST",
    path: reviewOf(() => p.pR),
    token: tok("civil"),
    raw: '{"decision": ',
    status: 400,
    code: "validation_failed",
  },
  {
    name: "empty body",
    method: "POST",
    path: reviewOf(() => p.pR),
    token: tok("civil"),
    raw: "",
    status: 400,
    code: "validation_failed",
  },
  {
    name: "malformed id",
    method: "POST",
    path: reviewOf(() => "01234"),
    token: tok("civil"),
    body: fwd,
    status: 400,
    code: "validation_failed",
  },
  ...denied(
    "POST",
    reviewOf(() => p.pR),
    ["streetStaff", "group", "finance", "admin"],
    fwd,
  ),
  {
    name: "district_civil of another district",
    method: "POST",
    path: reviewOf(() => p.pR),
    token: tok("farCivil"),
    body: fwd,
    status: 403,
    code: "forbidden",
  },
  {
    name: "unknown proposal",
    method: "POST",
    path: reviewOf(() => UNKNOWN),
    token: tok("civil"),
    body: fwd,
    status: 404,
    code: "not_found",
  },
  {
    name: "before the report",
    method: "POST",
    path: reviewOf(() => p.pE),
    token: tok("civil"),
    body: fwd,
    status: 409,
    code: "invalid_state",
  },
  {
    name: "again after forwarding",
    method: "POST",
    path: reviewOf(() => p.pF),
    token: tok("civil"),
    body: () => ({ decision: "reject", reason: "改主意了" }),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "after approval",
    method: "POST",
    path: reviewOf(() => p.pA),
    token: tok("civil"),
    body: () => ({ decision: "return" }),
    status: 409,
    code: "invalid_state",
  },
]);

// ---------------------------------------------------------------- approval

const approvalOf = (id: () => string) => () => `/v1/proposals/${id()}/approval`;
const yes = () => ({ decision: "approve" });
const approvalCases = prefix("POST approval", [
  ...noToken(
    "POST",
    approvalOf(() => p.pF),
    yes,
  ),
  ...bad(
    "POST",
    approvalOf(() => p.pF),
    "group",
    [
      ["decision not in the enum", () => ({ decision: "forward" }), "body.decision"],
      ["decision missing", () => ({ reason: "同意" }), "body.decision"],
      ["extra field", () => ({ decision: "approve", budgetFen: 1 })],
      ["blank reason", () => ({ decision: "reject", reason: "" }), "body.reason"],
      ["reason over 2000 characters", () => ({ decision: "reject", reason: "长".repeat(2001) })],
    ],
  ),
  ...denied(
    "POST",
    approvalOf(() => p.pF),
    ["civil", "finance", "streetStaff", "analyst"],
    yes,
  ),
  {
    name: "district_group of another district",
    method: "POST",
    path: approvalOf(() => p.pF),
    token: tok("farGroup"),
    body: yes,
    status: 403,
    code: "forbidden",
  },
  {
    name: "unknown proposal",
    method: "POST",
    path: approvalOf(() => UNKNOWN),
    token: tok("group"),
    body: yes,
    status: 404,
    code: "not_found",
  },
  {
    name: "approve before forward (reported)",
    method: "POST",
    path: approvalOf(() => p.pR),
    token: tok("group"),
    body: yes,
    status: 409,
    code: "invalid_state",
  },
  {
    name: "approve before report (endorsed)",
    method: "POST",
    path: approvalOf(() => p.pE),
    token: tok("group"),
    body: yes,
    status: 409,
    code: "invalid_state",
  },
  {
    name: "reject an approved proposal",
    method: "POST",
    path: approvalOf(() => p.pA),
    token: tok("group"),
    body: () => ({ decision: "reject", reason: "重新考虑" }),
    status: 409,
    code: "invalid_state",
    also: ledgerUnchanged(
      () => home.communityId,
      () => homeLedger,
    ),
  },
  {
    name: "one fen over the community cap",
    method: "POST",
    path: approvalOf(() => c2),
    token: tok("group"),
    body: yes,
    status: 422,
    code: "community_cap_exceeded",
    also: ledgerUnchanged(
      () => neighbour.communityId,
      () => neighbourLedger,
    ),
  },
  {
    name: "same Idempotency-Key with another body",
    method: "POST",
    path: approvalOf(() => p.pA),
    token: tok("group"),
    body: () => ({ decision: "reject" }),
    headers: () => ({ "idempotency-key": approveKey }),
    status: 422,
    code: "idempotency_key_reused",
  },
  {
    name: "same Idempotency-Key on another proposal",
    method: "POST",
    path: approvalOf(() => p.pF),
    token: tok("group"),
    body: yes,
    headers: () => ({ "idempotency-key": approveKey }),
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- disbursements

const payOf = (id: () => string) => () => `/v1/proposals/${id()}/disbursements`;
const pay = (amountFen: unknown) => () => ({ amountFen, reference: `abi-v-${run}` });
const remainder = PA_BUDGET - PA_FIRST_PAYMENT;
const disbursementCases = prefix("POST disbursements", [
  ...noToken(
    "POST",
    payOf(() => p.pA),
    pay(1),
  ),
  ...bad(
    "POST",
    payOf(() => p.pA),
    "finance",
    [
      ["amountFen 0", pay(0), "body.amountFen"],
      ["negative amountFen", pay(-100), "body.amountFen"],
      ["non-integer amountFen", pay(100.5), "body.amountFen"],
      ["amountFen as a string", pay("100"), "body.amountFen"],
      ["amountFen missing", () => ({ reference: `abi-v-${run}` }), "body.amountFen"],
      ["reference missing", () => ({ amountFen: 100 }), "body.reference"],
      ["blank reference", () => ({ amountFen: 100, reference: "  " }), "body.reference"],
      ["extra field", () => ({ ...pay(100)(), status: "funded" })],
      ["amountFen above 10^11 fen", pay(100_000_000_001), "body.amountFen"],
      ["reference over 200 characters", () => ({ amountFen: 100, reference: "v".repeat(201) })],
    ],
  ),
  ...denied(
    "POST",
    payOf(() => p.pA),
    ["group", "civil", "streetStaff", "admin"],
    pay(1),
  ),
  {
    name: "district_finance of another district",
    method: "POST",
    path: payOf(() => p.pA),
    token: tok("farFinance"),
    body: pay(1),
    status: 403,
    code: "forbidden",
  },
  {
    name: "unknown proposal",
    method: "POST",
    path: payOf(() => UNKNOWN),
    token: tok("finance"),
    body: pay(1),
    status: 404,
    code: "not_found",
  },
  {
    name: "one fen more than what remains of the approved amount",
    method: "POST",
    path: payOf(() => p.pA),
    token: tok("finance"),
    body: pay(remainder + 1),
    status: 422,
    code: "disbursement_exceeds_approved",
    also: ledgerUnchanged(
      () => home.communityId,
      () => homeLedger,
    ),
  },
  {
    name: "more than the whole approved amount",
    method: "POST",
    path: payOf(() => p.pA),
    token: tok("finance"),
    body: pay(PA_BUDGET + 1),
    status: 422,
    code: "disbursement_exceeds_approved",
  },
  {
    name: "before approval (forwarded)",
    method: "POST",
    path: payOf(() => p.pF),
    token: tok("finance"),
    body: pay(1),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "before approval (endorsed)",
    method: "POST",
    path: payOf(() => p.pE),
    token: tok("finance"),
    body: pay(1),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "same Idempotency-Key with another amount",
    method: "POST",
    path: payOf(() => p.pA),
    token: tok("finance"),
    body: () => ({ amountFen: 1, reference: `abi-v1-${run}` }),
    headers: () => ({ "idempotency-key": disburseKey }),
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- SLA list

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const sla = (q: () => string) => () => `/v1/sla?${q()}`;
/** 400 validation_failed for a query of the SLA list (district_civil of the home district). */
const badQuery = (
  name: string,
  q: () => string,
  errorPath?: string,
  who = "civil",
): BadInputCase => ({
  name,
  method: "GET",
  path: sla(q),
  token: tok(who),
  status: 400,
  code: "validation_failed",
  ...(errorPath && { errorPath }),
});
const review = () => `districtId=${home.districtId}&kind=review&state=open`;
const slaCases = prefix("GET /v1/sla", [
  ...noToken(
    "GET",
    sla(() => `districtId=${home.districtId}`),
  ),
  badQuery("kind not in the enum", () => `districtId=${home.districtId}&kind=weekly`, "query.kind"),
  badQuery(
    "state not in the enum",
    () => `districtId=${home.districtId}&state=closed`,
    "query.state",
  ),
  badQuery("limit over 200", () => `districtId=${home.districtId}&limit=201`, "query.limit"),
  badQuery("limit 0", () => `districtId=${home.districtId}&limit=0`, "query.limit"),
  badQuery("malformed districtId", () => "districtId=Not%20An%20Id", "query.districtId", "analyst"),
  badQuery("a city-wide role without districtId", () => "kind=review", undefined, "analyst"),
  badQuery("cursor not base64 JSON", () => `${review()}&cursor=%25%25`),
  badQuery("cursor partition out of range", () => `${review()}&cursor=${b64({ p: 99 })}`),
  badQuery(
    "cursor key incomplete",
    () => `${review()}&cursor=${b64({ p: 0, k: { pk: "PROPOSAL#X" } })}`,
    undefined,
    "civil",
  ),
  badQuery(
    "cursor key without the table key",
    () => `${review()}&cursor=${b64({ p: 0, k: { gsi2pk: "SLA#x#review#open", gsi2sk: "a" } })}`,
    undefined,
    "civil",
  ),
  badQuery(
    "cursor key of another district's partition",
    () =>
      `${review()}&cursor=${b64({
        p: 0,
        k: {
          pk: "PROPOSAL#X",
          sk: "TIMER#review#1",
          gsi2pk: `SLA#${far.districtId}#review#open`,
          gsi2sk: "a",
        },
      })}`,
    undefined,
    "civil",
  ),
  ...denied(
    "GET",
    sla(() => `districtId=${home.districtId}`),
    ["resident", "communityStaff"],
  ),
  {
    name: "district_civil reads another district",
    method: "GET",
    path: sla(() => `districtId=${far.districtId}`),
    token: tok("civil"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "street staff reads another district",
    method: "GET",
    path: sla(() => `districtId=${far.districtId}&kind=review`),
    token: tok("streetStaff"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "unknown district (analyst)",
    method: "GET",
    path: sla(() => "districtId=atlantis"),
    token: tok("analyst"),
    status: 404,
    code: "not_found",
  },
  {
    name: "unknown district (district_finance)",
    method: "GET",
    path: sla(() => "districtId=atlantis&state=open"),
    token: tok("finance"),
    status: 404,
    code: "not_found",
  },
]);

// ---------------------------------------------------------------- budgets

const budgetPath = (community: () => string, y: () => string | number) => () =>
  `/v1/budgets/${community()}/${y()}`;
const budgetCases = prefix("GET /v1/budgets", [
  ...noToken(
    "GET",
    budgetPath(
      () => home.communityId,
      () => year,
    ),
  ),
  {
    name: "unknown community (analyst)",
    method: "GET",
    path: budgetPath(
      () => "atlantis",
      () => year,
    ),
    token: tok("analyst"),
    status: 404,
    code: "not_found",
  },
  {
    name: "unknown community (district_civil)",
    method: "GET",
    path: budgetPath(
      () => "atlantis",
      () => year,
    ),
    token: tok("civil"),
    status: 404,
    code: "not_found",
  },
  ...denied(
    "GET",
    budgetPath(
      () => home.communityId,
      () => year,
    ),
    ["resident"],
  ),
  {
    name: "district_civil reads another district's community",
    method: "GET",
    path: budgetPath(
      () => far.communityId,
      () => year,
    ),
    token: tok("civil"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "street staff reads another street's community",
    method: "GET",
    path: budgetPath(
      () => otherStreet.communityId,
      () => year,
    ),
    token: tok("streetStaff"),
    status: 403,
    code: "forbidden",
  },
  {
    name: "community staff reads the neighbour community",
    method: "GET",
    path: budgetPath(
      () => neighbour.communityId,
      () => year,
    ),
    token: tok("communityStaff"),
    status: 403,
    code: "forbidden",
  },
  ...(
    [
      ["year 2014 (before the range)", 2014],
      ["year 2101 (after the range)", 2101],
      ["year not a number", "next"],
      ["fractional year", "2050.5"],
    ] as const
  ).map(
    ([name, y]): BadInputCase => ({
      name,
      method: "GET",
      path: budgetPath(
        () => home.communityId,
        () => y,
      ),
      token: tok("analyst"),
      status: 400,
      code: "validation_failed",
      errorPath: "params.year",
    }),
  ),
  {
    name: "malformed community id",
    method: "GET",
    path: budgetPath(
      () => "Bai%20Hua",
      () => year,
    ),
    token: tok("analyst"),
    status: 400,
    code: "validation_failed",
    errorPath: "params.communityId",
  },
]);

// ---------------------------------------------------------------- calendar

const cal = (y: () => string | number) => () => `/v1/calendar/${y()}`;
const days = (holidays: unknown, workdays: unknown) => () => ({ holidays, workdays });
const calendarCases = prefix("calendar", [
  ...(
    [
      ["GET year 1999", 1999],
      ["GET year 2101", 2101],
      ["GET year not a number", "this-year"],
    ] as const
  ).map(
    ([name, y]): BadInputCase => ({
      name,
      method: "GET",
      path: cal(() => y),
      status: 400,
      code: "validation_failed",
      errorPath: "params.year",
    }),
  ),
  ...noToken(
    "PUT",
    cal(() => year),
    days([`${year}-05-06`], []),
  ).map((c) => ({ ...c, name: `PUT ${c.name}` })),
  ...denied(
    "PUT",
    cal(() => year),
    ["analyst", "civil", "streetStaff", "resident"],
    days([`${year}-05-06`], []),
  ).map((c) => ({ ...c, name: `PUT ${c.name}` })),
  {
    name: "PUT year 1999",
    method: "PUT",
    path: cal(() => 1999),
    token: tok("admin"),
    body: days(["1999-05-06"], []),
    status: 400,
    code: "validation_failed",
    errorPath: "params.year",
  },
  ...bad(
    "PUT",
    cal(() => year),
    "admin",
    [
      ["PUT a holiday outside the year", days([`${year - 1}-10-01`], []), "body.holidays.0"],
      [
        "PUT a workday outside the year",
        days([`${year}-05-06`], [`${year + 1}-01-03`]),
        "body.workdays.0",
      ],
      ["PUT a month 13", days([`${year}-13-01`], [])],
      ["PUT February 30", days([`${year}-02-30`], [])],
      ["PUT a day without dashes", days([`${year}0506`], [])],
      ["PUT a day with a time", days([`${year}-05-06T00:00:00Z`], [])],
      ["PUT a day that is no string", days([20500506], [])],
      ["PUT the same day as holiday and workday", days([`${year}-05-06`], [`${year}-05-06`])],
      ["PUT a repeated holiday", days([`${year}-05-06`, `${year}-05-06`], [])],
      ["PUT workdays missing", () => ({ holidays: [`${year}-05-06`] })],
      ["PUT an extra field", () => ({ holidays: [], workdays: [], provisional: false })],
      ["PUT holidays not a list", days(`${year}-05-06`, [])],
    ],
  ),
]);

const cases: BadInputCase[] = [
  ...reportCases,
  ...reviewCases,
  ...approvalCases,
  ...disbursementCases,
  ...slaCases,
  ...budgetCases,
  ...calendarCases,
];

/** Sends the case's request and checks status, code, problem+json; the caller checks counts. */
describe("approval bad-input matrix", () => {
  badInputTests(cases);

  it("replays the approval for the same Idempotency-Key and body: first reply, nothing written", async () => {
    const before = await countsBeforeCase();
    const r = await call("POST", approvalOf(() => p.pA)(), {
      token: t.group,
      body: yes(),
      headers: { "idempotency-key": approveKey },
    });
    expect(r.status).toBe(approveReply!.status);
    expect(r.body).toEqual(approveReply!.body);
    expect(r.headers.get("idempotent-replayed")).toBe("true");
    expect(await tableCounts()).toEqual(before);
    expect((await budgetOf(home.communityId)).body).toEqual(homeLedger);
  });

  it("replays the disbursement for the same Idempotency-Key and body: no second payment", async () => {
    const before = await countsBeforeCase();
    const r = await call("POST", payOf(() => p.pA)(), {
      token: t.finance,
      body: { amountFen: PA_FIRST_PAYMENT, reference: `abi-v1-${run}` },
      headers: { "idempotency-key": disburseKey },
    });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(disburseReply!.body);
    expect(r.headers.get("idempotent-replayed")).toBe("true");
    expect(await tableCounts()).toEqual(before);
    expect((await budgetOf(home.communityId)).body).toEqual(homeLedger);
  });

  it("approves exactly up to the cap (1 fen left, 1 fen asked); then nothing more fits", async () => {
    const ok = await approve(c1);
    expect(ok.body).toMatchObject({ status: "approved", committedFen: 1 });
    expect((await budgetOf(neighbour.communityId)).body).toMatchObject({
      committedFen: capFen,
      remainingFen: 0,
    });
    const cases2: BadInputCase[] = [
      {
        name: "2 fen at a full cap",
        method: "POST",
        path: approvalOf(() => c2),
        token: tok("group"),
        body: yes,
        status: 422,
        code: "community_cap_exceeded",
      },
      {
        name: "approve c1 again",
        method: "POST",
        path: approvalOf(() => c1),
        token: tok("group"),
        body: yes,
        status: 409,
        code: "invalid_state",
      },
    ];
    for (const c of cases2) {
      const before = await countsBeforeCase();
      const what = await sendCase(c);
      expect(await tableCounts(), what).toEqual(before);
    }
  });

  it("pays exactly the remainder (201, funded); any further payment is 409 invalid_state", async () => {
    const r = await step(
      "disburse the remainder",
      payOf(() => p.pA)(),
      "finance",
      pay(remainder)(),
      201,
    );
    expect(r.body).toMatchObject({
      proposalId: p.pA,
      amountFen: remainder,
      totalDisbursedFen: PA_BUDGET,
      approvedFen: PA_BUDGET,
      fullyDisbursed: true,
      status: "funded",
    });
    expect((await budgetOf(home.communityId)).body).toMatchObject({
      committedFen: PA_BUDGET,
      disbursedFen: PA_BUDGET,
    });
    const payouts = await slaItems(home.districtId, "disbursement", "met");
    expect(payouts.map((i) => i.proposalId)).toContain(p.pA);
    // funded is final for finance: the state check (409) comes before the amount rule (422)
    for (const amountFen of [1, remainder]) {
      const before = await countsBeforeCase();
      const what = await sendCase({
        name: `pay ${amountFen} more`,
        method: "POST",
        path: payOf(() => p.pA),
        token: tok("finance"),
        body: pay(amountFen),
        status: 409,
        code: "invalid_state",
      });
      expect(await tableCounts(), what).toEqual(before);
    }
  });
});
