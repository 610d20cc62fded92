import { forbidden } from "@pencai/contracts/errors";
import { officialRoles, type Role } from "@pencai/contracts/roles";
import { type Principal, reaches } from "@pencai/runtime/reach";
import type { Place, Project } from "./types.js";

/**
 * Who may act on a project, each role within the reach its claims give it (runtime `reachOf`):
 * the street's staff run implementation and evaluation (the street is the 实施主体); the
 * implementing organisation's own users (its `orgId` claim) and, where a community implements,
 * the community's staff report progress; panel members rate. Nobody is named into a right by a
 * field of someone else's request but the implementer, whom the street's staff choose.
 */

/** The project's place, once its facts have arrived (they come with ProposalSubmitted). */
export function placeOf(p: Project): Place | undefined {
  return p.communityId && p.streetId && p.districtId
    ? { communityId: p.communityId, streetId: p.streetId, districtId: p.districtId }
    : undefined;
}

const reachesProject = (principal: Principal, roles: readonly Role[], p: Project) => {
  const place = placeOf(p);
  return place !== undefined && reaches(principal, roles, place);
};

export function requireStreetStaff(principal: Principal, p: Project): void {
  if (!reachesProject(principal, ["street_staff"], p)) {
    throw forbidden("only the staff of the project's street may do this");
  }
}

/** A user of the implementing organisation (org role, its orgId claim). */
export const isImplementingOrg = (principal: Principal, p: Project) =>
  p.implementation?.implementer.kind === "org" &&
  principal.roles.includes("org") &&
  principal.orgId !== undefined &&
  principal.orgId === p.implementation.implementer.orgId;

/** Progress: the street's staff, the implementing organisation, a community implementer's staff. */
export function requireReporter(principal: Principal, p: Project): void {
  const communityImplements =
    p.implementation?.implementer.kind === "community" &&
    reachesProject(principal, ["community_staff"], p);
  if (
    !reachesProject(principal, ["street_staff"], p) &&
    !isImplementingOrg(principal, p) &&
    !communityImplements
  ) {
    throw forbidden("only the street's staff or the implementer report progress");
  }
}

/** Contributions: the community's or the street's staff. */
export function requireMoneyKeeper(principal: Principal, p: Project): void {
  if (!reachesProject(principal, ["community_staff", "street_staff"], p)) {
    throw forbidden("only the staff of the project's community or street record money received");
  }
}

/** Officials over the project's place. */
export const isOfficialOver = (principal: Principal, p: Project) =>
  reachesProject(principal, officialRoles, p);

/** The implementation record: officials over the place, the proposer, the implementer, the panel. */
export function canReadImplementation(principal: Principal, p: Project): boolean {
  return (
    isOfficialOver(principal, p) ||
    principal.sub === p.proposerSub ||
    isImplementingOrg(principal, p) ||
    (p.evaluation?.panel.some((m) => m.sub === principal.sub) ?? false)
  );
}

/** The (private) spending notice: officials over the place, the proposer and the organisations. */
export function canReadSpending(principal: Principal, p: Project): boolean {
  return (
    isOfficialOver(principal, p) ||
    principal.sub === p.proposerSub ||
    isImplementingOrg(principal, p) ||
    (p.applicantOrgId !== undefined &&
      principal.roles.includes("org") &&
      principal.orgId === p.applicantOrgId)
  );
}
