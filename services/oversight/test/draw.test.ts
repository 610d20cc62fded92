import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { allocate, draw, type Member, populationHash } from "../src/domain/draw.js";

const population = (sizes: Record<string, number>): Member[] =>
  Object.entries(sizes).flatMap(([streetId, n]) =>
    Array.from({ length: n }, (_, i) => ({
      streetId,
      proposalId: `${streetId.toUpperCase()}P${i}`,
    })),
  );

describe("the sampling draw (抽检)", () => {
  it("is reproducible: the same seed over the same population (in any order) draws the same items", () => {
    const pop = population({ s1: 40, s2: 25, s3: 7 });
    const first = draw(pop, 20, "2026-luohu-seed");
    const again = draw([...pop].reverse(), 20, "2026-luohu-seed");
    expect(again).toEqual(first);
    expect(first.items).toHaveLength(20);
  });

  it("a different seed draws different items from the same population", () => {
    const pop = population({ s1: 40, s2: 25, s3: 7 });
    const a = draw(pop, 20, "seed-a").items.map((m) => m.proposalId);
    const b = draw(pop, 20, "seed-b").items.map((m) => m.proposalId);
    expect(b).not.toEqual(a);
    expect(draw(pop, 20, "seed-b").populationHash).toBe(draw(pop, 20, "seed-a").populationHash);
  });

  it("publishes the population's hash: sha256 of the sorted ids joined by newlines", () => {
    const ids = ["B", "A", "C"];
    const expected = createHash("sha256").update("A\nB\nC").digest("hex");
    expect(populationHash(ids)).toBe(expected);
    expect(
      draw(
        ids.map((proposalId) => ({ proposalId, streetId: "s1" })),
        1,
        "x",
      ),
    ).toMatchObject({
      populationCount: 3,
      populationHash: expected,
    });
  });

  it("ranks within a street by sha256(seed + newline + id)", () => {
    const pop = population({ s1: 10 });
    const rank = (id: string) => createHash("sha256").update(`k\n${id}`).digest("hex");
    const expected = pop
      .map((m) => m.proposalId)
      .sort((a, b) => (rank(a) < rank(b) ? -1 : 1))
      .slice(0, 3);
    expect(draw(pop, 3, "k").items.map((m) => m.proposalId)).toEqual(expected);
  });

  it("stratifies by street with the largest remainder", () => {
    // 10 of 100: 5.0, 3.3, 1.7 -> 5, 3, 1 and the one left to the largest remainder (s3: 0.7)
    expect(
      Object.fromEntries(
        allocate(
          new Map([
            ["s1", 50],
            ["s2", 33],
            ["s3", 17],
          ]),
          10,
        ),
      ),
    ).toEqual({ s1: 5, s2: 3, s3: 2 });
    // equal remainders: the smaller street id first
    expect(
      Object.fromEntries(
        allocate(
          new Map([
            ["s2", 1],
            ["s1", 1],
          ]),
          1,
        ),
      ),
    ).toEqual({
      s1: 1,
      s2: 0,
    });
    const items = draw(population({ s1: 50, s2: 33, s3: 17 }), 10, "z").items;
    expect(items.filter((m) => m.streetId === "s3")).toHaveLength(2);
  });

  it("draws everyone when the sample is larger than the population, and nothing from nothing", () => {
    expect(draw(population({ s1: 2, s2: 1 }), 90, "x").items).toHaveLength(3);
    expect(draw([], 90, "x")).toMatchObject({ populationCount: 0, items: [] });
  });
});
