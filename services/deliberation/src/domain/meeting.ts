import type { CouncilResult, CreateMeetingBody } from "@pencai/contracts/deliberation";
import { invalidState, rule, validationFailed } from "@pencai/contracts/errors";
import type { Principal } from "@pencai/runtime/reach";
import {
  type CouncilRoster,
  type HouseholdRoster,
  householdsIn,
  requireCourtyards,
  requireRosterMembers,
} from "./roster.js";
import { type ConsentRules, type CouncilRules, tallyConsent, tallyProposal } from "./tally.js";
import {
  type Attendance,
  type Ballot,
  type Consent,
  isTombstone,
  type MeetingKind,
  type MeetingRecord,
  type MeetingStatus,
  type Opinion,
  type Place,
  type ProposalDetail,
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

/** The city's rules a new meeting obeys (`rules.thresholds`). */
export interface MeetingRules {
  /** household consent is required (`householdConsent.required`) */
  consentRequired: boolean;
  /** a council roster is required before any meeting (`council.rosterRequired`) */
  rosterRequired: boolean;
  /** consultation meetings may be held (`council.consultation`) */
  consultation: boolean;
}

/**
 * A new meeting: it is at most a year ahead (400, else); its kind is offered by the city (422
 * consultation_not_offered) and a consultation invites at least one deputy and one department
 * (400); its courtyards are the community's (422 courtyard_not_found); where the community has
 * a council roster (required by `rosterRequired` and for courtyard councils: 422
 * roster_required) its members are roster members in term on the meeting's day, of its
 * courtyards for a courtyard council (422 not_a_member); every proposal must be a screened
 * proposal of the community (else 422 proposal_not_found), deliberable (not withdrawn, not on
 * another agenda; else 409 invalid_state), of the meeting's courtyards for a courtyard council
 * (422 outside_courtyards); details may only name agenda proposals (400). Consent denominators:
 * with a household roster, the roster's households in each proposal's area, snapshotted now
 * (422 consent_scope_from_roster if `affectedHouseholds` is typed in); without one, where
 * consent is required, each proposal needs `affectedHouseholds` (422 consent_scope_required).
 */
export function planMeeting(
  body: CreateMeetingBody,
  ctx: {
    principal: Principal;
    place: Place;
    proposals: ReadonlyMap<string, StoredProposal>;
    rules: MeetingRules;
    /** the community's courtyards in the city file */
    courtyards: readonly string[];
    council: CouncilRoster | undefined;
    households: HouseholdRoster | undefined;
    /** the meeting's calendar day in city time (YYYY-MM-DD), for members' terms */
    meetingDay: string;
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
  const kind = body.kind ?? "council";
  checkKind(body, kind, ctx.rules);
  const courtyardIds = body.courtyardIds;
  if (courtyardIds)
    requireCourtyards(courtyardIds, ctx.courtyards, (i) => `body.courtyardIds.${i}`);
  if (ctx.council) {
    requireRosterMembers(body.memberIds, ctx.council, ctx.meetingDay, courtyardIds);
  } else if (ctx.rules.rosterRequired || courtyardIds) {
    throw rule(
      "roster_required",
      courtyardIds
        ? "a courtyard council's members come from the community's council roster: PUT /v1/communities/{id}/council first"
        : "this city requires a standing council roster before any meeting: PUT /v1/communities/{id}/council first",
    );
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
    if (p.council) throw invalidState(`proposal ${id} was already decided by its council`);
    // a consultation hears the invitees before (or beside) the council: it claims no agenda
    if (kind === "council" && p.meetingId) {
      throw invalidState(`proposal ${id} is already on the agenda of meeting ${p.meetingId}`);
    }
    if (courtyardIds && !within(p.courtyardIds, courtyardIds)) {
      throw rule(
        "outside_courtyards",
        `proposal ${id} is not a proposal of courtyards ${courtyardIds.join(", ")}: a courtyard council decides only its courtyards' proposals`,
      );
    }
    return { before: p, details: details.get(id) ?? { proposalId: id } };
  });
  const snapshot = kind === "council" ? ctx.households : undefined;
  const counted = snapshot
    ? agenda.map((a) => withRosterHouseholds(a, snapshot, ctx.rules.consentRequired))
    : agenda;
  const missing = counted.filter(
    (a) => kind === "council" && ctx.rules.consentRequired && !a.details.affectedHouseholds,
  );
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
      proposalDetails: counted.map((a) => a.details),
      status: "open",
      createdBy: ctx.principal.sub,
      createdAt: ctx.now.toISOString(),
      kind,
      ...(courtyardIds && { courtyardIds: [...courtyardIds] }),
      ...(body.invitees && { invitees: body.invitees.map((i) => ({ ...i })) }),
      ...(ctx.council && { councilVersion: ctx.council.version }),
      ...(snapshot && { householdRosterVersion: snapshot.version }),
    },
    agenda:
      kind === "consultation"
        ? []
        : counted.map(({ before, details: { proposalId: _, ...agendaDetails } }) => ({
            before,
            after: { ...before, meetingId: ctx.id, agenda: agendaDetails },
          })),
  };
}

