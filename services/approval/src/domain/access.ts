import { forbidden } from "@pencai/runtime/errors";
import type { Actor, Place } from "./types.js";

/**
 * Who may act where. District roles (civil affairs, the special group, finance) act on
 * proposals of their district (`districtId` claim, derived from narrower claims); street staff
 * act on proposals of their street (`streetId` claim). Role first, then jurisdiction: both 403.
 */

export type DistrictRole = "district_civil" | "district_group" | "district_finance";

export function requireDistrictRole(a: Actor, role: DistrictRole, place: Place): void {
  if (!a.roles.includes(role)) throw forbidden(`only ${role} may do this`);
  if (a.districtId !== place.districtId) {
    throw forbidden(`only a ${role} of district ${place.districtId} may do this`);
  }
}

export function requireStreetStaff(a: Actor, place: Place): void {
  if (!a.roles.includes("street_staff")) throw forbidden("only street_staff may do this");
  if (a.streetId !== place.streetId) {
    throw forbidden(`only street_staff of street ${place.streetId} may do this`);
  }
}
