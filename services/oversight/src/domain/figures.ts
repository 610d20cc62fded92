import { slaKinds } from "@pencai/contracts/approval-events";
import { type Stats, type StatsStatus, statsStatuses } from "@pencai/contracts/oversight";
import type { Counters, Level } from "./counted.js";
import { counter } from "./project.js";

/**
 * The figures of API.md "Oversight" from one aggregate's counters (no counter = 0). Shares are
 * null when nothing was counted: a rate of nothing is not 0.
 */

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

export function statsOf(scope: { level: Level; id: string; year: number }, c: Counters): Stats {
  const n = (name: string) => c[name] ?? 0;
  const byStatus = {} as Stats["byStatus"];
  for (const s of statsStatuses as readonly StatsStatus[]) {
    byStatus[s] = {
      count: n(counter.status(s, "count")),
      budgetFen: n(counter.status(s, "budgetFen")),
      programmeFen: n(counter.status(s, "programmeFen")),
    };
  }
  const sla = {} as Stats["sla"];
  for (const kind of slaKinds) {
    const met = n(counter.sla(kind, "met"));
    const breached = n(counter.sla(kind, "breached"));
    sla[kind] = {
      open: n(counter.sla(kind, "open")),
      met,
      breached,
      complianceRate: ratio(met, met + breached),
    };
  }
  const evaluated = n(counter.evaluated);
  const orgPrefix = counter.org("");
  return {
    ...scope,
    projects: n(counter.projects),
    byStatus,
    money: {
      approvedFen: n(counter.approvedFen),
      disbursedFen: n(counter.disbursedFen),
      paidFen: n(counter.paidFen),
    },
    needs: { raised: n(counter.needsRaised), linked: n(counter.needsLinked) },
    meetings: { held: n(counter.meetings) },
    sla,
    satisfaction: {
      evaluated,
      averageRate: ratio(n(counter.rateMicros) / 1_000_000, evaluated),
      passedShare: ratio(n(counter.evaluationsPassed), evaluated),
    },
    orgParticipation: {
      serviceProjects: n(counter.serviceProjects),
      byOrgs: n(counter.byOrgs),
      orgs: Object.entries(c).filter(([k, v]) => k.startsWith(orgPrefix) && v > 0).length,
    },
  };
}

export interface ScoreWeights {
  awareness: number;
  satisfaction: number;
  slaCompliance: number;
  proceduralCompliance: number;
  orgParticipation: number;
}

export interface StreetScore {
  streetId: string;
  awareness: number | null;
  satisfaction: number | null;
  slaCompliance: number | null;
  proceduralCompliance: number | null;
  orgParticipation: number | null;
  score: number | null;
}

/**
 * A street's performance score (Luohu 年度绩效考核). Components in [0, 1]:
 * - awareness: aware / respondents of the street-year's survey;
 * - satisfaction: the mean satisfaction rate of its evaluated projects;
 * - slaCompliance: deadlines met / deadlines ended (met + breached), every kind;
 * - proceduralCompliance: compliant projects / projects approved or later;
 * - orgParticipation: service projects applied for by an organisation / service projects.
 * A component without data is null and left out: the score is Σ wᵢxᵢ / Σ wᵢ over the others,
 * times 100 (rounded to 0.01); null when no component has data.
 */
export function streetScore(
  streetId: string,
  c: Counters,
  survey: { respondents: number; aware: number } | undefined,
  weights: ScoreWeights,
): StreetScore {
  const s = statsOf({ level: "street", id: streetId, year: 0 }, c);
  const met = slaKinds.reduce((a, k) => a + s.sla[k].met, 0);
  const ended = slaKinds.reduce((a, k) => a + s.sla[k].met + s.sla[k].breached, 0);
  const parts = {
    awareness: survey ? ratio(survey.aware, survey.respondents) : null,
    satisfaction: s.satisfaction.averageRate,
    slaCompliance: ratio(met, ended),
    proceduralCompliance: ratio(c[counter.procCompliant] ?? 0, c[counter.procAssessed] ?? 0),
    orgParticipation: ratio(s.orgParticipation.byOrgs, s.orgParticipation.serviceProjects),
  };
  let sum = 0;
  let weight = 0;
  for (const k of Object.keys(parts) as (keyof ScoreWeights)[]) {
    const x = parts[k];
    if (x === null) continue;
    sum += weights[k] * x;
    weight += weights[k];
  }
  return {
    streetId,
    ...parts,
    score: weight > 0 ? Math.round((sum / weight) * 10_000) / 100 : null,
  };
}
