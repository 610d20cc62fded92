import { localDay } from "@pencai/calendar";
import type { SlaKind } from "@pencai/contracts/approval-events";
import type { EventData } from "@pencai/contracts/event-data";
import { proposalLifecycle } from "@pencai/contracts/intake";
import type { StatsStatus } from "@pencai/contracts/oversight";
import type { Contribution, Counters, Place } from "./counted.js";

/**
 * Oversight's projection of one project, merged from every lifecycle event it receives. Each
 * fact only grows (the highest stage reached, SLA outcomes, evidence purposes, money totals), so
 * the result does not depend on the order events arrive in; duplicates never reach it (the inbox
 * record). `contribution()` turns it into what it adds to the aggregates.
 */

/** The forward stages in order; the status is the highest reached, unless the project exited. */
const stages = proposalLifecycle;
export type Stage = (typeof stages)[number];
const rankOf = (s: Stage) => stages.indexOf(s);
const APPROVED = rankOf("approved");

export type SlaOutcome = "open" | "met" | "breached";
const outcomeRank: Record<SlaOutcome, number> = { open: 0, met: 1, breached: 2 };

/** A rectification deadline of a failed finding, merged from oversight's and approval's events. */
export interface Rectification {
  startedAt?: string;
  dueAt?: string;
  completedAt?: string;
}

export interface Project {
  id: string;
  place?: Place;
  year?: number;
  kind?: "works" | "service";
  budgetFen?: number;
  programmeFen?: number;
  applicantOrgId?: string;
  /** index in `stages` of the highest stage reached; -1 before any */
  rank: number;
  /** the exits seen; which one counts is `exitOf`'s (a fact, so the order of events is free) */
  withdrawn?: true;
  rejected?: true;
  disbursedFen: number;
  paidFen: number;
  /** review and disbursement deadlines by `kind#round`: the worst outcome seen */
  sla: Record<string, SlaOutcome>;
  /** rectification deadlines by inspection id */
  rectifications: Record<string, Rectification>;
  /** start instants of rectification timers approval reported breached */
  rectificationBreaches: string[];
  /** purposes of verified evidence (minutes, sign_in_sheet, photo, …) */
  evidence: string[];
  deliberation?: { passed: boolean; consentRequired: boolean; consentMet: boolean };
  expertReviewPassed?: boolean;
  evaluation?: { rateMicros: number; passed: boolean };
}

export const emptyProject = (id: string): Project => ({
  id,
  rank: -1,
  disbursedFen: 0,
  paidFen: 0,
  sla: {},
  rectifications: {},
  rectificationBreaches: [],
  evidence: [],
});

export function status(p: Project): StatsStatus | undefined {
  const exit = exitOf(p);
  if (exit) return exit;
  return p.rank >= 0 ? stages[p.rank] : undefined;
}

const reach = (p: Project, s: Stage): Project =>
  rankOf(s) > p.rank ? { ...p, rank: rankOf(s) } : p;

const worse = (a: SlaOutcome | undefined, b: SlaOutcome): SlaOutcome =>
  a === undefined || outcomeRank[b] > outcomeRank[a] ? b : a;

const withSla = (p: Project, kind: SlaKind, round: number, o: SlaOutcome): Project => {
  const key = `${kind}#${round}`;
  return { ...p, sla: { ...p.sla, [key]: worse(p.sla[key], o) } };
};

const withFacts = (
  p: Project,
  f: {
    place?: Place;
    year?: number;
    kind?: "works" | "service";
    budgetFen?: number;
    programmeFen?: number;
  },
): Project => ({
  ...p,
  ...(p.place === undefined && f.place && { place: f.place }),
  ...(p.year === undefined && f.year !== undefined && { year: f.year }),
  ...(p.kind === undefined && f.kind && { kind: f.kind }),
  ...(f.budgetFen !== undefined && { budgetFen: f.budgetFen }),
  ...(f.programmeFen !== undefined && { programmeFen: f.programmeFen }),
});

