import { describe, expect, it } from "vitest";
import { CityConfigError, resolveCity } from "../src/index.js";

// The organisation registry's notice and the purchase catalogue (购买服务指导目录) in a city file.

const city = (rules: unknown, preset = "longgang") => ({
  id: "testcity",
  name: "测试市",
  region: "ap-east-1",
  preset,
  districts: [
    {
      id: "d1",
      name: "一区",
      streets: [{ id: "s1", name: "一街", communities: [{ id: "c1", name: "一社区" }] }],
    },
  ],
  rules,
});

function problemsOf(raw: unknown): string[] {
  try {
    resolveCity(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(CityConfigError);
    return (err as CityConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected the city to be rejected");
}

describe("organisations and the purchase catalogue in the city file", () => {
  it("jinjiang brings a catalogue; the Shenzhen presets have none; a city may add or override one", () => {
    expect(
      resolveCity(city(undefined, "jinjiang")).rules.purchaseCatalogue?.length,
    ).toBeGreaterThan(0);
    expect(resolveCity(city(undefined)).rules.purchaseCatalogue).toBeUndefined();
    const own = resolveCity(
      city({
        organisations: { noticeWorkingDays: 7 },
        purchaseCatalogue: [{ category: "elderly_care", minFen: 100, maxFen: 200 }],
      }),
    ).rules;
    expect(own.organisations.noticeWorkingDays).toBe(7);
    expect(own.purchaseCatalogue).toEqual([{ category: "elderly_care", minFen: 100, maxFen: 200 }]);
  });

  it("rejects an unknown or repeated category, a range upside down and a notice out of bounds", () => {
    const problems = problemsOf(
      city({
        purchaseCatalogue: [
          { category: "no_such", minFen: 1, maxFen: 2 },
          { category: "elderly_care", minFen: 300, maxFen: 200 },
          { category: "elderly_care", minFen: 1, maxFen: 2 },
        ],
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\.purchaseCatalogue\[0\]\.category: unknown or repeated/),
        expect.stringMatching(/^rules\.purchaseCatalogue\[1\]\.minFen: must not exceed maxFen/),
        expect.stringMatching(/^rules\.purchaseCatalogue\[2\]\.category: unknown or repeated/),
      ]),
    );
    expect(problemsOf(city({ organisations: { noticeWorkingDays: 0 } }))).toEqual([
      expect.stringMatching(/^rules\.organisations\.noticeWorkingDays/),
    ]);
  });
});
