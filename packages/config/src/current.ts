import type { City } from "./schema.js";

declare global {
  /** The resolved city, injected by the Lambda bundle's banner or set by the local cloud and tests. */
  var __PENCAI_CITY__: City | undefined;
}

export function currentCity(): City {
  const city = globalThis.__PENCAI_CITY__;
  if (!city) {
    throw new Error(
      "No city configured: globalThis.__PENCAI_CITY__ is unset. Lambda bundles get it from the " +
        "ServiceFunction banner; tests and the local cloud call setCurrentCity(resolveCity(...)).",
    );
  }
  return city;
}

export function setCurrentCity(city: City | undefined): void {
  globalThis.__PENCAI_CITY__ = city;
}
