import { forbidden } from "@pencai/contracts/errors";
import { reaches } from "@pencai/runtime/reach";
import type { Actor, Place } from "./types.js";

/**
 * Who may act where. District roles (civil affairs, the special group, finance) act on
 * proposals of their district; street staff on proposals of their street: each role within the
 * reach its claims give it (`reachOf`). Role first, then jurisdiction: both 403.
 */

export type DistrictRole = "district_civil" | "district_group" | "district_finance";

export function requireDistrictRole(a: Actor, role: DistrictRole, place: Place): void {
  if (!a.roles.includes(role)) throw forbidden(`only ${role} may do this`);
  if (!reaches(a, [role], place)) {
    throw forbidden(`only a ${role} of district ${place.districtId} may do this`);
  }
}

export function requireStreetStaff(a: Actor, place: Place): void {
  if (!a.roles.includes("street_staff")) throw forbidden("only street_staff may do this");
  if (!reaches(a, ["street_staff"], place)) {
    throw forbidden(`only street_staff of street ${place.streetId} may do this`);
  }
}
