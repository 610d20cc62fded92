import { ulid } from "ulid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publish } from "../support/events.js";
import { call, currentYear, eventually, places, token } from "../support/http.js";
import { daysUntilPast, freshCreditCode, withClockAhead } from "../support/orgs.js";

// The organisation registry end to end on the shared local cloud (demo city): registration into
// the public notice, residents' objections (one each, in the notice only), the district's review
// after it, suspension and exit, the public list with each organisation's record, and intake's
// rule that a service proposal's applicant is the proposer's own active organisation. The notice
// is 5 working days: the test moves the local clock past its end (`POST /dev/clock`) for the
// review, and back.

const run = Date.now().toString(36);
const year = currentYear();
type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
const t = {} as Record<
  "staff" | "civil" | "farCivil" | "resident" | "resident2" | "neighbour" | "streetStaff",
  string
>;
let orgId: string;
let noticeEndsAt: string;
let need: string;

const post = (path: string, tok: string | undefined, body: unknown) =>
  call("POST", path, { ...(tok ? { token: tok } : {}), body });

const register = (body: Record<string, unknown>, tok = t.staff) =>
  post("/v1/orgs", tok, {
    name: `长者服务社 ${run}`,
    track: "registered",
    creditCode: freshCreditCode(),
    communityId: home.communityId,
    services: ["elderly_care"],
    ...body,
  });

const serviceProposal = (tok: string, applicantOrgId: string, title: string) =>
  post("/v1/proposals", tok, {
    communityId: home.communityId,
    kind: "service",
    category: "elderly_care",
    title: `${title} ${run}`,
    summary: "助餐与探访",
    beneficiaries: 40,
    budgetFen: 1_000_000,
    needIds: [need],
    year,
    applicantOrgId,
  });

const orgToken = (id: string, sub = `org-user-${run}`) =>
  token({ sub, roles: ["org"], ...home, orgId: id });

