import type { Rules } from "@pencai/config";
import { forbidden, invalidState, rule, validationFailed } from "@pencai/contracts/errors";
import {
  type CreateProposalBody,
  type ProposalScreenedData,
  type ProposalStatus,
  type PublicStage,
  proposalLifecycle,
} from "@pencai/contracts/intake";
import type { Role } from "@pencai/contracts/roles";
import type { Principal } from "@pencai/runtime/reach";
import { actingRole, isCommunityMember, isOfficialIn } from "./access.js";
import { type Charge, checkCourtyards, fundingPlan } from "./funding-plan.js";
import { cancelOpenReviews } from "./sla.js";
import type { TimelineEntry } from "./timeline.js";
import type { Place, ProposalRecord, RejectionStage } from "./types.js";

// ---------------------------------------------------------------- lifecycle

const lifecycle: readonly ProposalStatus[] = proposalLifecycle;

export const isExit = (s: ProposalStatus) => s === "withdrawn" || s === "rejected";

/** Position in the lifecycle; exits rank above everything (nothing leaves them). */
export function statusRank(s: ProposalStatus): number {
  return isExit(s) ? lifecycle.length : lifecycle.indexOf(s);
}

/** Whether `from` may move to `to` without going backwards. */
export function movesForward(from: ProposalStatus, to: ProposalStatus): boolean {
  if (isExit(from)) return false;
  if (isExit(to)) return true;
  return statusRank(to) > statusRank(from);
}

/**
 * The four publicities (四公开) a status belongs to. Withdrawn proposals are not public;
 * a rejection shows where it happened: at screening under collection, later under decision.
 */
export function stageOf(
  status: ProposalStatus,
  rejectedAt?: RejectionStage,
): PublicStage | undefined {
  switch (status) {
    case "submitted":
    case "screened":
      return "collection";
    case "deliberated":
    case "endorsed":
    case "reported":
    case "forwarded":
    case "approved":
      return "decision";
    case "funded":
    case "implementing":
    case "completed":
      return "implementation";
    case "evaluated":
      return "effect";
    case "rejected":
      return rejectedAt === "screening" ? "collection" : "decision";
    case "withdrawn":
      return undefined;
  }
}

// ---------------------------------------------------------------- submission

/** Roles that may file a proposal. */
export const proposerRoles: readonly Role[] = [
  "resident",
  "org",
  "community_staff",
  "street_staff",
];

export interface Submission {
  proposal: ProposalRecord;
  /** per community-year the proposal charges: committed must be at most `committedLimitFen` */
  budgetChecks: (Omit<Charge, "programmeFen"> & { committedLimitFen: number })[];
  entry: TimelineEntry;
}

/**
 * Checks every intake rule of a new proposal and builds it. Throws the problem of the
 * first broken rule; the community-year cap and the needs' existence are enforced again
 * by the store inside the transaction (`committedLimitFen`, ConditionChecks).
 */
