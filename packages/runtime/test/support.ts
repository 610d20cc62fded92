import { setCurrentCity } from "@pencai/config/current";
import type { City } from "@pencai/config/schema";

/** A small city: two districts, three streets, four communities. Only the geography matters here. */
const city = {
  id: "testcity",
  name: "Test City",
  districts: [
    {
      id: "d1",
      name: "District 1",
      streets: [
        {
          id: "s1",
          name: "Street 1",
          communities: [
            { id: "c1", name: "Community 1" },
            { id: "c2", name: "Community 2" },
          ],
        },
        { id: "s2", name: "Street 2", communities: [{ id: "c3", name: "Community 3" }] },
      ],
    },
    {
      id: "d2",
      name: "District 2",
      streets: [{ id: "s3", name: "Street 3", communities: [{ id: "c4", name: "Community 4" }] }],
    },
  ],
} as unknown as City;

export function useTestCity() {
  setCurrentCity(city);
}

// The JWKS server, API Gateway event and Lambda context live in ../src/testing.ts (services'
// handler tests use them too).
export { context, httpEvent, startJwks } from "../src/testing.js";

export function json(result: { body?: string | undefined }) {
  return result.body === undefined ? undefined : JSON.parse(result.body);
}
