import * as z from "zod/mini";

/** Every role a token may carry (`roles` or `cognito:groups` claim). */
export const roles = [
  "resident",
  "org",
  "community_staff",
  "council_member",
  "street_staff",
  "expert",
  "district_civil",
  "district_group",
  "district_finance",
  "evaluator",
  "analyst",
  "admin",
] as const;

export type Role = (typeof roles)[number];

export const roleSchema = /* @__PURE__ */ (() => z.enum(roles))();

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}

/**
 * The level of place a role acts at, and so the jurisdiction claim it must carry: community
 * roles need a community, street roles a street, district roles a district. `self` roles act
 * only where they are named (an evaluator on a panel), never over a place. Narrower claims imply
 * the wider ones (a community claim names its street and district); a missing claim never
 * widens reach. Only an admin or analyst may act city-wide, and only with `cityWide: true`.
 */
export const roleLevels = {
  resident: "community",
  org: "community",
  community_staff: "community",
  council_member: "community",
  street_staff: "street",
  expert: "street",
  district_civil: "district",
  district_group: "district",
  district_finance: "district",
  evaluator: "self",
  analyst: "district",
  admin: "district",
} as const satisfies Record<Role, "community" | "street" | "district" | "self">;

/** Roles that may act for the whole city (`cityWide` claim, Cognito `custom:cityWide`). */
export const cityWideRoles = ["admin", "analyst"] as const satisfies readonly Role[];

/** Residents and organisations act as themselves; every other role is an official. */
export const citizenRoles = ["resident", "org"] as const satisfies readonly Role[];
export const officialRoles = roles.filter(
  (r) => !(citizenRoles as readonly Role[]).includes(r),
) as readonly Role[];

/**
 * A token subject: Cognito's UUIDs and the local cloud's names (`resident-1`). Never `#` or
 * `/`, so a subject inside a storage key cannot be mistaken for another key's parts.
 */
export const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