export function submitProposal(
  body: CreateProposalBody,
  ctx: {
    principal: Principal;
    place: Place;
    rules: Rules;
    id: string;
    now: Date;
    /** courtyards (院落) of the proposal's community */
    courtyards?: readonly { id: string }[];
    /** a community of this city with its street and district (cross-community shares) */
    placeOf?: (communityId: string) => Place | undefined;
  },
): Submission {
  const { principal: p, place, rules } = ctx;
  const role = actingRole(p, proposerRoles);
  // residents and orgs file where they belong; staff within their jurisdiction (a street's
  // staff files cross-community packages with the street)
  if (!isCommunityMember(p, role, place) && !isOfficialIn(p, role, place)) {
    throw forbidden(`you cannot file proposals for community ${place.communityId}`);
  }

  checkCategory(body.category, rules);

  const { selfRaisedFen, sponsorFen, programmeFen } = fundingOf(body, rules);
  const courtyardIds = checkCourtyards(body.courtyardIds, place.communityId, ctx.courtyards ?? []);
  const plan = fundingPlan(body, {
    place,
    role,
    rules,
    programmeFen,
    placeOf: ctx.placeOf ?? (() => undefined),
  });
  // caps count programme money only: what residents and sponsors bring is on top (API.md);
  // a phased project's cap holds for each year's share
  const capFen = body.kind === "works" ? rules.caps.worksFen : rules.caps.serviceFen;
  for (const fen of plan.cappedFen) {
    if (fen > capFen) {
      throw rule(
        "budget_cap_exceeded",
        `the programme pays at most ${capFen} fen of a ${body.kind} project${plan.phasing ? " a year" : ""}; this one asks ${fen}`,
      );
    }
  }

  // nobody names an organisation but its own users (API.md "Organisations"): an applicant
  // organisation is the proposer's own, from its token's orgId claim
  if (role === "org" && p.orgId === undefined) {
    throw forbidden("your token names no organisation (orgId claim)");
  }
  if (body.applicantOrgId !== undefined && (role !== "org" || body.applicantOrgId !== p.orgId)) {
    throw forbidden("only an organisation's own users may name it as applicant");
  }
  const applicantOrgId = role === "org" ? p.orgId : undefined;
  if (body.kind === "service" && rules.process.serviceApplicant === "org" && !applicantOrgId) {
    throw rule(
      "org_applicant_required",
      "a service project must be applied for by an organisation, as itself",
    );
  }

  const budgetChecks = plan.charges.map((c) => ({
    communityId: c.communityId,
    year: c.year,
    committedLimitFen: rules.caps.communityYearFen - c.programmeFen,
  }));
  if (budgetChecks.some((c) => c.committedLimitFen < 0)) {
    throw rule(
      "community_cap_exceeded",
      `a community may spend at most ${rules.caps.communityYearFen} fen a year`,
    );
  }
  const places = {
    ...(courtyardIds !== undefined && { courtyardIds }),
    ...(plan.phasing !== undefined && { phasing: plan.phasing }),
    ...(plan.communities !== undefined && { communities: plan.communities }),
  };

  const at = ctx.now.toISOString();
  const needIds = [...new Set(body.needIds)];
  const proposal: ProposalRecord = {
    id: ctx.id,
    ...place,
    kind: body.kind,
    category: body.category,
    title: body.title,
    summary: body.summary,
    ...(body.plan !== undefined && { plan: body.plan }),
    beneficiaries: body.beneficiaries,
    budgetFen: body.budgetFen,
    selfRaisedFen,
    sponsorFen,
    programmeFen,
    needIds,
    ...(applicantOrgId !== undefined && { applicantOrgId }),
    ...(body.location !== undefined && { location: body.location }),
    year: body.year,
    ...(body.packageGroupId !== undefined && { packageGroupId: body.packageGroupId }),
    ...places,
    status: "submitted",
    proposer: {
      sub: p.sub,
      role,
      ...(role === "resident" && p.householdId !== undefined && { householdId: p.householdId }),
      ...(applicantOrgId !== undefined && { orgId: applicantOrgId }),
    },
    createdAt: at,
    updatedAt: at,
    timelineSeq: 0,
    timelineHash: "",
  };
  const entry: TimelineEntry = {
    type: "ProposalSubmitted",
    at,
    actor: { role },
    data: {
      kind: body.kind,
      category: body.category,
      title: body.title,
      budgetFen: body.budgetFen,
      selfRaisedFen,
      sponsorFen,
      programmeFen,
      year: body.year,
      needIds,
      ...(applicantOrgId !== undefined && { applicantOrgId }),
      ...(body.packageGroupId !== undefined && { packageGroupId: body.packageGroupId }),
      ...places,
    },
  };
  return { proposal, budgetChecks, entry };
}

/**
 * The budget by source (API.md "Funds by source"): self-raised (自筹) and sponsor money (筹, where
 * the city's programme takes sponsors) come off the budget; the programme pays the rest, at
 * least one fen of it (a project the programme pays nothing of is not a micro-project).
 */
export function fundingOf(
  body: { budgetFen: number; selfRaisedFen?: number; sponsorFen?: number },
  rules: Rules,
): { selfRaisedFen: number; sponsorFen: number; programmeFen: number } {
  const selfRaisedFen = body.selfRaisedFen ?? 0;
  if (selfRaisedFen < 0 || selfRaisedFen > body.budgetFen) {
    throw rule("self_raised_invalid", "selfRaisedFen must be between 0 and budgetFen");
  }
  const sponsorFen = body.sponsorFen ?? 0;
  if (sponsorFen !== 0 && !rules.process.sponsors) {
    throw rule("sponsor_not_allowed", "this city's programme takes no sponsor money");
  }
  const programmeFen = body.budgetFen - selfRaisedFen - sponsorFen;
  if (sponsorFen < 0 || programmeFen < 1) {
    throw rule(
      "funding_invalid",
      "selfRaisedFen + sponsorFen must leave part of budgetFen for the programme to pay",
    );
  }
  return { selfRaisedFen, sponsorFen, programmeFen };
}

/** The category must be one the city knows and its list allows (negative or positive list). */
export function checkCategory(category: string, rules: Rules): void {
  if (!rules.categories.some((c) => c.id === category)) {
    throw rule("ineligible_category", `unknown category ${category}`);
  }
  const listed = rules.categoryList.categories.includes(category);
  const allowed = rules.categoryList.mode === "negative" ? !listed : listed;
  if (!allowed) {
    throw rule(
      "ineligible_category",
      `category ${category} is ${rules.categoryList.mode === "negative" ? "on the negative list" : "not on the positive list"}`,
    );
  }
}

