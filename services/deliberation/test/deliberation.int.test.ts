import type { BallotsCountedData } from "@pencai/contracts/deliberation";
import { beforeAll, describe, expect, it } from "vitest";
import { outboxEvents } from "../../../test/support/events.js";
import {
  allowedCategory,
  call,
  eventually,
  places,
  quietTableCounts,
  type Reply,
  tableCounts,
  token,
} from "../../../test/support/http.js";
import { admittedOrg } from "../../../test/support/orgs.js";

// Deliberation against the local cloud: every route's happy path and bad inputs, the event
// flow with intake (screened -> deliberated -> endorsed / rejected), and the concurrency of
// ballots (200 at once, duplicates included) and of a close racing with ballots. Subs and
// titles are unique per run, so reruns against one local cloud do not interfere.

const run = Date.now().toString(36);
const year = 2050 + (Date.now() % 45);

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let far: Place;
let category: string;
let needId: string;
const t: Record<string, string> = {};
const members = ["m1", "m2", "m3", "m4", "m5"].map((m) => `${m}-${run}`);
const memberTokens: string[] = [];

/** `call`, retrying the gateway's 429 (if a shared cloud still throttles) with a short backoff. */
async function api(method: string, path: string, opts: Parameters<typeof call>[2] = {}) {
  for (let i = 0; ; i++) {
    const r = await call(method, path, opts);
    if (r.status !== 429 || i >= 8) return r;
    await new Promise((res) => setTimeout(res, 50 * 2 ** i));
  }
}

/**
 * Waits for events to travel; probes after the first also run the outbox sweep, as the
 * schedule would (DynamoDB Local's stream on a new, empty table may miss the first records).
 */
/** The ballots in the BallotsCounted events of a meeting, read from deliberation's outbox. */
async function countedBallotsOf(meetingId: string) {
  const events = await outboxEvents("Deliberation", (e) => e.type === "BallotsCounted");
  return events
    .map((e) => e.data as BallotsCountedData)
    .filter((d) => d.meetingId === meetingId)
    .flatMap((d) => d.ballots);
}

function settled<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let first = true;
  return eventually(
    async () => {
      if (!first) await call("POST", "/dev/run/outbox-relay");
      first = false;
      return probe();
    },
    ok,
    20_000,
  );
}

const expectProblem = (r: Reply, status: number, code: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.code).toBe(code);
};

/** A proposal of `place` driven through intake (need, proposal, screening) into deliberation. */
async function screened(
  over: Record<string, unknown> = {},
  place: Place = home,
  staffToken = t.staff!,
  proposerToken = staffToken,
): Promise<string> {
  const need =
    place === home
      ? needId
      : (
          await api("POST", "/v1/needs", {
            token: staffToken,
            body: {
              communityId: place.communityId,
              title: `需 ${run} ${Math.random()}`,
              description: "d",
            },
          })
        ).body.id;
  // an organisation applies once intake has heard the registry admit it
  const p = await settled(
    () =>
      api("POST", "/v1/proposals", {
        token: proposerToken,
        body: {
          communityId: place.communityId,
          kind: "works",
          category,
          title: `议题 ${run} ${Math.random().toString(36).slice(2, 6)}`,
          summary: "加装扶手",
          beneficiaries: 120,
          budgetFen: 3_000_000,
          selfRaisedFen: 300_000,
          needIds: [need],
          year,
          ...over,
        },
      }),
    (r) => r.body?.code !== "org_not_active",
  );
  expect(p.status, JSON.stringify(p.body)).toBe(201);
  const s = await api("POST", `/v1/proposals/${p.body.id}/screening`, {
    token: staffToken,
    body: { decision: "accept", needFit: 80 },
  });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  const known = await settled(
    () => api("GET", `/v1/proposals/${p.body.id}/deliberation`, { token: staffToken }),
    (r) => r.status === 200,
  );
  expect(known.status, "deliberation never saw the screened proposal").toBe(200);
  return p.body.id;
}

