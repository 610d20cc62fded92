import { beforeAll, describe, expect, it } from "vitest";
import {
  allowedCategory,
  call,
  type Geo,
  quietTableCounts,
  tableCounts,
  token,
} from "../support/http.js";
import { screenedProposalAt } from "../support/proposals.js";

// Standing rosters on the shared demo cloud (API.md "Council roster", "Household roster",
// "Places below the community"; services/deliberation/README.md): a meeting of a community with
// a council roster takes roster members in term only, a household roster gives the consent
// denominator (snapshotted when the meeting opens) and the only households that may answer, a
// courtyard council decides its courtyards' proposals, and races against roster replacement
// and between households cannot break either rule. It works in the second district's
// communities that no other test meets in (a roster there changes who may meet), with data
// unique per run so reruns against one local cloud work.

const run = Date.now().toString(36);
/** A programme year nobody else uses. */
const year = 2050 + ((Date.now() + 41) % 45);

interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}
/** council and household rosters (community-wide) */
let rosterPlace: Place;
/** races between roster replacement and meetings, and between households */
let racePlace: Place;
/** courtyard councils: a community with courtyards in the city file */
let yardPlace: Place;
let yards: string[] = [];
/** GET /v1/geo shows courtyards (and intake takes them on proposals) */
let geoHasCourtyards = false;
let category = "";

const staff: Record<string, string> = {};
const sub = (what: string) => `ros-${run}-${what}`;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
/** Asia/Shanghai day of an instant, as terms are written */
const dayOf = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

async function putCouncil(place: Place, members: Record<string, unknown>[]) {
  return call("PUT", `/v1/communities/${place.communityId}/council`, {
    token: staff[place.communityId]!,
    body: { members },
  });
}
const member = (name: string, over: Record<string, unknown> = {}) => ({
  sub: sub(name),
  name: `议事员${name}`,
  termEnds: "2099-12-31",
  ...over,
});

async function putHouseholds(place: Place, households: Record<string, unknown>[]) {
  return call("PUT", `/v1/communities/${place.communityId}/households`, {
    token: staff[place.communityId]!,
    body: { households },
  });
}

/** A screened works proposal of the place that deliberation has. */
const screenedProposal = (place: Place, title: string, extra: Record<string, unknown> = {}) =>
  screenedProposalAt(call, {
    communityId: place.communityId,
    staff: staff[place.communityId]!,
    title: `${title} ${run}`,
    category,
    year,
    extra,
  });

function meeting(place: Place, body: Record<string, unknown>) {
  return call("POST", "/v1/meetings", {
    token: staff[place.communityId]!,
    body: { communityId: place.communityId, scheduledAt: inDays(7), ...body },
  });
}

const resident = (place: Place, householdId: string) =>
  token({ sub: `${householdId}-res`, roles: ["resident"], ...place, householdId });

beforeAll(async () => {
  const geo = (await call<Geo>("GET", "/v1/geo")).body;
  const d1 = geo.districts[1]!;
  const at = (s: number, c: number): Place => ({
    districtId: d1.id,
    streetId: d1.streets[s]!.id,
    communityId: d1.streets[s]!.communities[c]!.id,
  });
  rosterPlace = at(0, 1);
  racePlace = at(1, 0);
  yardPlace = at(1, 1);
  const yardCommunity = d1.streets[1]!.communities[1] as { courtyards?: { id: string }[] };
  geoHasCourtyards = !!yardCommunity.courtyards?.length;
  // the courtyards of the demo city file (infra/cities/demo.json)
  yards = ["dafapu-dongyuan", "dafapu-xiyuan"];
  category = await allowedCategory();
  for (const p of [rosterPlace, racePlace, yardPlace]) {
    staff[p.communityId] = await token({
      sub: sub(`staff-${p.communityId}`),
      roles: ["community_staff"],
      ...p,
    });
  }
});

