import { forbidden } from "@pencai/contracts/errors";
import { cityWideRoles, type Role, roleLevels } from "@pencai/contracts/roles";
import type { Scope } from "./places.js";

// Who may act where: pure functions of a verified principal (no I/O), for handlers and domain code.

/** The caller, from a verified ID token. Wider jurisdiction claims are derived from narrower ones. */
export interface Principal {
  sub: string;
  roles: Role[];
  districtId?: string;
  streetId?: string;
  communityId?: string;
  householdId?: string;
  orgId?: string;
  /** an admin or analyst acting for the whole city (`cityWide: true`, never with a place claim) */
  cityWide?: true;
}

/** Where a role of the principal may act: the whole city, a district, a street or a community. */
export type Reach =
  | { level: "city" }
  | { level: "district"; districtId: string }
  | { level: "street"; districtId: string; streetId: string }
  | { level: "community"; districtId: string; streetId: string; communityId: string };

/**
 * The reach of one of the principal's roles, from the claim that role must carry: community
 * roles their community, street roles their street, district roles their district. An admin or
 * analyst without a district acts city-wide only with `cityWide: true`. A role the principal
 * does not hold, a `self` role (evaluator) or a missing claim reaches nowhere.
 */
export function reachOf(p: Principal, role: Role): Reach | undefined {
  if (!p.roles.includes(role)) return undefined;
  switch (roleLevels[role]) {
    case "community":
      return p.communityId
        ? {
            level: "community",
            districtId: p.districtId!,
            streetId: p.streetId!,
            communityId: p.communityId,
          }
        : undefined;
    case "street":
      return p.streetId
        ? { level: "street", districtId: p.districtId!, streetId: p.streetId }
        : undefined;
    case "district":
      if (p.districtId) return { level: "district", districtId: p.districtId };
      return p.cityWide && (cityWideRoles as readonly Role[]).includes(role)
        ? { level: "city" }
        : undefined;
    case "self":
      return undefined;
  }
}

/** Whether a reach covers a place (a community, or a whole street or district). */
export function covers(reach: Reach, target: Scope): boolean {
  switch (reach.level) {
    case "city":
      return true;
    case "district":
      return target.districtId === reach.districtId;
    case "street":
      return target.streetId === reach.streetId;
    case "community":
      return target.communityId === reach.communityId;
  }
}

/** Whether any of `roles` that the principal holds reaches the target place. */
export function reaches(p: Principal, roles: readonly Role[], target: Scope): boolean {
  return roles.some((role) => {
    const reach = reachOf(p, role);
    return reach !== undefined && covers(reach, target);
  });
}

/** 403 unless one of `roles` that the principal holds reaches the target place. */
export function requireReach(
  p: Principal,
  roles: readonly Role[],
  target: Scope,
  detail = "outside your jurisdiction",
): void {
  if (!reaches(p, roles, target)) throw forbidden(detail);
}
