import { addWorkingDays, type Calendars } from "@pencai/calendar";
import type { Rules } from "@pencai/config";
import { duplicate, forbidden, invalidState, rule } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import type { Principal } from "@pencai/runtime/reach";
import { actingRole, isOfficialIn } from "./access.js";
import type { NeedEscalation, NeedRecord } from "./types.js";

/**
 * Panlong's ladder for needs (分级保障, 层层落实): level 1 the residents solve it themselves
 * (every need starts here, no deadline); level 2 the street and community help (街道、社区协助
 * 解决); level 3 the district helps (区政府协助解决). Each escalation opens a response deadline in
 * working days from the city's rules (`sla.escalation`); the level's answer ends it; a level past
 * its deadline unanswered is overdue.
 *
 * Who climbs: community staff take a need their residents could not solve to level 2; street
 * staff take it to level 2 or to 3 (the street reports to the district). One step at a time,
 * never down. Who answers: level 2 the community's or street's staff; level 3 the district
 * civil affairs bureau.
 */

export const escalatorRoles: Record<2 | 3, readonly Role[]> = {
  2: ["community_staff", "street_staff"],
  3: ["street_staff"],
};
export const responderRoles: Record<2 | 3, readonly Role[]> = {
  2: ["community_staff", "street_staff"],
  3: ["district_civil"],
};

export const levelOf = (n: NeedRecord): 1 | 2 | 3 => n.level ?? 1;

/** The escalation of the need's current level (the last one: levels only go up), if any. */
export function currentEscalation(n: NeedRecord): NeedEscalation | undefined {
  return levelOf(n) === 1 ? undefined : n.escalations?.at(-1);
}

/** Past the current level's deadline and not answered. */
export function isOverdue(n: NeedRecord, now: Date): boolean {
  const e = currentEscalation(n);
  return e !== undefined && e.response === undefined && Date.parse(e.dueAt) < now.getTime();
}

function ladderOf(rules: Rules) {
  const ladder = rules.sla.escalation;
  if (!ladder) {
    throw rule(
      "escalation_not_available",
      "this city's programme has no escalation ladder for needs (rules.sla.escalation)",
    );
  }
  return ladder;
}

/** The official acting on a level: a role the level allows, whose reach covers the need. */
function officialFor(p: Principal, allowed: readonly Role[], need: NeedRecord, what: string): Role {
  actingRole(p, allowed); // none of the level's roles: 403 naming them
  const role = p.roles.find((r) => allowed.includes(r) && isOfficialIn(p, r, need));
  if (!role) throw forbidden(`${what}: the need is not in your jurisdiction`);
  return role;
}

/**
 * One step up. The caller's role and reach are checked first (403), then the city's ladder
 * (422), then the step (409: only the next level). The store writes it only if the need is
 * still at the level this was decided from.
 */
export function escalateNeed(
  need: NeedRecord,
  body: { level: 2 | 3; reason: string },
  ctx: { principal: Principal; rules: Rules; calendars: Calendars; now: Date; tz?: string },
): { need: NeedRecord; from: 1 | 2 } {
  const role = officialFor(
    ctx.principal,
    escalatorRoles[body.level],
    need,
    `escalating to level ${body.level}`,
  );
  const ladder = ladderOf(ctx.rules);
  const from = levelOf(need);
  if (body.level !== from + 1) {
    throw invalidState(
      `the need is at level ${from}; it goes up one level at a time (next: ${from === 3 ? "none" : from + 1})`,
    );
  }
  const days = body.level === 2 ? ladder.level2WorkingDays : ladder.level3WorkingDays;
  const due = addWorkingDays(ctx.now, days, ctx.calendars, ctx.tz);
  const escalation: NeedEscalation = {
    level: body.level,
    reason: body.reason,
    escalatedAt: ctx.now.toISOString(),
    by: { sub: ctx.principal.sub, role },
    dueAt: due.dueAt.toISOString(),
    provisional: due.provisional,
  };
  return {
    need: { ...need, level: body.level, escalations: [...(need.escalations ?? []), escalation] },
    from: from as 1 | 2,
  };
}

/** The current level answers, once. */
export function respondToNeed(
  need: NeedRecord,
  body: { level: 2 | 3; note: string },
  ctx: { principal: Principal; now: Date },
): NeedRecord {
  const role = officialFor(
    ctx.principal,
    responderRoles[body.level],
    need,
    `answering level ${body.level}`,
  );
  const current = currentEscalation(need);
  if (!current || current.level !== body.level) {
    throw invalidState(`the need is at level ${levelOf(need)}, not ${body.level}`);
  }
  if (current.response) throw duplicate(`level ${body.level} has already answered this need`);
  const response = {
    note: body.note,
    respondedAt: ctx.now.toISOString(),
    by: { sub: ctx.principal.sub, role },
  };
  return {
    ...need,
    escalations: [...(need.escalations ?? []).slice(0, -1), { ...current, response }],
  };
}
