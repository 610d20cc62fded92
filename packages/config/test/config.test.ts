import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CityConfigError,
  currentCity,
  geoIndex,
  presets,
  resolveCity,
  rulesSchema,
  scopeOfCommunity,
  setCurrentCity,
} from "../src/index.js";
import { loadCityFile } from "../src/load.js";

const base = () => ({
  id: "testcity",
  name: "测试市",
  region: "ap-east-1",
  preset: "longgang",
  districts: [
    {
      id: "futian",
      name: "福田区",
      streets: [
        {
          id: "yuanling",
          name: "园岭街道",
          communities: [
            { id: "baihua", name: "百花社区" },
            { id: "changcheng", name: "长城社区" },
          ],
        },
      ],
    },
  ],
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

afterEach(() => setCurrentCity(undefined));

describe("presets", () => {
  it.each(Object.entries(presets))("%s is a complete, valid rule set", (_name, rules) => {
    expect(rulesSchema.safeParse(rules).success).toBe(true);
  });

  it("give the seeds' distinguishing rules", () => {
    expect(presets.longgang.categoryList.mode).toBe("negative");
    expect(presets.luohu.categoryList.mode).toBe("positive");
    expect(presets.luohu.process).toMatchObject({
      splitPackages: true,
      phasingYears: 2,
      needFitCheck: true,
    });
    expect(presets.panlong.thresholds.householdConsent.required).toBe(true);
    expect(presets.panlong.thresholds.priorityCriteria).toBeDefined();
    expect(presets.ningbo.process.steps.map((s) => s.name).join("")).toBe("说议筹办评");
    expect(presets.ningbo.process.sponsors).toBe(true);
    for (const p of Object.values(presets)) {
      expect(p.caps).toEqual({
        worksFen: 50_000_000,
        serviceFen: 20_000_000,
        communityYearFen: 200_000_000,
      });
      expect(p.sla).toMatchObject({ reviewWorkingDays: 5, disbursementWorkingDays: 15 });
    }
  });

  it("weigh a street's score components to 1, and refuse weights that do not", () => {
    for (const p of Object.values(presets)) {
      const w = Object.values(p.scores.weights);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    const bad = structuredClone(presets.luohu);
    bad.scores.weights.awareness = 0.3;
    expect(rulesSchema.safeParse(bad).success).toBe(false);
  });
});

describe("resolveCity", () => {
  it("fills defaults and the preset's rules", () => {
    const city = resolveCity(base());
    expect(city.timezone).toBe("Asia/Shanghai");
    expect(city.production).toBe(false);
    expect(city.api.throttle).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(city.cors.allowOrigins).toEqual([]);
    expect(city.rules).toEqual(presets.longgang);
  });

  it("lets the city's overrides win, key by key, and keeps the rest of the preset", () => {
    const city = resolveCity({
      ...base(),
      preset: "luohu",
      rules: {
        caps: { serviceFen: 10_000_000 },
        thresholds: { householdConsent: { required: true } },
        categoryList: { categories: ["elderly_care"] },
      },
    });
    expect(city.rules.caps).toEqual({
      worksFen: 50_000_000,
      serviceFen: 10_000_000,
      communityYearFen: 200_000_000,
    });
    expect(city.rules.thresholds.householdConsent).toEqual({ required: true, share: 2 / 3 });
    expect(city.rules.thresholds.council).toEqual(presets.luohu.thresholds.council);
    expect(city.rules.categoryList).toEqual({ mode: "positive", categories: ["elderly_care"] });
    expect(city.rules.process.splitPackages).toBe(true);
  });

  it("never mutates the preset", () => {
    const before = structuredClone(presets.longgang);
    resolveCity({ ...base(), rules: { caps: { worksFen: 1 }, categoryList: { categories: [] } } });
    expect(presets.longgang).toEqual(before);
  });

  it("names the failing field with its full path", () => {
    const raw = base() as Record<string, unknown>;
    (raw.districts as { streets: { communities: { id: unknown }[] }[] }[])[0]!.streets[0]!
      .communities[1]!.id = 7;
    expect(problemsOf(raw)).toEqual(["districts[0].streets[0].communities[1].id: expected string"]);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf({
      ...base(),
      region: "mars",
      preset: "shenzhen",
      extra: true,
      districts: [],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^region: must be an AWS region/),
        expect.stringMatching(/^preset: expected one of "longgang"/),
        ': unknown field "extra"',
        "districts: a city needs at least one district",
      ]),
    );
  });

  it("rejects duplicate ids anywhere in the geography", () => {
    const raw = base();
    raw.districts[0]!.streets.push({
      id: "futian",
      name: "重复街道",
      communities: [{ id: "baihua", name: "重复社区" }],
    });
    expect(problemsOf(raw)).toEqual([
      'districts[0].streets[1].id: duplicate id "futian" (also districts[0].id)',
      'districts[0].streets[1].communities[0].id: duplicate id "baihua" (also districts[0].streets[0].communities[0].id)',
    ]);
  });

  it("rejects a courtyard id that another place of the city already has", () => {
    const raw = base();
    const community = raw.districts[0]!.streets[0]!.communities[0]! as {
      courtyards?: { id: string; name: string }[];
    };
    community.courtyards = [
      { id: "yard-1", name: "一院" },
      { id: "yard-1", name: "重复院落" },
      { id: "futian", name: "与区同名" },
    ];
    expect(problemsOf(raw)).toEqual([
      'districts[0].streets[0].communities[0].courtyards[1].id: duplicate id "yard-1" (also districts[0].streets[0].communities[0].courtyards[0].id)',
      'districts[0].streets[0].communities[0].courtyards[2].id: duplicate id "futian" (also districts[0].id)',
    ]);
  });

  it("rejects list categories that are not known categories", () => {
    expect(
      problemsOf({
        ...base(),
        rules: { categoryList: { categories: ["elderly_care", "space_travel"] } },
      }),
    ).toEqual([
      'rules.categoryList.categories[1]: unknown category "space_travel" (not in categories)',
    ]);
  });

  it("checks ranges", () => {
    const problems = problemsOf({
      ...base(),
      rules: {
        caps: { worksFen: 1.5, serviceFen: 300_000_000 },
        thresholds: { council: { passShare: 1.2 } },
        sla: { reviewWorkingDays: 0 },
      },
      api: { throttle: { burstLimit: 0 } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "rules.caps.worksFen: expected int",
        "rules.thresholds.council.passShare: passShare must be ≤ 1",
        "rules.sla.reviewWorkingDays: must be at least 1",
        "api.throttle.burstLimit: must be at least 1",
      ]),
    );
    expect(problemsOf({ ...base(), rules: { caps: { serviceFen: 300_000_000 } } })).toEqual([
      "rules.caps.serviceFen: must not exceed communityYearFen (200000000)",
    ]);
  });

  it("checks ids, origins, time zones and calendar days", () => {
    const problems = problemsOf({
      ...base(),
      id: "Demo City",
      timezone: "Asia/Shenzhen",
      cors: { allowOrigins: ["https://app.example.cn/path", "*"] },
      calendar: { "2027": { holidays: ["2027-02-30"], workdays: [] }, next: {} },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: must be a lowercase ascii id/),
        expect.stringMatching(/^timezone: must be an IANA time zone/),
        expect.stringMatching(/^cors\.allowOrigins\[0\]: must be an origin/),
        expect.stringMatching(/^cors\.allowOrigins\[1\]: must be an origin/),
        "calendar.2027.holidays[0]: must be a calendar day YYYY-MM-DD",
        expect.stringMatching(/^calendar\.next: invalid key: must be a year/),
      ]),
    );
  });

  it("rejects unknown fields, so typos do not pass silently", () => {
    expect(problemsOf({ ...base(), rules: { capz: {} } })).toEqual(['rules: unknown field "capz"']);
  });
});

