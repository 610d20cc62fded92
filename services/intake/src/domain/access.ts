import type { Role } from "@pencai/contracts";
import { inJurisdiction, type Principal, type Scope } from "@pencai/runtime/auth";
import { forbidden } from "@pencai/runtime/errors";
import type { Place, ProposalRecord } from "./types.js";

/**
 * Who may see and touch what. Residents and organisations act as themselves (their own
 * proposals, their own community); every other role is an official acting inside the
 * jurisdiction of its token (community, street or district claim; admin/analyst city-wide).
 */

const citizenRoles: readonly Role[] = ["resident", "org"];

export const isOfficialRole = (r: Role) => !citizenRoles.includes(r);

/** The role a principal acts in on a route: the first of its roles the route allows. */
export function actingRole(p: Principal, allowed: readonly Role[]): Role {
  const role = p.roles.find((r) => allowed.includes(r));
  if (!role) throw forbidden(`requires one of: ${allowed.join(", ")}`);
  return role;
}

/** A resident or organisation of the place's community (by its `communityId` claim). */
export function isCommunityMember(p: Principal, role: Role, place: Place): boolean {
  return !isOfficialRole(role) && p.communityId === place.communityId;
}

/** An official role held by the principal, acting within its jurisdiction over the place. */
export function isOfficialIn(p: Principal, role: Role, place: Scope): boolean {
  return isOfficialRole(role) && p.roles.includes(role) && inJurisdiction(p, place);
}

/** Any official role of the principal covers the place. */
export function hasOfficialReach(p: Principal, place: Scope): boolean {
  return p.roles.some(isOfficialRole) && inJurisdiction(p, place);
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

/** The needs library of a community: its residents and organisations, and officials over it. */
export function canReadCommunity(p: Principal, place: Place): boolean {
  return p.communityId === place.communityId || hasOfficialReach(p, place);
}

function isApplicantOrg(p: Principal, proposal: ProposalRecord): boolean {
  return p.roles.includes("org") && p.orgId !== undefined && p.orgId === proposal.applicantOrgId;
}
