import { setCurrentCity } from "./current.js";
import { resolveCity } from "./resolve.js";
import type { City, PresetName } from "./schema.js";

/**
 * A small city for services' unit tests: district d1 with streets s1 (c1, c2) and s2 (c3), and
 * district d2 with street s3 (c4), so tests can reach across a street and across a district.
 */
export function testCity(preset: PresetName = "longgang"): City {
  return resolveCity({
    id: "testcity",
    name: "测试市",
    region: "ap-east-1",
    preset,
    districts: [
      {
        id: "d1",
        name: "一区",
        streets: [
          {
            id: "s1",
            name: "一街",
            communities: [
              { id: "c1", name: "一社区" },
              { id: "c2", name: "二社区" },
            ],
          },
          { id: "s2", name: "二街", communities: [{ id: "c3", name: "三社区" }] },
        ],
      },
      {
        id: "d2",
        name: "二区",
        streets: [{ id: "s3", name: "三街", communities: [{ id: "c4", name: "四社区" }] }],
      },
    ],
  });
}

/** Makes `testCity(preset)` the current city (what `globalThis.__PENCAI_CITY__` is in a Lambda). */
export function useTestCity(preset: PresetName = "longgang"): City {
  const city = testCity(preset);
  setCurrentCity(city);
  return city;
}