async function meeting(
  proposalIds: string[],
  memberIds = members,
  extra: Record<string, unknown> = {},
) {
  const r = await api("POST", "/v1/meetings", {
    token: t.staff,
    body: {
      communityId: home.communityId,
      scheduledAt: "2026-05-01T14:00:00+08:00",
      memberIds,
      proposalIds,
      ...extra,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

const intakeStatus = (id: string, want: string) =>
  settled(
    async () => (await api("GET", `/v1/proposals/${id}`, { token: t.staff })).body.status,
    (s) => s === want,
  );

beforeAll(async () => {
  ({ home, neighbour, far } = await places());
  category = await allowedCategory();
  const street = { districtId: home.districtId, streetId: home.streetId };
  const farStreet = { districtId: far.districtId, streetId: far.streetId };
  const claims: Record<string, Parameters<typeof token>[0]> = {
    staff: { sub: `staff-${run}`, roles: ["community_staff"], ...home },
    neighbourStaff: { sub: `nstaff-${run}`, roles: ["community_staff"], ...neighbour },
    farStaff: { sub: `fstaff-${run}`, roles: ["community_staff"], ...far },
    resident: { sub: `res-${run}`, roles: ["resident"], ...home, householdId: `hh-${run}` },
    resident2: { sub: `res2-${run}`, roles: ["resident"], ...home, householdId: `hh2-${run}` },
    noHousehold: { sub: `res3-${run}`, roles: ["resident"], ...home },
    farResident: { sub: `resf-${run}`, roles: ["resident"], ...far, householdId: `hhf-${run}` },
    stranger: { sub: `stranger-${run}`, roles: ["council_member"], ...home },
    org: {
      sub: `org-user-${run}`,
      roles: ["org"],
      ...home,
      orgId: await admittedOrg(home, [category], run),
    },
    farM1: { sub: members[0]!, roles: ["council_member"], ...far },
    expert: { sub: `exp-${run}`, roles: ["expert"], ...street },
    expert2: { sub: `exp2-${run}`, roles: ["expert"], ...street },
    farExpert: { sub: `expf-${run}`, roles: ["expert"], ...farStreet },
    streetStaff: { sub: `street-${run}`, roles: ["street_staff"], ...street },
    farStreetStaff: { sub: `streetf-${run}`, roles: ["street_staff"], ...farStreet },
  };
  for (const [k, c] of Object.entries(claims)) t[k] = await token(c);
  for (const m of members) {
    memberTokens.push(await token({ sub: m, roles: ["council_member"], ...home }));
  }
  const need = await api("POST", "/v1/needs", {
    token: t.staff,
    body: { communityId: home.communityId, title: `议事 ${run}`, description: "楼道无扶手" },
  });
  expect(need.status).toBe(201);
  needId = need.body.id;
});

describe("a council meeting from agenda to endorsement", () => {
  let a: string;
  let b: string;
  let m: string;

  it("schedules a meeting on screened proposals of the community", async () => {
    [a, b] = await Promise.all([
      screened(),
      // a service project, filed by its organisation's own user
      screened({ kind: "service", budgetFen: 1_000_000 }, home, t.staff, t.org),
    ]);
    m = await meeting([a!, b!], members, {
      proposalDetails: [{ proposalId: a, affectedHouseholds: 4, urgency: 70 }],
    });
    const got = await api("GET", `/v1/meetings/${m}`, { token: memberTokens[0] });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: m,
      communityId: home.communityId,
      scheduledAt: "2026-05-01T06:00:00.000Z",
      status: "open",
      memberIds: members,
      proposalIds: [a, b],
      present: [],
    });
    expect((await api("GET", `/v1/meetings/${m}`, { token: t.neighbourStaff })).status).toBe(403);
    expect((await api("GET", `/v1/meetings/${m}`, { token: t.stranger })).status).toBe(403);
    const record = await api("GET", `/v1/proposals/${a}/deliberation`, { token: t.streetStaff });
    expect(record.body).toMatchObject({ proposalId: a, status: "screened", meetingId: m });
  });

  it("refuses bad meetings and writes nothing", async () => {
    const before = await quietTableCounts();
    const body = {
      communityId: home.communityId,
      scheduledAt: "2026-05-01T14:00:00+08:00",
      memberIds: members,
      proposalIds: [a],
    };
    const post = (b: unknown, token = t.staff) => api("POST", "/v1/meetings", { token, body: b });
    expectProblem(await post(body), 409, "invalid_state"); // already on m's agenda
    expectProblem(
      await post({ ...body, proposalIds: ["01JZZZZZZZZZZZZZZZZZZZZZZZ"] }),
      422,
      "proposal_not_found",
    );
    expectProblem(await post(body, t.neighbourStaff), 403, "forbidden");
    expectProblem(await post({ ...body, communityId: neighbour.communityId }), 403, "forbidden");
    expectProblem(await post(body, memberTokens[0]), 403, "forbidden");
    expectProblem(await post({ ...body, memberIds: ["x", "x"] }), 400, "validation_failed");
    expectProblem(await post({ ...body, proposalIds: ["nope"] }), 400, "validation_failed");
    expectProblem(await post({ ...body, extra: true }), 400, "validation_failed");
    expectProblem(await post({ ...body, communityId: "atlantis" }), 404, "not_found");
    expect((await api("POST", "/v1/meetings", { body })).status).toBe(401);
    const raw = await api("POST", "/v1/meetings", { token: t.staff, raw: "{not json" });
    expectProblem(raw, 400, "validation_failed");
    expect(await tableCounts()).toEqual(before);
  });

  it("records attendance of members only", async () => {
    const before = await quietTableCounts();
    const post = (present: string[], token = t.staff, id = m) =>
      api("POST", `/v1/meetings/${id}/attendance`, { token, body: { present } });
    expectProblem(await post([members[0]!, "someone-else"]), 422, "not_a_member");
    expectProblem(await post([members[0]!], t.neighbourStaff), 403, "forbidden");
    expectProblem(await post([members[0]!], memberTokens[0]), 403, "forbidden");
    expectProblem(
      await post([members[0]!], t.staff, "01JZZZZZZZZZZZZZZZZZZZZZZZ"),
      404,
      "not_found",
    );
    expect(await tableCounts()).toEqual(before);
    const ok = await post(members.slice(0, 4));
    expect(ok.status).toBe(200);
    expect(ok.body.present).toEqual(members.slice(0, 4));
  });

  it("takes one ballot per present member and proposal", async () => {
    const vote = (i: number, proposalId: string, choice: string, token = memberTokens[i]) =>
      api("POST", `/v1/meetings/${m}/ballots`, { token, body: { proposalId, choice } });
    const first = await vote(0, a, "yes");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ meetingId: m, proposalId: a, choice: "yes" });
    expect((await vote(1, a, "yes")).status).toBe(201);
    expect((await vote(2, a, "no")).status).toBe(201);
    expect((await vote(0, b, "no")).status).toBe(201);
    expect((await vote(1, b, "abstain")).status).toBe(201);

    const before = await quietTableCounts();
    expectProblem(await vote(0, a, "no"), 409, "duplicate");
    expectProblem(await vote(4, a, "yes"), 409, "invalid_state"); // m5 was not signed in
    expectProblem(await vote(0, a, "yes", t.stranger), 403, "forbidden");
    expectProblem(await vote(0, a, "yes", t.farM1), 403, "forbidden"); // listed sub, other community
    expectProblem(await vote(0, a, "yes", t.staff), 403, "forbidden");
    expectProblem(await vote(3, "01JZZZZZZZZZZZZZZZZZZZZZZZ", "yes"), 422, "proposal_not_found");
    expectProblem(await vote(3, a, "maybe"), 400, "validation_failed");
    const unknown = await api("POST", "/v1/meetings/01JZZZZZZZZZZZZZZZZZZZZZZZ/ballots", {
      token: memberTokens[0],
      body: { proposalId: a, choice: "yes" },
    });
    expectProblem(unknown, 404, "not_found");
    expect(await tableCounts()).toEqual(before);
  });

  it("takes one consent per household, changeable while the meeting is open", async () => {
    const path = `/v1/proposals/${a}/consents`;
    const first = await api("POST", path, { token: t.resident, body: { agree: false } });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ proposalId: a, householdId: `hh-${run}`, agree: false });
    expect((await api("POST", path, { token: t.resident2, body: { agree: true } })).status).toBe(
      201,
    );
    const before = await quietTableCounts();
    expectProblem(
      await api("POST", path, { token: t.resident, body: { agree: true } }),
      409,
      "duplicate",
    );
    expectProblem(
      await api("POST", path, { token: t.farResident, body: { agree: true } }),
      403,
      "forbidden",
    );
    expectProblem(
      await api("POST", path, { token: t.noHousehold, body: { agree: true } }),
      403,
      "forbidden",
    );
    expectProblem(
      await api("POST", path, { token: t.staff, body: { agree: true } }),
      403,
      "forbidden",
    );
    expectProblem(
      await api("POST", path, { token: t.resident, body: { agree: 1 } }),
      400,
      "validation_failed",
    );
    expectProblem(
      await api("POST", "/v1/proposals/01JZZZZZZZZZZZZZZZZZZZZZZZ/consents", {
        token: t.resident,
        body: { agree: true },
      }),
      404,
      "not_found",
    );
    expect(await tableCounts()).toEqual(before);
    const changed = await api("PUT", path, { token: t.resident, body: { agree: true } });
    expect(changed.status).toBe(200);
    expect(changed.body.agree).toBe(true);
  });

  it("closes with the tally, once, and refuses everything after", async () => {
    const closed = await api("POST", `/v1/meetings/${m}/close`, { token: t.staff });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.status).toBe("closed");
    expect(closed.body.results).toEqual([
      {
        proposalId: a,
        yes: 2,
        no: 1,
        abstain: 0,
        present: 4,
        quorumMet: true,
        passed: false, // 2 yes of 4 present is not more than half
        members: 5,
        consent: {
          households: 4,
          agreed: 2,
          disagreed: 0,
          share: 0.5,
          required: false,
          met: false,
        },
      },
      {
        proposalId: b,
        yes: 0,
        no: 1,
        abstain: 1,
        present: 4,
        quorumMet: true,
        passed: false,
        members: 5,
      },
    ]);
    // the close's events reach intake first, so the count below measures only what follows
    expect(await intakeStatus(a, "rejected")).toBe("rejected");
    const before = await quietTableCounts();
    const again = await api("POST", `/v1/meetings/${m}/close`, { token: t.staff });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(closed.body);
    expectProblem(
      await api("POST", `/v1/meetings/${m}/ballots`, {
        token: memberTokens[3],
        body: { proposalId: a, choice: "yes" },
      }),
      409,
      "invalid_state",
    );
    expectProblem(
      await api("POST", `/v1/meetings/${m}/attendance`, { token: t.staff, body: { present: [] } }),
      409,
      "invalid_state",
    );
    expectProblem(
      await api("PUT", `/v1/proposals/${a}/consents`, {
        token: t.resident,
        body: { agree: false },
      }),
      409,
      "invalid_state",
    );
    expectProblem(
      await api("POST", `/v1/meetings/${m}/close`, { token: t.neighbourStaff }),
      403,
      "forbidden",
    );
    expect(await tableCounts()).toEqual(before);
    const record = await api("GET", `/v1/proposals/${a}/deliberation`, { token: t.staff });
    expect(record.body).toMatchObject({ council: { passed: false }, consents: { agreed: 2 } });
    for (const who of [...members, `hh-${run}`, `res-${run}`]) {
      expect(JSON.stringify(record.body)).not.toContain(who); // no voter or household ids
    }
  });
});

