import { proposalScreenedDataSchema } from "@pencai/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { outboxEvents } from "../../../test/support/events.js";
import {
  allowedCategory,
  call,
  eventually,
  places,
  sha256Hex,
  token,
  verifyChain,
} from "../../../test/support/http.js";
import { admittedOrg } from "../../../test/support/orgs.js";

// Intake against the local cloud: every route's happy path, jurisdiction, concurrency,
// evidence with real uploads, and the public views. Data is unique per run (titles, subs, a
// far programme year) so reruns against one local cloud do not interfere.

const run = Date.now().toString(36);
/** A programme year nobody else uses, so year-filtered lists hold only this run's proposals. */
const year = 2050 + (Date.now() % 45);

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
let category: string;
let resident: string;
let otherResident: string;
let farResident: string;
let staff: string;
let neighbourStaff: string;
let farStaff: string;
let streetStaff: string;
let otherStreetStaff: string;
let districtCivil: string;
let needId: string;

const proposalBody = (over: Record<string, unknown> = {}) => ({
  communityId: home.communityId,
  kind: "works",
  category,
  title: `楼道扶手 ${run}`,
  summary: "在楼道加装扶手与防滑条",
  beneficiaries: 120,
  budgetFen: 3_000_000,
  selfRaisedFen: 100_000,
  needIds: [needId],
  year,
  ...over,
});

async function propose(over: Record<string, unknown> = {}, as = resident) {
  // an organisation applies once intake has heard the registry admit it
  const r = await eventually(
    () => call("POST", "/v1/proposals", { token: as, body: proposalBody(over) }),
    (r) => r.body?.code !== "org_not_active",
    30_000,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; status: string };
}

