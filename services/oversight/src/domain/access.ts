import {
  getInspection,
  getScores,
  getStats,
  reportRectification,
} from "@pencai/contracts/oversight";
import type { Role } from "@pencai/contracts/roles";
import type { Scope } from "@pencai/runtime/places";
import { type Principal, requireReach } from "@pencai/runtime/reach";

// Who reads and writes what in oversight: the route's roles, each within its reach (a
// district-scoped analyst sees its district; a missing claim reaches nowhere).

const rolesOf = (r: { auth: "public" | readonly Role[] }) => r.auth as readonly Role[];

export const requireStatsReader = (p: Principal, scope: Scope) =>
  requireReach(p, rolesOf(getStats), scope, "these figures are outside your jurisdiction");

export const requireInspector = (p: Principal, districtId: string) =>
  requireReach(
    p,
    rolesOf(getInspection),
    { districtId },
    "this district is outside your jurisdiction",
  );

export const requireScoreReader = (p: Principal, districtId: string) =>
  requireReach(p, rolesOf(getScores), { districtId }, "this district is outside your jurisdiction");

export function requireRectifier(p: Principal, scope: Scope) {
  requireReach(
    p,
    rolesOf(reportRectification),
    scope,
    "only the project's street reports it rectified",
  );
}