describe("expert review and endorsement", () => {
  const review = (id: string, token: string | undefined, body: Record<string, unknown>) =>
    api("POST", `/v1/proposals/${id}/expert-reviews`, { token, body });
  const decide = (id: string, token: string | undefined, body: Record<string, unknown>) =>
    api("POST", `/v1/proposals/${id}/expert-decision`, { token, body });
  const passAll = async (m: string, ids: string[]) => {
    await api("POST", `/v1/meetings/${m}/attendance`, {
      token: t.staff,
      body: { present: members },
    });
    for (const id of ids) {
      for (const [i] of members.entries()) {
        const r = await api("POST", `/v1/meetings/${m}/ballots`, {
          token: memberTokens[i],
          body: { proposalId: id, choice: "yes" },
        });
        expect(r.status).toBe(201);
      }
    }
    const closed = await api("POST", `/v1/meetings/${m}/close`, { token: t.staff });
    expect(closed.body.results.every((r: { passed: boolean }) => r.passed)).toBe(true);
  };

  it("council first, then experts: the expert decision endorses", async () => {
    const id = await screened();
    await passAll(await meeting([id]), [id]);
    expect(await intakeStatus(id, "deliberated")).toBe("deliberated");

    const before = await quietTableCounts();
    const ok = { feasible: true, lawful: true, score: 80 };
    expectProblem(await review(id, t.farExpert, ok), 403, "forbidden");
    expectProblem(await review(id, t.streetStaff, ok), 403, "forbidden");
    expectProblem(await review(id, t.expert, { ...ok, score: 101 }), 400, "validation_failed");
    expectProblem(await decide(id, t.streetStaff, { decision: "pass" }), 409, "invalid_state"); // no review yet
    expect(await tableCounts()).toEqual(before);

    const first = await review(id, t.expert, { ...ok, comment: "可行" });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ proposalId: id, score: 80, comment: "可行" });
    expect((await review(id, t.expert2, { ...ok, score: 90 })).status).toBe(201);
    expectProblem(await review(id, t.expert, ok), 409, "duplicate");
    expectProblem(await decide(id, t.farStreetStaff, { decision: "pass" }), 403, "forbidden");
    expectProblem(await decide(id, t.expert, { decision: "pass" }), 403, "forbidden");

    const decided = await decide(id, t.streetStaff, { decision: "pass" });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toEqual({
      proposalId: id,
      decision: "pass",
      reviews: 2,
      averageScore: 85,
      endorsed: true,
    });
    expectProblem(await decide(id, t.streetStaff, { decision: "fail" }), 409, "duplicate");
    expectProblem(await review(id, t.expert2, ok), 409, "invalid_state"); // decided: reviews closed
    expect(await intakeStatus(id, "endorsed")).toBe("endorsed");
  });

  it("experts first, then council: the close endorses", async () => {
    const id = await screened();
    expect((await review(id, t.expert, { feasible: true, lawful: true, score: 75 })).status).toBe(
      201,
    );
    const decided = await decide(id, t.streetStaff, { decision: "pass", reason: "可行合法" });
    expect(decided.body).toMatchObject({ decision: "pass", endorsed: false });
    await passAll(await meeting([id]), [id]);
    // The close emits DeliberationConcluded and ProposalEndorsed for this proposal in one
    // transaction, so intake's inbox may get both in one SQS batch; its registry processes a
    // batch's records in parallel and the loser of the timeline race waits for the visibility
    // timeout (180 s). So: at least one of them arrives at once; deliberation's record is exact.
    const moved = await settled(
      async () => (await api("GET", `/v1/proposals/${id}`, { token: t.staff })).body.status,
      (s) => s === "endorsed" || s === "deliberated",
    );
    expect(["endorsed", "deliberated"]).toContain(moved);
    const record = await api("GET", `/v1/proposals/${id}/deliberation`, { token: t.streetStaff });
    expect(record.body).toMatchObject({ council: { passed: true }, expert: { decision: "pass" } });
    expect(record.body.endorsedAt).toEqual(expect.any(String));
  });

  it("a works project with an objection cannot pass; failing it rejects the proposal", async () => {
    const id = await screened();
    await review(id, t.expert, { feasible: true, lawful: true, score: 70 });
    await review(id, t.expert2, { feasible: true, lawful: false, score: 40 });
    const before = await quietTableCounts();
    expectProblem(
      await decide(id, t.streetStaff, { decision: "pass" }),
      422,
      "expert_review_not_unanimous",
    );
    expect(await tableCounts()).toEqual(before);
    const failed = await decide(id, t.streetStaff, { decision: "fail", reason: "不合法" });
    expect(failed.body).toMatchObject({
      decision: "fail",
      reviews: 2,
      averageScore: 55,
      endorsed: false,
    });
    expect(await intakeStatus(id, "rejected")).toBe("rejected");
    expectProblem(
      await review(id, t.expert, { feasible: true, lawful: true, score: 1 }),
      409,
      "invalid_state",
    );
  });

  it("rankings: this city (longgang preset) has no priority criteria", async () => {
    expectProblem(
      await api("GET", `/v1/public/rankings/${home.communityId}/${year}`),
      404,
      "not_found",
    );
    expectProblem(
      await api("GET", `/v1/rankings/${home.communityId}/${year}`, { token: t.farStaff }),
      403,
      "forbidden",
    );
    expectProblem(await api("GET", `/v1/public/rankings/atlantis/${year}`), 404, "not_found");
    expectProblem(
      await api("GET", `/v1/public/rankings/${home.communityId}/1999`),
      400,
      "validation_failed",
    );
  });
});

