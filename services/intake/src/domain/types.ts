import type { ProposalDecision, ProposalStatus, PublicStage } from "@pencai/contracts/intake";
import type { Role } from "@pencai/contracts/roles";
import type { SlaRecord } from "./sla.js";

/** Where a proposal or need lives (a community and its street and district). */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

/** Who proposed: kept on the proposal only, never on the timeline or in public views. */
export interface Proposer {
  sub: string;
  role: Role;
  householdId?: string;
  orgId?: string;
}

export interface Screening {
  decision: "accept" | "reject";
  needFit?: number;
  reason?: string;
  at: string;
}

export type RejectionStage =
  | "screening"
  | "deliberation"
  | "expert_review"
  | "district_review"
  | "approval";

export interface ProposalRecord extends Place {
  id: string;
  kind: "works" | "service";
  category: string;
  title: string;
  summary: string;
  plan?: string;
  beneficiaries: number | string;
  budgetFen: number;
  selfRaisedFen: number;
  sponsorFen: number;
  /** budgetFen - selfRaisedFen - sponsorFen: what caps, the yearly ceiling and approval count */
  programmeFen: number;
  /** street subsidies received (ContributionReceived, source street_subsidy) */
  streetSubsidyFen?: number;
  needIds: string[];
  applicantOrgId?: string;
  location?: string | { address?: string; lat?: number; lng?: number };
  year: number;
  packageGroupId?: string;
  /** courtyards (院落) of its community the proposal is for */
  courtyardIds?: string[];
  /** a phased works project: each programme year's share (domain/funding-plan.ts) */
  phasing?: { year: number; programmeFen: number }[];
  /** a cross-community project: each community's share (domain/funding-plan.ts) */
  communities?: { communityId: string; programmeFen: number }[];
  status: ProposalStatus;
  screening?: Screening;
  rejectedAt?: RejectionStage;
  rejectionReason?: string;
  /** council tally and expert outcome, projected from deliberation's events (no identities) */
  decision?: ProposalDecision;
  withdrawnAt?: string;
  proposer: Proposer;
  /** the approval has been added to the community-year committed projection */
  committed?: boolean;
  /** approval's SLA timers as far as their events have arrived (domain/sla.ts) */
  sla?: SlaRecord[];
  /** highest report round seen (ProposalReported.round) */
  reportRound?: number;
  /** highest round the district returned to the street (DistrictReviewCompleted return) */
  returnedRound?: number;
  /** implementation as the evaluation service reports it (domain/delivery.ts) */
  implementation?: {
    /** absent until ImplementationStarted arrives (a later event may come first) */
    implementer?: { kind: "street" | "community" | "org"; orgId?: string };
    milestones: { percent: number; description: string; dueOn: string }[];
    percent: number;
    payments: {
      paymentId: string;
      payee: string;
      amountFen: number;
      milestonePercent: number;
      paidAt: string;
    }[];
    totalPaidFen: number;
    startedAt?: string;
    completedAt?: string;
  };
  /** the satisfaction panel's result (counts only) */
  effect?: {
    seats: number;
    ratings: number;
    satisfactionRate: number;
    passed: boolean;
    closedAt: string;
  };
  createdAt: string;
  updatedAt: string;
  timelineSeq: number;
  timelineHash: string;
}

export interface NeedRecord extends Place {
  id: string;
  title: string;
  description: string;
  category?: string;
  status: "open";
  endorsements: number;
  proposalIds: string[];
  raisedBy: { sub: string; role: Role };
  createdAt: string;
}

export type EvidenceStatus = "pending" | "verified" | "rejected";

export interface EvidenceRecord {
  evidenceId: string;
  proposalId: string;
  purpose: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  status: EvidenceStatus;
  /** the upload's key (`uploads/…`); once verified, the kept copy is `storedKey` */
  key: string;
  /** verified: the object-locked copy that is served, and its S3 version */
  storedKey?: string;
  versionId?: string;
  uploadedBy: { sub: string; role: Role };
  createdAt: string;
  verifiedAt?: string;
  rejectedAt?: string;
  mismatches?: string[];
  quarantineKey?: string;
}

export type { ProposalDecision, ProposalStatus, PublicStage };
