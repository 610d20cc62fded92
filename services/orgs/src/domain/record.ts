import type { PublicOrg } from "@pencai/contracts/orgs";
import type { OrgRecord } from "./org.js";

// An organisation's record of evaluated projects (一菜一评 of what it applied for), kept from
// ProposalSubmitted (its applicantOrgId) and EvaluationClosed, whichever comes first.

export interface OrgCounters {
  evaluated: number;
  passed: number;
  /** Σ satisfaction rate of the evaluated projects */
  satisfactionSum: number;
}

export const noCounters: OrgCounters = { evaluated: 0, passed: 0, satisfactionSum: 0 };

/** What the registry knows of one proposal; counted once both halves are in. */
export interface ProposalNote {
  id: string;
  orgId?: string;
  evaluation?: { passed: boolean; satisfactionRate: number };
  counted: boolean;
}

/** The note after an event, and what to add to the organisation's counters (once). */
export function noteEvent(
  before: ProposalNote,
  change: Pick<ProposalNote, "orgId" | "evaluation">,
): { note: ProposalNote; add?: { orgId: string; counters: OrgCounters } } {
  const note: ProposalNote = { ...before, ...change };
  if (note.counted || note.orgId === undefined || note.evaluation === undefined) return { note };
  const e = note.evaluation;
  return {
    note: { ...note, counted: true },
    add: {
      orgId: note.orgId,
      counters: { evaluated: 1, passed: e.passed ? 1 : 0, satisfactionSum: e.satisfactionRate },
    },
  };
}

export function recordOf(c: OrgCounters): PublicOrg["record"] {
  return {
    evaluated: c.evaluated,
    passed: c.passed,
    averageSatisfaction: c.evaluated === 0 ? null : c.satisfactionSum / c.evaluated,
  };
}

/** The public list shows every organisation that entered the notice, except refused ones. */
export const isPublic = (r: Pick<OrgRecord, "status">) => r.status !== "refused";

export function publicOrgView(r: OrgRecord, c: OrgCounters): PublicOrg {
  return {
    id: r.id,
    name: r.name,
    track: r.track,
    status: r.status,
    ...(r.streetId !== undefined && { streetId: r.streetId }),
    ...(r.communityId !== undefined && { communityId: r.communityId }),
    services: r.services,
    noticeEndsAt: r.noticeEndsAt,
    record: recordOf(c),
  };
}
