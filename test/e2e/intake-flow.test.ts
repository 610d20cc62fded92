import { describe, expect, it } from "vitest";
import {
  allowedCategory,
  call,
  currentYear,
  eventually,
  places,
  sha256Hex,
  token,
  verifyChain,
} from "../support/http.js";

// One project from a resident's need to the public four-publicity view, over HTTP only.
describe("intake end to end: need -> proposal -> screening -> timeline -> evidence -> public", () => {
  it("runs the whole path and leaves a verifiable public record", async () => {
    const { home } = await places();
    const category = await allowedCategory();
    const resident = await token({
      sub: "res-e2e-1",
      roles: ["resident"],
      ...home,
      householdId: "hh-e2e-1",
    });
    const neighbour = await token({
      sub: "res-e2e-2",
      roles: ["resident"],
      ...home,
      householdId: "hh-e2e-2",
    });
    const staff = await token({ sub: "staff-e2e", roles: ["community_staff"], ...home });

    // 1. a need enters the community's needs library and gets an endorsement
    const need = await call("POST", "/v1/needs", {
      token: resident,
      body: {
        communityId: home.communityId,
        title: `电梯加装 e2e ${Date.now()}`,
        description: "老旧小区7栋无电梯，老人上下楼困难",
      },
    });
    expect(need.status).toBe(201);
    const needId = need.body.id as string;
    expect(
      (await call("POST", `/v1/needs/${needId}/endorsements`, { token: neighbour })).status,
    ).toBe(201);
    const again = await call("POST", `/v1/needs/${needId}/endorsements`, { token: neighbour });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe("duplicate");

    // 2. a proposal traced to the need
    const proposal = await call("POST", "/v1/proposals", {
      token: resident,
      headers: { "idempotency-key": `e2e-${Date.now()}` },
      body: {
        communityId: home.communityId,
        kind: "works",
        category,
        title: "7栋加装无障碍扶手",
        summary: "在7栋楼道加装扶手与防滑条",
        beneficiaries: 120,
        budgetFen: 8_000_000,
        selfRaisedFen: 500_000,
        needIds: [needId],
        year: currentYear(),
      },
    });
    expect(proposal.status).toBe(201);
    expect(proposal.body.status).toBe("submitted");
    const id = proposal.body.id as string;

    // 3. screening by the community's staff
    const screened = await call("POST", `/v1/proposals/${id}/screening`, {
      token: staff,
      body: { decision: "accept", needFit: 90 },
    });
    expect(screened.status).toBe(200);
    const read = await call("GET", `/v1/proposals/${id}`, { token: resident });
    expect(read.body.status).toBe("screened");

    // 4. the timeline is a hash chain anyone can recompute
    const timeline = await call("GET", `/v1/proposals/${id}/timeline`, { token: staff });
    expect(timeline.status).toBe(200);
    expect(timeline.body.items.length).toBeGreaterThanOrEqual(2);
    expect(timeline.body.items[0].prevHash).toBeNull();
    expect(verifyChain(timeline.body.items)).toBeNull();
    const tampered = structuredClone(timeline.body.items);
    tampered[0].at = "2000-01-01T00:00:00.000Z";
    expect(verifyChain(tampered)).toBe(0);

    // 5. evidence: presigned upload of exactly the declared bytes, verified by the service
    const bytes = Buffer.from(`%PDF-1.4 minutes of the council ${Date.now()}`);
    const ev = await call("POST", `/v1/proposals/${id}/evidence`, {
      token: staff,
      body: {
        purpose: "plan",
        fileName: "plan.pdf",
        contentType: "application/pdf",
        sizeBytes: bytes.length,
        sha256: sha256Hex(bytes),
      },
    });
    expect(ev.status).toBe(201);
    expect(ev.body.status).toBe("pending");
    const put = await fetch(ev.body.upload.url, {
      method: ev.body.upload.method,
      headers: ev.body.upload.headers,
      body: bytes,
    });
    expect(put.ok).toBe(true);
    const confirmed = await call(
      "POST",
      `/v1/proposals/${id}/evidence/${ev.body.evidenceId}/confirm`,
      { token: staff },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("verified");
    const list = await call("GET", `/v1/proposals/${id}/evidence`, { token: staff });
    const item = list.body.items.find(
      (e: { evidenceId: string }) => e.evidenceId === ev.body.evidenceId,
    );
    expect(item.status).toBe("verified");
    const download = await fetch(item.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    // 6. the public sees the project without anybody's identity
    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.status).toBe("screened");
    const text = JSON.stringify(pub.body);
    for (const secret of ["res-e2e-1", "res-e2e-2", "staff-e2e", "hh-e2e-1", "hh-e2e-2"]) {
      expect(text).not.toContain(secret);
    }
    const publicList = await call("GET", `/v1/public/proposals?communityId=${home.communityId}`);
    expect(publicList.body.items.some((p: { id: string }) => p.id === id)).toBe(true);

    // 7. the submission event travelled through the outbox, topic and inbox back to the needs library
    const linked = await eventually(
      () => call("GET", `/v1/needs?communityId=${home.communityId}&limit=200`, { token: staff }),
      (r) =>
        JSON.stringify(r.body.items.find((n: { id: string }) => n.id === needId) ?? {}).includes(
          id,
        ),
    );
    expect(
      JSON.stringify(linked.body.items.find((n: { id: string }) => n.id === needId)),
    ).toContain(id);
  });
});
