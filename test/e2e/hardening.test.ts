import { createHash } from "node:crypto";
import { ulid } from "ulid";
import { beforeAll, describe, expect, it } from "vitest";
import { publish } from "../support/events.js";
import {
  allowedCategory,
  type Claims,
  call,
  currentYear,
  eventually,
  places,
  quietTableCounts,
  tableCounts,
  token,
  verifyChain,
} from "../support/http.js";

// Issue 8, class by class, over HTTP and the city topic on the local cloud: each case is an
// attack the outside review made (or one of its class) that the API answered wrongly before.
// The authorization matrix (authorization-matrix.test.ts) covers every route x role x place.

const run = Date.now().toString(36);
type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let far: Place;
let cityId: string;
let category: string;
const year = currentYear();

const t = {} as Record<"resident" | "staff" | "streetStaff" | "farOrg", string>;

const post = (path: string, tok: string | undefined, body?: unknown, headers = {}) =>
  call("POST", path, { token: tok, ...(body !== undefined && { body }), headers });

async function need(title = `需求 ${run} ${ulid()}`, tok = t.staff) {
  const r = await post("/v1/needs", tok, {
    communityId: home.communityId,
    title,
    description: "居民反映",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function proposal(tok = t.resident, over: Record<string, unknown> = {}) {
  const r = await post("/v1/proposals", tok, {
    communityId: home.communityId,
    kind: "works",
    category,
    title: `提案 ${run} ${ulid()}`,
    summary: "楼道扶手",
    beneficiaries: 50,
    budgetFen: 1_000_000,
    needIds: [await need()],
    year,
    ...over,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

beforeAll(async () => {
  let geo: { cityId: string };
  ({ home, far, geo } = await places());
  cityId = geo.cityId;
  category = await allowedCategory();
  t.resident = await token({
    sub: `hr-res-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh-${run}`,
  });
  t.staff = await token({ sub: `hr-staff-${run}`, roles: ["community_staff"], ...home });
  t.streetStaff = await token({
    sub: `hr-street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  t.farOrg = await token({
    sub: `hr-org-${run}`,
    roles: ["org"],
    ...far,
    orgId: `far-org-${run}`,
  });
}, 60_000);

describe("1. token kind, and a missing claim never widens reach", () => {
  it("refuses a Cognito-style access token (groups, no place claims) of an analyst or admin", async () => {
    for (const role of ["analyst", "admin"]) {
      const access = await token({
        sub: `hr-acc-${role}-${run}`,
        roles: [role],
        tokenUse: "access",
        raw: {
          "cognito:groups": [role],
          client_id: "pencai-local",
          scope: "aws.cognito.signin.user.admin",
        },
      });
      const sla = await call("GET", `/v1/sla?districtId=${far.districtId}`, { token: access });
      expect(sla.status, JSON.stringify(sla.body)).toBe(401);
      const budget = await call("GET", `/v1/budgets/${far.communityId}/${year}`, { token: access });
      expect(budget.status).toBe(401);
    }
  });

  it("an ID token of an analyst or admin without a place claim reaches nothing; cityWide: true reaches everything", async () => {
    for (const role of ["analyst", "admin"]) {
      const bare = await token({ sub: `hr-bare-${role}-${run}`, roles: [role] });
      const sla = await call("GET", `/v1/sla?districtId=${far.districtId}`, { token: bare });
      expect(sla.status, JSON.stringify(sla.body)).toBe(403);
      const budget = await call("GET", `/v1/budgets/${far.communityId}/${year}`, { token: bare });
      expect(budget.status).toBe(403);
      const city = await token({ sub: `hr-city-${role}-${run}`, roles: [role], cityWide: true });
      expect(
        (await call("GET", `/v1/sla?districtId=${far.districtId}`, { token: city })).status,
      ).toBe(200);
      // a district's analyst or admin reaches that district only
      const local = await token({
        sub: `hr-d-${role}-${run}`,
        roles: [role],
        districtId: home.districtId,
      });
      expect(
        (await call("GET", `/v1/sla?districtId=${far.districtId}`, { token: local })).status,
      ).toBe(403);
      expect(
        (await call("GET", `/v1/sla?districtId=${home.districtId}`, { token: local })).status,
      ).toBe(200);
    }
  });

  it("a street role needs a street: a district claim alone reaches no street", async () => {
    const p = await proposal();
    const vague = await token({
      sub: `hr-vague-${run}`,
      roles: ["street_staff"],
      districtId: home.districtId,
    });
    expect((await call("GET", `/v1/proposals/${p}`, { token: vague })).status).toBe(403);
    expect((await call("GET", `/v1/proposals/${p}`, { token: t.streetStaff })).status).toBe(200);
  });
});

describe("2. nobody names an organisation but its own users", () => {
  it("refuses a proposal naming another district's organisation, or one that does not exist; that organisation gains nothing", async () => {
    const before = await quietTableCounts();
    for (const applicantOrgId of [`far-org-${run}`, `no-such-org-${run}`]) {
      const r = await post("/v1/proposals", t.resident, {
        communityId: home.communityId,
        kind: "service",
        category: "elderly_care",
        title: `冒名 ${run}`,
        summary: "以他人组织名义申报",
        beneficiaries: 10,
        budgetFen: 1_000_000,
        needIds: [await need()],
        year,
        applicantOrgId,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body.code).toBe("forbidden");
    }
    // two needs were raised above (they are the staff's, not the refused proposals'); oversight
    // counts them and exports keep a row of every event (NeedRaised)
    const after = await quietTableCounts();
    const grown = Object.entries(after).filter(([k, v]) => v !== before[k]);
    expect(
      grown.every(([k]) => /^(Intake|Oversight|Exports)Table/.test(k)),
      JSON.stringify(grown),
    ).toBe(true);
    const mine = await call("GET", "/v1/proposals?mine=true", { token: t.farOrg });
    expect(mine.body.items).toEqual([]);
  });
});

describe("3. city-wide writes by local officials", () => {
  it("refuses a district's admin replacing the city's calendar; a city-wide admin may", async () => {
    // a year no timer of any test runs in: replacing its additions moves no deadline
    const y = 2099;
    const body = { holidays: [], workdays: [] };
    for (const claims of [{ districtId: home.districtId }, { communityId: home.communityId }, {}]) {
      const admin = await token({ sub: `hr-admin-${run}`, roles: ["admin"], ...claims });
      const r = await call("PUT", `/v1/calendar/${y}`, { token: admin, body });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
    }
    const cityAdmin = await token({ sub: `hr-cadmin-${run}`, roles: ["admin"], cityWide: true });
    const ok = await call("PUT", `/v1/calendar/${y}`, { token: cityAdmin, body });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe("4. token hygiene", () => {
  const staffClaims = (): Claims => ({
    sub: `hr-hyg-${run}`,
    roles: ["community_staff"],
    ...home,
  });
  const read = (tok: string) =>
    call("GET", `/v1/needs?communityId=${home.communityId}`, { token: tok });

  it("accepts the well-formed token these variations are made from", async () => {
    expect((await read(await token(staffClaims()))).status).toBe(200);
  });

  const malformed: [string, () => Record<string, unknown>][] = [
    ["no exp", () => ({ exp: null })],
    ["no iat", () => ({ iat: null })],
    ["iat an hour in the future", () => ({ iat: Math.floor(Date.now() / 1000) + 3600 })],
    ["roles as a string", () => ({ roles: "community_staff" })],
    ["groups as a string", () => ({ "cognito:groups": "community_staff admin" })],
    ["roles and groups that disagree", () => ({ "cognito:groups": ["community_staff", "admin"] })],
    ["a place given twice, differently", () => ({ "custom:communityId": far.communityId })],
    ["a sub with #", () => ({ sub: "hr#staff" })],
    ["a sub with a slash", () => ({ sub: "../admin" })],
    ["cityWide beside a place", () => ({ cityWide: true })],
  ];
  it.each(malformed)("401s %s", async (_name, raw) => {
    const tok = await token({ ...staffClaims(), raw: raw() });
    const r = await read(tok);
    expect(r.status, JSON.stringify(r.body)).toBe(401);
    expect(r.body.code).toBe("unauthenticated");
  });

  it("keeps idempotency records apart for (sub, key) pairs that once shared a storage key", async () => {
    // under IDEM#<sub>#<key>, ("u", "x#y") and ("u#x", "y") were one record: a second user could
    // replay the first one's reply. Subjects with '#' are refused now, and keys are encoded.
    const first = await post(
      "/v1/needs",
      await token({ ...staffClaims(), sub: `hr-u-${run}` }),
      { communityId: home.communityId, title: `幂等 ${run}`, description: "d" },
      { "idempotency-key": "x#y" },
    );
    expect(first.status).toBe(201);
    const other = await post(
      "/v1/needs",
      await token({ ...staffClaims(), raw: { sub: `hr-u-${run}#x` } }),
      { communityId: home.communityId, title: `幂等 ${run}`, description: "d" },
      { "idempotency-key": "y" },
    );
    expect(other.status).toBe(401);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("5. cursors and text", () => {
  const startKey = (over: Record<string, string>) =>
    Buffer.from(JSON.stringify(over)).toString("base64url");

  it("400s a cursor that names the list's partition but a key outside its query, public and private", async () => {
    await proposal();
    const pk = `PROPOSAL#C#${home.communityId}`;
    const outside = startKey({
      pk: "PROPOSAL#01JZZZZZZZZZZZZZZZZZZZZZZZ",
      sk: "PROPOSAL",
      gsi1pk: pk,
      gsi1sk: `${year - 5}#submitted#2020-01-01T00:00:00.000Z#01JZZZZZZZZZZZZZZZZZZZZZZZ`,
    });
    const pub = await call(
      "GET",
      `/v1/public/proposals?communityId=${home.communityId}&year=${year}&cursor=${outside}`,
    );
    expect(pub.status, JSON.stringify(pub.body)).toBe(400);
    expect(pub.body.errors).toEqual([
      { path: "query.cursor", message: "not a cursor of this list" },
    ]);
    const priv = await call(
      "GET",
      `/v1/proposals?communityId=${home.communityId}&year=${year}&status=submitted&cursor=${outside}`,
      { token: t.staff },
    );
    expect(priv.status, JSON.stringify(priv.body)).toBe(400);
    const evidence = await call(
      "GET",
      `/v1/proposals/${await proposal()}/evidence?cursor=${startKey({ pk: "x", sk: "TL#000001" })}`,
      { token: t.staff },
    );
    expect(evidence.status).toBe(400);
  });

  it.each([
    ["only zero-width characters", "\u200b\u200c\u200d\ufeff"],
    ["only a Hangul filler and spaces", "\u3164  \u3164"],
    ["a control character", "电梯\u0007加装"],
    ["a bidi override", "电梯\u202e装加"],
    ["a lone surrogate", "电梯\ud800"],
    ["a line break in a one-line title", "电梯\n加装"],
  ])("400s a title with %s, writing nothing", async (_name, title) => {
    const before = await quietTableCounts();
    const r = await post("/v1/needs", t.staff, {
      communityId: home.communityId,
      title,
      description: "d",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors[0].path).toBe("body.title");
    expect(await tableCounts()).toEqual(before);
  });

  it("stores text NFC-normalised, and de-duplicates needs through zero-width and bidi marks", async () => {
    const title = `加装电梯 ${run}`;
    const first = await post("/v1/needs", t.staff, {
      communityId: home.communityId,
      title: `Cafe\u0301 ${title}`,
      description: "d",
    });
    expect(first.status).toBe(201);
    expect(first.body.title).toBe(`Caf\u00e9 ${title}`);
    for (const variant of [
      `Caf\u00e9 ${title.replace("电梯", "电\u200b梯")}`,
      `\u200eCaf\u00e9 ${title}\u200f`,
      `Caf\u00e9\u2060 ${title}`,
    ]) {
      const again = await post("/v1/needs", t.staff, {
        communityId: home.communityId,
        title: variant,
        description: "d",
      });
      expect(again.status, variant).toBe(409);
      expect(again.body.code).toBe("duplicate");
      expect(again.body.detail).toContain(first.body.id);
    }
  });

  it.each([
    ["year 9999", "9999-01-01T19:00:00+08:00"],
    ["year 1999", "1999-01-01T19:00:00+08:00"],
    ["three years ahead", new Date(Date.now() + 3 * 365 * 86_400_000).toISOString()],
  ])("400s a meeting scheduled in %s", async (_name, scheduledAt) => {
    const r = await post("/v1/meetings", t.staff, {
      communityId: home.communityId,
      scheduledAt,
      memberIds: ["m-1", "m-2", "m-3"],
      proposalIds: [ulid()],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors[0].path).toBe("body.scheduledAt");
  });
});

describe("6 and 14. evidence storage", () => {
  const declare = (p: string, tok: string, bytes: Buffer | number, name = "a.pdf") =>
    post(`/v1/proposals/${p}/evidence`, tok, {
      purpose: "minutes",
      fileName: name,
      contentType: "application/pdf",
      sizeBytes: typeof bytes === "number" ? bytes : bytes.length,
      sha256:
        typeof bytes === "number"
          ? "0".repeat(64)
          : createHash("sha256").update(bytes).digest("hex"),
    });

  it("stops one resident reserving 30 x 50 MB in a second: exactly 10 pass (500 MB a day), under concurrency", async () => {
    const uploader = await token({
      sub: `hr-quota-${run}`,
      roles: ["resident"],
      ...home,
      householdId: `hh-q-${run}`,
    });
    const p = await proposal(uploader);
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => declare(p, uploader, 50 * 1024 * 1024, `f${i}.pdf`)),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const refused = replies.filter((r) => r.status !== 201);
    expect(
      refused.every((r) => r.status === 422 && r.body.code === "evidence_quota_exceeded"),
    ).toBe(true);
    const listed = await call("GET", `/v1/proposals/${p}/evidence?limit=200`, { token: uploader });
    expect(listed.body.items).toHaveLength(10);
  });

  it("refuses to confirm evidence onto a proposal withdrawn since it was declared", async () => {
    const p = await proposal();
    const bytes = Buffer.from(`%PDF-1.4 minutes ${run}`);
    const ev = await declare(p, t.resident, bytes);
    expect(ev.status).toBe(201);
    const put = await fetch(ev.body.upload.url, {
      method: "PUT",
      headers: ev.body.upload.headers,
      body: bytes,
    });
    expect(put.status).toBe(200);
    expect((await post(`/v1/proposals/${p}/withdraw`, t.resident)).status).toBe(200);
    const confirm = await post(
      `/v1/proposals/${p}/evidence/${ev.body.evidenceId}/confirm`,
      t.resident,
    );
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(409);
    expect(confirm.body.code).toBe("invalid_state");
    const declared = await declare(p, t.resident, bytes);
    expect(declared.status).toBe(409);
    const listed = await call("GET", `/v1/proposals/${p}/evidence`, { token: t.resident });
    expect(listed.body.items.map((e: { status: string }) => e.status)).toEqual(["pending"]);
  });

  it("serves verified evidence from its kept copy, never from the upload", async () => {
    const p = await proposal();
    const bytes = Buffer.from(`%PDF-1.4 kept ${run}`);
    const ev = await declare(p, t.resident, bytes);
    await fetch(ev.body.upload.url, {
      method: "PUT",
      headers: ev.body.upload.headers,
      body: bytes,
    });
    const confirm = await post(
      `/v1/proposals/${p}/evidence/${ev.body.evidenceId}/confirm`,
      t.resident,
    );
    expect(confirm.body.status).toBe("verified");
    const listed = await call("GET", `/v1/proposals/${p}/evidence`, { token: t.resident });
    const url = new URL(listed.body.items[0].url);
    expect(url.pathname).toContain(`/proposals/${p}/evidence/${ev.body.evidenceId}`);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe("8 and 12. forged or garbage event data changes nothing", () => {
  it("a valid envelope with garbage data moves no proposal and writes nothing to its public timeline", async () => {
    const p = await proposal();
    const screened = await post(`/v1/proposals/${p}/screening`, t.staff, {
      decision: "accept",
      needFit: 80,
    });
    expect(screened.status).toBe(200);
    const before = await eventually(
      () => call("GET", `/v1/proposals/${p}/timeline`, { token: t.staff }),
      (r) => r.body.items.length === 2,
    );
    const envelope = (type: string, data: unknown) => ({
      id: ulid(),
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      cityId,
      proposalId: p,
      communityId: home.communityId,
      actor: { sub: "forger", roles: ["community_staff"] },
      correlationId: `forged-${run}`,
      data,
    });
    // the forged events, then a genuine one that must be the only one to land
    await publish(envelope("DeliberationConcluded", { garbage: "x" }));
    await publish(
      envelope("ProposalRejected", { proposalId: p, stage: "approval", rejectedAt: "soon" }),
    );
    await publish({ ...envelope("ProposalEndorsed", { proposalId: p }), cityId: "elsewhere" });
    await publish(
      envelope("ExpertReviewConcluded", {
        proposalId: p,
        passed: true,
        decision: "pass",
        reviews: 2,
        averageScore: 88,
      }),
    );
    await eventually(
      () => call("GET", `/v1/proposals/${p}/timeline`, { token: t.staff }),
      (r) => r.body.items.length > before.body.items.length,
    );
    await quietTableCounts(); // whatever else could land has landed
    const after = await call("GET", `/v1/proposals/${p}/timeline`, { token: t.staff });
    expect(after.body.items.map((i: { type: string }) => i.type)).toEqual([
      "ProposalSubmitted",
      "ProposalScreened",
      "ExpertReviewConcluded",
    ]);
    expect(JSON.stringify(after.body.items)).not.toContain("garbage");
    expect(verifyChain(after.body.items)).toBeNull();
    const now = await call("GET", `/v1/proposals/${p}`, { token: t.staff });
    expect(now.body.status).toBe("screened");
  });
});
