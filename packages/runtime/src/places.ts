import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import { notFound, validationFailed } from "@pencai/contracts/errors";

/** Where something lives: a community's scope has all three ids, a street's or district's fewer. */
export interface Scope {
  districtId: string;
  streetId?: string;
  communityId?: string;
}

/** A community of this city with its street and district. */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

/** A community of this city with its street and district (404 otherwise). */
export function placeOf(communityId: string): Place {
  const place = geoIndex(currentCity()).scopeOfCommunity(communityId);
  if (!place) throw notFound(`community ${communityId}`);
  return place;
}

/** A street of this city with its district (404 otherwise). */
export function scopeOfStreet(streetId: string): Scope & { streetId: string } {
  const scope = geoIndex(currentCity()).scopeOfStreet(streetId);
  if (!scope) throw notFound(`street ${streetId}`);
  return scope;
}

/** A district of this city (404 otherwise). */
export function scopeOfDistrict(districtId: string): Scope {
  if (!geoIndex(currentCity()).districtById(districtId)) throw notFound(`district ${districtId}`);
  return { districtId };
}

/** The one place a list asks for: `?communityId=`, `?streetId=` or `?districtId=`. */
export type PlaceQuery = { communityId?: string; streetId?: string; districtId?: string };
export type PlaceLevel = "community" | "street" | "district";

/** Exactly one of the query's place ids, resolved (400 for none or several, 404 for unknown). */
export function placeOfQuery(q: PlaceQuery): { by: PlaceLevel; id: string; scope: Scope } {
  const given = (["communityId", "streetId", "districtId"] as const).filter(
    (k) => q[k] !== undefined,
  );
  if (given.length !== 1) {
    throw validationFailed("give exactly one of communityId, streetId, districtId", [
      { path: "query", message: "exactly one of communityId, streetId, districtId" },
    ]);
  }
  if (q.communityId !== undefined) {
    return { by: "community", id: q.communityId, scope: placeOf(q.communityId) };
  }
  if (q.streetId !== undefined) {
    return { by: "street", id: q.streetId, scope: scopeOfStreet(q.streetId) };
  }
  return { by: "district", id: q.districtId!, scope: scopeOfDistrict(q.districtId!) };
}
