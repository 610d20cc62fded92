import { beforeAll, describe, expect, it } from "vitest";
import {
  allowedCategory,
  call,
  currentYear,
  forbiddenCategory,
  places,
  quietTableCounts,
  tableCounts,
  token,
} from "../support/http.js";
import { type BadInputCase, badInputTests } from "../support/matrix.js";

// Every bad request gets the right status and problem code, and writes nothing.

let resident = "";
let staff = "";
let farStaff = "";
let evaluator = "";
let org = "";
let needId = "";
let farNeedId = "";
let proposalId = "";
let communityId = "";
let category = "";
let badCategory = "";
const idemKey = `matrix-${Date.now()}`;
const ULID_UNKNOWN = "01JZZZZZZZZZZZZZZZZZZZZZZZ";

const proposal = (over: Record<string, unknown> = {}) => ({
  communityId,
  kind: "works",
  category,
  title: "小区路灯更换",
  summary: "更换老化路灯",
  beneficiaries: 300,
  budgetFen: 1_000_000,
  needIds: [needId],
  year: currentYear(),
  ...over,
});

beforeAll(async () => {
  const { home, far } = await places();
  communityId = home.communityId;
  category = await allowedCategory();
  badCategory = await forbiddenCategory();
  resident = await token({ sub: "res-matrix", roles: ["resident"], ...home, householdId: "hh-m" });
  staff = await token({ sub: "staff-matrix", roles: ["community_staff"], ...home });
  farStaff = await token({ sub: "staff-far", roles: ["community_staff"], ...far });
  evaluator = await token({ sub: "eval-matrix", roles: ["evaluator"], ...home });
  org = await token({ sub: "org-matrix", roles: ["org"], ...home, orgId: "org-m" });
  const farResident = await token({ sub: "res-far", roles: ["resident"], ...far });
  needId = (
    await call("POST", "/v1/needs", {
      token: resident,
      body: { communityId, title: `matrix need ${Date.now()}`, description: "d" },
    })
  ).body.id;
  farNeedId = (
    await call("POST", "/v1/needs", {
      token: farResident,
      body: { communityId: far.communityId, title: `far need ${Date.now()}`, description: "d" },
    })
  ).body.id;
  const created = await call("POST", "/v1/proposals", {
    token: resident,
    body: proposal(),
    headers: { "idempotency-key": idemKey },
  });
  expect(created.status).toBe(201);
  proposalId = created.body.id;
});

