import { beforeAll, describe, expect, it } from "vitest";
import {
  allowedCategory,
  call,
  eventually,
  places,
  quietTableCounts,
  tableCounts,
  token,
  verifyChain,
} from "../support/http.js";

// From a resident's need to an endorsed proposal, over HTTP only: intake screens, deliberation
// learns of it from the ProposalScreened event, the council meets and votes, the street's experts
// review, and intake's registry shows the decision (with the tally, without the people) to the
// officials and to the public. Data is unique per run, so reruns against one local cloud work.

const run = Date.now().toString(36);
/** A programme year nobody else uses (rankings are per community-year). */
const year = 2050 + ((Date.now() + 17) % 45);
/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;

type Place = Awaited<ReturnType<typeof places>>["home"];
let home: Place;
let neighbour: Place;
let category: string;
let council: { quorumShare: number; passShare: number; requirePresence: boolean };
let consentRequired: boolean;

let resident: string;
let staff: string;
let streetStaff: string;
const memberSubs = Array.from({ length: 7 }, (_, i) => `member-${run}-${i + 1}`);
const memberTokens: Record<string, string> = {};
const expertSubs = [`expert-${run}-1`, `expert-${run}-2`];
const expertTokens: string[] = [];
const householdSubs = [1, 2, 3].map((i) => `hhres-${run}-${i}`);
const householdTokens: string[] = [];
/** Every identity that must never show in a public view. */
const secrets: string[] = [];