/** A consultation needs the city's rule and both kinds of invitee; a council invites nobody. */
function checkKind(body: CreateMeetingBody, kind: MeetingKind, rules: MeetingRules): void {
  if (kind === "council") {
    if (body.invitees) {
      throw validationFailed("only a consultation meeting invites deputies and departments", [
        { path: "body.invitees", message: 'only with kind "consultation"' },
      ]);
    }
    return;
  }
  if (!rules.consultation) {
    throw rule(
      "consultation_not_offered",
      "this city's programme holds no consultation meetings (请你来协商): use a council meeting",
    );
  }
  const roles = new Set((body.invitees ?? []).map((i) => i.role));
  if (!roles.has("deputy") || !roles.has("department")) {
    throw validationFailed("a consultation invites at least one deputy and one department", [
      { path: "body.invitees", message: "needs a deputy and a department (请你来协商)" },
    ]);
  }
}

/** Every courtyard of the proposal is one of the council's (a community-wide one is not). */
const within = (proposal: readonly string[] | undefined, council: readonly string[]) =>
  !!proposal?.length && proposal.every((c) => council.includes(c));

/**
 * The consent denominator from the household roster: its households in the proposal's area.
 * Typed-in numbers are refused (422 consent_scope_from_roster): the roster is the count.
 */
function withRosterHouseholds<A extends { before: ProposalProjection; details: ProposalDetail }>(
  a: A,
  roster: HouseholdRoster,
  consentRequired: boolean,
): A {
  if (a.details.affectedHouseholds !== undefined) {
    throw rule(
      "consent_scope_from_roster",
      `the community's household roster gives the households of ${a.before.id}'s area: leave out affectedHouseholds`,
    );
  }
  const households = householdsIn(roster, a.before.courtyardIds).length;
  if (households === 0) {
    if (!consentRequired) return a;
    throw rule(
      "consent_scope_required",
      `no household of ${a.before.id}'s area is on the household roster (version ${roster.version})`,
    );
  }
  return { ...a, details: { ...a.details, affectedHouseholds: households } };
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
  if (meeting.kind === "consultation") {
    throw invalidState("a consultation (请你来协商) takes no votes: it records opinions");
  }
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

/**
 * An invitee's opinion at an open consultation (409 for a council meeting or a closed one), on
 * one of its proposals (422 proposal_not_found), by an invitee it lists (400). Once per invitee
 * and proposal: the store's condition (409 duplicate).
 */
export function recordOpinion(
  meeting: MeetingRecord,
  body: { proposalId: string; invitee: number; opinion: string },
  by: string,
  now: Date,
): Opinion {
  if (meeting.kind !== "consultation") {
    throw invalidState("only a consultation (请你来协商) records invitees' opinions");
  }
  requireOpen(meeting);
  if (!meeting.proposalIds.includes(body.proposalId)) {
    throw rule("proposal_not_found", `proposal ${body.proposalId} is not on this consultation`);
  }
  const invitee = meeting.invitees?.[body.invitee];
  if (!invitee) {
    throw validationFailed("no such invitee", [
      { path: "body.invitee", message: `must be below ${meeting.invitees?.length ?? 0}` },
    ]);
  }
  return {
    meetingId: meeting.id,
    proposalId: body.proposalId,
    index: body.invitee,
    invitee: { ...invitee },
    opinion: body.opinion,
    recordedBy: by,
    recordedAt: now.toISOString(),
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
  if (meeting.kind === "consultation") return [];
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
