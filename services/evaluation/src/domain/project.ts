import type { TypedEnvelope } from "@pencai/contracts/event-data";
import type { Disbursement, Project, ProjectStatus } from "./types.js";
import { projectStatuses } from "./types.js";

/**
 * The project projection, kept from intake's and approval's events. Events may arrive late,
 * twice or out of order: each sets only the facts it owns; the status only moves forward along
 * `projectStatuses`; `withdrawn` and `rejected` are final and land only before approval (intake
 * refuses a withdrawal after it, approval rejects only before it). Duplicates of one event id
 * are dropped by the runtime's inbox record.
 */

export const isExit = (s: ProjectStatus) => s === "withdrawn" || s === "rejected";
const rank = (s: ProjectStatus) =>
  isExit(s) ? projectStatuses.length : projectStatuses.indexOf(s);

/** `s` moved forward to `to` (never back, never out of an exit). */
export function forward(s: ProjectStatus, to: ProjectStatus): ProjectStatus {
  if (isExit(s)) return s;
  if (isExit(to)) return rank(s) < rank("approved") ? to : s;
  return rank(to) > rank(s) ? to : s;
}

/** Whether the project has reached `status` (exits reach nothing). */
export const reached = (p: Pick<Project, "status">, status: ProjectStatus) =>
  !isExit(p.status) && rank(p.status) >= rank(status);

/** A project the first of its events creates. */
export function newProject(id: string): Project {
  return {
    id,
    status: "proposed",
    version: 0,
    disbursedFen: 0,
    contributedFen: { self_raised: 0, sponsor: 0, street_subsidy: 0 },
    paidFen: 0,
    progressPercent: 0,
    reporters: [],
  };
}

/** What an event changes: the next projection (unchanged: nothing to write) and what to record. */
export interface Projected {
  project: Project;
  changed: boolean;
  disbursement?: Disbursement;
}

const result = (before: Project, after: Project, extra: Partial<Projected> = {}): Projected => {
  const changed = JSON.stringify(before) !== JSON.stringify(after);
  // every write grows the version: the store's `version = :v` condition is what stops two
  // writers that read the same version from overwriting each other
  return {
    project: changed ? { ...after, version: before.version + 1 } : after,
    changed,
    ...extra,
  };
};

/** ProposalSubmitted: the proposal's facts, its proposer and its funding (set once). */
export function onSubmitted(
  p: Project | undefined,
  e: TypedEnvelope<"ProposalSubmitted">,
): Projected {
  const before = p ?? newProject(e.data.proposalId);
  if (before.proposerSub !== undefined) return result(before, before);
  const d = e.data;
  return result(before, {
    ...before,
    communityId: d.communityId,
    streetId: d.streetId,
    districtId: d.districtId,
    kind: d.kind,
    title: d.title,
    year: d.year,
    budgetFen: d.budgetFen,
    programmeFen: d.programmeFen,
    selfRaisedFen: d.selfRaisedFen,
    sponsorFen: d.sponsorFen,
    proposerSub: e.actor.sub,
    ...(d.applicantOrgId !== undefined && { applicantOrgId: d.applicantOrgId }),
  });
}

/** ProposalApproved: the approved programme money; the project is `approved`. */
export function onApproved(
  p: Project | undefined,
  e: TypedEnvelope<"ProposalApproved">,
): Projected {
  const before = p ?? newProject(e.data.proposalId);
  if (before.approvedAt !== undefined) return result(before, before);
  const d = e.data;
  return result(before, {
    ...before,
    communityId: before.communityId ?? d.communityId,
    districtId: before.districtId ?? d.districtId,
    year: before.year ?? d.year,
    budgetFen: before.budgetFen ?? d.budgetFen,
    programmeFen: before.programmeFen ?? d.programmeFen,
    approvedAt: d.approvedAt,
    approvedFen: d.programmeFen,
    status: forward(before.status, "approved"),
  });
}

/**
 * FundsDisbursed: programme money received (the running total only grows, whatever order the
 * disbursements arrive in); the disbursement is recorded for the spending notice; the full
 * amount makes the project `funded`.
 */
export function onDisbursed(p: Project | undefined, e: TypedEnvelope<"FundsDisbursed">): Projected {
  const before = p ?? newProject(e.data.proposalId);
  const d = e.data;
  const after: Project = {
    ...before,
    disbursedFen: Math.max(before.disbursedFen, d.totalDisbursedFen),
    approvedFen: before.approvedFen ?? d.approvedFen,
    ...(d.fullyDisbursed && {
      status: forward(before.status, "funded"),
      fundedAt: before.fundedAt ?? d.disbursedAt,
    }),
  };
  return result(before, after, {
    disbursement: {
      id: d.disbursementId,
      proposalId: d.proposalId,
      amountFen: d.amountFen,
      reference: d.reference,
      disbursedAt: d.disbursedAt,
    },
  });
}

/** ProposalWithdrawn / ProposalRejected before approval: the project ends. */
export function onExit(
  p: Project | undefined,
  id: string,
  to: "withdrawn" | "rejected",
  at: string,
): Projected {
  const before = p ?? newProject(id);
  const status = forward(before.status, to);
  if (status === before.status) return result(before, before);
  return result(before, { ...before, status, closedAt: at });
}