/** A need, a proposal answering it, and its screening (accept). */
async function screenedProposal(title: string): Promise<{ id: string; needId: string }> {
  const need = await call("POST", "/v1/needs", {
    token: resident,
    body: { communityId: home.communityId, title: `${title} 需求 ${run}`, description: "居民反映" },
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  const proposal = await call("POST", "/v1/proposals", {
    token: resident,
    body: {
      communityId: home.communityId,
      kind: "works",
      category,
      title: `${title} ${run}`,
      summary: "楼道扶手与防滑条",
      beneficiaries: 150,
      budgetFen: 6_000_000,
      selfRaisedFen: 600_000,
      needIds: [need.body.id],
      year,
    },
  });
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  const id = proposal.body.id as string;
  const screened = await call("POST", `/v1/proposals/${id}/screening`, {
    token: staff,
    body: { decision: "accept", needFit: 85 },
  });
  expect(screened.status, JSON.stringify(screened.body)).toBe(200);
  return { id, needId: need.body.id };
}

/**
 * Wait for events to travel outbox -> stream relay -> topic -> queue -> inbox. No sweep is
 * run here: this path must deliver on its own (test/e2e/outbox.test.ts covers the sweep).
 */
function settled<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  return eventually(probe, ok, EVENTS_MS);
}

/** Deliberation has the proposal once its inbox consumed ProposalScreened. */
async function untilDeliberable(id: string) {
  const r = await settled(
    () => call("GET", `/v1/proposals/${id}/deliberation`, { token: staff }),
    (r) => r.status === 200,
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toMatchObject({
    proposalId: id,
    communityId: home.communityId,
    status: "screened",
  });
  return r.body;
}

async function meetingOn(proposalIds: string[], memberIds: string[]) {
  const r = await call("POST", "/v1/meetings", {
    token: staff,
    body: {
      communityId: home.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds,
      proposalIds,
      // the consent scope and ranking inputs (the scope is required where consent is)
      proposalDetails: proposalIds.map((proposalId) => ({
        proposalId,
        affectedHouseholds: householdSubs.length,
        urgency: 70,
        replicability: 40,
      })),
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({
    communityId: home.communityId,
    memberIds,
    proposalIds,
    status: "open",
  });
  return r.body.id as string;
}

const ballot = (meetingId: string, sub: string, proposalId: string, choice: string) =>
  call("POST", `/v1/meetings/${meetingId}/ballots`, {
    token: memberTokens[sub]!,
    body: { proposalId, choice },
  });

/** The tally the city's thresholds give (API.md, infra/README.md "rules"). */
function expectedResult(members: number, present: number, yes: number) {
  const quorumMet = present > council.quorumShare * members;
  return { quorumMet, passed: quorumMet && yes > council.passShare * present };
}

/** The proposal as officials see it, once intake's registry reached `status`. */
async function untilStatus(id: string, status: string) {
  const r = await settled(
    () => call("GET", `/v1/proposals/${id}`, { token: staff }),
    (r) => r.body?.status === status,
  );
  expect(r.body.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

beforeAll(async () => {
  ({ home, neighbour } = await places());
  category = await allowedCategory();
  const rules = (await call("GET", "/v1/rules")).body;
  council = rules.thresholds.council;
  consentRequired = rules.thresholds.householdConsent.required;

  resident = await token({
    sub: `proposer-${run}`,
    roles: ["resident"],
    ...home,
    householdId: `hh-proposer-${run}`,
  });
  staff = await token({ sub: `staff-${run}`, roles: ["community_staff"], ...home });
  streetStaff = await token({
    sub: `street-${run}`,
    roles: ["street_staff"],
    districtId: home.districtId,
    streetId: home.streetId,
  });
  for (const sub of memberSubs) {
    memberTokens[sub] = await token({ sub, roles: ["council_member"], ...home });
  }
  for (const sub of expertSubs) {
    expertTokens.push(
      await token({
        sub,
        roles: ["expert"],
        districtId: home.districtId,
        streetId: home.streetId,
      }),
    );
  }
  for (const [i, sub] of householdSubs.entries()) {
    householdTokens.push(
      await token({ sub, roles: ["resident"], ...home, householdId: `hh-${run}-${i + 1}` }),
    );
  }
  secrets.push(
    `proposer-${run}`,
    `hh-proposer-${run}`,
    `staff-${run}`,
    `street-${run}`,
    ...memberSubs,
    ...expertSubs,
    ...householdSubs,
    ...householdSubs.map((_, i) => `hh-${run}-${i + 1}`),
  );
});

describe("deliberation end to end: screened proposal -> council -> experts -> endorsed", () => {
  it("endorses a proposal the council passed and the experts passed, and publishes the decision", async () => {
    // 1. need -> proposal -> screening; deliberation learns of it from the event
    const { id } = await screenedProposal("7栋加装扶手");
    await untilDeliberable(id);

    // 2. the community's staff convene the council: 7 members, the proposal on the agenda
    const meetingId = await meetingOn([id], memberSubs);

    // 3. sign-in sheet: 5 of 7 present
    const present = memberSubs.slice(0, 5);
    const absent = memberSubs[6]!;
    const attendance = await call("POST", `/v1/meetings/${meetingId}/attendance`, {
      token: staff,
      body: { present },
    });
    expect(attendance.status, JSON.stringify(attendance.body)).toBe(200);
    expect([...attendance.body.present].sort()).toEqual([...present].sort());

    // 4. households of the project area answer (counted where the city requires consent)
    for (const t of householdTokens) {
      const c = await call("POST", `/v1/proposals/${id}/consents`, {
        token: t,
        body: { agree: true },
      });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      expect(c.body).toMatchObject({ proposalId: id, agree: true });
    }

    // 5. ballots from the members present: 4 yes, 1 no
    const choices = ["yes", "yes", "yes", "yes", "no"];
    for (const [i, sub] of present.entries()) {
      const b = await ballot(meetingId, sub, id, choices[i]!);
      expect(b.status, JSON.stringify(b.body)).toBe(201);
      expect(b.body).toMatchObject({ meetingId, proposalId: id, choice: choices[i] });
    }
    // a second ballot by the same member is refused, and so is an absent member's where
    // the city requires presence
    const twice = await ballot(meetingId, present[0]!, id, "no");
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe("duplicate");
    const fromAbsent = await ballot(meetingId, absent, id, "yes");
    if (council.requirePresence) {
      expect(fromAbsent.status).toBe(409);
      expect(fromAbsent.body.code).toBe("invalid_state");
    }

    // 6. close: the tally follows the city's thresholds (GET /v1/rules)
    const closed = await call("POST", `/v1/meetings/${meetingId}/close`, { token: staff });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const expected = expectedResult(7, 5, 4);
    expect(expected).toEqual({ quorumMet: true, passed: true }); // the scenario is a pass
    expect(closed.body.results).toHaveLength(1);
    const result = closed.body.results[0];
    expect(result).toMatchObject({
      proposalId: id,
      yes: 4,
      no: 1,
      abstain: 0,
      present: 5,
      members: 7,
      ...expected,
    });
    if (consentRequired) {
      expect(result.consent).toMatchObject({ households: 3, agreed: 3, met: true });
    }
    // closing again answers the same results
    const again = await call("POST", `/v1/meetings/${meetingId}/close`, { token: staff });
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual(closed.body.results);
    const late = await ballot(meetingId, present[1]!, id, "no");
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("invalid_state");

    // 7. intake's registry moves the proposal to deliberated, with the tally
    const deliberated = await untilStatus(id, "deliberated");
    expect(deliberated.decision.council).toMatchObject({
      meetingId,
      yes: 4,
      no: 1,
      abstain: 0,
      present: 5,
      members: 7,
      quorumMet: true,
      passed: true,
    });

    // 8. two experts of the street review; the street records the decision
    const scores = [80, 90];
    for (const [i, t] of expertTokens.entries()) {
      const r = await call("POST", `/v1/proposals/${id}/expert-reviews`, {
        token: t,
        body: { feasible: true, lawful: true, score: scores[i], comment: "方案可行，符合规范" },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const secondReview = await call("POST", `/v1/proposals/${id}/expert-reviews`, {
      token: expertTokens[0]!,
      body: { feasible: true, lawful: true, score: 10 },
    });
    expect(secondReview.status).toBe(409);
    expect(secondReview.body.code).toBe("duplicate");
    const decision = await call("POST", `/v1/proposals/${id}/expert-decision`, {
      token: streetStaff,
      body: { decision: "pass" },
    });
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(decision.body).toEqual({
      proposalId: id,
      decision: "pass",
      reviews: 2,
      averageScore: 85,
      endorsed: true,
    });

    // 9. the proposal is endorsed; its timeline records every step and still verifies
    // (ExpertReviewConcluded and ProposalEndorsed leave in one transaction, in either order)
    const timeline = await settled(
      () => call("GET", `/v1/proposals/${id}/timeline`, { token: staff }),
      (r) =>
        ["DeliberationConcluded", "ExpertReviewConcluded", "ProposalEndorsed"].every((t) =>
          r.body.items?.some((i: { type: string }) => i.type === t),
        ),
    );
    const types = timeline.body.items.map((i: { type: string }) => i.type);
    expect(types.slice(0, 2)).toEqual(["ProposalSubmitted", "ProposalScreened"]);
    expect(types).toEqual(
      expect.arrayContaining([
        "DeliberationConcluded",
        "ExpertReviewConcluded",
        "ProposalEndorsed",
      ]),
    );
    expect(types.filter((t: string) => t === "ProposalEndorsed")).toHaveLength(1);
    expect(verifyChain(timeline.body.items)).toBeNull();
    const endorsed = await untilStatus(id, "endorsed");
    expect(endorsed.decision).toMatchObject({
      council: { passed: true, yes: 4 },
      expertReview: { passed: true, decision: "pass", reviews: 2, averageScore: 85 },
    });

    // 10. the public sees the decision and the tally, and nobody who made it
    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({
      id,
      status: "endorsed",
      stage: "decision",
      decision: {
        council: {
          yes: 4,
          no: 1,
          abstain: 0,
          present: 5,
          members: 7,
          quorumMet: true,
          passed: true,
        },
        expertReview: { passed: true, reviews: 2, averageScore: 85 },
      },
    });
    expect(verifyChain(pub.body.timeline)).toBeNull();
    const text = JSON.stringify(pub.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
    const list = await call(
      "GET",
      `/v1/public/proposals?communityId=${home.communityId}&stage=decision&year=${year}`,
    );
    const listed = list.body.items.find((p: { id: string }) => p.id === id);
    expect(listed?.decision?.council?.passed).toBe(true);
    for (const secret of secrets) expect(JSON.stringify(list.body)).not.toContain(secret);
  });

  it("rejects a proposal whose council has no quorum, and says so in public", async () => {
    const { id } = await screenedProposal("小区路灯更换");
    await untilDeliberable(id);
    const members = memberSubs.slice(0, 5);
    const meetingId = await meetingOn([id], members);

    // 2 of 5 present: no quorum, whatever they vote
    const present = members.slice(0, 2);
    const attendance = await call("POST", `/v1/meetings/${meetingId}/attendance`, {
      token: staff,
      body: { present },
    });
    expect(attendance.status).toBe(200);
    for (const sub of present) expect((await ballot(meetingId, sub, id, "yes")).status).toBe(201);

    const closed = await call("POST", `/v1/meetings/${meetingId}/close`, { token: staff });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const expected = expectedResult(5, 2, 2);
    expect(expected).toEqual({ quorumMet: false, passed: false }); // the scenario is a failure
    expect(closed.body.results[0]).toMatchObject({
      proposalId: id,
      yes: 2,
      no: 0,
      abstain: 0,
      present: 2,
      members: 5,
      ...expected,
    });

    const rejected = await untilStatus(id, "rejected");
    expect(rejected).toMatchObject({
      rejectedAt: "deliberation",
      decision: { council: { quorumMet: false, passed: false, present: 2, members: 5 } },
    });
    // a failed council ends deliberation: experts have nothing left to review
    const review = await call("POST", `/v1/proposals/${id}/expert-reviews`, {
      token: expertTokens[0]!,
      body: { feasible: true, lawful: true, score: 90 },
    });
    expect(review.status).toBe(409);
    expect(review.body.code).toBe("invalid_state");

    const timeline = await call("GET", `/v1/proposals/${id}/timeline`, { token: staff });
    expect(timeline.body.items.map((i: { type: string }) => i.type)).toEqual([
      "ProposalSubmitted",
      "ProposalScreened",
      "DeliberationConcluded",
    ]);
    expect(verifyChain(timeline.body.items)).toBeNull();

    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.body).toMatchObject({
      status: "rejected",
      rejectedAt: "deliberation",
      stage: "decision",
      decision: { council: { quorumMet: false, passed: false, yes: 2 } },
    });
    for (const secret of secrets) expect(JSON.stringify(pub.body)).not.toContain(secret);
  });

  it("answers 403 to another community's staff and council members on meeting routes, writing nothing", async () => {
    const { id, needId } = await screenedProposal("社区长者饭堂");
    await untilDeliberable(id);
    // let intake's inbox link the proposal to its need first: nothing else is in flight when
    // the table counts are taken
    const linked = await settled(
      () => call("GET", `/v1/needs/${needId}`, { token: staff }),
      (r) => r.body?.proposalIds?.includes(id),
    );
    expect(linked.body.proposalIds).toContain(id);
    const members = memberSubs.slice(0, 3);
    const meetingId = await meetingOn([id], members);

    const otherStaff = await token({
      sub: `nstaff-${run}`,
      roles: ["community_staff"],
      ...neighbour,
    });
    const otherMember = await token({
      sub: `nmember-${run}`,
      roles: ["council_member"],
      ...neighbour,
    });
    // a member listed by sub, but acting with another community's jurisdiction
    const listedElsewhere = await token({
      sub: members[0]!,
      roles: ["council_member"],
      ...neighbour,
    });

    const before = await quietTableCounts();
    const attempts: [string, string, string, unknown][] = [
      [
        "POST",
        "/v1/meetings",
        otherStaff,
        {
          communityId: home.communityId,
          scheduledAt: new Date().toISOString(),
          memberIds: members,
          proposalIds: [id],
        },
      ],
      ["GET", `/v1/meetings/${meetingId}`, otherStaff, undefined],
      ["POST", `/v1/meetings/${meetingId}/attendance`, otherStaff, { present: members }],
      ["POST", `/v1/meetings/${meetingId}/close`, otherStaff, undefined],
      ["GET", `/v1/meetings/${meetingId}`, otherMember, undefined],
      ["POST", `/v1/meetings/${meetingId}/ballots`, otherMember, { proposalId: id, choice: "yes" }],
      [
        "POST",
        `/v1/meetings/${meetingId}/ballots`,
        listedElsewhere,
        { proposalId: id, choice: "yes" },
      ],
    ];
    for (const [method, path, t, body] of attempts) {
      const r = await call(method, path, { token: t, body });
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(403);
      expect(r.body.code, `${method} ${path}`).toBe("forbidden");
    }
    expect(await tableCounts()).toEqual(before);

    // the meeting is untouched: still open, nobody present, no results
    const meeting = await call("GET", `/v1/meetings/${meetingId}`, { token: staff });
    expect(meeting.status).toBe(200);
    expect(meeting.body).toMatchObject({ status: "open", present: [] });
    expect(meeting.body.results).toBeUndefined();
  });
});