/**
 * How the project left the programme, if it did: rejected, or withdrawn before approval (after
 * approval the commitment stands, as approval decides). Computed from facts, not from the order
 * the events came in: a withdrawal delivered before the approval that preceded it loses.
 */
export function exitOf(p: Project): "withdrawn" | "rejected" | undefined {
  if (p.rejected) return "rejected";
  if (p.withdrawn && p.rank < APPROVED) return "withdrawn";
  return undefined;
}

/** Approved or later and not exited: in the commitment and the inspection population. */
export const approvedAndLive = (p: Project): boolean => !exitOf(p) && p.rank >= APPROVED;

const exit = (p: Project, how: "withdrawn" | "rejected"): Project => ({ ...p, [how]: true });

const placeOf = (d: { communityId: string; streetId: string; districtId: string }): Place => ({
  communityId: d.communityId,
  streetId: d.streetId,
  districtId: d.districtId,
});

/** The lifecycle events that change a project, with their parsed data. */
export type ProjectEvent =
  | { type: "ProposalSubmitted"; data: EventData<"ProposalSubmitted"> }
  | { type: "ProposalScreened"; data: EventData<"ProposalScreened"> }
  | { type: "ProposalWithdrawn"; data: EventData<"ProposalWithdrawn"> }
  | { type: "EvidenceVerified"; data: EventData<"EvidenceVerified"> }
  | { type: "DeliberationConcluded"; data: EventData<"DeliberationConcluded"> }
  | { type: "ExpertReviewConcluded"; data: EventData<"ExpertReviewConcluded"> }
  | { type: "ProposalEndorsed"; data: EventData<"ProposalEndorsed"> }
  | { type: "ProposalReported"; data: EventData<"ProposalReported"> }
  | { type: "DistrictReviewCompleted"; data: EventData<"DistrictReviewCompleted"> }
  | { type: "ProposalApproved"; data: EventData<"ProposalApproved"> }
  | { type: "ProposalRejected"; data: EventData<"ProposalRejected"> }
  | { type: "FundsDisbursed"; data: EventData<"FundsDisbursed"> }
  | { type: "ImplementationStarted"; data: EventData<"ImplementationStarted"> }
  | { type: "ProgressReported"; data: EventData<"ProgressReported"> }
  | { type: "PaymentMade"; data: EventData<"PaymentMade"> }
  | { type: "ProjectCompleted"; data: EventData<"ProjectCompleted"> }
  | { type: "EvaluationClosed"; data: EventData<"EvaluationClosed"> }
  | { type: "SlaBreached"; data: EventData<"SlaBreached"> }
  | { type: "InspectionFinding"; data: EventData<"InspectionFinding"> }
  | { type: "RectificationCompleted"; data: EventData<"RectificationCompleted"> };

/**
 * The project after one event. `placeOfCommunity` resolves a community id to its street and
 * district (events that carry only the community).
 */