describe("concurrency", () => {
  const sixty = Array.from({ length: 60 }, (_, i) => `cm${i}-${run}`);
  const tokens: string[] = [];
  const choices = ["yes", "no", "abstain"] as const;

  beforeAll(async () => {
    for (let i = 0; i < sixty.length; i += 10) {
      tokens.push(
        ...(await Promise.all(
          sixty.slice(i, i + 10).map((sub) => token({ sub, roles: ["council_member"], ...home })),
        )),
      );
    }
  });

  it("200 concurrent ballots (180 unique + 20 duplicates): the tally is exact", async () => {
    const ids = await Promise.all([screened(), screened(), screened()]);
    const m = await meeting(ids, sixty);
    await api("POST", `/v1/meetings/${m}/attendance`, { token: t.staff, body: { present: sixty } });
    const unique = ids.flatMap((proposalId, p) =>
      sixty.map((_, i) => ({ i, proposalId, choice: choices[(i + p) % 3]! })),
    );
    const dupes = Array.from({ length: 20 }, (_, k) => ({
      ...unique[k * 9]!,
      choice: "yes" as const,
    }));
    const requests = [...unique, ...dupes];
    const started = performance.now();
    const replies = await Promise.all(
      requests.map((r) =>
        call("POST", `/v1/meetings/${m}/ballots`, {
          token: tokens[r.i],
          body: { proposalId: r.proposalId, choice: r.choice },
        }),
      ),
    );
    const wallMs = Math.round(performance.now() - started);
    const statuses: Record<string, number> = {};
    for (const r of replies) {
      const key = r.status === 201 ? "201" : `${r.status} ${r.body?.code}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    console.log(
      `[deliberation concurrency] ${requests.length} ballot requests (180 unique + 20 duplicates) in ${wallMs} ms: ${JSON.stringify(statuses)}`,
    );
    expect(statuses).toEqual({ "201": 180, "409 duplicate": 20 });

    // what each member actually got recorded: the first of its requests to commit
    const recorded = new Map<string, string>();
    requests.forEach((r, k) => {
      if (replies[k]!.status === 201) recorded.set(`${r.proposalId}#${r.i}`, r.choice);
    });
    const closed = await api("POST", `/v1/meetings/${m}/close`, { token: t.staff });
    expect(closed.status).toBe(200);
    for (const result of closed.body.results) {
      const mine = [...recorded].filter(([k]) => k.startsWith(result.proposalId));
      const count = (c: string) => mine.filter(([, v]) => v === c).length;
      expect(result).toMatchObject({
        yes: count("yes"),
        no: count("no"),
        abstain: count("abstain"),
        present: 60,
        members: 60,
      });
      expect(result.yes + result.no + result.abstain).toBe(60);
    }
    console.log(
      `[deliberation concurrency] tally: ${JSON.stringify(closed.body.results.map((r: Record<string, unknown>) => [r.yes, r.no, r.abstain, r.passed]))}`,
    );
    // the close's BallotsCounted (in the same transaction) carries exactly what was recorded
    const counted = await countedBallotsOf(m);
    expect(counted).toHaveLength(180);
    expect(
      new Map(counted.map((b) => [`${b.proposalId}#${sixty.indexOf(b.sub)}`, b.choice])),
    ).toEqual(recorded);
  });

  it("a close racing with ballots loses none: every 201 is counted, every later ballot is 409", async () => {
    const id = await screened();
    const m = await meeting([id], sixty);
    await api("POST", `/v1/meetings/${m}/attendance`, { token: t.staff, body: { present: sixty } });
    const started = performance.now();
    const vote = (i: number) =>
      call("POST", `/v1/meetings/${m}/ballots`, {
        token: tokens[i],
        body: { proposalId: id, choice: "yes" },
      });
    // every ballot in flight; the close starts as soon as the first ballot is answered
    const ballots = sixty.map((_, i) => vote(i));
    await Promise.race(ballots);
    const closing = call("POST", `/v1/meetings/${m}/close`, { token: t.staff });
    const [replies, closed] = await Promise.all([Promise.all(ballots), closing]);
    const wallMs = Math.round(performance.now() - started);
    const accepted = replies.filter((r) => r.status === 201).length;
    const refused = replies.filter(
      (r) => r.status === 409 && r.body.code === "invalid_state",
    ).length;
    console.log(
      `[deliberation close race] 60 ballots + 1 close in ${wallMs} ms: ${accepted} accepted (201), ${refused} refused (409 invalid_state), close ${closed.status}, counted yes=${closed.body.results?.[0]?.yes}`,
    );
    expect(closed.status).toBe(200);
    expect(accepted + refused).toBe(60);
    expect(closed.body.results[0].yes).toBe(accepted);
    const late = await call("POST", `/v1/meetings/${m}/ballots`, {
      token: tokens[0],
      body: { proposalId: id, choice: "no" },
    });
    expect(late.status).toBe(409);
  });
});
