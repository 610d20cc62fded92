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
