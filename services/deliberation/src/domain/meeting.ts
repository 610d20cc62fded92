import type { CouncilResult, CreateMeetingBody } from "@pencai/contracts/deliberation";
import { invalidState, rule, validationFailed } from "@pencai/contracts/errors";
import type { Principal } from "@pencai/runtime/reach";
import { type ConsentRules, type CouncilRules, tallyConsent, tallyProposal } from "./tally.js";
import {
  type Attendance,
  type Ballot,
  type Consent,
  isTombstone,
  type MeetingRecord,
  type MeetingStatus,
  type Place,
  type ProposalProjection,
  type StoredProposal,
} from "./types.js";

// ---------------------------------------------------------------- state machine

/** open -> closing -> closed. `closing` stops ballots and consents; only a close finishes it. */
const transitions: Record<MeetingStatus, readonly MeetingStatus[]> = {
  open: ["closing"],
  closing: ["closed"],
  closed: [],
};

export const canMove = (from: MeetingStatus, to: MeetingStatus) => transitions[from].includes(to);

/** What closing a meeting in this status does next. */
export function closeStep(status: MeetingStatus): "begin" | "finish" | "done" {
  if (status === "closed") return "done";
  return status === "open" ? "begin" : "finish";
}

// ---------------------------------------------------------------- scheduling

export interface MeetingPlan {
  meeting: MeetingRecord;
  /** each agenda proposal as read, and marked with the meeting and its agenda details */
  agenda: { before: ProposalProjection; after: ProposalProjection }[];
}

/**
 * How far ahead a council meeting may be scheduled: a meeting years away is a typing error. Past
 * meetings may be recorded (back-filled minutes) back to the programme's first year (schema).
 */
export const MEETING_HORIZON_DAYS = 366;

/**
 * A new meeting: it is at most a year ahead (400, else); every proposal must be a
 * screened proposal of the community (else 422 proposal_not_found), deliberable (not withdrawn,
 * not on another agenda; else 409 invalid_state); details may only name agenda proposals (400);
 * where household consent is required, each proposal needs `affectedHouseholds` (422
 * consent_scope_required).
 */
export function planMeeting(
  body: CreateMeetingBody,
  ctx: {
    principal: Principal;
    place: Place;
    proposals: ReadonlyMap<string, StoredProposal>;
    consentRequired: boolean;
    id: string;
    now: Date;
  },
): MeetingPlan {
  const horizon = ctx.now.getTime() + MEETING_HORIZON_DAYS * 24 * 3600_000;
  if (Date.parse(body.scheduledAt) > horizon) {
    throw validationFailed("a meeting is scheduled at most a year ahead", [
      { path: "body.scheduledAt", message: `must be within ${MEETING_HORIZON_DAYS} days from now` },
    ]);
  }
  const details = new Map((body.proposalDetails ?? []).map((d) => [d.proposalId, d]));
  for (const [i, d] of (body.proposalDetails ?? []).entries()) {
    if (!body.proposalIds.includes(d.proposalId)) {
      throw validationFailed("proposalDetails names a proposal that is not on the agenda", [
        { path: `body.proposalDetails.${i}.proposalId`, message: "not in proposalIds" },
      ]);
    }
  }
  const agenda = body.proposalIds.map((id) => {
    const p = ctx.proposals.get(id);
    if (!p || isTombstone(p) || p.communityId !== ctx.place.communityId) {
      throw rule(
        "proposal_not_found",
        `proposal ${id} is not a screened proposal of ${ctx.place.communityId}`,
      );
    }
    if (p.status === "withdrawn") throw invalidState(`proposal ${id} was withdrawn`);
    if (p.meetingId) {
      throw invalidState(`proposal ${id} is already on the agenda of meeting ${p.meetingId}`);
    }
    return { before: p, details: details.get(id) ?? { proposalId: id } };
  });
  const missing = agenda.filter((a) => ctx.consentRequired && !a.details.affectedHouseholds);
  if (missing.length) {
    throw rule(
      "consent_scope_required",
      `household consent is required here: give proposalDetails[].affectedHouseholds for ${missing
        .map((a) => a.before.id)
        .join(", ")}`,
    );
  }
  return {
    meeting: {
      id: ctx.id,
      ...ctx.place,
      scheduledAt: new Date(body.scheduledAt).toISOString(),
      memberIds: [...body.memberIds],
      proposalIds: [...body.proposalIds],
      proposalDetails: agenda.map((a) => a.details),
      status: "open",
      createdBy: ctx.principal.sub,
      createdAt: ctx.now.toISOString(),
    },
    agenda: agenda.map(({ before, details: { proposalId: _, ...agendaDetails } }) => ({
      before,
      after: { ...before, meetingId: ctx.id, agenda: agendaDetails },
    })),
  };
}

// ---------------------------------------------------------------- attendance and ballots

/** The sign-in sheet: members only (422 not_a_member), while the meeting is open (409). */
export function recordAttendance(
  meeting: MeetingRecord,
  present: readonly string[],
  now: Date,
): Attendance {
  requireOpen(meeting);
  const strangers = present.filter((s) => !meeting.memberIds.includes(s));
  if (strangers.length) {
    throw rule("not_a_member", `not members of this meeting: ${strangers.join(", ")}`);
  }
  return { meetingId: meeting.id, present: [...present], recordedAt: now.toISOString() };
}

/**
 * A ballot of a listed member (checked by access.requireMemberOf) on an agenda proposal (422
 * proposal_not_found) of an open meeting (409). Presence and "once per proposal" are enforced
 * by the store's transaction, where a race cannot slip past them.
 */
export function castBallot(
  meeting: MeetingRecord,
  voter: string,
  body: { proposalId: string; choice: Ballot["choice"] },
  now: Date,
): Ballot {
  if (!meeting.proposalIds.includes(body.proposalId)) {
    throw rule("proposal_not_found", `proposal ${body.proposalId} is not on this meeting's agenda`);
  }
  requireOpen(meeting);
  return {
    meetingId: meeting.id,
    proposalId: body.proposalId,
    sub: voter,
    choice: body.choice,
    castAt: now.toISOString(),
  };
}

export function requireOpen(meeting: MeetingRecord): void {
  if (meeting.status !== "open") throw invalidState(`the meeting is ${meeting.status}`);
}

export const notPresent = () =>
  invalidState("you are not recorded present at this meeting (this city requires presence)");
export const meetingNotOpen = () => invalidState("the meeting is closed or closing");

// ---------------------------------------------------------------- closing

/**
 * Every agenda proposal's result, from what the store read after the meeting left `open`
 * (so no ballot or consent can still arrive). Household consent is counted where the city
 * requires it or the council gave the number of affected households.
 */
export function closeResults(args: {
  meeting: MeetingRecord;
  attendance: readonly string[];
  ballots: readonly Ballot[];
  consents: ReadonlyMap<string, readonly Consent[]>;
  council: CouncilRules;
  consent: ConsentRules;
}): CouncilResult[] {
  const { meeting } = args;
  return meeting.proposalIds.map((proposalId) => {
    const details = meeting.proposalDetails.find((d) => d.proposalId === proposalId);
    const households = details?.affectedHouseholds;
    const counted = args.consent.required || households !== undefined;
    return tallyProposal({
      proposalId,
      members: meeting.memberIds,
      attendance: args.attendance,
      ballots: args.ballots.filter((b) => b.proposalId === proposalId),
      rules: args.council,
      ...(counted && {
        consent: tallyConsent(args.consents.get(proposalId) ?? [], households, args.consent),
      }),
    });
  });
}