describe("loadCityFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "pencai-config-"));

  it("prefixes problems with the file name", () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...base(),
        districts: [{ id: "x", name: "区", streets: [{ id: "y", name: "街" }] }],
      }),
    );
    expect(() => loadCityFile(file)).toThrow(
      `${file}: invalid city configuration\n  districts[0].streets[0].communities: expected array`,
    );
  });

  it("reports malformed JSON", () => {
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ nope");
    expect(() => loadCityFile(file)).toThrow(
      /broken\.json: invalid city configuration\n {2}\(root\): not valid JSON/,
    );
  });

  it.each(["demo", "luohu"])("loads infra/cities/%s.json", (id) => {
    const city = loadCityFile(
      new URL(`../../../infra/cities/${id}.json`, import.meta.url).pathname,
    );
    expect(city.id).toBe(id);
  });
});

describe("currentCity and the geo index", () => {
  it("fails clearly when no city is set", () => {
    expect(() => currentCity()).toThrow(/__PENCAI_CITY__ is unset/);
  });

  it("resolves scopes through the current city, memoised per city object", () => {
    const city = resolveCity(base());
    setCurrentCity(city);
    expect(currentCity()).toBe(city);
    expect(scopeOfCommunity("changcheng")).toEqual({
      districtId: "futian",
      streetId: "yuanling",
      communityId: "changcheng",
    });
    expect(scopeOfCommunity("nowhere")).toBeUndefined();
    const geo = geoIndex(city);
    expect(geoIndex(city)).toBe(geo);
    expect(geo.scopeOfStreet("yuanling")).toEqual({ districtId: "futian", streetId: "yuanling" });
    expect(geo.streetById("yuanling")?.name).toBe("园岭街道");
    expect(geo.districtById("futian")?.name).toBe("福田区");
    expect(geo.communityById("baihua")?.name).toBe("百花社区");
    expect(geo.districtById("yuanling")).toBeUndefined();
  });
});

