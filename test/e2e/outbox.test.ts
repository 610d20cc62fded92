import { afterEach, describe, expect, it } from "vitest";
import { allowedCategory, call, currentYear, eventually, places, token } from "../support/http.js";

// The publish step dies after the commit: the stream relay never sees the outbox
// item. The event must still arrive, through the scheduled sweep.
describe("outbox: an event survives a relay that dies after the commit", () => {
  afterEach(async () => {
    await call("POST", "/dev/pollers", { body: { dropStreamRecords: false } });
  });

  it("delivers ProposalSubmitted through the sweep", async () => {
    const { home } = await places();
    const resident = await token({
      sub: "res-outbox",
      roles: ["resident"],
      ...home,
      householdId: "hh-o",
    });
    const staff = await token({ sub: "staff-outbox", roles: ["community_staff"], ...home });
    const need = await call("POST", "/v1/needs", {
      token: resident,
      body: { communityId: home.communityId, title: `outbox need ${Date.now()}`, description: "d" },
    });
    expect(need.status).toBe(201);
    const needId = need.body.id as string;
    const linkedTo = async () =>
      JSON.stringify((await call("GET", `/v1/needs/${needId}`, { token: staff })).body);

    // kill the publish step: stream records are read and thrown away from now on
    expect((await call("POST", "/dev/pollers", { body: { dropStreamRecords: true } })).status).toBe(
      200,
    );
    const created = await call("POST", "/v1/proposals", {
      token: resident,
      body: {
        communityId: home.communityId,
        kind: "works",
        category: await allowedCategory(),
        title: "楼道照明",
        summary: "更换楼道灯",
        beneficiaries: 40,
        budgetFen: 300_000,
        needIds: [needId],
        year: currentYear(),
      },
    });
    expect(created.status).toBe(201);
    const proposalId = created.body.id as string;

    // committed, but never published: the needs library does not learn of it
    await new Promise((r) => setTimeout(r, 1500));
    expect(await linkedTo()).not.toContain(proposalId);
    await call("POST", "/dev/pollers", { body: { dropStreamRecords: false } });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await linkedTo()).not.toContain(proposalId);

    // the scheduled sweep finds the pending outbox item once it is older than the stream
    // path's window (30 s: the clock moves 31 s on) and publishes it
    await call("POST", "/dev/clock", { body: { advanceDays: 31 / 86_400 } });
    const sweep = await call("POST", "/dev/run/outbox-relay").finally(() =>
      call("POST", "/dev/clock", { body: { advanceDays: -31 / 86_400 } }),
    );
    expect(sweep.status).toBe(200);
    expect(JSON.stringify(sweep.body.results)).toMatch(/"published":[1-9]/);
    const after = await eventually(linkedTo, (t) => t.includes(proposalId));
    expect(after).toContain(proposalId);

    // and a second sweep finds nothing left to publish
    const again = await call("POST", "/dev/run/outbox-relay");
    expect(JSON.stringify(again.body.results)).not.toMatch(/"published":[1-9]/);
  });
});
