/** The client against the local cloud: the handlers' real replies, through the generated types. */
import { describe, expect, inject, it } from "vitest";
import { ApiProblem, createPencaiClient, data } from "../src/index.js";

async function token(claims: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${inject("baseUrl")}/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(claims),
  });
  if (!res.ok) throw new Error(`/dev/token: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

describe("@pencai/client against the local cloud", () => {
  it("raises a need, proposes a project once for two tries, and lists it", async () => {
    const resident = await token({
      sub: `client-${Date.now()}`,
      roles: ["resident"],
      communityId: "baihua",
      householdId: "hh-client",
    });
    const api = createPencaiClient({ baseUrl: inject("baseUrl"), token: () => resident });

    const need = await data(
      api.POST("/v1/needs", {
        body: { communityId: "baihua", title: "7栋加装扶手", description: "老人上下楼困难" },
      }),
    );
    const propose = () =>
      data(
        api.POST("/v1/proposals", {
          params: { header: { "Idempotency-Key": `client-${need.id}` } },
          body: {
            communityId: "baihua",
            kind: "works",
            category: "old_estate_renovation",
            title: "7栋加装无障碍扶手",
            summary: "楼道扶手与防滑条",
            beneficiaries: 120,
            budgetFen: 8_000_000,
            selfRaisedFen: 1_000_000,
            needIds: [need.id],
            year: 2026,
          },
        }),
      );
    const first = await propose();
    const retried = await propose();
    const mine = await data(api.GET("/v1/proposals", { params: { query: { mine: true } } }));

    expect(first).toMatchObject({ status: "submitted", budgetFen: 8_000_000, needIds: [need.id] });
    expect(retried.id).toBe(first.id);
    expect(mine.items.filter((p) => p.id === first.id)).toHaveLength(1);
  });

  it("turns a refused body and a refused token into ApiProblems", async () => {
    const resident = await token({ sub: "client-bad", roles: ["resident"], communityId: "baihua" });
    const api = createPencaiClient({ baseUrl: inject("baseUrl"), token: resident });
    const anonymous = createPencaiClient({ baseUrl: inject("baseUrl"), token: "not-a-jwt" });

    const invalid = await data(
      api.POST("/v1/needs", { body: { communityId: "baihua", title: "", description: "x" } }),
    ).catch((e) => e);
    const refused = await data(anonymous.GET("/v1/proposals")).catch((e) => e);

    expect(invalid).toBeInstanceOf(ApiProblem);
    expect(invalid).toMatchObject({ status: 400, code: "validation_failed" });
    expect((invalid as ApiProblem).errors?.map((e) => e.path)).toContain("body.title");
    expect(refused).toBeInstanceOf(ApiProblem);
    expect(refused).toMatchObject({ status: 401, code: "unauthenticated" });
  });
});
