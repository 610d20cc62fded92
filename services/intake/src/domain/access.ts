import { forbidden } from "@pencai/contracts/errors";
import { citizenRoles, officialRoles, type Role } from "@pencai/contracts/roles";
import type { Scope } from "@pencai/runtime/places";
import { type Principal, reaches } from "@pencai/runtime/reach";
import type { Place, ProposalRecord } from "./types.js";

/**
 * Who may see and touch what. Residents and organisations act as themselves (their own
 * proposals, their own community); every other role is an official acting inside the reach its
 * token's claims give that role (runtime `reachOf`: a community role its community, a street
 * role its street, a district role its district; a city-wide admin or analyst everywhere).
 */

export const isOfficialRole = (r: Role) => !(citizenRoles as readonly Role[]).includes(r);

/** The role a principal acts in on a route: the first of its roles the route allows. */
export function actingRole(p: Principal, allowed: readonly Role[]): Role {
  const role = p.roles.find((r) => allowed.includes(r));
  if (!role) throw forbidden(`requires one of: ${allowed.join(", ")}`);
  return role;
}

/** A resident or organisation of the place's community (by its `communityId` claim). */
export function isCommunityMember(p: Principal, role: Role, place: Place): boolean {
  return !isOfficialRole(role) && p.roles.includes(role) && p.communityId === place.communityId;
}

/** An official role held by the principal, whose reach covers the place. */
export function isOfficialIn(p: Principal, role: Role, place: Scope): boolean {
  return isOfficialRole(role) && reaches(p, [role], place);
}

/** Some official role of the principal reaches the place. */
export function hasOfficialReach(p: Principal, place: Scope): boolean {
  return reaches(p, officialRoles, place);
}

/** The proposer, the applicant organisation, or an official of the proposal's jurisdiction. */
export function canReadProposal(p: Principal, proposal: ProposalRecord): boolean {
  return (
    p.sub === proposal.proposer.sub || isApplicantOrg(p, proposal) || hasOfficialReach(p, proposal)
  );
}

/** Evidence is added by the proposer, the applicant organisation, or the community's or street's staff. */
export function canAddEvidence(p: Principal, proposal: ProposalRecord): boolean {
  return (
    p.sub === proposal.proposer.sub ||
    isApplicantOrg(p, proposal) ||
    isOfficialIn(p, "community_staff", proposal) ||
    isOfficialIn(p, "street_staff", proposal)
  );
}

/** A resident or organisation of the community, listing its own proposals there. */
export function canListOwnIn(p: Principal, place: Place): boolean {
  return citizenRoles.some((r) => isCommunityMember(p, r, place));
}

/** The needs library of a community: its residents and organisations, and officials over it. */
export function canReadCommunity(p: Principal, place: Place): boolean {
  return canListOwnIn(p, place) || hasOfficialReach(p, place);
}

/** A user of the proposal's applicant organisation (its `orgId` claim, in the org role). */
function isApplicantOrg(p: Principal, proposal: ProposalRecord): boolean {
  return (
    proposal.applicantOrgId !== undefined &&
    p.roles.includes("org") &&
    p.orgId === proposal.applicantOrgId
  );
}