beforeAll(async () => {
  ({ home, neighbour, far } = await places());
  category = await allowedCategory();
  resident = await token({
    sub: `res-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh-${run}`,
  });
  otherResident = await token({
    sub: `res2-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh2-${run}`,
  });
  farResident = await token({ sub: `resfar-${run}`, roles: ["resident"], ...far });
  staff = await token({ sub: `staff-${run}`, roles: ["community_staff"], ...home });
  neighbourStaff = await token({ sub: `nstaff-${run}`, roles: ["community_staff"], ...neighbour });
  farStaff = await token({ sub: `fstaff-${run}`, roles: ["community_staff"], ...far });
  streetStaff = await token({
    sub: `street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  otherStreetStaff = await token({
    sub: `street2-${run}`,
    roles: ["street_staff"],
    districtId: far.districtId,
    streetId: far.streetId,
  });
  districtCivil = await token({
    sub: `civil-${run}`,
    roles: ["district_civil"],
    districtId: home.districtId,
  });
  const need = await call("POST", "/v1/needs", {
    token: resident,
    body: {
      communityId: home.communityId,
      title: `加装扶手 ${run}`,
      description: "老人上下楼困难",
    },
  });
  expect(need.status).toBe(201);
  needId = need.body.id;
});

describe("geography and rules", () => {
  it("answer without a token", async () => {
    const geo = await call("GET", "/v1/geo");
    expect(geo.status).toBe(200);
    expect(geo.body.districts[0].streets[0].communities[0]).toHaveProperty("name");
    const rules = await call("GET", "/v1/rules");
    expect(rules.status).toBe(200);
    expect(rules.body.caps).toEqual({
      worksFen: 50_000_000,
      serviceFen: 20_000_000,
      communityYearFen: 200_000_000,
    });
    expect(["negative", "positive"]).toContain(rules.body.categoryList.mode);
    expect(rules.body.categories[0]).toEqual({ id: expect.any(String), name: expect.any(String) });
    expect(rules.body.sla).toEqual({
      reviewWorkingDays: 5,
      disbursementWorkingDays: 15,
      rectificationWorkingDays: 10,
    });
    const { weights } = rules.body.scores;
    expect(Object.values<number>(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });
});

describe("needs library", () => {
  it("raises, reads and lists needs with cursor paging", async () => {
    const created = await call("POST", "/v1/needs", {
      token: staff,
      body: {
        communityId: home.communityId,
        title: `路灯昏暗 ${run}`,
        description: "小区北门路灯不亮",
        category,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: "open",
      endorsements: 0,
      proposalIds: [],
      proposalCount: 0,
      raisedBy: { role: "community_staff" },
    });
    expect(JSON.stringify(created.body)).not.toContain(`staff-${run}`);

    const one = await call("GET", `/v1/needs/${created.body.id}`, { token: resident });
    expect(one.body.title).toBe(`路灯昏暗 ${run}`);
    expect((await call("GET", `/v1/needs/${created.body.id}`, { token: farResident })).status).toBe(
      403,
    );

    const first = await call("GET", `/v1/needs?communityId=${home.communityId}&limit=1`, {
      token: resident,
    });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextCursor).toBe("string");
    const second = await call(
      "GET",
      `/v1/needs?communityId=${home.communityId}&limit=1&cursor=${first.body.nextCursor}`,
      { token: resident },
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const bad = await call(
      "GET",
      `/v1/needs?communityId=${neighbour.communityId}&cursor=${first.body.nextCursor}`,
      { token: streetStaff },
    );
    expect(bad.status).toBe(400);
    expect(
      (await call("GET", `/v1/needs?communityId=${home.communityId}`, { token: farResident }))
        .status,
    ).toBe(403);
  });

  it("refuses a duplicate title (normalised) with the existing need's id", async () => {
    const dup = await call("POST", "/v1/needs", {
      token: otherResident,
      body: {
        communityId: home.communityId,
        title: ` 加装  扶手！${run} `,
        description: "同一个需求",
      },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe("duplicate");
    expect(dup.body.detail).toContain(needId);
    // the same title in another community is another need
    const elsewhere = await call("POST", "/v1/needs", {
      token: farResident,
      body: { communityId: far.communityId, title: `加装扶手 ${run}`, description: "d" },
    });
    expect(elsewhere.status).toBe(201);
  });

  it("counts 15 endorsements exactly from 30 parallel requests of 15 residents", async () => {
    const need = await call("POST", "/v1/needs", {
      token: staff,
      body: { communityId: home.communityId, title: `健身器材 ${run}`, description: "器材老化" },
    });
    const tokens = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        token({ sub: `endorser-${run}-${i}`, roles: ["resident"], ...home }),
      ),
    );
    const replies = await Promise.all(
      [...tokens, ...tokens].map((t) =>
        call("POST", `/v1/needs/${need.body.id}/endorsements`, { token: t }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(15);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect(replies.filter((r) => r.status === 409).every((r) => r.body.code === "duplicate")).toBe(
      true,
    );
    const after = await call("GET", `/v1/needs/${need.body.id}`, { token: staff });
    expect(after.body.endorsements).toBe(15);
    // residents of another community, and staff, do not endorse
    expect(
      (await call("POST", `/v1/needs/${need.body.id}/endorsements`, { token: farResident })).status,
    ).toBe(403);
    expect(
      (await call("POST", `/v1/needs/${need.body.id}/endorsements`, { token: staff })).status,
    ).toBe(403);
  });

  it("replays an endorsement retried with the same Idempotency-Key", async () => {
    const need = await call("POST", "/v1/needs", {
      token: staff,
      body: { communityId: home.communityId, title: `垃圾分类 ${run}`, description: "d" },
    });
    const key = { "idempotency-key": `endorse-${run}` };
    const a = await call("POST", `/v1/needs/${need.body.id}/endorsements`, {
      token: otherResident,
      headers: key,
    });
    const b = await call("POST", `/v1/needs/${need.body.id}/endorsements`, {
      token: otherResident,
      headers: key,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(
      (await call("GET", `/v1/needs/${need.body.id}`, { token: staff })).body.endorsements,
    ).toBe(1);
  });
});

describe("proposals", () => {
  it("are filed, read and listed by community, street and district with status and year as index keys", async () => {
    const a = await propose({ title: `A ${run}` });
    const b = await propose({ title: `B ${run}` }, staff);
    // a service project: its organisation's own user files it, as the organisation
    const orgId = await admittedOrg(home, ["elderly_care"], run);
    const orgUser = await token({
      sub: `org-user-${run}`,
      roles: ["org"],
      communityId: home.communityId,
      orgId,
    });
    const c = await propose(
      {
        title: `C ${run}`,
        kind: "service",
        category: "elderly_care",
        applicantOrgId: orgId,
      },
      orgUser,
    );
    expect(a).toMatchObject({
      status: "submitted",
      streetId: home.streetId,
      districtId: home.districtId,
      year,
    });
    expect(
      (
        await call("POST", `/v1/proposals/${b.id}/screening`, {
          token: staff,
          body: { decision: "accept", needFit: 70 },
        })
      ).status,
    ).toBe(200);

    const byCommunity = await call(
      "GET",
      `/v1/proposals?communityId=${home.communityId}&year=${year}`,
      { token: staff },
    );
    expect(byCommunity.status).toBe(200);
    expect(byCommunity.body.items.map((p: { id: string }) => p.id).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    expect(byCommunity.body.nextCursor).toBeNull();

    const page1 = await call(
      "GET",
      `/v1/proposals?streetId=${home.streetId}&year=${year}&limit=2`,
      { token: streetStaff },
    );
    expect(page1.body.items).toHaveLength(2);
    const page2 = await call(
      "GET",
      `/v1/proposals?streetId=${home.streetId}&year=${year}&limit=2&cursor=${page1.body.nextCursor}`,
      { token: streetStaff },
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();

    const screened = await call(
      "GET",
      `/v1/proposals?districtId=${home.districtId}&year=${year}&status=screened`,
      { token: districtCivil },
    );
    expect(screened.body.items.map((p: { id: string }) => p.id)).toEqual([b.id]);
    const submittedAnyYear = await call(
      "GET",
      `/v1/proposals?communityId=${home.communityId}&status=submitted&limit=200`,
      { token: staff },
    );
    expect(
      submittedAnyYear.body.items.every((p: { status: string }) => p.status === "submitted"),
    ).toBe(true);

    const ownInCommunity = await call(
      "GET",
      `/v1/proposals?communityId=${home.communityId}&year=${year}`,
      {
        token: resident,
      },
    );
    expect(ownInCommunity.body.items.map((p: { id: string }) => p.id)).toEqual([a.id]);
    const mine = await call("GET", "/v1/proposals?mine=true", { token: resident });
    expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining([a.id]),
    );
    expect(mine.body.items.map((p: { id: string }) => p.id)).not.toContain(b.id);
    expect(mine.body.items.map((p: { id: string }) => p.id)).not.toContain(c.id);
    // the organisation's own user lists the organisation's proposal as theirs
    const orgs = await call("GET", "/v1/proposals?mine=true", { token: orgUser });
    expect(orgs.body.items.map((p: { id: string }) => p.id)).toEqual([c.id]);
  });

  it("stay inside their jurisdiction", async () => {
    const p = await propose();
    expect((await call("GET", `/v1/proposals/${p.id}`, { token: resident })).status).toBe(200);
    expect((await call("GET", `/v1/proposals/${p.id}`, { token: staff })).status).toBe(200);
    expect((await call("GET", `/v1/proposals/${p.id}`, { token: streetStaff })).status).toBe(200);
    expect((await call("GET", `/v1/proposals/${p.id}`, { token: districtCivil })).status).toBe(200);
    for (const t of [otherResident, neighbourStaff, farStaff, otherStreetStaff]) {
      const r = await call("GET", `/v1/proposals/${p.id}`, { token: t });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("forbidden");
    }
    expect(
      (await call("GET", `/v1/proposals/${p.id}/timeline`, { token: neighbourStaff })).status,
    ).toBe(403);
    expect(
      (
        await call("GET", `/v1/proposals?communityId=${home.communityId}`, {
          token: neighbourStaff,
        })
      ).status,
    ).toBe(403);
    expect(
      (await call("GET", `/v1/proposals?streetId=${home.streetId}`, { token: staff })).status,
    ).toBe(403);
    // a resident listing their community sees their own proposals only
    const own = await call("GET", `/v1/proposals?communityId=${home.communityId}&limit=200`, {
      token: otherResident,
    });
    expect(own.status).toBe(200);
    expect(own.body.items.map((x: { id: string }) => x.id)).not.toContain(p.id);
    expect(
      (await call("GET", `/v1/proposals?communityId=${far.communityId}`, { token: resident }))
        .status,
    ).toBe(403);
    const screen = await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: neighbourStaff,
      body: { decision: "accept" },
    });
    expect(screen.status).toBe(403);
  });

  it("are screened once: reject needs a reason, a second screening is 409", async () => {
    const p = await propose();
    const noReason = await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: staff,
      body: { decision: "reject" },
    });
    expect(noReason.status).toBe(400);
    const rejected = await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: staff,
      body: { decision: "reject", reason: "与需求不符", needFit: 10 },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: "rejected",
      rejectedAt: "screening",
      rejectionReason: "与需求不符",
      stage: "collection",
    });
    const again = await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: staff,
      body: { decision: "accept" },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("invalid_state");
  });

  it("publish the screened proposal's facts for deliberation (event-carried state)", async () => {
    const p = await propose({ beneficiaries: 240, selfRaisedFen: 300_000 });
    const screen = await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: staff,
      body: { decision: "accept", needFit: 70 },
    });
    expect(screen.status).toBe(200);
    const events = await outboxEvents("Intake", (e) => e.proposalId === p.id);
    const screened = events.find((e) => e.type === "ProposalScreened");
    expect(screened?.data).toEqual({
      proposalId: p.id,
      decision: "accept",
      status: "screened",
      needFit: 70,
      ...home,
      kind: "works",
      category,
      title: `楼道扶手 ${run}`,
      budgetFen: 3_000_000,
      selfRaisedFen: 300_000,
      sponsorFen: 0,
      programmeFen: 2_700_000,
      year,
      beneficiaries: 240,
    });
    expect(proposalScreenedDataSchema.safeParse(screened?.data).success).toBe(true);
    expect(JSON.stringify(screened?.data)).not.toContain(`res-${run}`);
  });

  it("never fork the timeline: 10 parallel screenings, one wins", async () => {
    const p = await propose();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call("POST", `/v1/proposals/${p.id}/screening`, {
          token: staff,
          body: { decision: "accept", needFit: i * 10 },
        }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status !== 200).every((r) => r.status === 409)).toBe(true);
    const timeline = await call("GET", `/v1/proposals/${p.id}/timeline`, { token: staff });
    expect(timeline.body.items.map((i: { type: string }) => i.type)).toEqual([
      "ProposalSubmitted",
      "ProposalScreened",
    ]);
    expect(verifyChain(timeline.body.items)).toBeNull();
  });

  it("are withdrawn by their proposer only, before approval; the need and the public forget them", async () => {
    const p = await propose();
    await eventually(
      () => call("GET", `/v1/needs/${needId}`, { token: staff }),
      (r) => r.body.proposalIds.includes(p.id),
    );
    expect(
      (await call("POST", `/v1/proposals/${p.id}/withdraw`, { token: otherResident })).status,
    ).toBe(403);
    const w = await call("POST", `/v1/proposals/${p.id}/withdraw`, {
      token: resident,
      body: { reason: "改为自行解决" },
    });
    expect(w.status).toBe(200);
    expect(w.body.status).toBe("withdrawn");
    expect(w.body.stage).toBeUndefined();
    const again = await call("POST", `/v1/proposals/${p.id}/withdraw`, { token: resident });
    expect(again.status).toBe(409);
    expect((await call("GET", `/v1/public/proposals/${p.id}`)).status).toBe(404);
    const list = await call(
      "GET",
      `/v1/public/proposals?communityId=${home.communityId}&year=${year}&limit=200`,
    );
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(p.id);
    const need = await eventually(
      () => call("GET", `/v1/needs/${needId}`, { token: staff }),
      (r) => !r.body.proposalIds.includes(p.id),
    );
    expect(need.body.proposalCount).toBe(need.body.proposalIds.length);
  });
});

describe("evidence", () => {
  let proposalId: string;
  beforeAll(async () => {
    proposalId = (await propose()).id;
  });

  async function declare(bytes: Buffer, as = staff, contentType = "application/pdf") {
    const r = await call("POST", `/v1/proposals/${proposalId}/evidence`, {
      token: as,
      body: {
        purpose: "minutes",
        fileName: "minutes.pdf",
        contentType,
        sizeBytes: bytes.length,
        sha256: sha256Hex(bytes),
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as {
      evidenceId: string;
      upload: { method: string; url: string; headers: Record<string, string> };
    };
  }

  it("presigns a PUT that signs type, length and SHA-256 as headers", async () => {
    const ev = await declare(Buffer.from(`signed ${run}`));
    expect(ev.upload.method).toBe("PUT");
    const signed = new URL(ev.upload.url).searchParams.get("X-Amz-SignedHeaders")!.split(";");
    expect(signed).toEqual(
      expect.arrayContaining(["content-length", "content-type", "x-amz-checksum-sha256"]),
    );
    expect(Object.keys(ev.upload.headers).sort()).toEqual([
      "content-type",
      "x-amz-checksum-sha256",
    ]);
  });

  it("verifies the exact bytes and lists them with a short-lived download", async () => {
    const bytes = Buffer.from(`%PDF-1.4 council minutes ${run}`);
    const ev = await declare(bytes);
    const early = await call(
      "POST",
      `/v1/proposals/${proposalId}/evidence/${ev.evidenceId}/confirm`,
      { token: staff },
    );
    expect(early.status).toBe(409);
    const put = await fetch(ev.upload.url, {
      method: "PUT",
      headers: ev.upload.headers,
      body: bytes,
    });
    expect(put.ok).toBe(true);
    const ok = await call("POST", `/v1/proposals/${proposalId}/evidence/${ev.evidenceId}/confirm`, {
      token: resident,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: "verified",
      sha256: sha256Hex(bytes),
      sizeBytes: bytes.length,
    });
    const list = await call("GET", `/v1/proposals/${proposalId}/evidence`, { token: streetStaff });
    const item = list.body.items.find(
      (e: { evidenceId: string }) => e.evidenceId === ev.evidenceId,
    );
    expect(item.url).toBeTruthy();
    expect(Buffer.from(await (await fetch(item.url)).arrayBuffer()).equals(bytes)).toBe(true);
    // the verified hash is anchored in the proposal's timeline
    const timeline = await call("GET", `/v1/proposals/${proposalId}/timeline`, { token: staff });
    expect(timeline.body.items.at(-1)).toMatchObject({
      type: "EvidenceVerified",
      data: { sha256: sha256Hex(bytes) },
    });
    expect(verifyChain(timeline.body.items)).toBeNull();
  });

  it("rejects other bytes with 422 evidence_mismatch, quarantines them and lists no URL", async () => {
    const declared = Buffer.from(`%PDF-1.4 the real sign-in sheet ${run}`);
    const ev = await declare(declared);
    const other = Buffer.alloc(declared.length, 0x41); // same length, other bytes
    await fetch(ev.upload.url, { method: "PUT", headers: ev.upload.headers, body: other });
    const r = await call("POST", `/v1/proposals/${proposalId}/evidence/${ev.evidenceId}/confirm`, {
      token: staff,
    });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("evidence_mismatch");
    const list = await call("GET", `/v1/proposals/${proposalId}/evidence`, { token: staff });
    const item = list.body.items.find(
      (e: { evidenceId: string }) => e.evidenceId === ev.evidenceId,
    );
    expect(item).toMatchObject({ status: "rejected", mismatches: ["sha256"] });
    expect(item.url).toBeUndefined();
    const again = await call(
      "POST",
      `/v1/proposals/${proposalId}/evidence/${ev.evidenceId}/confirm`,
      { token: staff },
    );
    expect(again.status).toBe(409);
  });

  it("checks the stored content type too", async () => {
    const bytes = Buffer.from(`png? ${run}`);
    const ev = await declare(bytes, staff, "image/png");
    await fetch(ev.upload.url, {
      method: "PUT",
      headers: { ...ev.upload.headers, "content-type": "application/pdf" },
      body: bytes,
    });
    const r = await call("POST", `/v1/proposals/${proposalId}/evidence/${ev.evidenceId}/confirm`, {
      token: staff,
    });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain("contentType");
  });

  it("is added by the proposer and the community's or street's staff only", async () => {
    const body = {
      purpose: "photo",
      fileName: "a.png",
      contentType: "image/png",
      sizeBytes: 10,
      sha256: "a".repeat(64),
    };
    for (const t of [otherResident, neighbourStaff, districtCivil]) {
      const r = await call("POST", `/v1/proposals/${proposalId}/evidence`, { token: t, body });
      expect(r.status).toBe(403);
    }
    expect(
      (await call("POST", `/v1/proposals/${proposalId}/evidence`, { token: streetStaff, body }))
        .status,
    ).toBe(201);
    expect(
      (
        await call("POST", `/v1/proposals/${proposalId}/evidence`, {
          token: staff,
          body: { ...body, contentType: "text/html" },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call("GET", `/v1/proposals/${proposalId}/evidence`, { token: farStaff })).status,
    ).toBe(403);
  });
});

describe("public views (四公开)", () => {
  it("show the record and its timeline without anybody's identity", async () => {
    const p = await propose({ title: `公开 ${run}` });
    await call("POST", `/v1/proposals/${p.id}/screening`, {
      token: staff,
      body: { decision: "accept", needFit: 80 },
    });
    const detail = await call("GET", `/v1/public/proposals/${p.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: p.id, status: "screened", stage: "collection" });
    expect(detail.body.proposer).toBeUndefined();
    expect(verifyChain(detail.body.timeline)).toBeNull();
    const list = await call(
      "GET",
      `/v1/public/proposals?communityId=${home.communityId}&stage=collection&year=${year}&limit=200`,
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(p.id);
    const text = JSON.stringify([detail.body, list.body]);
    for (const secret of [
      `res-${run}`,
      `hh-${run}`,
      `staff-${run}`,
      "householdId",
      "proposer",
      '"sub"',
    ]) {
      expect(text).not.toContain(secret);
    }
    const decision = await call(
      "GET",
      `/v1/public/proposals?communityId=${home.communityId}&stage=decision&year=${year}`,
    );
    expect(decision.body.items.map((x: { id: string }) => x.id)).not.toContain(p.id);
    expect((await call("GET", "/v1/public/proposals")).status).toBe(400);
    expect((await call("GET", "/v1/public/proposals?communityId=nowhere")).status).toBe(404);
  });
});
