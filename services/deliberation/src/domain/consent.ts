import { invalidState } from "@pencai/contracts/errors";
import type { Principal } from "@pencai/runtime/reach";
import { requireHouseholdOf } from "./access.js";
import { type HouseholdRoster, requireRosterHousehold } from "./roster.js";
import type { Consent, ProposalProjection } from "./types.js";

/**
 * A household's answer (Panlong): one per household, changeable until the meeting deciding
 * the proposal closes. The proposal must be on an agenda whose meeting has not concluded it
 * (the store also checks, in the same transaction, that the meeting is still `open`).
 * Where the meeting snapshotted a household roster, only the roster's households of the
 * proposal's area may answer (403). Returns the meeting whose status the transaction must check.
 */
export function answerConsent(
  proposal: ProposalProjection,
  principal: Principal,
  agree: boolean,
  now: Date,
  roster?: HouseholdRoster,
): { consent: Consent; meetingId: string } {
  const householdId = requireHouseholdOf(principal, proposal);
  if (roster) requireRosterHousehold(roster, householdId, proposal.courtyardIds);
  if (proposal.status === "withdrawn") throw invalidState("the proposal was withdrawn");
  if (!proposal.meetingId) {
    throw invalidState("the proposal is not on a council meeting's agenda yet");
  }
  if (proposal.council) throw invalidState("the council has already decided this proposal");
  return {
    meetingId: proposal.meetingId,
    consent: {
      proposalId: proposal.id,
      householdId,
      agree,
      sub: principal.sub,
      answeredAt: now.toISOString(),
    },
  };
}