describe("council roster", () => {
  it("is replaced whole under a new version, and shown to officials of the jurisdiction only", async () => {
    const first = await putCouncil(rosterPlace, [member("a"), member("b")]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await putCouncil(rosterPlace, [member("a"), member("b"), member("c")]);
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(first.body.version + 1);
    expect(second.body.members.map((m: { sub: string }) => m.sub)).toEqual(
      ["a", "b", "c"].map(sub),
    );

    const streetStaff = await token({
      sub: sub("street"),
      roles: ["street_staff"],
      districtId: rosterPlace.districtId,
      streetId: rosterPlace.streetId,
    });
    const read = await call("GET", `/v1/communities/${rosterPlace.communityId}/council`, {
      token: streetStaff,
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ version: second.body.version, members: second.body.members });
    // staff of another community, a resident, a council member, nobody: no names
    const others = [
      await token({ sub: sub("other-staff"), roles: ["community_staff"], ...racePlace }),
      await token({ sub: sub("res"), roles: ["resident"], ...rosterPlace, householdId: "x" }),
      await token({ sub: sub("a"), roles: ["council_member"], ...rosterPlace }),
    ];
    for (const t of others) {
      const r = await call("GET", `/v1/communities/${rosterPlace.communityId}/council`, {
        token: t,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain("议事员");
    }
    const anonymous = await call("GET", `/v1/communities/${rosterPlace.communityId}/council`);
    expect(anonymous.status).toBe(401);
  });

  it("a meeting takes roster members in term only (422 not_a_member, nothing written)", async () => {
    const meetingAt = inDays(10);
    const roster = await putCouncil(rosterPlace, [
      member("a"),
      member("b"),
      member("c"),
      // the term ends the day before the meeting
      member("late", { termEnds: dayOf(inDays(9)) }),
    ]);
    expect(roster.status).toBe(200);
    const p = await screenedProposal(rosterPlace, "楼道照明");
    const before = await tableCounts();
    for (const memberIds of [
      [sub("a"), sub("stranger")],
      [sub("a"), sub("late")],
    ]) {
      const r = await meeting(rosterPlace, { scheduledAt: meetingAt, memberIds, proposalIds: [p] });
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.code).toBe("not_a_member");
    }
    expect(await quietTableCounts()).toEqual(before);
    const ok = await meeting(rosterPlace, {
      scheduledAt: meetingAt,
      memberIds: [sub("a"), sub("b"), sub("c")],
      proposalIds: [p],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ kind: "council", councilVersion: roster.body.version });
  });
});

describe("household roster", () => {
  const hh = (i: number) => `ros-${run}-h${i}`;

  it("gives the consent denominator, snapshotted when the meeting opens; outsiders get 403", async () => {
    const put = await putHouseholds(
      rosterPlace,
      [1, 2, 3, 4, 5].map((i) => ({ householdId: hh(i) })),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ households: 5, courtyards: [] });
    expect(JSON.stringify(put.body)).not.toContain(hh(1));

    await putCouncil(rosterPlace, [member("a"), member("b"), member("c")]);
    const p = await screenedProposal(rosterPlace, "单元门禁");
    // typed-in numbers are refused where the roster counts
    const typed = await meeting(rosterPlace, {
      memberIds: [sub("a"), sub("b"), sub("c")],
      proposalIds: [p],
      proposalDetails: [{ proposalId: p, affectedHouseholds: 193 }],
    });
    expect(typed.status).toBe(422);
    expect(typed.body.code).toBe("consent_scope_from_roster");
    const m = await meeting(rosterPlace, {
      memberIds: [sub("a"), sub("b"), sub("c")],
      proposalIds: [p],
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect(m.body.householdRosterVersion).toBe(put.body.version);
    expect(m.body.proposalDetails).toEqual([{ proposalId: p, affectedHouseholds: 5 }]);

    // a household of the community not on the roster may not answer
    const outsider = await call("POST", `/v1/proposals/${p}/consents`, {
      token: await resident(rosterPlace, hh(99)),
      body: { agree: true },
    });
    expect(outsider.status, JSON.stringify(outsider.body)).toBe(403);
    for (const i of [1, 2, 3, 4]) {
      const r = await call("POST", `/v1/proposals/${p}/consents`, {
        token: await resident(rosterPlace, hh(i)),
        body: { agree: true },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // the roster changes mid-vote: the open meeting keeps its snapshot (5 households, h1-h5)
    const grown = await putHouseholds(
      rosterPlace,
      Array.from({ length: 12 }, (_, i) => ({ householdId: hh(i + 1) })),
    );
    expect(grown.body.version).toBe(put.body.version + 1);
    const newcomer = await call("POST", `/v1/proposals/${p}/consents`, {
      token: await resident(rosterPlace, hh(11)),
      body: { agree: true },
    });
    expect(newcomer.status, JSON.stringify(newcomer.body)).toBe(403);

    const closed = await call("POST", `/v1/meetings/${m.body.id}/close`, {
      token: staff[rosterPlace.communityId]!,
    });
    expect(closed.status).toBe(200);
    expect(closed.body.results[0].consent).toMatchObject({ households: 5, agreed: 4, share: 0.8 });
  });
});

describe("courtyard councils (院落议事会)", () => {
  it("take members of their courtyards and decide only their courtyards' proposals", async () => {
    const [east, west] = yards as [string, string];
    const unknown = await putCouncil(yardPlace, [member("e1", { courtyardId: "no-such-yard" })]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe("courtyard_not_found");
    const roster = await putCouncil(yardPlace, [
      member("e1", { courtyardId: east }),
      member("e2", { courtyardId: east }),
      member("e3", { courtyardId: east }),
      member("w1", { courtyardId: west }),
      member("c1"),
    ]);
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    const wide = await screenedProposal(yardPlace, "社区文化墙");
    const east3 = [sub("e1"), sub("e2"), sub("e3")];
    const before = await tableCounts();
    const refused: [Record<string, unknown>, string][] = [
      [
        { courtyardIds: ["no-such-yard"], memberIds: east3, proposalIds: [wide] },
        "courtyard_not_found",
      ],
      [
        { courtyardIds: [east], memberIds: [...east3, sub("w1")], proposalIds: [wide] },
        "not_a_member",
      ],
      // a community-wide proposal belongs to the community's council
      [{ courtyardIds: [east], memberIds: east3, proposalIds: [wide] }, "outside_courtyards"],
    ];
    for (const [body, code] of refused) {
      const r = await meeting(yardPlace, body);
      expect(r.status, JSON.stringify(r.body)).toBe(422);
      expect(r.body.code).toBe(code);
    }
    expect(await quietTableCounts()).toEqual(before);
  });

  it("decide a courtyard's proposal with its households as the denominator", async (ctx) => {
    // proposals name courtyards once intake and GET /v1/geo know them (places: engineer B)
    if (!geoHasCourtyards) ctx.skip();
    const [east, west] = yards as [string, string];
    await putCouncil(yardPlace, [
      member("e1", { courtyardId: east }),
      member("e2", { courtyardId: east }),
      member("e3", { courtyardId: east }),
    ]);
    const households = await putHouseholds(yardPlace, [
      { householdId: `ros-${run}-e1`, courtyardId: east },
      { householdId: `ros-${run}-e2`, courtyardId: east },
      { householdId: `ros-${run}-e3`, courtyardId: east },
      { householdId: `ros-${run}-w1`, courtyardId: west },
      { householdId: `ros-${run}-c1` },
    ]);
    expect(households.body.courtyards).toEqual(
      expect.arrayContaining([{ courtyardId: east, households: 3 }]),
    );
    const p = await screenedProposal(yardPlace, "东苑车棚", { courtyardIds: [east] });
    const m = await meeting(yardPlace, {
      courtyardIds: [east],
      memberIds: [sub("e1"), sub("e2"), sub("e3")],
      proposalIds: [p],
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect(m.body.proposalDetails).toEqual([{ proposalId: p, affectedHouseholds: 3 }]);
    const west1 = await call("POST", `/v1/proposals/${p}/consents`, {
      token: await resident(yardPlace, `ros-${run}-w1`),
      body: { agree: true },
    });
    expect(west1.status).toBe(403);
  });
});

describe("races", () => {
  it("a roster replacement racing a meeting never lets a member of the old roster in late", async () => {
    const old = [member("r1"), member("r2"), member("r3")];
    const fresh = [member("n1"), member("n2"), member("n3")];
    const proposals = await Promise.all(
      Array.from({ length: 6 }, (_, i) => screenedProposal(racePlace, `竞态 ${i}`)),
    );
    for (const p of proposals) {
      const set = await putCouncil(racePlace, old);
      expect(set.status).toBe(200);
      const [replaced, created] = await Promise.all([
        putCouncil(racePlace, fresh),
        meeting(racePlace, { memberIds: old.map((m) => m.sub), proposalIds: [p] }),
      ]);
      expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
      if (created.status === 201) {
        // created on the old roster, before the replacement committed
        expect(created.body.councilVersion).toBe(set.body.version);
        expect(replaced.body.version).toBe(set.body.version + 1);
      } else {
        expect(created.status, JSON.stringify(created.body)).toBe(422);
        expect(created.body.code).toBe("not_a_member");
      }
    }
  });

  it("20 answers of one household: one 201, 19 × 409 duplicate; 20 households: all counted", async () => {
    await putCouncil(racePlace, [member("r1"), member("r2"), member("r3")]);
    const ids = Array.from({ length: 21 }, (_, i) => `ros-${run}-rh${i}`);
    await putHouseholds(
      racePlace,
      ids.map((householdId) => ({ householdId })),
    );
    const [pSame, pMany] = await Promise.all([
      screenedProposal(racePlace, "同户并发"),
      screenedProposal(racePlace, "多户并发"),
    ]);
    const m = await meeting(racePlace, {
      memberIds: [sub("r1"), sub("r2"), sub("r3")],
      proposalIds: [pSame, pMany],
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);

    const one = await resident(racePlace, ids[0]!);
    const same = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", `/v1/proposals/${pSame}/consents`, { token: one, body: { agree: true } }),
      ),
    );
    expect(same.filter((r) => r.status === 201)).toHaveLength(1);
    const dupes = same.filter((r) => r.status === 409);
    expect(dupes).toHaveLength(19);
    for (const d of dupes) expect(d.body.code).toBe("duplicate");

    const tokens = await Promise.all(ids.slice(1).map((h) => resident(racePlace, h)));
    const many = await Promise.all(
      tokens.map((t, i) =>
        call("POST", `/v1/proposals/${pMany}/consents`, { token: t, body: { agree: i % 4 !== 0 } }),
      ),
    );
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(201));

    const closed = await call("POST", `/v1/meetings/${m.body.id}/close`, {
      token: staff[racePlace.communityId]!,
    });
    expect(closed.status).toBe(200);
    const byId = new Map(
      closed.body.results.map((r: { proposalId: string }) => [r.proposalId, r] as const),
    );
    expect(byId.get(pSame)).toMatchObject({ consent: { households: 21, agreed: 1, disagreed: 0 } });
    expect(byId.get(pMany)).toMatchObject({
      consent: { households: 21, agreed: 15, disagreed: 5 },
    });
  });
});

describe("what the demo city turns off", () => {
  it("holds no consultation meetings (422 consultation_not_offered) and needs no roster", async () => {
    const rules = (await call("GET", "/v1/rules")).body;
    expect(rules.thresholds.council).toMatchObject({ rosterRequired: false, consultation: false });
    const r = await meeting(racePlace, {
      kind: "consultation",
      memberIds: [sub("r1")],
      proposalIds: ["01JZZZZZZZZZZZZZZZZZZZZZZZ"],
      invitees: [
        { name: "王代表", role: "deputy", unit: "区人大" },
        { name: "李科长", role: "department", unit: "区住建局" },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(422);
    expect(r.body.code).toBe("consultation_not_offered");
  });
});
