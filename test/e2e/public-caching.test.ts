import { describe, expect, it } from "vitest";
import { allowedCategory, call, currentYear, places, token } from "../support/http.js";
import { submittedProposalAt } from "../support/proposals.js";

// Issue 13: public GETs are cacheable by phones and CloudFront (Cache-Control, a strong ETag,
// 304 on If-None-Match) through the local gateway exactly as on AWS; a token's view never is.
describe("public GETs: Cache-Control, ETag and 304 through the gateway", () => {
  it("revalidates a public proposal: 304 while unchanged, a new ETag once it changes", async () => {
    const { home } = await places();
    const staff = await token({ sub: "staff-cache", roles: ["community_staff"], ...home });
    const filed = await submittedProposalAt(call, {
      communityId: home.communityId,
      staff,
      title: `缓存测试 ${Date.now()}`,
      category: await allowedCategory(),
      year: currentYear(),
    });
    const path = `/v1/public/proposals/${filed}`;

    // Prepare: the first read carries the validators
    const first = await call("GET", path);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("submitted");
    expect(first.headers.get("cache-control")).toBe("public, max-age=60");
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);

    // Act / Assess: every form of a matching If-None-Match is a 304 with no body
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, "*"]) {
      const again = await call("GET", path, { headers: { "if-none-match": ifNoneMatch } });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(again.body, ifNoneMatch).toBeUndefined();
      expect(again.headers.get("etag")).toBe(etag);
      expect(again.headers.get("cache-control")).toBe("public, max-age=60");
    }
    const other = await call("GET", path, { headers: { "if-none-match": '"stale"' } });
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).toBe(etag);

    // a change: the proposal is screened, so the old tag no longer matches
    const screened = await call("POST", `/v1/proposals/${filed}/screening`, {
      token: staff,
      body: { decision: "accept", needFit: 70 },
    });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    const changed = await call("GET", path, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe("screened");
    const newTag = changed.headers.get("etag");
    expect(newTag).toMatch(/^"[\w-]{22}"$/);
    expect(newTag).not.toBe(etag);
    expect(
      (await call("GET", path, { headers: { "if-none-match": newTag as string } })).status,
    ).toBe(304);
  });

  it("keeps the city's geography longer, and never caches a token's view or an error", async () => {
    const geo = await call("GET", "/v1/geo");
    expect(geo.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(geo.headers.get("etag")).toMatch(/^"[\w-]{22}"$/);

    const { home } = await places();
    const staff = await token({ sub: "staff-cache", roles: ["community_staff"], ...home });
    const mine = await call("GET", `/v1/proposals?communityId=${home.communityId}`, {
      token: staff,
      headers: { "if-none-match": "*" },
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get("cache-control")).toBe("no-store");
    expect(mine.headers.get("etag")).toBeNull();

    const missing = await call("GET", "/v1/public/proposals/01JXXXXXXXXXXXXXXXXXXXXXXX");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("cache-control")).toBe("no-store");
  });

  it("lets a front-end on another allowed origin read the ETag (CORS)", async () => {
    const res = await call("GET", "/v1/geo", { headers: { origin: "http://localhost:5173" } });
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").split(",");
    expect(exposed).toContain("etag");
  });
});
