import { projectStatuses as implementationStatuses } from "@pencai/contracts/evaluation";
import type {
  ContributionSource,
  ImplementerKind,
  PanelType,
  Rating,
} from "@pencai/contracts/evaluation-events";
import type { EventType } from "@pencai/contracts/events";

/** Where a project lives (its community, street and district). */
export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

/**
 * The project as far as evaluation's part of the lifecycle goes (steps 9-10): forward only,
 * `withdrawn` and `rejected` are exits. `proposed` until approval; `approved` until the
 * approved programme money is all disbursed (`funded`).
 */
export const projectStatuses = ["proposed", "approved", ...implementationStatuses] as const;
export type ProjectStatus = (typeof projectStatuses)[number] | "withdrawn" | "rejected";

export interface Milestone {
  percent: number;
  description: string;
  dueOn: string;
}

export interface Implementation {
  /** 一方一厨: the accountable person (private: never in an event or a public view) */
  owner: { sub: string; name: string; phone?: string };
  implementer: { kind: ImplementerKind; orgId?: string };
  milestones: Milestone[];
  startedAt: string;
}

export interface PanelMember {
  sub: string;
  type: PanelType;
}

export interface EvaluationResult {
  proposalId: string;
  seats: number;
  ratings: number;
  satisfiedCount: number;
  satisfactionRate: number;
  passed: boolean;
  byType: Record<string, { ratings: number; satisfied: number }>;
  closedAt: string;
}

export interface Evaluation {
  panel: PanelMember[];
  /** open -> closing (ratings stop) -> closed (the result) */
  status: "open" | "closing" | "closed";
  openedAt: string;
  result?: EvaluationResult;
}

/**
 * Evaluation's projection of a project, built from intake's and approval's events (event-carried
 * state: evaluation never reads another service's table) and changed by its own routes. Each
 * event sets the facts it owns, whatever order events arrive in; `version` grows with every write.
 */
export interface Project extends Partial<Place> {
  id: string;
  status: ProjectStatus;
  version: number;
  // from ProposalSubmitted
  kind?: "works" | "service";
  title?: string;
  year?: number;
  budgetFen?: number;
  programmeFen?: number;
  selfRaisedFen?: number;
  sponsorFen?: number;
  /** who proposed (the envelope's actor): may not sit on the panel */
  proposerSub?: string;
  applicantOrgId?: string;
  // from approval's events
  approvedAt?: string;
  approvedFen?: number;
  /** programme money disbursed so far (FundsDisbursed.totalDisbursedFen) */
  disbursedFen: number;
  fundedAt?: string;
  closedAt?: string;
  // money: contributions received by source, payments made, what is left to pay from
  contributedFen: Record<ContributionSource, number>;
  paidFen: number;
  // implementation
  implementation?: Implementation;
  progressPercent: number;
  /** who reported progress (the implementer's people: may not sit on the panel) */
  reporters: string[];
  completedAt?: string;
  evaluation?: Evaluation;
}

/** Money received: disbursed programme money plus every contribution. */
export const receivedFen = (p: Pick<Project, "disbursedFen" | "contributedFen">) =>
  p.disbursedFen +
  p.contributedFen.self_raised +
  p.contributedFen.sponsor +
  p.contributedFen.street_subsidy;

export interface ProgressReport {
  proposalId: string;
  percent: number;
  note: string;
  evidenceIds: string[];
  reportedAt: string;
  sub: string;
}

export interface Payment {
  id: string;
  proposalId: string;
  milestonePercent: number;
  amountFen: number;
  payee: string;
  reference: string;
  paidAt: string;
  sub: string;
}

export interface Contribution {
  id: string;
  proposalId: string;
  source: ContributionSource;
  amountFen: number;
  contributor: string;
  reference: string;
  receivedAt: string;
  sourceTotalFen: number;
  sub: string;
}

/** How a resident project group chose its supplier (Panlong 项目小组), recorded once. */
export interface Procurement {
  proposalId: string;
  /** the group's residents (private) */
  group: string[];
  quotes: { supplier: string; amountFen: number; evidenceId: string }[];
  chosen: string;
  cheapest: boolean;
  reason?: string;
  recordedAt: string;
  /** who recorded it */
  sub: string;
}

/** A disbursement of programme money, as approval's FundsDisbursed reported it. */
export interface Disbursement {
  id: string;
  proposalId: string;
  amountFen: number;
  reference: string;
  disbursedAt: string;
}

export interface RatingRecord {
  proposalId: string;
  sub: string;
  type: PanelType;
  rating: Rating;
  comment?: string;
  ratedAt: string;
}

/** An event the domain asks the handler to emit (the handler wraps it in an envelope). */
export interface DomainEvent {
  type: EventType;
  data: Record<string, unknown>;
}
