import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCityCloud } from "../support/city-cloud.js";
import { currentYear } from "../support/http.js";
import { type Journey, journeyOn } from "../support/journey.js";

// Longgang (深圳市龙岗区, 社区民生大盆菜) on its own cloud (infra/cities/longgang.json): one dish
// from a resident's need to 一菜一评 over HTTP — the negative list, the council's vote (票决),
// the street's expert review of every project, 5 + 15 working days, one owner and a plan, the
// five-kind satisfaction panel, and the public record with its current step.

const run = Date.now().toString(36);
const year = currentYear();

let local: Awaited<ReturnType<typeof startCityCloud>>;
let j: Journey;

beforeAll(async () => {
  local = await startCityCloud("longgang");
  j = await journeyOn(local);
}, 120_000);

afterAll(async () => {
  await local?.cloud.stop();
}, 120_000);

describe("Longgang: 一菜一单、一单一方、一方一厨、一菜一评", () => {
  it("runs one dish from a need to its evaluation", async () => {
    expect(j.rules.preset).toBe("longgang");
    const place = j.home;
    const o = await j.officials(place);
    const residentSub = `lg-res-${run}`;
    const resident = await j.token({
      sub: residentSub,
      roles: ["resident"],
      ...place,
      householdId: `lg-hh-${run}`,
    });

    // 点菜: a need, and a proposal answering it
    const need = await j.post("/v1/needs", resident, {
      communityId: place.communityId,
      title: `公厕改造 ${run}`,
      description: "社区公厕老旧，长者如厕不便",
    });
    expect(need.status, JSON.stringify(need.body)).toBe(201);
    const proposal = {
      communityId: place.communityId,
      kind: "works",
      title: `公厕适老化改造 ${run}`,
      summary: "扶手、防滑地面与无障碍通道",
      beneficiaries: 1200,
      budgetFen: 30_000_000,
      selfRaisedFen: 2_000_000,
      needIds: [need.body.id],
      year,
    };
    // 负面清单: what the list forbids never enters
    const forbidden = j.rules.categoryList.categories[0];
    const refused = await j.post("/v1/proposals", resident, { ...proposal, category: forbidden });
    expect([refused.status, refused.body.code]).toEqual([422, "ineligible_category"]);
    const filed = await j.post("/v1/proposals", resident, {
      ...proposal,
      category: j.category("public_toilets"),
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const id = filed.body.id as string;
    expect(await j.stepOf(id)).toBe("collect");

    // the community screens it; the council (和谐共建促进会) votes: 4 of 5 present, 3 of 4 yes
    const screened = await j.post(`/v1/proposals/${id}/screening`, o.staff, { decision: "accept" });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    await j.until(
      () => j.call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
      [404],
    );
    expect(await j.stepOf(id)).toBe("vote");
    const members = [1, 2, 3, 4, 5].map((i) => `lg-m-${run}-${i}`);
    const meeting = await j.post("/v1/meetings", o.staff, {
      communityId: place.communityId,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      memberIds: members,
      proposalIds: [id],
    });
    expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
    const m = meeting.body.id as string;
    const present = members.slice(0, 4);
    expect((await j.post(`/v1/meetings/${m}/attendance`, o.staff, { present })).status).toBe(200);
    for (const [i, sub] of present.entries()) {
      const member = await j.token({ sub, roles: ["council_member"], ...place });
      const choice = i < 3 ? "yes" : "no";
      const ballot = await j.post(`/v1/meetings/${m}/ballots`, member, { proposalId: id, choice });
      expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
    }
    const absent = await j.token({ sub: members[4]!, roles: ["council_member"], ...place });
    // an absent member may not vote (only those present do)
    expect(
      (await j.post(`/v1/meetings/${m}/ballots`, absent, { proposalId: id, choice: "yes" })).status,
    ).toBe(409);
    const closed = await j.post(`/v1/meetings/${m}/close`, o.staff);
    expect(closed.body.results[0]).toMatchObject({ yes: 3, no: 1, present: 4, passed: true });

    // the street's experts review every project (works and service alike)
    await j.status(id, "deliberated", o.staff);
    expect(await j.stepOf(id)).toBe("review");
    const reviewed = await j.post(`/v1/proposals/${id}/expert-reviews`, o.expert, {
      feasible: true,
      lawful: true,
      score: 88,
    });
    expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(201);
    const decided = await j.post(`/v1/proposals/${id}/expert-decision`, o.street, {
      decision: "pass",
    });
    expect(decided.body.endorsed).toBe(true);
    await j.status(id, "endorsed", o.staff);
    expect(await j.stepOf(id)).toBe("approve");

    // 5 working days for the district's review, 15 for the money; the programme pays its part
    expect(await j.fund(id, o)).toBe(28_000_000);
    await j.status(id, "funded", o.staff);
    expect(await j.stepOf(id)).toBe("implement");
    const sla = await j.call("GET", `/v1/sla?districtId=${place.districtId}`, { token: o.civil });
    const mine = sla.body.items.filter((t: { proposalId: string }) => t.proposalId === id);
    expect(mine.map((t: { kind: string; state: string }) => [t.kind, t.state]).sort()).toEqual([
      ["disbursement", "met"],
      ["review", "met"],
    ]);

    // 一单一方 and 一方一厨 (the plan and its owner), then 一菜一评 by the five kinds
    const effect = await j.implementAndEvaluate({ id, o, programmeFen: 28_000_000, year });
    expect(effect.byType).toBeDefined();
    await j.status(id, "evaluated", o.staff);
    // 四公开: the record is public to the last stage, its chain verifies, no person in it
    const record = await j.publicRecord(id, [residentSub, ...members]);
    expect(record.stage).toBe("effect");
    expect(record.step).toMatchObject({ id: "evaluate", name: "一菜一评" });
  }, 240_000);
});