export function apply(
  p: Project,
  e: ProjectEvent,
  placeOfCommunity: (communityId: string) => Place | undefined,
): Project {
  switch (e.type) {
    case "ProposalSubmitted":
      return reach(
        {
          ...withFacts(p, { ...e.data, place: placeOf(e.data) }),
          ...(e.data.applicantOrgId && { applicantOrgId: e.data.applicantOrgId }),
        },
        "submitted",
      );
    case "ProposalScreened": {
      const q = withFacts(p, { ...e.data, place: placeOf(e.data) });
      return e.data.status === "rejected" ? exit(q, "rejected") : reach(q, "screened");
    }
    case "ProposalWithdrawn":
      return exit(p, "withdrawn");
    case "EvidenceVerified":
      return p.evidence.includes(e.data.purpose)
        ? p
        : { ...p, evidence: [...p.evidence, e.data.purpose].sort() };
    case "DeliberationConcluded": {
      const d = e.data;
      const q: Project = {
        ...p,
        deliberation: {
          passed: d.passed || (p.deliberation?.passed ?? false),
          consentRequired: d.consent?.required ?? false,
          consentMet: d.consent?.met ?? false,
        },
      };
      return d.passed ? reach(q, "deliberated") : q;
    }
    case "ExpertReviewConcluded":
      return { ...p, expertReviewPassed: e.data.passed || (p.expertReviewPassed ?? false) };
    case "ProposalEndorsed":
      return reach(withFacts(p, { ...e.data, place: placeOf(e.data) }), "endorsed");
    case "ProposalReported":
      return withSla(
        reach(withFacts(p, { place: placeOf(e.data) }), "reported"),
        "review",
        e.data.round,
        "open",
      );
    case "DistrictReviewCompleted": {
      const q = withSla(p, "review", e.data.round, e.data.sla);
      return e.data.decision === "forward" ? reach(q, "forwarded") : q;
    }
    case "ProposalApproved": {
      const place = placeOfCommunity(e.data.communityId);
      const q = withFacts(p, { ...e.data, ...(place && { place }) });
      return withSla(reach(q, "approved"), "disbursement", 1, "open");
    }
    case "ProposalRejected":
      return exit(p, "rejected");
    case "FundsDisbursed": {
      const place = placeOfCommunity(e.data.communityId);
      let q = withFacts(p, { year: e.data.year, ...(place && { place }) });
      q = { ...q, disbursedFen: Math.max(q.disbursedFen, e.data.totalDisbursedFen) };
      if (e.data.sla) q = withSla(q, "disbursement", 1, e.data.sla);
      // as intake's registry: `funded` once the approved amount is all paid out
      q = reach(q, "approved");
      return e.data.fullyDisbursed ? reach(q, "funded") : q;
    }
    case "ImplementationStarted":
      return reach(p, "funded");
    case "ProgressReported":
      return reach(p, "implementing");
    case "PaymentMade":
      return { ...p, paidFen: p.paidFen + e.data.amountFen };
    case "ProjectCompleted":
      return reach({ ...p, paidFen: Math.max(p.paidFen, e.data.totalPaidFen) }, "completed");
    case "EvaluationClosed":
      return reach(
        {
          ...p,
          evaluation: {
            rateMicros: Math.round(e.data.satisfactionRate * 1_000_000),
            passed: e.data.passed,
          },
        },
        "evaluated",
      );
    case "SlaBreached":
      if (e.data.kind !== "rectification") {
        return withSla(p, e.data.kind, e.data.round, "breached");
      }
      return p.rectificationBreaches.includes(e.data.startedAt)
        ? p
        : { ...p, rectificationBreaches: [...p.rectificationBreaches, e.data.startedAt].sort() };
    case "InspectionFinding": {
      if (e.data.passed || !e.data.rectifyDueAt) return p;
      const r = p.rectifications[e.data.inspectionId] ?? {};
      return {
        ...p,
        rectifications: {
          ...p.rectifications,
          [e.data.inspectionId]: { ...r, startedAt: e.data.recordedAt, dueAt: e.data.rectifyDueAt },
        },
      };
    }
    case "RectificationCompleted": {
      const r = p.rectifications[e.data.inspectionId] ?? {};
      return {
        ...p,
        rectifications: {
          ...p.rectifications,
          [e.data.inspectionId]: { ...r, completedAt: e.data.completedAt },
        },
      };
    }
  }
}

/** A rectification's outcome: breached if approval said so or it was done late. */
export function rectificationOutcome(p: Project, r: Rectification): SlaOutcome | undefined {
  if (r.startedAt === undefined || r.dueAt === undefined) return undefined;
  if (p.rectificationBreaches.includes(r.startedAt)) return "breached";
  if (r.completedAt === undefined) return "open";
  return Date.parse(r.completedAt) <= Date.parse(r.dueAt) ? "met" : "breached";
}

/** Every deadline of the project with its kind and outcome. */
export function deadlines(p: Project): { kind: SlaKind; outcome: SlaOutcome }[] {
  const out: { kind: SlaKind; outcome: SlaOutcome }[] = [];
  for (const [key, outcome] of Object.entries(p.sla)) {
    out.push({ kind: key.split("#")[0] as SlaKind, outcome });
  }
  for (const r of Object.values(p.rectifications)) {
    const outcome = rectificationOutcome(p, r);
    if (outcome) out.push({ kind: "rectification", outcome });
  }
  return out;
}

