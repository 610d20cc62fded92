import type {
  BallotChoice,
  CouncilResult,
  MeetingKind,
  MeetingStatus,
} from "@pencai/contracts/deliberation";

/** Where a proposal or meeting lives (a community with its street and district). */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

/** What the council records per proposal with the agenda (consent scope, ranking inputs). */
export interface AgendaDetails {
  affectedHouseholds?: number;
  urgency?: number;
  replicability?: number;
}

export interface ExpertDecision {
  decision: "pass" | "fail";
  reason?: string;
  averageScore: number;
  reviews: number;
  at: string;
}

/**
 * Deliberation's projection of an intake proposal, built from the (enriched) ProposalScreened
 * event: deliberation never reads intake's table. Every change bumps `version`, and every
 * write is conditional on the version it was computed from.
 */
export interface ProposalProjection extends Place {
  id: string;
  kind: "works" | "service";
  category: string;
  title: string;
  budgetFen: number;
  selfRaisedFen: number;
  sponsorFen: number;
  /** the programme's part of the budget: what counts against the community's yearly ceiling */
  programmeFen: number;
  year: number;
  /** head count, when the proposal gave one */
  beneficiaries?: number;
  /** the courtyards (院落) it serves; absent: the whole community */
  courtyardIds?: string[];
  status: "screened" | "withdrawn";
  version: number;
  screenedAt: string;
  withdrawnAt?: string;
  /** the meeting whose agenda holds it (set once) */
  meetingId?: string;
  agenda?: AgendaDetails;
  /** the council's result, set when that meeting closes */
  council?: CouncilResult;
  /** expert review counters, kept in the review transactions */
  expertReviews: number;
  expertScoreSum: number;
  /** reviews that found it not feasible or not lawful */
  expertObjections: number;
  expert?: ExpertDecision;
  endorsedAt?: string;
  /** a phased works project's yearly shares; carried on to approval in ProposalEndorsed */
  phasing?: { year: number; programmeFen: number }[];
  /** a cross-community project's shares; carried on to approval in ProposalEndorsed */
  communities?: { communityId: string; programmeFen: number }[];
}

/** A ProposalWithdrawn that arrived before its ProposalScreened: withdrawn is final. */
export interface WithdrawnTombstone {
  id: string;
  tombstone: true;
  version: number;
  withdrawnAt: string;
}

export type StoredProposal = ProposalProjection | WithdrawnTombstone;

export const isTombstone = (p: StoredProposal): p is WithdrawnTombstone =>
  (p as WithdrawnTombstone).tombstone === true;

export interface ProposalDetail extends AgendaDetails {
  proposalId: string;
}

export interface MeetingRecord extends Place {
  id: string;
  scheduledAt: string;
  memberIds: string[];
  proposalIds: string[];
  proposalDetails: ProposalDetail[];
  status: MeetingStatus;
  createdBy: string;
  createdAt: string;
  closingAt?: string;
  closedAt?: string;
  results?: CouncilResult[];
  /** `council` votes; `consultation` (请你来协商) hears invitees and decides nothing; absent: council */
  kind?: MeetingKind;
  /** a courtyard council (院落议事会): the courtyards whose proposals it decides */
  courtyardIds?: string[];
  invitees?: Invitee[];
  /** the council roster version its members were checked against (absent: no roster then) */
  councilVersion?: number;
  /** the household roster snapshot that consents are taken from and counted against */
  householdRosterVersion?: number;
}

/** What one invitee said about one proposal at a consultation. */
export interface Opinion {
  meetingId: string;
  proposalId: string;
  /** position in the meeting's invitees */
  index: number;
  invitee: Invitee;
  opinion: string;
  recordedBy: string;
  recordedAt: string;
}

export interface Invitee {
  name: string;
  role: "deputy" | "department";
  unit: string;
}

/** The sign-in sheet of a meeting: one item, replaced while the meeting is open. */
export interface Attendance {
  meetingId: string;
  present: string[];
  recordedAt: string;
}

export interface Ballot {
  meetingId: string;
  proposalId: string;
  /** the voter: never in replies to others; only in the internal BallotsCounted, which exports pseudonymise */
  sub: string;
  choice: BallotChoice;
  castAt: string;
}

export interface Consent {
  proposalId: string;
  householdId: string;
  agree: boolean;
  /** who answered for the household (private) */
  sub: string;
  answeredAt: string;
}

export interface ExpertReview {
  proposalId: string;
  /** the expert (private) */
  sub: string;
  feasible: boolean;
  lawful: boolean;
  score: number;
  comment?: string;
  reviewedAt: string;
}

export type { BallotChoice, CouncilResult, MeetingKind, MeetingStatus };
