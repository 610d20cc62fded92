import { describe, expect, it } from "vitest";
import { publish } from "../support/events.js";
import { allowedCategory, call, currentYear, eventually, places, token } from "../support/http.js";

// The community's yearly cap (2,000,000 CNY) counts approved commitments once
// approvals exist. Approval lives in another service; here its ProposalApproved
// events are published on the city topic the way that service's outbox would.
describe("community yearly cap counts approved commitments", () => {
  it("accepts what fits in the remainder and refuses one fen more", async () => {
    const { geo } = await places();
    const district = geo.districts[1]!;
    const street = district.streets[1]!;
    const scope = {
      districtId: district.id,
      streetId: street.id,
      communityId: street.communities[1]!.id,
    };
    const year = currentYear() + 1; // a year no other test files proposals in
    const staff = await token({ sub: "staff-cap", roles: ["community_staff"], ...scope });
    const category = await allowedCategory();
    const need = await call("POST", "/v1/needs", {
      token: staff,
      body: { communityId: scope.communityId, title: `cap need ${Date.now()}`, description: "d" },
    });
    const propose = (budgetFen: number) =>
      call("POST", "/v1/proposals", {
        token: staff,
        body: {
          communityId: scope.communityId,
          kind: "works",
          category,
          title: `cap ${budgetFen}`,
          summary: "s",
          beneficiaries: 10,
          budgetFen,
          needIds: [need.body.id],
          year,
        },
      });

    // four works projects of 450,000 CNY each get approved: 1,800,000 CNY committed
    const approved: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await propose(45_000_000);
      expect(p.status).toBe(201);
      approved.push(p.body.id);
      const envelope = {
        id: `01K${String(Date.now()).padStart(13, "0")}${String(i).padStart(10, "0")}`.slice(0, 26),
        type: "ProposalApproved",
        version: 1,
        occurredAt: new Date().toISOString(),
        cityId: geo.cityId,
        proposalId: p.body.id,
        communityId: scope.communityId,
        actor: { sub: "group-1", roles: ["district_group"] },
        correlationId: `cap-${i}`,
        // the whole ProposalApproved contract: consumers refuse anything less
        data: {
          proposalId: p.body.id,
          communityId: scope.communityId,
          districtId: scope.districtId,
          year,
          budgetFen: 45_000_000,
          programmeFen: 45_000_000,
          approvedAt: new Date().toISOString(),
          disbursementDueAt: new Date(Date.now() + 21 * 86_400_000).toISOString(),
          disbursementWorkingDays: 15,
          provisional: false,
          committedFen: 45_000_000 * (i + 1),
          capFen: 200_000_000,
        },
      };
      await publish(envelope);
    }
    for (const id of approved) {
      const r = await eventually(
        () => call("GET", `/v1/proposals/${id}`, { token: staff }),
        (x) => x.body.status === "approved",
      );
      expect(r.body.status).toBe("approved");
    }

    // 200,000 CNY remain: one fen more is refused, the exact remainder fits
    const over = await propose(20_000_001);
    expect(over.status).toBe(422);
    expect(over.body.code).toBe("community_cap_exceeded");
    const exact = await propose(20_000_000);
    expect(exact.status).toBe(201);
  });
});