describe("organisations and the purchase catalogue in the city file", () => {
  it("jinjiang brings a catalogue; the Shenzhen presets have none; a city may add or override one", () => {
    expect(
      resolveCity({ ...base(), preset: "jinjiang" }).rules.purchaseCatalogue?.length,
    ).toBeGreaterThan(0);
    expect(resolveCity(base()).rules.purchaseCatalogue).toBeUndefined();
    const own = resolveCity({
      ...base(),
      rules: {
        organisations: { noticeWorkingDays: 7 },
        purchaseCatalogue: [{ category: "elderly_care", minFen: 100, maxFen: 200 }],
      },
    }).rules;
    expect(own.organisations.noticeWorkingDays).toBe(7);
    expect(own.purchaseCatalogue).toEqual([{ category: "elderly_care", minFen: 100, maxFen: 200 }]);
  });

  it("rejects an unknown or repeated category, a range upside down and a notice out of bounds", () => {
    const problems = problemsOf({
      ...base(),
      rules: {
        purchaseCatalogue: [
          { category: "no_such", minFen: 1, maxFen: 2 },
          { category: "elderly_care", minFen: 300, maxFen: 200 },
          { category: "elderly_care", minFen: 1, maxFen: 2 },
        ],
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\.purchaseCatalogue\[0\]\.category: unknown or repeated/),
        expect.stringMatching(/^rules\.purchaseCatalogue\[1\]\.minFen: must not exceed maxFen/),
        expect.stringMatching(/^rules\.purchaseCatalogue\[2\]\.category: unknown or repeated/),
      ]),
    );
    expect(problemsOf({ ...base(), rules: { organisations: { noticeWorkingDays: 0 } } })).toEqual([
      expect.stringMatching(/^rules\.organisations\.noticeWorkingDays/),
    ]);
  });
});
