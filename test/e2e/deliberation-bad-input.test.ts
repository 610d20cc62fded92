import { beforeAll, describe, expect, it } from "vitest";
import {
  allowedCategory,
  call,
  eventually,
  places,
  quietTableCounts,
  tableCounts,
  token,
} from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// The bad-input matrix of every deliberation route (API.md "Deliberation",
// services/deliberation/README.md): each bad request gets the right status, problem code and
// problem+json, and writes nothing. Expectations that depend on the city (presence required,
// household consent required, which projects go to expert review) come from GET /v1/rules.
// Data is unique per run, so reruns against one local cloud work.

const run = Date.now().toString(36);
/** A programme year nobody else uses (rankings are per community-year). */
const year = 2050 + ((Date.now() + 29) % 45);
/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;
const ULID_UNKNOWN = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
/** 21 distinct well-formed ULIDs (one more than an agenda may hold). */
const ULIDS_21 = Array.from(
  { length: 21 },
  (_, i) => `01JZZZZZZZZZZZZZZZZZZZZZ${String.fromCharCode(65 + Math.floor(i / 10))}${i % 10}`,
);

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
let category = "";
let requirePresence = false;
let consentRequired = false;
let consultationOffered = false;
let expertMode: "all" | "works" | "none" = "all";
const expertsReview = () => expertMode !== "none";

// tokens
const t: Record<string, string> = {};
const members = [1, 2, 3].map((i) => `dbm-${run}-${i}`);

// fixtures
/** P1: on the open meeting M1; m1 voted, household 1 answered, expert 1 reviewed */
let p1 = "";
/** P2: reviewed by expert 1 and decided (pass) by the street; on no agenda */
let p2 = "";
/** P3: on the closed meeting M2 (no quorum: the council failed it) */
let p3 = "";
/** P4: screened and nothing else (no agenda, no reviews) */
let p4 = "";
/** P5: one review finding it not feasible (a works project cannot pass) */
let p5 = "";
let m1 = "";
let m2 = "";
const key = (what: string) => `dbi-${run}-${what}`;

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

/** A time `days` from now (meetings are scheduled at most a year ahead). */
const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString();

/** Fixed once: replays must send the very same body. */
const nextMonth = inDays(30);

const meetingBody = (over: Record<string, unknown> = {}) => ({
  communityId: home.communityId,
  scheduledAt: nextMonth,
  memberIds: members,
  proposalIds: [p4],
  proposalDetails: [{ proposalId: p4, affectedHouseholds: 40, urgency: 50 }],
  ...over,
});