// ---------------------------------------------------------------- screening, withdrawal

export interface Transition {
  proposal: ProposalRecord;
  entry: TimelineEntry;
}

/** Community staff screen a submitted proposal: accept -> screened, reject -> rejected. */
export function screenProposal(
  current: ProposalRecord,
  input: { decision: "accept" | "reject"; reason?: string; needFit?: number },
  ctx: { principal: Principal; rules: Rules; now: Date },
): Transition {
  const p = ctx.principal;
  if (!p.roles.includes("community_staff") || !isOfficialIn(p, "community_staff", current)) {
    throw forbidden("only staff of the proposal's community screen it");
  }
  if (current.status !== "submitted") {
    throw invalidState(`a ${current.status} proposal cannot be screened`);
  }
  if (input.decision === "reject" && !input.reason) {
    throw validationFailed("a rejection needs a reason", [
      { path: "reason", message: "required when decision is reject" },
    ]);
  }
  if (
    input.decision === "accept" &&
    ctx.rules.process.needFitCheck &&
    input.needFit === undefined
  ) {
    throw validationFailed("this city records fit with the needs library when accepting", [
      { path: "needFit", message: "required when decision is accept" },
    ]);
  }
  const at = ctx.now.toISOString();
  const screening = {
    decision: input.decision,
    ...(input.needFit !== undefined && { needFit: input.needFit }),
    ...(input.reason !== undefined && { reason: input.reason }),
    at,
  };
  const proposal: ProposalRecord =
    input.decision === "accept"
      ? { ...current, status: "screened", screening, updatedAt: at }
      : {
          ...current,
          status: "rejected",
          screening,
          rejectedAt: "screening",
          rejectionReason: input.reason!,
          updatedAt: at,
        };
  return {
    proposal,
    entry: {
      type: "ProposalScreened",
      at,
      actor: { role: "community_staff" },
      data: { decision: input.decision, status: proposal.status, ...screeningData(screening) },
    },
  };
}

/**
 * The `ProposalScreened` event data: the decision plus the proposal's own facts that
 * deliberation keeps (event-carried state; it never reads intake's table). `beneficiaries`
 * only when it is a head count.
 */
export function screenedEventData(p: ProposalRecord): ProposalScreenedData {
  if (!p.screening || (p.status !== "screened" && p.status !== "rejected")) {
    throw new Error(`proposal ${p.id} is not screened`);
  }
  return {
    proposalId: p.id,
    decision: p.screening.decision,
    status: p.status,
    ...screeningData(p.screening),
    communityId: p.communityId,
    streetId: p.streetId,
    districtId: p.districtId,
    kind: p.kind,
    category: p.category,
    title: p.title,
    budgetFen: p.budgetFen,
    selfRaisedFen: p.selfRaisedFen,
    sponsorFen: p.sponsorFen,
    programmeFen: p.programmeFen,
    year: p.year,
    ...(typeof p.beneficiaries === "number" && { beneficiaries: p.beneficiaries }),
    ...(p.packageGroupId !== undefined && { packageGroupId: p.packageGroupId }),
    ...(p.phasing !== undefined && { phasing: p.phasing }),
    ...(p.communities !== undefined && { communities: p.communities }),
    ...(p.courtyardIds !== undefined && { courtyardIds: p.courtyardIds }),
  };
}

function screeningData(s: { needFit?: number; reason?: string }) {
  return {
    ...(s.needFit !== undefined && { needFit: s.needFit }),
    ...(s.reason !== undefined && { reason: s.reason }),
  };
}

/** Only the proposer withdraws, and only before approval. */
export function withdrawProposal(
  current: ProposalRecord,
  input: { reason?: string } | undefined,
  ctx: { principal: Principal; now: Date },
): Transition {
  if (ctx.principal.sub !== current.proposer.sub) {
    throw forbidden("only the proposer may withdraw a proposal");
  }
  if (isExit(current.status) || statusRank(current.status) >= statusRank("approved")) {
    throw invalidState(`a ${current.status} proposal cannot be withdrawn`);
  }
  const at = ctx.now.toISOString();
  return {
    proposal: {
      ...current,
      status: "withdrawn",
      withdrawnAt: at,
      updatedAt: at,
      // open review timers stop: nothing is left to review (domain/sla.ts)
      ...(current.sla && { sla: cancelOpenReviews(current.sla, at) }),
    },
    entry: {
      type: "ProposalWithdrawn",
      at,
      actor: { role: current.proposer.role },
      data: {
        previousStatus: current.status,
        ...(input?.reason !== undefined && { reason: input.reason }),
      },
    },
  };
}
