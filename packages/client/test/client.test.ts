import { allRoutes, defineRoute } from "@pencai/contracts";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import * as z from "zod/mini";
import { ApiProblem, createClient } from "../src/index.js";

const routes = {
  getThing: defineRoute({
    operationId: "getThing",
    method: "GET",
    path: "/v1/things/{id}",
    summary: "Get",
    tags: [],
    auth: "public",
    params: z.object({ id: z.string() }),
    query: z.object({ limit: z.optional(z.int()), ids: z.optional(z.array(z.string())) }),
    response: z.object({ id: z.string(), count: z.int() }),
    status: 200,
  }),
  createThing: defineRoute({
    operationId: "createThing",
    method: "POST",
    path: "/v1/things",
    summary: "Create",
    tags: [],
    auth: ["resident"],
    body: z.strictObject({ title: z.string(), budgetFen: z.int() }),
    response: z.object({ id: z.string() }),
    status: 201,
    idempotent: true,
  }),
  ping: defineRoute({
    operationId: "ping",
    method: "GET",
    path: "/v1/ping",
    summary: "Ping",
    tags: [],
    auth: "public",
    response: z.object({ ok: z.boolean() }),
    status: 200,
  }),
};

function fakeFetch(status: number, body: unknown, contentType = "application/json") {
  return vi.fn<typeof fetch>(
    async () =>
      new Response(
        body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
        {
          status,
          headers: { "content-type": contentType },
        },
      ),
  );
}

describe("createClient", () => {
  it("builds the URL from path params and query, sends the token, and returns the body", async () => {
    const fetch = fakeFetch(200, { id: "t 1", count: 2 });
    const client = createClient({ routes, baseUrl: "http://api.test/", token: "tok", fetch });
    const thing = await client.call("getThing", {
      params: { id: "t 1" },
      query: { limit: 5, ids: ["a", "b"] },
    });

    expectTypeOf(thing).toEqualTypeOf<{ id: string; count: number }>();
    expect(thing).toEqual({ id: "t 1", count: 2 });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("http://api.test/v1/things/t%201?limit=5&ids=a%2Cb");
    expect(init?.method).toBe("GET");
    expect(init?.headers).toMatchObject({ authorization: "Bearer tok" });
    expect(init?.body).toBeUndefined();
  });

  it("sends JSON bodies and the Idempotency-Key; the token may be a function", async () => {
    const fetch = fakeFetch(201, { id: "new" });
    const client = createClient({
      routes,
      baseUrl: "http://api.test",
      token: async () => "fresh",
      fetch,
    });
    const out = await client.call("createThing", {
      body: { title: "Benches", budgetFen: 100 },
      idempotencyKey: "k1",
    });
    expect(out).toEqual({ id: "new" });
    const init = fetch.mock.calls[0]![1]!;
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ title: "Benches", budgetFen: 100 });
    expect(init.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "k1",
      authorization: "Bearer fresh",
    });
  });

  it("allows calls without arguments when a route needs none", async () => {
    const client = createClient({
      routes,
      baseUrl: "http://api.test",
      fetch: fakeFetch(200, { ok: true }),
    });
    expect(await client.call("ping")).toEqual({ ok: true });
  });

  it("throws a typed ApiProblem on problem+json", async () => {
    const problem = {
      type: "https://pencai.dev/problems/validation_failed",
      title: "Validation failed",
      status: 400,
      code: "validation_failed",
      detail: "request does not match the schema",
      errors: [{ path: "body.title", message: "Invalid input" }],
    };
    const client = createClient({
      routes,
      baseUrl: "http://api.test",
      fetch: fakeFetch(400, problem, "application/problem+json"),
    });
    const err = await client
      .call("createThing", { body: { title: "", budgetFen: 1 } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect(err).toMatchObject({ status: 400, code: "validation_failed", errors: problem.errors });
  });

  it("turns a non-problem error reply into an ApiProblem too", async () => {
    const client = createClient({
      routes,
      baseUrl: "http://api.test",
      fetch: fakeFetch(502, "Bad Gateway", "text/plain"),
    });
    await expect(client.call("ping")).rejects.toMatchObject({
      status: 502,
      code: "internal",
      detail: "Bad Gateway",
    });
  });

  it("is typed from the schemas", () => {
    const client = createClient({ routes, baseUrl: "http://api.test", fetch: fakeFetch(200, {}) });
    // @ts-expect-error unknown operation
    void client.call("nope").catch(() => {});
    // @ts-expect-error body is required
    void client.call("createThing", {}).catch(() => {});
    // @ts-expect-error wrong body type
    void client.call("createThing", { body: { title: 1, budgetFen: 1 } }).catch(() => {});
    // @ts-expect-error params are required
    void client.call("getThing", {}).catch(() => {});
  });

  it("works with the routes contracts exports (a list)", async () => {
    const fetch = fakeFetch(200, { cityId: "demo" });
    const client = createClient({ routes: allRoutes, baseUrl: "http://api.test", fetch });
    await client.call("getGeo");
    expect(fetch.mock.calls[0]![0]).toBe("http://api.test/v1/geo");
  });
});
