import { testCity } from "@pencai/config/testing";
import type { DomainError } from "@pencai/contracts/errors";
import { describe, expect, it } from "vitest";
import { checkCatalogue } from "../src/domain/orgs.js";

// 购买服务指导目录: Jinjiang's catalogue binds service proposals; a city without one is unchanged.

const jinjiang = testCity("jinjiang").rules;
const codeOf = (f: () => void) => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as DomainError).code;
  }
};

describe("the purchase catalogue", () => {
  it("buys a listed category within its price range, both ends included", () => {
    const item = jinjiang.purchaseCatalogue!.find((c) => c.category === "elderly_care")!;
    for (const programmeFen of [item.minFen, item.maxFen]) {
      expect(
        codeOf(() =>
          checkCatalogue({ kind: "service", category: "elderly_care", programmeFen }, jinjiang),
        ),
      ).toBeUndefined();
    }
    expect(
      codeOf(() =>
        checkCatalogue(
          { kind: "service", category: "elderly_care", programmeFen: item.minFen - 1 },
          jinjiang,
        ),
      ),
    ).toBe("outside_price_range");
    expect(
      codeOf(() =>
        checkCatalogue(
          { kind: "service", category: "elderly_care", programmeFen: item.maxFen + 1 },
          jinjiang,
        ),
      ),
    ).toBe("outside_price_range");
  });
  it("refuses a service category it does not buy; works projects are not services bought", () => {
    expect(
      codeOf(() =>
        checkCatalogue(
          { kind: "service", category: "volunteering", programmeFen: 1_000_000 },
          jinjiang,
        ),
      ),
    ).toBe("not_in_catalogue");
    expect(
      codeOf(() =>
        checkCatalogue({ kind: "works", category: "safety", programmeFen: 1 }, jinjiang),
      ),
    ).toBeUndefined();
  });
  it("is absent in the Shenzhen presets: nothing changes there", () => {
    const longgang = testCity("longgang").rules;
    expect(longgang.purchaseCatalogue).toBeUndefined();
    expect(
      codeOf(() =>
        checkCatalogue({ kind: "service", category: "volunteering", programmeFen: 1 }, longgang),
      ),
    ).toBeUndefined();
  });
});
