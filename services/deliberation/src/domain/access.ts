import type { Role } from "@pencai/contracts/roles";
import { inJurisdiction, type Principal } from "@pencai/runtime/auth";
import { forbidden } from "@pencai/runtime/errors";
import type { MeetingRecord, Place } from "./types.js";

/**
 * Who may act where. Community staff act inside their jurisdiction (a community claim: that
 * community; a street claim: its communities). Council members act only in meetings that list
 * them, of their own community. Experts and street staff act on proposals of their own street
 * (their `streetId` claim). Residents answer for their household in their own community.
 */

/** Community staff whose jurisdiction covers the place. */
export function requireStaffOf(p: Principal, place: Place): void {
  if (!p.roles.includes("community_staff") || !inJurisdiction(p, place)) {
    throw forbidden("only the community's staff may do this");
  }
}

/** A council member listed in the meeting, of the meeting's community. */
export function requireMemberOf(p: Principal, meeting: MeetingRecord): void {
  if (
    !p.roles.includes("council_member") ||
    !meeting.memberIds.includes(p.sub) ||
    !inJurisdiction(p, meeting)
  ) {
    throw forbidden("only council members listed for this meeting may vote");
  }
}

/** Staff of the meeting's community, or a council member listed in it. */
export function canReadMeeting(p: Principal, meeting: MeetingRecord): boolean {
  const staff = p.roles.includes("community_staff") && inJurisdiction(p, meeting);
  const member =
    p.roles.includes("council_member") &&
    meeting.memberIds.includes(p.sub) &&
    inJurisdiction(p, meeting);
  return staff || member;
}

/** An expert or street staff member whose `streetId` claim is the proposal's street. */
export function requireStreetRole(p: Principal, role: Role, place: Place): void {
  if (!p.roles.includes(role) || p.streetId !== place.streetId) {
    throw forbidden(`only a ${role} of street ${place.streetId} may do this`);
  }
}

/** A resident answering for a household of the proposal's community. */
export function requireHouseholdOf(p: Principal, place: Place): string {
  if (!p.roles.includes("resident") || p.communityId !== place.communityId) {
    throw forbidden("only residents of the proposal's community may answer");
  }
  if (!p.householdId) throw forbidden("your token names no household (householdId claim)");
  return p.householdId;
}

/** Officials (any role but resident/org) whose jurisdiction covers the place. */
export function hasOfficialReach(p: Principal, place: Place): boolean {
  return p.roles.some((r) => r !== "resident" && r !== "org") && inJurisdiction(p, place);
}
