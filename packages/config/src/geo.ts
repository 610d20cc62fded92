import { currentCity } from "./current.js";
import type { City, Community, District, Street } from "./schema.js";

export interface GeoScope {
  districtId: string;
  streetId: string;
  communityId: string;
}

export interface GeoIndex {
  districtById(id: string): District | undefined;
  streetById(id: string): Street | undefined;
  communityById(id: string): Community | undefined;
  scopeOfCommunity(id: string): GeoScope | undefined;
  scopeOfStreet(id: string): { districtId: string; streetId: string } | undefined;
}

const cache = new WeakMap<City, GeoIndex>();

/** Lookups over the city's geography, built once per city object. */
export function geoIndex(city: City): GeoIndex {
  let index = cache.get(city);
  if (!index) {
    index = buildIndex(city);
    cache.set(city, index);
  }
  return index;
}

function buildIndex(city: City): GeoIndex {
  const districts = new Map<string, District>();
  const streets = new Map<string, { street: Street; districtId: string }>();
  const communities = new Map<string, { community: Community; scope: GeoScope }>();
  for (const d of city.districts) {
    districts.set(d.id, d);
    for (const s of d.streets) {
      streets.set(s.id, { street: s, districtId: d.id });
      for (const c of s.communities) {
        communities.set(c.id, {
          community: c,
          scope: { districtId: d.id, streetId: s.id, communityId: c.id },
        });
      }
    }
  }
  return {
    districtById: (id) => districts.get(id),
    streetById: (id) => streets.get(id)?.street,
    communityById: (id) => communities.get(id)?.community,
    scopeOfCommunity: (id) => {
      const hit = communities.get(id);
      return hit && { ...hit.scope };
    },
    scopeOfStreet: (id) => {
      const hit = streets.get(id);
      return hit && { districtId: hit.districtId, streetId: id };
    },
  };
}

// The same lookups as free functions; the city defaults to currentCity().
export const districtById = (id: string, city: City = currentCity()) =>
  geoIndex(city).districtById(id);
export const streetById = (id: string, city: City = currentCity()) => geoIndex(city).streetById(id);
export const communityById = (id: string, city: City = currentCity()) =>
  geoIndex(city).communityById(id);
export const scopeOfCommunity = (id: string, city: City = currentCity()) =>
  geoIndex(city).scopeOfCommunity(id);
export const scopeOfStreet = (id: string, city: City = currentCity()) =>
  geoIndex(city).scopeOfStreet(id);

/** The courtyards (院落) of a community; none when the city file lists none. */
export const courtyardsOf = (communityId: string, city: City = currentCity()) =>
  geoIndex(city).communityById(communityId)?.courtyards ?? [];