/** Which projects the city's rules send to expert review (`process.expertReview`). */
export type ExpertReviewRule = "all" | "works" | "none";

/**
 * Procedural compliance (项目开展是否规范) of a project approved or later: the council's minutes
 * and sign-in sheet are verified evidence; household consent was met where it was required;
 * expert review passed where the city's rules require one; no deadline was breached.
 */
export function procedurallyCompliant(p: Project, expertReview: ExpertReviewRule): boolean {
  const records = p.evidence.includes("minutes") && p.evidence.includes("sign_in_sheet");
  const consent = !p.deliberation?.consentRequired || p.deliberation.consentMet;
  const needsReview = expertReview === "all" || (expertReview === "works" && p.kind === "works");
  const review = !needsReview || p.expertReviewPassed === true;
  const deadlinesMet = deadlines(p).every((d) => d.outcome !== "breached");
  return records && consent && review && deadlinesMet;
}

/** Counter names of the aggregates (one DynamoDB attribute each). */
export const counter = {
  projects: "projects",
  status: (s: StatsStatus, what: "count" | "budgetFen" | "programmeFen") => `status.${s}.${what}`,
  approvedFen: "money.approvedFen",
  disbursedFen: "money.disbursedFen",
  paidFen: "money.paidFen",
  sla: (kind: SlaKind, o: SlaOutcome) => `sla.${kind}.${o}`,
  evaluated: "satisfaction.evaluated",
  rateMicros: "satisfaction.rateMicros",
  evaluationsPassed: "satisfaction.passed",
  serviceProjects: "org.serviceProjects",
  byOrgs: "org.byOrgs",
  /** one per organisation: how many of the place's service projects it applied for */
  org: (orgId: string) => `orgs#${orgId}`,
  procAssessed: "procedure.assessed",
  procCompliant: "procedure.compliant",
  needsRaised: "needs.raised",
  needsLinked: "needs.linked",
  meetings: "meetings.held",
};

/** What the project adds to its community's, street's and district's year (none until known). */
export function contribution(p: Project, expertReview: ExpertReviewRule): Contribution | undefined {
  const s = status(p);
  if (!p.place || p.year === undefined || s === undefined) return undefined;
  const c: Counters = {};
  const add = (name: string, v: number) => {
    if (v !== 0) c[name] = (c[name] ?? 0) + v;
  };
  add(counter.projects, 1);
  add(counter.status(s, "count"), 1);
  add(counter.status(s, "budgetFen"), p.budgetFen ?? 0);
  add(counter.status(s, "programmeFen"), p.programmeFen ?? 0);
  const exited = exitOf(p) !== undefined;
  const approved = approvedAndLive(p);
  if (approved) add(counter.approvedFen, p.programmeFen ?? 0);
  add(counter.disbursedFen, p.disbursedFen);
  add(counter.paidFen, p.paidFen);
  for (const d of deadlines(p)) add(counter.sla(d.kind, d.outcome), 1);
  if (p.evaluation) {
    add(counter.evaluated, 1);
    add(counter.rateMicros, p.evaluation.rateMicros);
    add(counter.evaluationsPassed, p.evaluation.passed ? 1 : 0);
  }
  if (!exited && p.kind === "service") {
    add(counter.serviceProjects, 1);
    if (p.applicantOrgId) {
      add(counter.byOrgs, 1);
      add(counter.org(p.applicantOrgId), 1);
    }
  }
  if (approved) {
    add(counter.procAssessed, 1);
    add(counter.procCompliant, procedurallyCompliant(p, expertReview) ? 1 : 0);
  }
  return { place: p.place, year: p.year, counters: c };
}

/** The programme year of something that happened at `at` (its Asia/Shanghai calendar year). */
export const yearAt = (at: string): number => Number(localDay(new Date(at)).slice(0, 4));
