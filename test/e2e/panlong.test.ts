import { type LocalCloud, startLocalCloud } from "@pencai/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallOptions,
  type Claims,
  callAt,
  currentYear,
  eventually,
  type Geo,
  tokenAt,
} from "../support/http.js";

// Panlong (盘龙区, 民生小实事) end to end: household consent decides a proposal and the priority
// ranking publishes which passed proposals the community's yearly cap can fund. The shared test
// cloud runs the demo city (longgang: no consent, no ranking), so this file starts its own local
// cloud with infra/cities/panlong.json, on a free port, and talks to it over HTTP only.

/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;
const run = Date.now().toString(36);
const year = currentYear();

let cloud: LocalCloud;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  callAt<T>(cloud.url, method, path, opts);
const token = (claims: Claims) => tokenAt(cloud.url, claims);

interface Rules {
  preset: string;
  caps: { worksFen: number; serviceFen: number; communityYearFen: number };
  categoryList: { mode: "negative" | "positive"; categories: string[] };
  categories: { id: string }[];
  thresholds: {
    council: { quorumShare: number; passShare: number; requirePresence: boolean };
    householdConsent: { required: boolean; share: number };
    priorityCriteria?: Weights;
  };
  process: { expertReview: "all" | "works" | "none" };
}
interface Weights {
  breadth: number;
  participation: number;
  selfRaised: number;
  urgency: number;
  replicability: number;
}
type Place = { districtId: string; streetId: string; communityId: string };

let rules: Rules;
let category: string;
/** consent scenarios here */
let consentPlace: Place;
/** the ranking's five works proposals here */
let rankingPlace: Place;
/** staff tokens by community */
const staff: Record<string, string> = {};
const members = Array.from({ length: 5 }, (_, i) => `pl-member-${run}-${i + 1}`);
/** council members' tokens by community, then sub */
const memberTokens: Record<string, Record<string, string>> = {};
/** every sub and household id: none may show in a public view */
const secrets: string[] = [];

/** share ≥ threshold, with the same tolerance the service documents for shares like 2/3 */
const meets = (agreed: number, households: number) =>
  agreed / households >= rules.thresholds.householdConsent.share - 1e-9;
/** the fewest agreeing households that meet the city's threshold */
const enough = (households: number) =>
  Math.ceil(rules.thresholds.householdConsent.share * households - 1e-9);

/** Resident tokens of `n` households of a community (`hh-<run>-<community>-<i>`). */
async function households(place: Place, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 1; i <= n; i++) {
    const sub = `pl-res-${run}-${place.communityId}-${i}`;
    const householdId = `hh-${run}-${place.communityId}-${i}`;
    secrets.push(sub, householdId);
    tokens.push(await token({ sub, roles: ["resident"], ...place, householdId }));
  }
  return tokens;
}

interface ProposalInput {
  title: string;
  beneficiaries: number;
  budgetFen: number;
  selfRaisedFen: number;
}

