import { describe, expect, expectTypeOf, it, vi } from "vitest";
import { ApiProblem, createPencaiClient, data, type Problem } from "../src/index.js";

/** A fetch that answers every request with one reply and keeps the requests it saw. */
function stubFetch(status: number, body?: unknown, contentType = "application/json") {
  const seen: Request[] = [];
  const fetch = vi.fn(async (request: Request) => {
    seen.push(request);
    const text = body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "content-type": contentType } });
  });
  return { fetch, seen };
}

const problem: Problem = {
  type: "https://pencai.dev/problems/validation_failed",
  title: "Validation failed",
  status: 400,
  code: "validation_failed",
  detail: "1 field is invalid",
  errors: [{ path: "body.budgetFen", message: "Too small" }],
};

const proposalBody = {
  communityId: "baihua",
  kind: "works" as const,
  category: "old_estate_renovation",
  title: "7栋加装无障碍扶手",
  summary: "楼道扶手与防滑条",
  beneficiaries: 120,
  budgetFen: 8_000_000,
  needIds: [],
  year: 2026,
};

describe("createPencaiClient", () => {
  it("puts path and query parameters in the URL and sends the token", async () => {
    const { fetch, seen } = stubFetch(200, { items: [] });
    const api = createPencaiClient({ baseUrl: "https://api.test/", token: "tok", fetch });

    const reply = await api.GET("/v1/proposals/{id}/timeline", {
      params: { path: { id: "p 1/2" } },
    });
    await api.GET("/v1/proposals", {
      params: { query: { mine: true, status: "approved", year: 2026 } },
    });

    expect(reply.data).toEqual({ items: [] });
    expect(seen.map((r) => r.url)).toEqual([
      "https://api.test/v1/proposals/p%201%2F2/timeline",
      "https://api.test/v1/proposals?mine=true&status=approved&year=2026",
    ]);
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer tok", "Bearer tok"]);
  });

  it("asks the token provider before each request, and sends no header without a token", async () => {
    const { fetch, seen } = stubFetch(200, { items: [] });
    const tokens = ["first", undefined, "refreshed"];
    const api = createPencaiClient({
      baseUrl: "https://api.test",
      token: async () => tokens.shift(),
      fetch,
    });

    for (let i = 0; i < 3; i++) await api.GET("/v1/public/proposals");

    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer first",
      null,
      "Bearer refreshed",
    ]);
  });

  it("sends the body as JSON with the Idempotency-Key header", async () => {
    const { fetch, seen } = stubFetch(201, { id: "p-1" });
    const api = createPencaiClient({ baseUrl: "https://api.test", token: "tok", fetch });

    await api.POST("/v1/proposals", {
      params: { header: { "Idempotency-Key": "first-try" } },
      body: proposalBody,
    });

    const [request] = seen;
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("idempotency-key")).toBe("first-try");
    expect(await request?.json()).toEqual(proposalBody);
  });

  it("types the body and the reply from the API's schemas", () => {
    const api = createPencaiClient({ baseUrl: "https://api.test" });
    // never called: the compiler checks these calls, no request is made
    const propose = () => api.POST("/v1/proposals", { body: proposalBody });
    const typeErrors = () => [
      // @ts-expect-error: budgetFen is integer fen, not a string
      api.POST("/v1/proposals", { body: { ...proposalBody, budgetFen: "80000" } }),
      // @ts-expect-error: the path parameter is required
      api.GET("/v1/proposals/{id}"),
      // @ts-expect-error: no such path
      api.GET("/v1/proposal"),
    ];

    type Reply = Awaited<ReturnType<typeof propose>>;
    expectTypeOf<NonNullable<Reply["data"]>["budgetFen"]>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<Reply["error"]>>().toEqualTypeOf<Problem>();
    expect(typeErrors).toBeTypeOf("function");
  });
});

describe("problems", () => {
  it("a problem+json reply is the result's typed error, and data() throws it as ApiProblem", async () => {
    const { fetch } = stubFetch(400, problem, "application/problem+json");
    const api = createPencaiClient({ baseUrl: "https://api.test", fetch });

    const reply = await api.POST("/v1/proposals", { body: proposalBody });
    expect(reply.data).toBeUndefined();
    expect(reply.error?.code).toBe("validation_failed");

    const thrown = await data(api.POST("/v1/proposals", { body: proposalBody })).catch((e) => e);
    expect(thrown).toBeInstanceOf(ApiProblem);
    expect(thrown).toMatchObject({
      status: 400,
      code: "validation_failed",
      detail: "1 field is invalid",
      errors: problem.errors,
      message: "400 validation_failed: 1 field is invalid",
    });
  });

  it("data() returns the body of a success reply", async () => {
    const { fetch } = stubFetch(201, { id: "p-1" });
    const api = createPencaiClient({ baseUrl: "https://api.test", fetch });

    const created = await data(api.POST("/v1/proposals", { body: proposalBody }));

    expect(created).toEqual({ id: "p-1" });
  });

  it("a reply API Gateway makes itself still becomes a problem with a code", async () => {
    const cases: [number, unknown, string, string][] = [
      [401, { message: "Unauthorized" }, "unauthenticated", "Unauthorized"],
      [403, { message: "Forbidden" }, "forbidden", "Forbidden"],
      [503, "Service Unavailable", "internal", "Service Unavailable"],
      [429, { message: "Too Many Requests" }, "unexpected_response", "Too Many Requests"],
    ];
    for (const [status, body, code, detail] of cases) {
      const { fetch } = stubFetch(
        status,
        body,
        typeof body === "string" ? "text/plain" : undefined,
      );
      const api = createPencaiClient({ baseUrl: "https://api.test", fetch });

      const thrown = await data(api.GET("/v1/rules")).catch((e) => e);

      expect(thrown, String(status)).toBeInstanceOf(ApiProblem);
      expect(thrown, String(status)).toMatchObject({
        status,
        code,
        detail,
        title: `HTTP ${status}`,
      });
    }
  });
});
