import type { Rules } from "@pencai/config";
import type { FieldError } from "@pencai/contracts/errors";
import { duplicate, forbidden, invalidState, rule } from "@pencai/contracts/errors";
import type { EvaluationBody } from "@pencai/contracts/evaluation";
import type { Rating } from "@pencai/contracts/evaluation-events";
import type { Principal } from "@pencai/runtime/reach";
import { requireStreetStaff } from "./access.js";
import type { Step } from "./implementation.js";
import type { EvaluationResult, PanelMember, Project, RatingRecord } from "./types.js";

/**
 * 一菜一评 (step 10): after completion the street convenes a satisfaction panel. Its make-up
 * follows the city's rules (the smallest panel, the member types it must include); nobody sits
 * on it who answers for the project (the accountable owner, anyone who reported its progress)
 * or proposed it. Each member rates once; closing tallies the rate and the pass.
 */

const satisfied: readonly Rating[] = ["very_satisfied", "satisfied"];

/** Seats per member type. */
export function seatsByType(panel: readonly PanelMember[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of panel) out[m.type] = (out[m.type] ?? 0) + 1;
  return out;
}

/** The panel's problems (empty: valid), each naming the field. */
export function panelProblems(
  p: Project,
  panel: readonly PanelMember[],
  rules: Rules["evaluation"],
): FieldError[] {
  const problems: FieldError[] = [];
  if (panel.length < rules.panelMinSize) {
    problems.push({ path: "body.panel", message: `at least ${rules.panelMinSize} members` });
  }
  const present = new Set(panel.map((m) => m.type));
  for (const type of rules.panelRequiredTypes) {
    if (!present.has(type))
      problems.push({ path: "body.panel", message: `needs a member of type ${type}` });
  }
  const conflicted = new Map<string, string>();
  if (p.implementation)
    conflicted.set(p.implementation.owner.sub, "the project's accountable owner");
  for (const sub of p.reporters) conflicted.set(sub, "reported the project's progress");
  if (p.proposerSub) conflicted.set(p.proposerSub, "proposed the project");
  panel.forEach((m, i) => {
    const why = conflicted.get(m.sub);
    if (why)
      problems.push({ path: `body.panel.${i}.sub`, message: `conflict of interest: ${why}` });
  });
  return problems;
}

/** Convenes the panel of a completed project, once. */
export function openEvaluation(
  p: Project,
  principal: Principal,
  body: EvaluationBody,
  rules: Rules["evaluation"],
  now: Date,
): Step {
  requireStreetStaff(principal, p);
  if (p.evaluation) throw duplicate("the project's panel is already convened");
  if (p.status !== "completed") {
    throw invalidState(`a ${p.status} project cannot be evaluated: it must be completed`);
  }
  const problems = panelProblems(p, body.panel, rules);
  if (problems.length)
    throw rule("panel_invalid", "the panel does not meet the city's rules", problems);
  const at = now.toISOString();
  const seats = seatsByType(body.panel);
  return {
    project: {
      ...p,
      status: "evaluating",
      evaluation: { panel: body.panel, status: "open", openedAt: at },
      version: p.version + 1,
    },
    events: [
      {
        type: "EvaluationOpened",
        data: { proposalId: p.id, seats: body.panel.length, seatsByType: seats, openedAt: at },
      },
    ],
    record: undefined,
  };
}

/**
 * A member's rating: the panel must be open, the caller on it, and not speaking for the
 * implementing or applicant organisation (its token's `orgId`). Once per member is the store's
 * condition (409 duplicate).
 */
export function rate(
  p: Project,
  principal: Principal,
  body: { rating: Rating; comment?: string },
  now: Date,
): RatingRecord {
  const member = p.evaluation?.panel.find((m) => m.sub === principal.sub);
  if (!member) throw forbidden("only the project's panel members rate it");
  const orgs = [p.implementation?.implementer.orgId, p.applicantOrgId].filter(Boolean);
  if (principal.orgId !== undefined && orgs.includes(principal.orgId)) {
    throw forbidden("conflict of interest: you speak for an organisation of the project");
  }
  if (p.evaluation?.status !== "open") throw invalidState("the panel is closed");
  return {
    proposalId: p.id,
    sub: principal.sub,
    type: member.type,
    rating: body.rating,
    ...(body.comment !== undefined && { comment: body.comment }),
    ratedAt: now.toISOString(),
  };
}

/** What closing does next: open -> closing (ratings stop), closing -> closed, closed: done. */
export function closeStep(p: Project): "begin" | "finish" | "done" {
  if (!p.evaluation) throw invalidState(`a ${p.status} project has no panel to close`);
  if (p.evaluation.status === "closed") return "done";
  return p.evaluation.status === "open" ? "begin" : "finish";
}

/**
 * The result: satisfactionRate = (very satisfied + satisfied) / ratings; passed = enough of the
 * panel rated (ratings / seats ≥ the city's ratedShare) and the rate reaches its passRate.
 */
export function tally(
  p: Project,
  ratings: readonly RatingRecord[],
  rules: Rules["evaluation"],
  now: Date,
): EvaluationResult {
  const panel = p.evaluation?.panel ?? [];
  const members = new Set(panel.map((m) => m.sub));
  const counted = ratings.filter((r) => members.has(r.sub));
  const satisfiedCount = counted.filter((r) => satisfied.includes(r.rating)).length;
  const byType: Record<string, { ratings: number; satisfied: number }> = {};
  for (const type of Object.keys(seatsByType(panel))) byType[type] = { ratings: 0, satisfied: 0 };
  for (const r of counted) {
    const t = byType[r.type] ?? { ratings: 0, satisfied: 0 };
    t.ratings++;
    if (satisfied.includes(r.rating)) t.satisfied++;
    byType[r.type] = t;
  }
  const satisfactionRate =
    counted.length === 0 ? 0 : Math.round((satisfiedCount / counted.length) * 10_000) / 10_000;
  const enoughRated = panel.length > 0 && counted.length / panel.length >= rules.ratedShare;
  return {
    proposalId: p.id,
    seats: panel.length,
    ratings: counted.length,
    satisfiedCount,
    satisfactionRate,
    passed: enoughRated && satisfiedCount / Math.max(counted.length, 1) >= rules.passRate,
    byType,
    closedAt: now.toISOString(),
  };
}