/** A need, a works proposal answering it (filed by a resident), and its screening (accept). */
async function screenedProposal(place: Place, p: ProposalInput): Promise<string> {
  const proposer = await token({
    sub: `pl-proposer-${run}`,
    roles: ["resident"],
    ...place,
    householdId: `hh-proposer-${run}`,
  });
  const need = await call("POST", "/v1/needs", {
    token: proposer,
    body: {
      communityId: place.communityId,
      title: `${p.title} 需求 ${run}`,
      description: "居民反映",
    },
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  const proposal = await call("POST", "/v1/proposals", {
    token: proposer,
    body: {
      communityId: place.communityId,
      kind: "works",
      category,
      title: `${p.title} ${run}`,
      summary: "小区院落居民项目小组实施",
      beneficiaries: p.beneficiaries,
      budgetFen: p.budgetFen,
      selfRaisedFen: p.selfRaisedFen,
      needIds: [need.body.id],
      year,
    },
  });
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  const id = proposal.body.id as string;
  const screened = await call("POST", `/v1/proposals/${id}/screening`, {
    token: staff[place.communityId]!,
    body: { decision: "accept", needFit: 80 },
  });
  expect(screened.status, JSON.stringify(screened.body)).toBe(200);
  // deliberation has it once its inbox consumed ProposalScreened
  const record = await eventually(
    () => call("GET", `/v1/proposals/${id}/deliberation`, { token: staff[place.communityId]! }),
    (r) => r.status === 200,
    EVENTS_MS,
  );
  expect(record.status, JSON.stringify(record.body)).toBe(200);
  return id;
}

interface Detail {
  proposalId: string;
  affectedHouseholds: number;
  urgency?: number;
  replicability?: number;
}

/** A council meeting of every member on the agenda, everyone present. */
async function meeting(place: Place, details: Detail[]): Promise<string> {
  const r = await call("POST", "/v1/meetings", {
    token: staff[place.communityId]!,
    body: {
      communityId: place.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds: members,
      proposalIds: details.map((d) => d.proposalId),
      proposalDetails: details,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const attendance = await call("POST", `/v1/meetings/${r.body.id}/attendance`, {
    token: staff[place.communityId]!,
    body: { present: members },
  });
  expect(attendance.status, JSON.stringify(attendance.body)).toBe(200);
  return r.body.id;
}

/** 4 of 5 present members vote yes, one no: the council passes it under majority rules. */
async function councilPasses(place: Place, meetingId: string, proposalId: string) {
  for (const [i, sub] of members.entries()) {
    const b = await call("POST", `/v1/meetings/${meetingId}/ballots`, {
      token: memberTokens[place.communityId]![sub]!,
      body: { proposalId, choice: i === 0 ? "no" : "yes" },
    });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
  }
}

const consent = (method: "POST" | "PUT", proposalId: string, t: string, agree: boolean) =>
  call(method, `/v1/proposals/${proposalId}/consents`, { token: t, body: { agree } });

async function close(place: Place, meetingId: string) {
  const r = await call("POST", `/v1/meetings/${meetingId}/close`, {
    token: staff[place.communityId]!,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const byId = new Map<string, Record<string, unknown>>(
    r.body.results.map((x: { proposalId: string }) => [x.proposalId, x]),
  );
  return byId;
}

/** The proposal in intake's registry once it reached `status`. */
async function untilStatus(place: Place, id: string, status: string) {
  const r = await eventually(
    () => call("GET", `/v1/proposals/${id}`, { token: staff[place.communityId]! }),
    (r) => r.body?.status === status,
    EVENTS_MS,
  );
  expect(r.body.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/** What a council-passed proposal becomes in this city: endorsed unless experts must review. */
const passedStatus = () => (rules.process.expertReview === "none" ? "endorsed" : "deliberated");

beforeAll(async () => {
  cloud = await startLocalCloud({
    city: "panlong",
    port: 0,
    schedules: false,
    demoData: false,
    quiet: true,
    throttling: false,
  });
  rules = (await call("GET", "/v1/rules")).body;
  const listed = rules.categoryList.categories;
  const pick =
    rules.categoryList.mode === "positive"
      ? listed[0]
      : rules.categories.map((c) => c.id).find((c) => !listed.includes(c));
  if (!pick) throw new Error("no allowed category in this city");
  category = pick;

  const geo = (await call<Geo>("GET", "/v1/geo")).body;
  const district = geo.districts[0]!;
  const street = district.streets[0]!;
  consentPlace = {
    districtId: district.id,
    streetId: street.id,
    communityId: street.communities[0]!.id,
  };
  rankingPlace = {
    districtId: district.id,
    streetId: street.id,
    communityId: street.communities[1]!.id,
  };
  // each community has its own council; the same subs serve in both here
  for (const place of [consentPlace, rankingPlace]) {
    const sub = `pl-staff-${run}-${place.communityId}`;
    staff[place.communityId] = await token({ sub, roles: ["community_staff"], ...place });
    const tokens: Record<string, string> = {};
    for (const m of members)
      tokens[m] = await token({ sub: m, roles: ["council_member"], ...place });
    memberTokens[place.communityId] = tokens;
    secrets.push(sub);
  }
  secrets.push(...members, `pl-proposer-${run}`, `hh-proposer-${run}`);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
}, 120_000);

describe("Panlong city: household consent and priority ranking end to end", () => {
  it("runs the panlong preset: consent required, ranking weights, its own expert-review rule", () => {
    expect(rules.preset).toBe("panlong");
    expect(rules.thresholds.householdConsent.required).toBe(true);
    expect(rules.thresholds.householdConsent.share).toBeGreaterThan(0.5);
    expect(rules.thresholds.priorityCriteria).toBeDefined();
    const w = rules.thresholds.priorityCriteria!;
    expect(w.breadth + w.participation + w.selfRaised + w.urgency + w.replicability).toBeCloseTo(
      1,
      9,
    );
  });

  it("household consent decides: 4 of 7 fails though the council passed, 5 of 7 passes", async () => {
    const place = consentPlace;
    const hh = await households(place, 7);
    // the scenario straddles the city's threshold (GET /v1/rules), whatever it is exactly
    expect(meets(4, 7)).toBe(false);
    expect(meets(5, 7)).toBe(true);

    const short = await screenedProposal(place, {
      title: "白塔小区3栋楼道改造",
      beneficiaries: 60,
      budgetFen: 8_000_000,
      selfRaisedFen: 800_000,
    });
    const enoughId = await screenedProposal(place, {
      title: "白塔小区院坝雨污分流",
      beneficiaries: 90,
      budgetFen: 12_000_000,
      selfRaisedFen: 1_500_000,
    });

    // before any meeting: the proposal is not on an agenda, no answer is taken
    const early = await consent("POST", short, hh[0]!, true);
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body.code).toBe("invalid_state");

    const meetingId = await meeting(place, [
      { proposalId: short, affectedHouseholds: 7, urgency: 60, replicability: 40 },
      { proposalId: enoughId, affectedHouseholds: 7, urgency: 70, replicability: 50 },
    ]);

    // `short`: households 1-4 agree, 5-6 refuse, 7 does not answer
    for (const [i, t] of hh.slice(0, 6).entries()) {
      const r = await consent("POST", short, t, i < 4);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ proposalId: short, agree: i < 4 });
    }
    // `enough`: households 1-4 agree, 5 first refuses, 6 refuses, 7 does not answer ...
    for (const [i, t] of hh.slice(0, 6).entries()) {
      const r = await consent("POST", enoughId, t, i < 4);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // ... then household 5 changes its answer before the close
    const changed = await consent("PUT", enoughId, hh[4]!, true);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ proposalId: enoughId, agree: true });

    // one answer per household: a second POST is a duplicate
    const twice = await consent("POST", enoughId, hh[0]!, false);
    expect(twice.status, JSON.stringify(twice.body)).toBe(409);
    expect(twice.body.code).toBe("duplicate");
    // a resident without a household cannot answer; nor can a household of another community
    const noHousehold = await token({ sub: `pl-nohh-${run}`, roles: ["resident"], ...place });
    const r403 = await consent("POST", enoughId, noHousehold, true);
    expect(r403.status, JSON.stringify(r403.body)).toBe(403);
    expect(r403.body.code).toBe("forbidden");
    const [elsewhere] = await households(rankingPlace, 1);
    const far = await consent("POST", enoughId, elsewhere!, true);
    expect(far.status, JSON.stringify(far.body)).toBe(403);
    // a PUT needs a first answer
    const noFirst = await consent("PUT", enoughId, hh[6]!, true);
    expect(noFirst.status, JSON.stringify(noFirst.body)).toBe(404);

    // the decision record counts the answers so far (no household ids)
    const record = await call("GET", `/v1/proposals/${enoughId}/deliberation`, {
      token: staff[place.communityId]!,
    });
    expect(record.status).toBe(200);
    expect(record.body.consents).toEqual({ agreed: 5, disagreed: 1 });

    // the council passes both
    await councilPasses(place, meetingId, short);
    await councilPasses(place, meetingId, enoughId);
    const results = await close(place, meetingId);

    expect(results.get(short)).toMatchObject({
      yes: 4,
      no: 1,
      present: 5,
      members: 5,
      quorumMet: true,
      passed: false,
      consent: {
        households: 7,
        agreed: 4,
        disagreed: 2,
        share: Number((4 / 7).toFixed(4)),
        required: true,
        met: false,
      },
    });
    expect(results.get(enoughId)).toMatchObject({
      yes: 4,
      no: 1,
      present: 5,
      members: 5,
      quorumMet: true,
      passed: true,
      consent: {
        households: 7,
        agreed: 5,
        disagreed: 1,
        share: Number((5 / 7).toFixed(4)),
        required: true,
        met: true,
      },
    });

    // after the close no answer is taken or changed
    const late = await consent("POST", short, hh[6]!, true);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect(late.body.code).toBe("invalid_state");
    const lateChange = await consent("PUT", short, hh[4]!, true);
    expect(lateChange.status, JSON.stringify(lateChange.body)).toBe(409);
    expect(lateChange.body.code).toBe("invalid_state");

    // intake follows: the consent failure rejects at deliberation, the pass moves on
    const rejected = await untilStatus(place, short, "rejected");
    expect(rejected).toMatchObject({
      rejectedAt: "deliberation",
      decision: {
        council: {
          passed: false,
          quorumMet: true,
          yes: 4,
          consent: { households: 7, agreed: 4, met: false, required: true },
        },
      },
    });
    const passed = await untilStatus(place, enoughId, passedStatus());
    expect(passed.decision.council).toMatchObject({
      passed: true,
      consent: { households: 7, agreed: 5, met: true },
    });
    // the public decision shows the consent counts, not the households
    const pub = await call("GET", `/v1/public/proposals/${short}`);
    expect(pub.status).toBe(200);
    expect(pub.body.decision.council.consent).toMatchObject({ households: 7, agreed: 4 });
    for (const s of secrets) expect(JSON.stringify(pub.body)).not.toContain(s);
  }, 180_000);

  it("ranks five passed 450,000 CNY works proposals over the yearly cap and publishes the inputs", async () => {
    const place = rankingPlace;
    const weights = rules.thresholds.priorityCriteria!;
    const hh = await households(place, 6);
    const budgetFen = 45_000_000;
    expect(budgetFen).toBeLessThanOrEqual(rules.caps.worksFen);
    expect(5 * budgetFen).toBeGreaterThan(rules.caps.communityYearFen);

    // A is strictly better than E on every criterion; B, C, D lie in between in mixed ways
    const specs = [
      {
        key: "A",
        title: "塘子巷老旧小区加装电梯",
        beneficiaries: 1200,
        selfRaisedFen: 9_000_000,
        urgency: 90,
        replicability: 80,
        households: 4,
        answered: 4,
      },
      {
        key: "B",
        title: "塘子巷社区长者助餐点",
        beneficiaries: 800,
        selfRaisedFen: 4_500_000,
        urgency: 60,
        replicability: 50,
        households: 6,
        answered: 5,
      },
      {
        key: "C",
        title: "塘子巷院落停车棚",
        beneficiaries: 600,
        selfRaisedFen: 6_750_000,
        urgency: 75,
        replicability: 30,
        households: 5,
        answered: 4,
      },
      {
        key: "D",
        title: "塘子巷背街小巷路面",
        beneficiaries: 400,
        selfRaisedFen: 2_250_000,
        urgency: 85,
        replicability: 60,
        households: 3,
        answered: 3,
      },
      {
        key: "E",
        title: "塘子巷宣传栏更新",
        beneficiaries: 200,
        selfRaisedFen: 0,
        urgency: 20,
        replicability: 10,
        households: 6,
        answered: 4,
      },
    ];
    const ids: Record<string, string> = {};
    for (const s of specs) {
      // every proposal's consent must be met: the fewest agreements that do it, the rest refuse
      expect(enough(s.households)).toBeLessThanOrEqual(s.answered);
      ids[s.key] = await screenedProposal(place, {
        title: s.title,
        beneficiaries: s.beneficiaries,
        budgetFen,
        selfRaisedFen: s.selfRaisedFen,
      });
    }
    const keyOf = Object.fromEntries(Object.entries(ids).map(([k, id]) => [id, k]));

    /** One meeting on some of them: consents, ballots, close; every one passes. */
    async function decide(keys: string[]) {
      const chosen = specs.filter((s) => keys.includes(s.key));
      const meetingId = await meeting(
        place,
        chosen.map((s) => ({
          proposalId: ids[s.key]!,
          affectedHouseholds: s.households,
          urgency: s.urgency,
          replicability: s.replicability,
        })),
      );
      for (const s of chosen) {
        const agreeing = enough(s.households);
        for (const [i, t] of hh.slice(0, s.answered).entries()) {
          const r = await consent("POST", ids[s.key]!, t, i < agreeing);
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }
        await councilPasses(place, meetingId, ids[s.key]!);
      }
      const results = await close(place, meetingId);
      for (const s of chosen) {
        expect(results.get(ids[s.key]!), s.key).toMatchObject({
          passed: true,
          consent: { households: s.households, agreed: enough(s.households), met: true },
        });
      }
    }

    // two meetings: the ranking is re-ranked (and re-normalised) when the second closes
    await decide(["C", "D", "E"]);
    const partial = await call("GET", `/v1/public/rankings/${place.communityId}/${year}`);
    expect(partial.status, JSON.stringify(partial.body)).toBe(200);
    expect(partial.body).toMatchObject({ exceedsCap: false, requestedFen: 3 * budgetFen });
    expect(partial.body.items).toHaveLength(3);
    expect(partial.body.items.every((i: { fundable: boolean }) => i.fundable)).toBe(true);

    await decide(["A", "B"]);

    const official = await call("GET", `/v1/rankings/${place.communityId}/${year}`, {
      token: staff[place.communityId]!,
    });
    expect(official.status, JSON.stringify(official.body)).toBe(200);
    const pub = await call("GET", `/v1/public/rankings/${place.communityId}/${year}`);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    // staff of another community may not read it; the public may
    const other = await call("GET", `/v1/rankings/${place.communityId}/${year}`, {
      token: staff[consentPlace.communityId]!,
    });
    expect(other.status).toBe(403);

    for (const ranking of [official.body, pub.body]) {
      expect(ranking).toMatchObject({
        communityId: place.communityId,
        year,
        capFen: rules.caps.communityYearFen,
        requestedFen: 5 * budgetFen,
        exceedsCap: true,
        criteria: { weights },
      });
      const items = ranking.items as {
        proposalId: string;
        budgetFen: number;
        rank: number;
        score: number;
        fundable: boolean;
        inputs: Record<string, number>;
      }[];
      expect(items).toHaveLength(5);
      expect(new Set(items.map((i) => i.proposalId))).toEqual(new Set(Object.values(ids)));
      expect(items.map((i) => i.rank)).toEqual([1, 2, 3, 4, 5]);

      // the published inputs are the proposals' facts, normalised as the README says
      const widest = Math.max(...specs.map((s) => s.beneficiaries));
      for (const item of items) {
        const s = specs.find((x) => x.key === keyOf[item.proposalId])!;
        expect(item.budgetFen).toBe(budgetFen);
        expect(item.inputs.beneficiaries, s.key).toBeCloseTo(s.beneficiaries / widest, 4);
        expect(item.inputs.participation, s.key).toBeCloseTo(s.answered / s.households, 4);
        expect(item.inputs.selfRaisedShare, s.key).toBeCloseTo(s.selfRaisedFen / budgetFen, 4);
        expect(item.inputs.urgency, s.key).toBeCloseTo(s.urgency / 100, 4);
        expect(item.inputs.replicability, s.key).toBeCloseTo(s.replicability / 100, 4);
      }

      // an independent recomputation from the published inputs and weights
      const recomputed = items
        .map((i) => ({
          id: i.proposalId,
          score:
            weights.breadth * i.inputs.beneficiaries! +
            weights.participation * i.inputs.participation! +
            weights.selfRaised * i.inputs.selfRaisedShare! +
            weights.urgency * i.inputs.urgency! +
            weights.replicability * i.inputs.replicability!,
        }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const r of recomputed) {
        const published = items.find((i) => i.proposalId === r.id)!;
        expect(Math.abs(published.score - r.score), keyOf[r.id]).toBeLessThan(1e-4);
      }
      expect(items.map((i) => i.proposalId)).toEqual(recomputed.map((r) => r.id));
      // scores are non-increasing down the ranking
      for (let i = 1; i < items.length; i++) {
        expect(items[i]!.score).toBeLessThanOrEqual(items[i - 1]!.score);
      }
      // exactly those that fit, funded in rank order, are fundable
      let left = ranking.capFen as number;
      const fits = items.map((i) => {
        const ok = i.budgetFen <= left;
        if (ok) left -= i.budgetFen;
        return ok;
      });
      expect(items.map((i) => i.fundable)).toEqual(fits);
      expect(fits.filter(Boolean)).toHaveLength(4);
      expect(fits).toEqual([true, true, true, true, false]);

      // strictly better on every criterion ranks above strictly worse
      const rankOf = (key: string) => items.find((i) => i.proposalId === ids[key])!.rank;
      expect(rankOf("A")).toBeLessThan(rankOf("E"));
      expect(rankOf("E")).toBe(5);
    }
    expect(pub.body.items).toEqual(official.body.items);
    const text = JSON.stringify(pub.body);
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text).not.toMatch(/household|"sub"/i);

    // intake follows: every ranked proposal passed deliberation
    for (const s of specs) {
      const p = await untilStatus(place, ids[s.key]!, passedStatus());
      expect(p.decision.council, s.key).toMatchObject({ passed: true, consent: { met: true } });
    }

    // what the test saw, for the report
    console.info(
      "panlong ranking:",
      (pub.body.items as { proposalId: string; rank: number; score: number; fundable: boolean }[])
        .map((i) => `${i.rank}. ${keyOf[i.proposalId]} ${i.score}${i.fundable ? " fundable" : ""}`)
        .join(" | "),
    );
  }, 240_000);
});