const cases: BadInputCase[] = [
  {
    name: "malformed JSON",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    raw: '{"communityId": ',
    status: 400,
    code: "validation_failed",
  },
  {
    name: "JSON that is not an object",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    raw: "[1,2,3]",
    status: 400,
    code: "validation_failed",
  },
  {
    name: "empty body",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    raw: "",
    status: 400,
    code: "validation_failed",
  },
  {
    name: "missing title",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => {
      const { title: _t, ...rest } = proposal();
      return rest;
    },
    status: 400,
    code: "validation_failed",
  },
  {
    name: "wrong-typed budget",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ budgetFen: "1000" }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "wrong-typed needIds",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ needIds: needId }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "unknown kind",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ kind: "party" }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "unknown field",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ status: "approved" }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "huge title",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ title: "长".repeat(5000) }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "huge body",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ summary: "x".repeat(200_000) }),
    status: 413,
    code: "payload_too_large",
  },
  {
    name: "negative money",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ budgetFen: -100 }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "non-integer money",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ budgetFen: 100.5 }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "self-raised above budget",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ selfRaisedFen: 2_000_000 }),
    status: 422,
    code: "self_raised_invalid",
  },
  {
    name: "self-raised money is the whole budget (the programme pays nothing)",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ selfRaisedFen: (proposal() as { budgetFen: number }).budgetFen }),
    status: 422,
    code: "funding_invalid",
  },
  {
    name: "sponsor money where the programme takes none",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ sponsorFen: 100 }),
    status: 422,
    code: "sponsor_not_allowed",
  },
  {
    name: "sponsor money not an integer",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ sponsorFen: 1.5 }),
    status: 400,
    code: "validation_failed",
    errorPath: "body.sponsorFen",
  },
  {
    name: "works over its cap",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ budgetFen: 50_000_001 }),
    status: 422,
    code: "budget_cap_exceeded",
  },
  {
    name: "service over its cap",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => org,
    body: () => proposal({ kind: "service", applicantOrgId: "org-m", budgetFen: 20_000_001 }),
    status: 422,
    code: "budget_cap_exceeded",
  },
  {
    name: "service without organisation",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ kind: "service" }),
    status: 422,
    code: "org_applicant_required",
  },
  {
    name: "category not allowed",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ category: badCategory }),
    status: 422,
    code: "ineligible_category",
  },
  {
    name: "unknown need",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ needIds: [ULID_UNKNOWN] }),
    status: 422,
    code: "need_not_found",
  },
  {
    name: "need of another community",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    body: () => proposal({ needIds: [farNeedId] }),
    status: 422,
    code: "need_not_found",
  },
  {
    name: "no token",
    method: "POST",
    path: () => "/v1/proposals",
    body: () => proposal(),
    status: 401,
    gateway: true,
  },
  {
    name: "garbage token",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => "not.a.jwt",
    body: () => proposal(),
    status: 401,
    code: "unauthenticated",
  },
  {
    name: "wrong role",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => evaluator,
    body: () => proposal(),
    status: 403,
    code: "forbidden",
  },
  {
    name: "other jurisdiction files",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => farStaff,
    body: () => proposal(),
    status: 403,
    code: "forbidden",
  },
  {
    name: "idempotency key reused with another body",
    method: "POST",
    path: () => "/v1/proposals",
    token: () => resident,
    headers: () => ({ "idempotency-key": idemKey }),
    body: () => proposal({ title: "另一个项目" }),
    status: 422,
    code: "idempotency_key_reused",
  },
  {
    name: "unknown proposal",
    method: "GET",
    path: () => `/v1/proposals/${ULID_UNKNOWN}`,
    token: () => staff,
    status: 404,
    code: "not_found",
  },
  {
    name: "malformed proposal id",
    method: "GET",
    path: () => "/v1/proposals/not-a-ulid",
    token: () => staff,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "screening by a resident",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/screening`,
    token: () => resident,
    body: () => ({ decision: "accept" }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "screening by another community's staff",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/screening`,
    token: () => farStaff,
    body: () => ({ decision: "accept" }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "screening with a bad decision",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/screening`,
    token: () => staff,
    body: () => ({ decision: "maybe" }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "screening an unknown proposal",
    method: "POST",
    path: () => `/v1/proposals/${ULID_UNKNOWN}/screening`,
    token: () => staff,
    body: () => ({ decision: "accept" }),
    status: 404,
    code: "not_found",
  },
  {
    name: "reading another community's proposal",
    method: "GET",
    path: () => `/v1/proposals/${proposalId}`,
    token: () => farStaff,
    status: 403,
    code: "forbidden",
  },
  {
    name: "withdraw by someone else",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/withdraw`,
    token: () => staff,
    status: 403,
    code: "forbidden",
  },
  {
    name: "need for another community",
    method: "POST",
    path: () => "/v1/needs",
    token: () => farStaff,
    body: () => ({ communityId, title: "t", description: "d" }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "need without title",
    method: "POST",
    path: () => "/v1/needs",
    token: () => resident,
    body: () => ({ communityId, description: "d" }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "endorse an unknown need",
    method: "POST",
    path: () => `/v1/needs/${ULID_UNKNOWN}/endorsements`,
    token: () => resident,
    status: 404,
    code: "not_found",
  },
  {
    name: "evidence with a negative size",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/evidence`,
    token: () => staff,
    body: () => ({
      purpose: "plan",
      fileName: "a.pdf",
      contentType: "application/pdf",
      sizeBytes: -1,
      sha256: "a".repeat(64),
    }),
    status: 400,
    code: "validation_failed",
  },
  {
    name: "evidence with a bad hash",
    method: "POST",
    path: () => `/v1/proposals/${proposalId}/evidence`,
    token: () => staff,
    body: () => ({
      purpose: "plan",
      fileName: "a.pdf",
      contentType: "application/pdf",
      sizeBytes: 10,
      sha256: "xyz",
    }),
    status: 400,
    code: "validation_failed",
  },
  // the needs ladder (Panlong); the demo city runs Longgang's rules, which have none
  ...(
    [
      ["escalate without a body", undefined, 400, "validation_failed"],
      ["escalate to level 1", { level: 1, reason: "r" }, 400, "validation_failed"],
      ["escalate to level 4", { level: 4, reason: "r" }, 400, "validation_failed"],
      ["escalate to level '2'", { level: "2", reason: "r" }, 400, "validation_failed"],
      ["escalate without a reason", { level: 2 }, 400, "validation_failed"],
      ["escalate with a blank reason", { level: 2, reason: "\u3000" }, 400, "validation_failed"],
      [
        "escalate with an unknown field",
        { level: 2, reason: "r", dueAt: "x" },
        400,
        "validation_failed",
      ],
      [
        "escalate where the city has no ladder",
        { level: 2, reason: "r" },
        422,
        "escalation_not_available",
      ],
    ] as const
  ).map(([name, body, status, code]) => ({
    name,
    method: "POST",
    path: () => `/v1/needs/${needId}/escalate`,
    token: () => staff,
    ...(body !== undefined && { body: () => body }),
    status,
    code,
  })),
  {
    name: "escalate an unknown need",
    method: "POST",
    path: () => `/v1/needs/${ULID_UNKNOWN}/escalate`,
    token: () => staff,
    body: () => ({ level: 2, reason: "r" }),
    status: 404,
    code: "not_found",
  },
  {
    name: "escalate a need of another community",
    method: "POST",
    path: () => `/v1/needs/${farNeedId}/escalate`,
    token: () => staff,
    body: () => ({ level: 2, reason: "r" }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "a resident escalates",
    method: "POST",
    path: () => `/v1/needs/${needId}/escalate`,
    token: () => resident,
    body: () => ({ level: 2, reason: "r" }),
    status: 403,
    code: "forbidden",
  },
  ...(
    [
      ["answer without a note", { level: 2 }, 400, "validation_failed"],
      ["answer level 1", { level: 1, note: "n" }, 400, "validation_failed"],
      [
        "answer with a control character",
        { level: 2, note: "已\u0008办" },
        400,
        "validation_failed",
      ],
      ["answer a need still at level 1", { level: 2, note: "n" }, 409, "invalid_state"],
    ] as const
  ).map(([name, body, status, code]) => ({
    name,
    method: "POST",
    path: () => `/v1/needs/${needId}/response`,
    token: () => staff,
    body: () => body,
    status,
    code,
  })),
  {
    name: "answer a need of another community",
    method: "POST",
    path: () => `/v1/needs/${farNeedId}/response`,
    token: () => staff,
    body: () => ({ level: 2, note: "n" }),
    status: 403,
    code: "forbidden",
  },
  {
    name: "needs of level 4",
    method: "GET",
    path: () => `/v1/needs?communityId=${communityId}&level=4`,
    token: () => staff,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "needs overdue=maybe",
    method: "GET",
    path: () => `/v1/needs?communityId=${communityId}&overdue=maybe`,
    token: () => staff,
    status: 400,
    code: "validation_failed",
  },
  {
    name: "list with limit over 200",
    method: "GET",
    path: () => `/v1/proposals?communityId=${communityId}&limit=500`,
    token: () => staff,
    status: 400,
    code: "validation_failed",
  },
];

describe("bad-input matrix", () => {
  badInputTests(cases);

  it("a replay with the same key and body returns the first reply and writes nothing", async () => {
    const before = await quietTableCounts();
    const r = await call("POST", "/v1/proposals", {
      token: resident,
      body: proposal(),
      headers: { "idempotency-key": idemKey },
    });
    expect(r.status).toBe(201);
    expect(r.body.id).toBe(proposalId);
    expect(await tableCounts()).toEqual(before);
  });
});