async function screenedProposal(title: string): Promise<string> {
  const need = await call("POST", "/v1/needs", {
    token: t.proposer,
    body: { communityId: home.communityId, title: `${title} 需求 ${run}`, description: "居民反映" },
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  const proposal = await call("POST", "/v1/proposals", {
    token: t.proposer,
    body: {
      communityId: home.communityId,
      kind: "works",
      category,
      title: `${title} ${run}`,
      summary: "楼道改造",
      beneficiaries: 120,
      budgetFen: 3_000_000,
      needIds: [need.body.id],
      year,
    },
  });
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  const id = proposal.body.id as string;
  const screened = await call("POST", `/v1/proposals/${id}/screening`, {
    token: t.staff,
    body: { decision: "accept", needFit: 80 },
  });
  expect(screened.status, JSON.stringify(screened.body)).toBe(200);
  // deliberation learnt of it, and intake linked it to its need: nothing left in flight
  const known = await eventually(
    () => call("GET", `/v1/proposals/${id}/deliberation`, { token: t.staff }),
    (r) => r.status === 200,
    EVENTS_MS,
  );
  expect(known.status, JSON.stringify(known.body)).toBe(200);
  const linked = await eventually(
    () => call("GET", `/v1/needs/${need.body.id}`, { token: t.staff }),
    (r) => r.body?.proposalIds?.includes(id),
    EVENTS_MS,
  );
  expect(linked.body.proposalIds).toContain(id);
  return id;
}

/** A write of the fixture, with an Idempotency-Key that the matrix reuses and replays. */
async function first(f: First, status: number) {
  const r = await call(f.method, f.path(), {
    token: f.token(),
    body: f.body?.(),
    headers: { "idempotency-key": f.key },
  });
  expect(r.status, `${f.name}: ${JSON.stringify(r.body)}`).toBe(status);
  f.reply = { status: r.status, body: r.body };
  firsts.push(f);
  return r;
}

beforeAll(async () => {
  ({ home, neighbour, far } = await places());
  category = await allowedCategory();
  const rules = (await call("GET", "/v1/rules")).body;
  requirePresence = rules.thresholds.council.requirePresence;
  consentRequired = rules.thresholds.householdConsent.required;
  consultationOffered = rules.thresholds.council.consultation;
  expertMode = rules.process?.expertReview ?? "all";

  const street = { districtId: home.districtId, streetId: home.streetId };
  const farStreet = { districtId: far.districtId, streetId: far.streetId };
  const tokens: [string, Parameters<typeof token>[0]][] = [
    [
      "proposer",
      { sub: `dbi-prop-${run}`, roles: ["resident"], ...home, householdId: `hhp-${run}` },
    ],
    ["staff", { sub: `dbi-staff-${run}`, roles: ["community_staff"], ...home }],
    ["nStaff", { sub: `dbi-nstaff-${run}`, roles: ["community_staff"], ...neighbour }],
    ["m1", { sub: members[0]!, roles: ["council_member"], ...home }],
    ["m2", { sub: members[1]!, roles: ["council_member"], ...home }],
    ["unlisted", { sub: `dbi-unlisted-${run}`, roles: ["council_member"], ...home }],
    ["nMember", { sub: `dbi-nmember-${run}`, roles: ["council_member"], ...neighbour }],
    ["listedElsewhere", { sub: members[0]!, roles: ["council_member"], ...neighbour }],
    ["h1", { sub: `dbi-h1-${run}`, roles: ["resident"], ...home, householdId: `hh1-${run}` }],
    ["h2", { sub: `dbi-h2-${run}`, roles: ["resident"], ...home, householdId: `hh2-${run}` }],
    ["noHousehold", { sub: `dbi-nohh-${run}`, roles: ["resident"], ...home }],
    [
      "nResident",
      { sub: `dbi-nres-${run}`, roles: ["resident"], ...neighbour, householdId: `hhn-${run}` },
    ],
    ["org", { sub: `dbi-org-${run}`, roles: ["org"], ...home, orgId: `org-${run}` }],
    ["expert", { sub: `dbi-exp-${run}`, roles: ["expert"], ...street }],
    ["farExpert", { sub: `dbi-fexp-${run}`, roles: ["expert"], ...farStreet }],
    ["streetStaff", { sub: `dbi-street-${run}`, roles: ["street_staff"], ...street }],
    ["farStreetStaff", { sub: `dbi-fstreet-${run}`, roles: ["street_staff"], ...farStreet }],
    ["evaluator", { sub: `dbi-eval-${run}`, roles: ["evaluator"], ...home }],
  ];
  for (const [name, claims] of tokens) t[name] = await token(claims);

  const ids = await Promise.all(
    ["一号楼扶手", "二号楼雨棚", "三号楼路灯", "四号楼坡道", "五号楼单车棚"].map((title) =>
      screenedProposal(title),
    ),
  );
  [p1, p2, p3, p4, p5] = ids as [string, string, string, string, string];

  // M1 (open): P1 on the agenda, m1 signed in and voted, household 1 answered (and changed)
  const created = await first(
    {
      name: "create meeting",
      method: "POST",
      path: () => "/v1/meetings",
      token: () => t.staff!,
      body: () =>
        meetingBody({
          proposalIds: [p1],
          proposalDetails: [{ proposalId: p1, affectedHouseholds: 40 }],
        }),
      key: key("create"),
    },
    201,
  );
  m1 = created.body.id;
  await first(
    {
      name: "attendance",
      method: "POST",
      path: () => `/v1/meetings/${m1}/attendance`,
      token: () => t.staff!,
      body: () => ({ present: [members[0]] }),
      key: key("attendance"),
    },
    200,
  );
  await first(
    {
      name: "ballot",
      method: "POST",
      path: () => `/v1/meetings/${m1}/ballots`,
      token: () => t.m1!,
      body: () => ({ proposalId: p1, choice: "yes" }),
      key: key("ballot"),
    },
    201,
  );
  await first(
    {
      name: "consent",
      method: "POST",
      path: () => `/v1/proposals/${p1}/consents`,
      token: () => t.h1!,
      body: () => ({ agree: true }),
      key: key("consent"),
    },
    201,
  );
  await first(
    {
      name: "changed consent",
      method: "PUT",
      path: () => `/v1/proposals/${p1}/consents`,
      token: () => t.h1!,
      body: () => ({ agree: false }),
      key: key("consent-change"),
    },
    200,
  );

  // M2: P3 on the agenda, closed without a vote (no quorum: the council failed it)
  const m2Created = await call("POST", "/v1/meetings", {
    token: t.staff,
    body: meetingBody({
      proposalIds: [p3],
      proposalDetails: [{ proposalId: p3, affectedHouseholds: 40 }],
    }),
  });
  expect(m2Created.status, JSON.stringify(m2Created.body)).toBe(201);
  m2 = m2Created.body.id;
  const closed = await first(
    {
      name: "close",
      method: "POST",
      path: () => `/v1/meetings/${m2}/close`,
      token: () => t.staff!,
      key: key("close"),
    },
    200,
  );
  expect(closed.body.results[0]).toMatchObject({ proposalId: p3, passed: false });

  if (expertsReview()) {
    await first(
      {
        name: "expert review",
        method: "POST",
        path: () => `/v1/proposals/${p1}/expert-reviews`,
        token: () => t.expert!,
        body: () => ({ feasible: true, lawful: true, score: 80, comment: "可行" }),
        key: key("review"),
      },
      201,
    );
    const onP2 = await call("POST", `/v1/proposals/${p2}/expert-reviews`, {
      token: t.expert,
      body: { feasible: true, lawful: true, score: 90 },
    });
    expect(onP2.status, JSON.stringify(onP2.body)).toBe(201);
    await first(
      {
        name: "expert decision",
        method: "POST",
        path: () => `/v1/proposals/${p2}/expert-decision`,
        token: () => t.streetStaff!,
        body: () => ({ decision: "pass", reason: "两位专家均认可" }),
        key: key("decision"),
      },
      200,
    );
    const onP5 = await call("POST", `/v1/proposals/${p5}/expert-reviews`, {
      token: t.expert,
      body: { feasible: false, lawful: true, score: 30, comment: "结构不可行" },
    });
    expect(onP5.status, JSON.stringify(onP5.body)).toBe(201);
  }

  // let intake's registry take in the close (and the expert decision) before counting tables
  const rejected = await eventually(
    () => call("GET", `/v1/proposals/${p3}`, { token: t.staff }),
    (r) => r.body?.status === "rejected",
    EVENTS_MS,
  );
  expect(rejected.body.status).toBe("rejected");
  if (expertsReview()) {
    const timeline = await eventually(
      () => call("GET", `/v1/proposals/${p2}/timeline`, { token: t.staff }),
      (r) => r.body?.items?.some((i: { type: string }) => i.type === "ExpertReviewConcluded"),
      EVENTS_MS,
    );
    expect(timeline.body.items.map((i: { type: string }) => i.type)).toContain(
      "ExpertReviewConcluded",
    );
  }
}, 180_000);

// ---------------------------------------------------------------- case builders

const tokenOf = (name: string) => () => t[name];
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
  ].map((c) => ({ ...c, code: "validation_failed" }));
/** 400 validation_failed for each body. */
const invalid = (
  method: string,
  path: () => string,
  who: string,
  bodies: [string, () => unknown][],
): BadInputCase[] =>
  bodies.map(([name, body]) => ({
    name,
    method,
    path,
    token: tokenOf(who),
    body,
    status: 400,
    code: "validation_failed",
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
const prefix = (route: string, cases: BadInputCase[]) =>
  cases.map((c) => ({ ...c, name: `${route}: ${c.name}` }));

const longKey = () => ({ "idempotency-key": "k".repeat(129) });
const many = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}-${run}-${i}`);

// ---------------------------------------------------------------- POST /v1/meetings

const meetings = () => "/v1/meetings";
const createCases = prefix("POST /v1/meetings", [
  ...notAnObject("POST", meetings, "staff"),
  ...invalid("POST", meetings, "staff", [
    [
      "missing memberIds",
      () => {
        const { memberIds: _, ...rest } = meetingBody();
        return rest;
      },
    ],
    [
      "missing scheduledAt",
      () => {
        const { scheduledAt: _, ...rest } = meetingBody();
        return rest;
      },
    ],
    ["memberIds not an array", () => meetingBody({ memberIds: members[0] })],
    ["memberIds of numbers", () => meetingBody({ memberIds: [1, 2, 3] })],
    ["no members", () => meetingBody({ memberIds: [] })],
    ["201 members", () => meetingBody({ memberIds: many(201, "mem") })],
    ["a member twice", () => meetingBody({ memberIds: [members[0], members[0]] })],
    ["a member id with #", () => meetingBody({ memberIds: ["a#b"] })],
    ["a 129-char member id", () => meetingBody({ memberIds: ["m".repeat(129)] })],
    ["scheduledAt not a time", () => meetingBody({ scheduledAt: "tomorrow evening" })],
    ["scheduledAt a number", () => meetingBody({ scheduledAt: 1_900_000_000_000 })],
    ["scheduledAt in year 9999", () => meetingBody({ scheduledAt: "9999-01-01T19:00:00+08:00" })],
    [
      "scheduledAt before the programme",
      () => meetingBody({ scheduledAt: "1999-01-01T19:00:00Z" }),
    ],
    ["scheduledAt years ahead", () => meetingBody({ scheduledAt: inDays(3 * 365) })],
    ["no proposals", () => meetingBody({ proposalIds: [], proposalDetails: [] })],
    ["21 proposals", () => meetingBody({ proposalIds: ULIDS_21, proposalDetails: [] })],
    ["a proposal twice", () => meetingBody({ proposalIds: [p4, p4] })],
    ["malformed proposal id", () => meetingBody({ proposalIds: ["not-a-ulid"] })],
    ["communityId not an id", () => meetingBody({ communityId: "Not An Id!" })],
    ["communityId a number", () => meetingBody({ communityId: 42 })],
    ["unknown field", () => meetingBody({ status: "closed" })],
    [
      "unknown field in proposalDetails",
      () => meetingBody({ proposalDetails: [{ proposalId: p4, weight: 9 }] }),
    ],
    [
      "urgency 101",
      () =>
        meetingBody({
          proposalDetails: [{ proposalId: p4, affectedHouseholds: 40, urgency: 101 }],
        }),
    ],
    [
      "replicability -1",
      () =>
        meetingBody({
          proposalDetails: [{ proposalId: p4, affectedHouseholds: 40, replicability: -1 }],
        }),
    ],
    [
      "urgency 50.5",
      () =>
        meetingBody({
          proposalDetails: [{ proposalId: p4, affectedHouseholds: 40, urgency: 50.5 }],
        }),
    ],
    [
      "affectedHouseholds 0",
      () => meetingBody({ proposalDetails: [{ proposalId: p4, affectedHouseholds: 0 }] }),
    ],
    [
      "proposalDetails for a proposal not on the agenda",
      () => meetingBody({ proposalDetails: [{ proposalId: p2, affectedHouseholds: 40 }] }),
    ],
    [
      "proposalDetails naming a proposal twice",
      () =>
        meetingBody({
          proposalDetails: [
            { proposalId: p4, affectedHouseholds: 40 },
            { proposalId: p4, affectedHouseholds: 41 },
          ],
        }),
    ],
  ]),
  {
    name: "Idempotency-Key over 128 characters",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () => meetingBody(),
    headers: longKey,
    status: 400,
    code: "validation_failed",
  },
  ...noToken("POST", meetings, () => meetingBody()),
  ...denied(
    "POST",
    meetings,
    [
      ["a council member", "m1"],
      ["a resident", "h1"],
      ["street staff", "streetStaff"],
      ["another community's staff", "nStaff"],
    ],
    () => meetingBody(),
  ),
  {
    name: "unknown community",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () => meetingBody({ communityId: "no-such-community" }),
    status: 404,
    code: "not_found",
  },
  {
    name: "unknown proposal",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () => meetingBody({ proposalIds: [ULID_UNKNOWN], proposalDetails: [] }),
    status: 422,
    code: "proposal_not_found",
  },
  {
    name: "a proposal of another community",
    method: "POST",
    path: meetings,
    token: tokenOf("nStaff"),
    body: () => meetingBody({ communityId: neighbour.communityId }),
    status: 422,
    code: "proposal_not_found",
  },
  {
    name: "a proposal already on an agenda",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () =>
      meetingBody({
        proposalIds: [p1],
        proposalDetails: [{ proposalId: p1, affectedHouseholds: 40 }],
      }),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "no consent scope where the city requires household consent",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () => meetingBody({ proposalDetails: [] }),
    status: 422,
    code: "consent_scope_required",
    when: () => consentRequired,
  },
  ...invalid("POST", meetings, "staff", [
    ["an unknown kind", () => meetingBody({ kind: "assembly" })],
    ["courtyardIds empty", () => meetingBody({ courtyardIds: [] })],
    ["a courtyard twice", () => meetingBody({ courtyardIds: ["yard-a", "yard-a"] })],
    ["a courtyard id not an id", () => meetingBody({ courtyardIds: ["Yard A!"] })],
    ["invitees empty", () => meetingBody({ kind: "consultation", invitees: [] })],
    [
      "an invitee of an unknown role",
      () =>
        meetingBody({
          kind: "consultation",
          invitees: [{ name: "王", role: "mayor", unit: "市政府" }],
        }),
    ],
    [
      "an invitee without a unit",
      () => meetingBody({ kind: "consultation", invitees: [{ name: "王", role: "deputy" }] }),
    ],
    [
      "invitees at a council meeting",
      () => meetingBody({ invitees: [{ name: "王", role: "deputy", unit: "区人大" }] }),
    ],
  ]),
  {
    name: "a consultation where the city holds none",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () =>
      meetingBody({
        kind: "consultation",
        invitees: [
          { name: "王代表", role: "deputy", unit: "区人大" },
          { name: "李科长", role: "department", unit: "区住建局" },
        ],
      }),
    status: 422,
    code: "consultation_not_offered",
    when: () => !consultationOffered,
  },
  {
    name: "a consultation without a department",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () =>
      meetingBody({
        kind: "consultation",
        invitees: [{ name: "王代表", role: "deputy", unit: "区人大" }],
      }),
    status: 400,
    code: "validation_failed",
    when: () => consultationOffered,
  },
  {
    name: "a courtyard the community does not have",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    body: () => meetingBody({ courtyardIds: ["no-such-yard"] }),
    status: 422,
    code: "courtyard_not_found",
  },
  {
    name: "Idempotency-Key reused with another body",
    method: "POST",
    path: meetings,
    token: tokenOf("staff"),
    headers: () => ({ "idempotency-key": key("create") }),
    body: () => meetingBody({ scheduledAt: inDays(31) }),
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- POST /v1/meetings/{id}/opinions

const opinions = () => `/v1/meetings/${m1}/opinions`;
const opinionBody = (over: Record<string, unknown> = {}) => ({
  proposalId: p1,
  invitee: 0,
  opinion: "意见",
  ...over,
});
const opinionCases = prefix("POST /v1/meetings/{id}/opinions", [
  ...noToken("POST", opinions, () => opinionBody()),
  ...notAnObject("POST", opinions, "staff"),
  ...invalid("POST", opinions, "staff", [
    ["missing opinion", () => ({ proposalId: p1, invitee: 0 })],
    ["an empty opinion", () => opinionBody({ opinion: "" })],
    ["a 2,001-character opinion", () => opinionBody({ opinion: "意".repeat(2001) })],
    ["invitee negative", () => opinionBody({ invitee: -1 })],
    ["invitee not an integer", () => opinionBody({ invitee: 0.5 })],
    ["proposalId not a ULID", () => opinionBody({ proposalId: "p1" })],
    ["an unknown field", () => opinionBody({ stance: "support" })],
  ]),
  ...denied(
    "POST",
    opinions,
    [
      ["staff of another community", "nStaff"],
      ["a council member", "m1"],
      ["a resident", "h1"],
    ],
    () => opinionBody(),
  ),
  {
    name: "an unknown meeting",
    method: "POST",
    path: () => `/v1/meetings/${ULID_UNKNOWN}/opinions`,
    token: tokenOf("staff"),
    body: () => opinionBody(),
    status: 404,
    code: "not_found",
  },
  {
    name: "a council meeting (only consultations hear invitees)",
    method: "POST",
    path: opinions,
    token: tokenOf("staff"),
    body: () => opinionBody(),
    status: 409,
    code: "invalid_state",
  },
]);

// ---------------------------------------------------------------- rosters

const council =
  (communityId = () => home.communityId) =>
  () =>
    `/v1/communities/${communityId()}/council`;
const households =
  (communityId = () => home.communityId) =>
  () =>
    `/v1/communities/${communityId()}/households`;
const rosterMember = (over: Record<string, unknown> = {}) => ({
  sub: members[0],
  name: "议事员",
  termEnds: "2099-12-31",
  ...over,
});
const councilBody = (...list: unknown[]) => ({ members: list.length ? list : [rosterMember()] });

const putCouncilCases = prefix("PUT /v1/communities/{id}/council", [
  ...noToken("PUT", council(), () => councilBody()),
  ...notAnObject("PUT", council(), "staff"),
  ...invalid("PUT", council(), "staff", [
    ["missing members", () => ({})],
    ["no members", () => ({ members: [] })],
    ["201 members", () => ({ members: many(201, "rm").map((sub) => rosterMember({ sub })) })],
    ["a member twice", () => councilBody(rosterMember(), rosterMember())],
    ["a sub with #", () => councilBody(rosterMember({ sub: "a#b" }))],
    ["no name", () => councilBody(rosterMember({ name: "" }))],
    ["a 61-character name", () => councilBody(rosterMember({ name: "名".repeat(61) }))],
    ["termEnds not a day", () => councilBody(rosterMember({ termEnds: "next year" }))],
    [
      "termEnds a day that does not exist",
      () => councilBody(rosterMember({ termEnds: "2027-02-30" })),
    ],
    ["missing termEnds", () => councilBody({ sub: members[0], name: "议事员" })],
    ["a courtyard id not an id", () => councilBody(rosterMember({ courtyardId: "Yard A!" }))],
    ["an unknown field", () => ({ ...councilBody(), version: 9 })],
  ]),
  ...denied(
    "PUT",
    council(),
    [
      ["staff of another community", "nStaff"],
      ["a council member", "m1"],
      ["a resident", "h1"],
      ["street staff", "streetStaff"],
    ],
    () => councilBody(),
  ),
  {
    name: "a community id that is no id",
    method: "PUT",
    path: council(() => "No Such!"),
    token: tokenOf("staff"),
    body: () => councilBody(),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "an unknown community",
    method: "PUT",
    path: council(() => "nowhere"),
    token: tokenOf("staff"),
    body: () => councilBody(),
    status: 404,
    code: "not_found",
  },
  {
    name: "a courtyard the community does not have",
    method: "PUT",
    path: council(),
    token: tokenOf("staff"),
    body: () => councilBody(rosterMember({ courtyardId: "no-such-yard" })),
    status: 422,
    code: "courtyard_not_found",
    errorPath: "body.members.0.courtyardId",
  },
]);

const getCouncilCases = prefix("GET /v1/communities/{id}/council", [
  ...noToken("GET", council()),
  ...denied("GET", council(), [
    ["staff of another community", "nStaff"],
    ["a council member (names are for officials)", "m1"],
    ["a resident", "h1"],
    ["an organisation", "org"],
    ["street staff of another street", "farStreetStaff"],
  ]),
  {
    name: "an unknown community",
    method: "GET",
    path: council(() => "nowhere"),
    token: tokenOf("staff"),
    status: 404,
    code: "not_found",
  },
]);

const putHouseholdsCases = prefix("PUT /v1/communities/{id}/households", [
  ...noToken("PUT", households(), () => ({ households: [{ householdId: "h" }] })),
  ...notAnObject("PUT", households(), "staff"),
  ...invalid("PUT", households(), "staff", [
    ["missing households", () => ({})],
    ["no households", () => ({ households: [] })],
    [
      "4,001 households",
      () => ({ households: many(4001, "hh").map((householdId) => ({ householdId })) }),
    ],
    ["a household twice", () => ({ households: [{ householdId: "h1" }, { householdId: "h1" }] })],
    ["a household id with #", () => ({ households: [{ householdId: "a#b" }] })],
    ["a 65-character household id", () => ({ households: [{ householdId: "h".repeat(65) }] })],
    ["a household id a number", () => ({ households: [{ householdId: 7 }] })],
    [
      "a courtyard id not an id",
      () => ({ households: [{ householdId: "h1", courtyardId: "Y!" }] }),
    ],
    ["an unknown field", () => ({ households: [{ householdId: "h1", floor: 3 }] })],
  ]),
  ...denied(
    "PUT",
    households(),
    [
      ["staff of another community", "nStaff"],
      ["a resident", "h1"],
      ["street staff", "streetStaff"],
    ],
    () => ({ households: [{ householdId: "h1" }] }),
  ),
  {
    name: "an unknown community",
    method: "PUT",
    path: households(() => "nowhere"),
    token: tokenOf("staff"),
    body: () => ({ households: [{ householdId: "h1" }] }),
    status: 404,
    code: "not_found",
  },
  {
    // the route takes more than the default 64 KiB (4,001 households above are 400, not 413)
    name: "a body over 640 KiB",
    method: "PUT",
    path: households(),
    token: tokenOf("staff"),
    raw: JSON.stringify({ households: [{ householdId: "h".repeat(660_000) }] }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "a courtyard the community does not have",
    method: "PUT",
    path: households(),
    token: tokenOf("staff"),
    body: () => ({ households: [{ householdId: "h1", courtyardId: "no-such-yard" }] }),
    status: 422,
    code: "courtyard_not_found",
    errorPath: "body.households.0.courtyardId",
  },
]);

// ---------------------------------------------------------------- GET /v1/meetings/{id}

const getMeetingCases = prefix("GET /v1/meetings/{id}", [
  ...noToken("GET", () => `/v1/meetings/${m1}`),
  ...denied("GET", () => `/v1/meetings/${m1}`, [
    ["a resident", "h1"],
    ["an expert", "expert"],
    ["street staff", "streetStaff"],
    ["another community's staff", "nStaff"],
    ["another community's council member", "nMember"],
    ["a council member not listed", "unlisted"],
    ["a listed member acting from another community", "listedElsewhere"],
  ]),
  {
    name: "unknown meeting",
    method: "GET",
    path: () => `/v1/meetings/${ULID_UNKNOWN}`,
    token: tokenOf("staff"),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed meeting id",
    method: "GET",
    path: () => "/v1/meetings/not-a-ulid",
    token: tokenOf("staff"),
    status: 400,
    code: "validation_failed",
  },
]);

// ---------------------------------------------------------------- POST /v1/meetings/{id}/attendance

const attendance = () => `/v1/meetings/${m1}/attendance`;
const attendanceCases = prefix("POST /v1/meetings/{id}/attendance", [
  ...notAnObject("POST", attendance, "staff"),
  ...invalid("POST", attendance, "staff", [
    ["missing present", () => ({})],
    ["present not an array", () => ({ present: members[0] })],
    ["present of numbers", () => ({ present: [1] })],
    ["a member twice", () => ({ present: [members[0], members[0]] })],
    ["201 names", () => ({ present: many(201, "att") })],
    ["a 129-char name", () => ({ present: ["p".repeat(129)] })],
    ["unknown field", () => ({ present: [members[0]], absent: [members[1]] })],
  ]),
  ...noToken("POST", attendance, () => ({ present: members })),
  ...denied(
    "POST",
    attendance,
    [
      ["a council member", "m1"],
      ["street staff", "streetStaff"],
      ["another community's staff", "nStaff"],
    ],
    () => ({ present: members }),
  ),
  {
    name: "unknown meeting",
    method: "POST",
    path: () => `/v1/meetings/${ULID_UNKNOWN}/attendance`,
    token: tokenOf("staff"),
    body: () => ({ present: members }),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed meeting id",
    method: "POST",
    path: () => "/v1/meetings/not-a-ulid/attendance",
    token: tokenOf("staff"),
    body: () => ({ present: members }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "a name that is not a member",
    method: "POST",
    path: attendance,
    token: tokenOf("staff"),
    body: () => ({ present: [members[0], `stranger-${run}`] }),
    status: 422,
    code: "not_a_member",
  },
  {
    name: "after the close",
    method: "POST",
    path: () => `/v1/meetings/${m2}/attendance`,
    token: tokenOf("staff"),
    body: () => ({ present: members }),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "Idempotency-Key reused with another body",
    method: "POST",
    path: attendance,
    token: tokenOf("staff"),
    headers: () => ({ "idempotency-key": key("attendance") }),
    body: () => ({ present: members }),
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- POST /v1/meetings/{id}/ballots

const ballots = () => `/v1/meetings/${m1}/ballots`;
const ballotBody = () => ({ proposalId: p1, choice: "no" });
const ballotCases = prefix("POST /v1/meetings/{id}/ballots", [
  ...notAnObject("POST", ballots, "m2"),
  ...invalid("POST", ballots, "m2", [
    ["missing choice", () => ({ proposalId: p1 })],
    ["missing proposalId", () => ({ choice: "yes" })],
    ["unknown choice", () => ({ proposalId: p1, choice: "maybe" })],
    ["choice a boolean", () => ({ proposalId: p1, choice: true })],
    ["malformed proposalId", () => ({ proposalId: "p1", choice: "yes" })],
    ["proposalId a list", () => ({ proposalId: [p1], choice: "yes" })],
    ["huge proposalId", () => ({ proposalId: "0".repeat(3000), choice: "yes" })],
    ["unknown field", () => ({ proposalId: p1, choice: "yes", weight: 2 })],
  ]),
  ...noToken("POST", ballots, ballotBody),
  ...denied(
    "POST",
    ballots,
    [
      ["community staff", "staff"],
      ["a resident", "h1"],
      ["a council member not listed", "unlisted"],
      ["another community's council member", "nMember"],
      ["a listed member acting from another community", "listedElsewhere"],
    ],
    ballotBody,
  ),
  {
    name: "unknown meeting",
    method: "POST",
    path: () => `/v1/meetings/${ULID_UNKNOWN}/ballots`,
    token: tokenOf("m2"),
    body: ballotBody,
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed meeting id",
    method: "POST",
    path: () => "/v1/meetings/xyz/ballots",
    token: tokenOf("m2"),
    body: ballotBody,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "a proposal not on the agenda",
    method: "POST",
    path: ballots,
    token: tokenOf("m1"),
    body: () => ({ proposalId: p4, choice: "yes" }),
    status: 422,
    code: "proposal_not_found",
  },
  {
    name: "an unknown proposal",
    method: "POST",
    path: ballots,
    token: tokenOf("m1"),
    body: () => ({ proposalId: ULID_UNKNOWN, choice: "yes" }),
    status: 422,
    code: "proposal_not_found",
  },
  {
    name: "a member not signed in where the city requires presence",
    method: "POST",
    path: ballots,
    token: tokenOf("m2"),
    body: () => ({ proposalId: p1, choice: "yes" }),
    status: 409,
    code: "invalid_state",
    when: () => requirePresence,
  },
  {
    name: "a second ballot",
    method: "POST",
    path: ballots,
    token: tokenOf("m1"),
    body: ballotBody,
    status: 409,
    code: "duplicate",
  },
  {
    name: "after the close",
    method: "POST",
    path: () => `/v1/meetings/${m2}/ballots`,
    token: tokenOf("m1"),
    body: () => ({ proposalId: p3, choice: "yes" }),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "Idempotency-Key reused with another body",
    method: "POST",
    path: ballots,
    token: tokenOf("m1"),
    headers: () => ({ "idempotency-key": key("ballot") }),
    body: ballotBody,
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- POST /v1/meetings/{id}/close

const close = () => `/v1/meetings/${m1}/close`;
const closeCases = prefix("POST /v1/meetings/{id}/close", [
  ...noToken("POST", close),
  ...denied("POST", close, [
    ["a council member", "m1"],
    ["street staff", "streetStaff"],
    ["another community's staff", "nStaff"],
  ]),
  {
    name: "unknown meeting",
    method: "POST",
    path: () => `/v1/meetings/${ULID_UNKNOWN}/close`,
    token: tokenOf("staff"),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed meeting id",
    method: "POST",
    path: () => `/v1/meetings/${"9".repeat(300)}/close`,
    token: tokenOf("staff"),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "Idempotency-Key reused on another meeting",
    method: "POST",
    path: close,
    token: tokenOf("staff"),
    headers: () => ({ "idempotency-key": key("close") }),
    status: 422,
    code: "idempotency_key_reused",
  },
]);

// ---------------------------------------------------------------- POST|PUT /v1/proposals/{id}/consents

const consentCases = (method: "POST" | "PUT") => {
  const path = () => `/v1/proposals/${p1}/consents`;
  const agree = () => ({ agree: true });
  return prefix(`${method} /v1/proposals/{id}/consents`, [
    ...notAnObject(method, path, "h2"),
    ...invalid(method, path, "h2", [
      ["missing agree", () => ({})],
      ["agree a string", () => ({ agree: "yes" })],
      ["agree a number", () => ({ agree: 1 })],
      ["unknown field", () => ({ agree: true, householdId: `hh-other-${run}` })],
    ]),
    ...noToken(method, path, agree),
    ...denied(
      method,
      path,
      [
        ["community staff", "staff"],
        ["an organisation", "org"],
        ["a council member", "m1"],
        ["a resident without a household", "noHousehold"],
        ["a resident of another community", "nResident"],
      ],
      agree,
    ),
    {
      name: "unknown proposal",
      method,
      path: () => `/v1/proposals/${ULID_UNKNOWN}/consents`,
      token: tokenOf("h2"),
      body: agree,
      status: 404,
      code: "not_found",
    },
    {
      name: "malformed proposal id",
      method,
      path: () => "/v1/proposals/not-a-ulid/consents",
      token: tokenOf("h2"),
      body: agree,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "a proposal on no agenda",
      method,
      path: () => `/v1/proposals/${p4}/consents`,
      token: tokenOf(method === "POST" ? "h2" : "h1"),
      body: agree,
      status: 409,
      code: "invalid_state",
    },
    {
      name: "after the meeting closed",
      method,
      path: () => `/v1/proposals/${p3}/consents`,
      token: tokenOf("h2"),
      body: agree,
      status: 409,
      code: "invalid_state",
    },
    ...(method === "POST"
      ? [
          {
            name: "a second answer from the household",
            method,
            path,
            token: tokenOf("h1"),
            body: agree,
            status: 409,
            code: "duplicate",
          },
          {
            name: "Idempotency-Key reused with another body",
            method,
            path,
            token: tokenOf("h1"),
            headers: () => ({ "idempotency-key": key("consent") }),
            body: () => ({ agree: false }),
            status: 422,
            code: "idempotency_key_reused",
          },
        ]
      : [
          {
            name: "no answer to change",
            method,
            path,
            token: tokenOf("h2"),
            body: agree,
            status: 404,
            code: "not_found",
          },
          {
            name: "Idempotency-Key reused with another body",
            method,
            path,
            token: tokenOf("h1"),
            headers: () => ({ "idempotency-key": key("consent-change") }),
            body: agree,
            status: 422,
            code: "idempotency_key_reused",
          },
        ]),
  ]);
};

// ---------------------------------------------------------------- POST /v1/proposals/{id}/expert-reviews

const review = (over: Record<string, unknown> = {}) => ({
  feasible: true,
  lawful: true,
  score: 75,
  comment: "方案合理",
  ...over,
});
const reviews = () => `/v1/proposals/${p4}/expert-reviews`;
const reviewCases = prefix("POST /v1/proposals/{id}/expert-reviews", [
  ...notAnObject("POST", reviews, "expert"),
  ...invalid("POST", reviews, "expert", [
    [
      "missing lawful",
      () => {
        const { lawful: _, ...rest } = review();
        return rest;
      },
    ],
    [
      "missing score",
      () => {
        const { score: _, ...rest } = review();
        return rest;
      },
    ],
    ["feasible a string", () => review({ feasible: "yes" })],
    ["score a string", () => review({ score: "80" })],
    ["score -1", () => review({ score: -1 })],
    ["score 101", () => review({ score: 101 })],
    ["score 50.5", () => review({ score: 50.5 })],
    ["score 1e9", () => review({ score: 1e9 })],
    ["a 3000-char comment", () => review({ comment: "评".repeat(3000) })],
    ["a blank comment", () => review({ comment: "   " })],
    ["comment a number", () => review({ comment: 5 })],
    ["unknown field", () => review({ expertId: `dbi-exp-${run}` })],
  ]),
  ...noToken("POST", reviews, () => review()),
  ...denied(
    "POST",
    reviews,
    [
      ["street staff", "streetStaff"],
      ["community staff", "staff"],
      ["a council member", "m1"],
      ["an expert of another street", "farExpert"],
    ],
    () => review(),
  ),
  {
    name: "unknown proposal",
    method: "POST",
    path: () => `/v1/proposals/${ULID_UNKNOWN}/expert-reviews`,
    token: tokenOf("expert"),
    body: () => review(),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed proposal id",
    method: "POST",
    path: () => "/v1/proposals/ZZ/expert-reviews",
    token: tokenOf("expert"),
    body: () => review(),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "a second review from the expert",
    method: "POST",
    path: () => `/v1/proposals/${p1}/expert-reviews`,
    token: tokenOf("expert"),
    body: () => review({ score: 10 }),
    status: 409,
    code: "duplicate",
    when: expertsReview,
  },
  {
    name: "after the street decided",
    method: "POST",
    path: () => `/v1/proposals/${p2}/expert-reviews`,
    token: tokenOf("expert"),
    body: () => review(),
    status: 409,
    code: "invalid_state",
    when: expertsReview,
  },
  {
    name: "a proposal the council failed",
    method: "POST",
    path: () => `/v1/proposals/${p3}/expert-reviews`,
    token: tokenOf("expert"),
    body: () => review(),
    status: 409,
    code: "invalid_state",
  },
  {
    name: "Idempotency-Key reused with another body",
    method: "POST",
    path: () => `/v1/proposals/${p1}/expert-reviews`,
    token: tokenOf("expert"),
    headers: () => ({ "idempotency-key": key("review") }),
    body: () => review({ score: 10 }),
    status: 422,
    code: "idempotency_key_reused",
    when: expertsReview,
  },
]);

// ---------------------------------------------------------------- POST /v1/proposals/{id}/expert-decision

const decisionPath = (id: () => string) => () => `/v1/proposals/${id()}/expert-decision`;
const decision = decisionPath(() => p1);
const pass = () => ({ decision: "pass" });
const decisionCases = prefix("POST /v1/proposals/{id}/expert-decision", [
  ...notAnObject("POST", decision, "streetStaff"),
  ...invalid("POST", decision, "streetStaff", [
    ["missing decision", () => ({ reason: "r" })],
    ["unknown decision", () => ({ decision: "maybe" })],
    ["decision a boolean", () => ({ decision: true })],
    ["a 3000-char reason", () => ({ decision: "fail", reason: "因".repeat(3000) })],
    ["a blank reason", () => ({ decision: "fail", reason: "" })],
    ["unknown field", () => ({ decision: "pass", averageScore: 100 })],
  ]),
  ...noToken("POST", decision, pass),
  ...denied(
    "POST",
    decision,
    [
      ["an expert", "expert"],
      ["community staff", "staff"],
      ["an evaluator", "evaluator"],
      ["street staff of another street", "farStreetStaff"],
    ],
    pass,
  ),
  {
    name: "unknown proposal",
    method: "POST",
    path: decisionPath(() => ULID_UNKNOWN),
    token: tokenOf("streetStaff"),
    body: pass,
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed proposal id",
    method: "POST",
    path: decisionPath(() => "01JZZZZZZZZZZZZZZZZZZZZZZ!"),
    token: tokenOf("streetStaff"),
    body: pass,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "a second decision",
    method: "POST",
    path: decisionPath(() => p2),
    token: tokenOf("streetStaff"),
    body: () => ({ decision: "fail", reason: "再议" }),
    status: 409,
    code: "duplicate",
    when: expertsReview,
  },
  {
    name: "no review yet",
    method: "POST",
    path: decisionPath(() => p4),
    token: tokenOf("streetStaff"),
    body: pass,
    status: 409,
    code: "invalid_state",
  },
  {
    name: "a proposal the council failed",
    method: "POST",
    path: decisionPath(() => p3),
    token: tokenOf("streetStaff"),
    body: pass,
    status: 409,
    code: "invalid_state",
  },
  {
    name: "pass on a works project an expert found not feasible",
    method: "POST",
    path: decisionPath(() => p5),
    token: tokenOf("streetStaff"),
    body: pass,
    status: 422,
    code: "expert_review_not_unanimous",
    when: expertsReview,
  },
  {
    name: "Idempotency-Key reused with another body",
    method: "POST",
    path: decisionPath(() => p2),
    token: tokenOf("streetStaff"),
    headers: () => ({ "idempotency-key": key("decision") }),
    body: () => ({ decision: "fail" }),
    status: 422,
    code: "idempotency_key_reused",
    when: expertsReview,
  },
]);

// ---------------------------------------------------------------- GET /v1/proposals/{id}/deliberation

const record = () => `/v1/proposals/${p1}/deliberation`;
const recordCases = prefix("GET /v1/proposals/{id}/deliberation", [
  ...noToken("GET", record),
  ...denied("GET", record, [
    ["a resident", "h1"],
    ["an organisation", "org"],
    ["another community's staff", "nStaff"],
    ["another community's council member", "nMember"],
    ["an expert of another street", "farExpert"],
    ["street staff of another street", "farStreetStaff"],
  ]),
  {
    name: "unknown proposal",
    method: "GET",
    path: () => `/v1/proposals/${ULID_UNKNOWN}/deliberation`,
    token: tokenOf("staff"),
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed proposal id",
    method: "GET",
    path: () => "/v1/proposals/not-a-ulid/deliberation",
    token: tokenOf("staff"),
    status: 400,
    code: "validation_failed",
  },
]);

// ---------------------------------------------------------------- rankings

const rankingCases = (base: "/v1/rankings" | "/v1/public/rankings") => {
  const priv = base === "/v1/rankings";
  const who = priv ? tokenOf("staff") : () => undefined;
  const path = (c: () => string, y: () => string) => () => `${base}/${c()}/${y()}`;
  const homeYear = path(
    () => home.communityId,
    () => String(year),
  );
  return prefix(`GET ${base}/{communityId}/{year}`, [
    ...(priv
      ? [
          ...noToken("GET", homeYear),
          ...denied("GET", homeYear, [
            ["a resident", "h1"],
            ["a council member", "m1"],
            ["an expert", "expert"],
            ["another community's staff", "nStaff"],
            ["street staff of another street", "farStreetStaff"],
          ]),
        ]
      : []),
    {
      name: "year not a number",
      method: "GET",
      path: path(
        () => home.communityId,
        () => "twenty",
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "year before the programme",
      method: "GET",
      path: path(
        () => home.communityId,
        () => "2014",
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "year 2101",
      method: "GET",
      path: path(
        () => home.communityId,
        () => "2101",
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "fractional year",
      method: "GET",
      path: path(
        () => home.communityId,
        () => "2030.5",
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "malformed community id",
      method: "GET",
      path: path(
        () => "Not_An_Id",
        () => String(year),
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "huge community id",
      method: "GET",
      path: path(
        () => "c".repeat(3000),
        () => String(year),
      ),
      token: who,
      status: 400,
      code: "validation_failed",
    },
    {
      name: "unknown community",
      method: "GET",
      path: path(
        () => "no-such-community",
        () => String(year),
      ),
      token: who,
      status: 404,
      code: "not_found",
    },
    {
      name: "no ranking for the year",
      method: "GET",
      path: homeYear,
      token: who,
      status: 404,
      code: "not_found",
    },
  ]);
};

const cases: BadInputCase[] = [
  ...createCases,
  ...getMeetingCases,
  ...attendanceCases,
  ...ballotCases,
  ...closeCases,
  ...consentCases("POST"),
  ...consentCases("PUT"),
  ...reviewCases,
  ...decisionCases,
  ...recordCases,
  ...rankingCases("/v1/rankings"),
  ...rankingCases("/v1/public/rankings"),
  ...putCouncilCases,
  ...getCouncilCases,
  ...putHouseholdsCases,
  ...opinionCases,
];

describe("deliberation bad-input matrix", () => {
  it("covers every deliberation route", () => {
    const routes = new Set(cases.map((c) => c.name.split(":")[0]));
    expect([...routes].sort()).toEqual(
      [
        "POST /v1/meetings",
        "GET /v1/meetings/{id}",
        "POST /v1/meetings/{id}/attendance",
        "POST /v1/meetings/{id}/ballots",
        "POST /v1/meetings/{id}/close",
        "POST /v1/proposals/{id}/consents",
        "PUT /v1/proposals/{id}/consents",
        "POST /v1/proposals/{id}/expert-reviews",
        "POST /v1/proposals/{id}/expert-decision",
        "GET /v1/proposals/{id}/deliberation",
        "GET /v1/rankings/{communityId}/{year}",
        "GET /v1/public/rankings/{communityId}/{year}",
        "PUT /v1/communities/{id}/council",
        "GET /v1/communities/{id}/council",
        "PUT /v1/communities/{id}/households",
        "POST /v1/meetings/{id}/opinions",
      ].sort(),
    );
  });

  badInputTests(cases);

  it("replays every write with the same Idempotency-Key and body: the first reply, nothing written", async () => {
    expect(firsts.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        "create meeting",
        "attendance",
        "ballot",
        "consent",
        "changed consent",
        "close",
      ]),
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

  it("closing a closed meeting again answers its stored results and writes nothing", async () => {
    const before = await quietTableCounts();
    const first = firsts.find((f) => f.name === "close")!.reply!.body as { results: unknown };
    const r = await call("POST", `/v1/meetings/${m2}/close`, { token: t.staff });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual(first.results);
    expect(await tableCounts()).toEqual(before);
  });

  it("left the fixture as it was: M1 open with m1 present, the changed answer, one review", async () => {
    const meeting = await call("GET", `/v1/meetings/${m1}`, { token: t.staff });
    expect(meeting.status).toBe(200);
    expect(meeting.body).toMatchObject({ status: "open", present: [members[0]] });
    const rec = await call("GET", `/v1/proposals/${p1}/deliberation`, { token: t.staff });
    expect(rec.body.consents).toEqual({ agreed: 0, disagreed: 1 });
    expect(rec.body.expert.reviews).toBe(expertsReview() ? 1 : 0);
  });
});