beforeAll(async () => {
  ({ home, neighbour, far } = await places());
  t.staff = await token({ sub: `os-staff-${run}`, roles: ["community_staff"], ...home });
  t.streetStaff = await token({
    sub: `os-street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  t.civil = await token({
    sub: `os-civil-${run}`,
    roles: ["district_civil"],
    districtId: home.districtId,
  });
  t.farCivil = await token({
    sub: `os-farcivil-${run}`,
    roles: ["district_civil"],
    districtId: far.districtId,
  });
  const resident = (sub: string, at: Place) =>
    token({ sub, roles: ["resident"], ...at, householdId: `hh-${sub}` });
  t.resident = await resident(`os-res1-${run}`, home);
  t.resident2 = await resident(`os-res2-${run}`, home);
  t.neighbour = await resident(`os-res3-${run}`, neighbour);
  const n = await post("/v1/needs", t.staff, {
    communityId: home.communityId,
    title: `长者助餐 ${run}`,
    description: "独居老人吃饭难",
  });
  expect(n.status).toBe(201);
  need = n.body.id;
}, 60_000);

afterAll(async () => {
  await call("POST", "/dev/clock", { body: { now: new Date().toISOString() } });
});

describe("the organisation registry", () => {
  it("registers an organisation into its public notice of 5 working days", async () => {
    const r = await register({});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.status).toBe("in_notice");
    orgId = r.body.id;
    noticeEndsAt = r.body.noticeEndsAt;
    const days = (Date.parse(noticeEndsAt) - Date.now()) / 86_400_000;
    // five working days and the rest of today: at least 5 days, at most two weeks ahead
    expect(days).toBeGreaterThan(5);
    expect(days).toBeLessThan(14);
    const listed = await call("GET", `/v1/orgs?districtId=${home.districtId}&status=in_notice`, {
      token: t.civil,
    });
    expect(listed.body.items.map((o: { id: string }) => o.id)).toContain(orgId);
  });

  it("registers in the registrar's own jurisdiction only", async () => {
    const other = await register({ communityId: neighbour.communityId });
    expect(other.status).toBe(403);
    const farOrg = await register({ communityId: far.communityId }, t.civil);
    expect(farOrg.status).toBe(403);
  });

  it("takes one objection per resident of the area during the notice; others are refused", async () => {
    const first = await post(`/v1/orgs/${orgId}/objections`, t.resident, { reason: "收费不透明" });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await post(`/v1/orgs/${orgId}/objections`, t.resident, { reason: "再次反对" });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("duplicate");
    const outsider = await post(`/v1/orgs/${orgId}/objections`, t.neighbour, { reason: "外人" });
    expect(outsider.status).toBe(403);
  });

  it("10 concurrent objections by one resident count once", async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(`/v1/orgs/${orgId}/objections`, t.resident2, { reason: `并发 ${i}` }),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const org = await call("GET", `/v1/orgs/${orgId}`, { token: t.civil });
    expect(org.body.objections).toBe(2);
    // the reviewer sees what and when, never who
    expect(org.body.objectionList).toHaveLength(2);
    expect(JSON.stringify(org.body)).not.toContain(`os-res1-${run}`);
  });

  it("is not reviewed while the notice runs", async () => {
    const r = await post(`/v1/orgs/${orgId}/review`, t.civil, { decision: "admit", reason: "x" });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe("notice_running");
  });

  it("after the notice: no objections; admitting over objections needs a reason; two reviews at once, one wins", async () => {
    await withClockAhead(await daysUntilPast(noticeEndsAt), async () => {
      const late = await post(`/v1/orgs/${orgId}/objections`, t.neighbour, { reason: "迟到" });
      expect(late.status).toBe(403);
      const lateHome = await post(
        `/v1/orgs/${orgId}/objections`,
        await token({
          sub: `os-res4-${run}`,
          roles: ["resident"],
          ...home,
        }),
        { reason: "迟到" },
      );
      expect(lateHome.status).toBe(409);
      expect(lateHome.body.code).toBe("notice_ended");
      const noReason = await post(`/v1/orgs/${orgId}/review`, t.civil, { decision: "admit" });
      expect(noReason.status).toBe(422);
      expect(noReason.body.code).toBe("reason_required");
      const farReview = await post(`/v1/orgs/${orgId}/review`, t.farCivil, {
        decision: "admit",
        reason: "x",
      });
      expect(farReview.status).toBe(403);
      const both = await Promise.all(
        [1, 2].map(() =>
          post(`/v1/orgs/${orgId}/review`, t.civil, {
            decision: "admit",
            reason: "异议已核实不成立",
          }),
        ),
      );
      const statuses = both.map((r) => r.status).sort();
      expect(statuses, JSON.stringify(both.map((r) => r.body))).toEqual([200, 409]);
      const winner = both.find((r) => r.status === 200)!.body.status;
      expect(winner).toBe("active");
    });
  });

  it("its own users apply for a service proposal with it; nobody else names it", async () => {
    const own = await orgToken(orgId);
    const ok = await eventually(
      () => serviceProposal(own, orgId, "长者助餐"),
      (r) => r.body?.code !== "org_not_active",
      20_000,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.applicantOrgId).toBe(orgId);
    const stranger = await orgToken(ulid(), `org-stranger-${run}`);
    const named = await serviceProposal(stranger, orgId, "冒名");
    expect(named.status).toBe(403);
    const residentNamed = await serviceProposal(t.resident, orgId, "冒名");
    expect(residentNamed.status).toBe(403);
  });

  it("a suspended organisation applies for nothing (422 org_not_active); restored, it may again", async () => {
    const s = await post(`/v1/orgs/${orgId}/status`, t.civil, {
      status: "suspended",
      reason: "年检未通过",
    });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    const own = await orgToken(orgId);
    const refused = await eventually(
      () => serviceProposal(own, orgId, "暂停中"),
      (r) => r.status === 422,
      20_000,
    );
    expect(refused.body.code).toBe("org_not_active");
    const back = await post(`/v1/orgs/${orgId}/status`, t.civil, {
      status: "active",
      reason: "整改完成",
    });
    expect(back.status).toBe(200);
    const ok = await eventually(
      () => serviceProposal(own, orgId, "恢复后"),
      (r) => r.status !== 422,
      20_000,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it("an organisation never admitted applies for nothing", async () => {
    const r = await register({});
    expect(r.status).toBe(201);
    const own = await orgToken(r.body.id, `org-new-${run}`);
    const p = await serviceProposal(own, r.body.id, "公示中");
    expect(p.status).toBe(422);
    expect(p.body.code).toBe("org_not_active");
  });

  it("files an organisation under an active registered sponsor only", async () => {
    const filed = await register({
      track: "filed",
      creditCode: undefined,
      sponsorOrgId: orgId,
      name: `楼栋自管小组 ${run}`,
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const underFiled = await register({
      track: "filed",
      creditCode: undefined,
      sponsorOrgId: filed.body.id,
    });
    expect(underFiled.status).toBe(422);
    expect(underFiled.body.code).toBe("sponsor_not_active");
  });

  it("publishes each organisation with its record of evaluated projects, no personal data", async () => {
    const own = await orgToken(orgId);
    const p = await serviceProposal(own, orgId, "评价");
    expect(p.status).toBe(201);
    // evaluation's 一菜一评 result, as its outbox would publish it
    await publish({
      id: ulid(),
      type: "EvaluationClosed",
      version: 1,
      occurredAt: new Date().toISOString(),
      cityId: (await call("GET", "/v1/geo")).body.cityId,
      proposalId: p.body.id,
      communityId: home.communityId,
      actor: { sub: "evaluation", roles: ["street_staff"] },
      correlationId: ulid(),
      data: {
        proposalId: p.body.id,
        seats: 5,
        ratings: 5,
        satisfiedCount: 4,
        satisfactionRate: 0.8,
        passed: true,
        byType: {},
        closedAt: new Date().toISOString(),
      },
    });
    const list = await eventually(
      () => call("GET", `/v1/public/orgs?districtId=${home.districtId}`),
      (r) => r.body.items?.find((o: { id: string }) => o.id === orgId)?.record.evaluated === 1,
      20_000,
    );
    const mine = list.body.items.find((o: { id: string }) => o.id === orgId);
    expect(mine).toMatchObject({
      name: `长者服务社 ${run}`,
      track: "registered",
      status: "active",
      services: ["elderly_care"],
      record: { evaluated: 1, passed: 1, averageSatisfaction: 0.8 },
    });
    expect(mine.creditCode).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(`os-res1-${run}`);
    expect(JSON.stringify(list.body)).not.toContain(`os-staff-${run}`);
  });

  it("exited is final", async () => {
    const out = await post(`/v1/orgs/${orgId}/status`, t.civil, {
      status: "exited",
      reason: "注销",
    });
    expect(out.status).toBe(200);
    const back = await post(`/v1/orgs/${orgId}/status`, t.civil, { status: "active", reason: "x" });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe("invalid_state");
  });
});
