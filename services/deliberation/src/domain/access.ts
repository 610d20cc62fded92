import { forbidden } from "@pencai/contracts/errors";
import { officialRoles, type Role } from "@pencai/contracts/roles";
import { type Principal, reaches } from "@pencai/runtime/reach";
import type { MeetingRecord, Place } from "./types.js";

/**
 * Who may act where, each role within the reach its claims give it (runtime `reachOf`).
 * Community staff act inside their community. Council members act only in meetings that list
 * them, of their own community. Experts and street staff act on proposals of their own street.
 * Residents answer for their household in their own community.
 */

/** Community staff whose reach covers the place. */
export function requireStaffOf(p: Principal, place: Place): void {
  if (!reaches(p, ["community_staff"], place)) {
    throw forbidden("only the community's staff may do this");
  }
}

/** A council member listed in the meeting, of the meeting's community. */
export function requireMemberOf(p: Principal, meeting: MeetingRecord): void {
  if (!meeting.memberIds.includes(p.sub) || !reaches(p, ["council_member"], meeting)) {
    throw forbidden("only council members listed for this meeting may vote");
  }
}

/** Staff of the meeting's community, or a council member listed in it. */
export function canReadMeeting(p: Principal, meeting: MeetingRecord): boolean {
  const staff = reaches(p, ["community_staff"], meeting);
  const member = meeting.memberIds.includes(p.sub) && reaches(p, ["council_member"], meeting);
  return staff || member;
}

/** An expert or street staff member of the proposal's street. */
export function requireStreetRole(p: Principal, role: Role, place: Place): void {
  if (!reaches(p, [role], place)) {
    throw forbidden(`only a ${role} of street ${place.streetId} may do this`);
  }
}

/** A resident answering for a household of the proposal's community. */
export function requireHouseholdOf(p: Principal, place: Place): string {
  if (!reaches(p, ["resident"], place)) {
    throw forbidden("only residents of the proposal's community may answer");
  }
  if (!p.householdId) throw forbidden("your token names no household (householdId claim)");
  return p.householdId;
}

/** Officials (every role but resident and org) whose reach covers the place. */
export function hasOfficialReach(p: Principal, place: Place): boolean {
  return reaches(p, officialRoles, place);
}
