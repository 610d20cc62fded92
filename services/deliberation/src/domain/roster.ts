import type { CouncilBody, HouseholdsBody } from "@pencai/contracts/deliberation";
import { forbidden, rule } from "@pencai/contracts/errors";

/**
 * The standing rosters of a community: its residents' council (居民议事会; members with terms,
 * some of a courtyard: 院落议事会) and its households (who may consent, and how many there are in
 * a proposal's area). Each PUT replaces the whole roster under a new version.
 */

export interface CouncilMember {
  sub: string;
  name: string;
  /** last day of the term, YYYY-MM-DD in city time */
  termEnds: string;
  courtyardId?: string;
}

export interface CouncilRoster {
  communityId: string;
  version: number;
  members: CouncilMember[];
  updatedBy: string;
  updatedAt: string;
}

/** One version of the household roster: immutable once written (meetings snapshot it). */
export interface HouseholdRoster {
  communityId: string;
  version: number;
  /** households of no courtyard */
  unassigned: string[];
  courtyards: { courtyardId: string; householdIds: string[] }[];
  updatedBy: string;
  updatedAt: string;
}

/** Courtyard ids must be courtyards of the community in the city file (422 courtyard_not_found). */
export function requireCourtyards(
  ids: readonly (string | undefined)[],
  known: readonly string[],
  path: (i: number) => string,
): void {
  const unknown = ids.flatMap((id, i) =>
    id !== undefined && !known.includes(id) ? [{ id, i }] : [],
  );
  if (unknown.length) {
    throw rule(
      "courtyard_not_found",
      `not courtyards of this community in the city file: ${[...new Set(unknown.map((u) => u.id))].join(", ")}`,
      unknown.map((u) => ({ path: path(u.i), message: "not a courtyard of this community" })),
    );
  }
}

/** The next council roster (replaces the whole list). */
export function planCouncil(
  body: CouncilBody,
  ctx: {
    communityId: string;
    courtyards: readonly string[];
    before: CouncilRoster | undefined;
    by: string;
    now: Date;
  },
): CouncilRoster {
  requireCourtyards(
    body.members.map((m) => m.courtyardId),
    ctx.courtyards,
    (i) => `body.members.${i}.courtyardId`,
  );
  return {
    communityId: ctx.communityId,
    version: (ctx.before?.version ?? 0) + 1,
    members: body.members.map((m) => ({ ...m })),
    updatedBy: ctx.by,
    updatedAt: ctx.now.toISOString(),
  };
}

/** The next household roster version, grouped by courtyard (compact: one item per version). */
export function planHouseholds(
  body: HouseholdsBody,
  ctx: {
    communityId: string;
    courtyards: readonly string[];
    beforeVersion: number;
    by: string;
    now: Date;
  },
): HouseholdRoster {
  requireCourtyards(
    body.households.map((h) => h.courtyardId),
    ctx.courtyards,
    (i) => `body.households.${i}.courtyardId`,
  );
  const byCourtyard = new Map<string, string[]>();
  const unassigned: string[] = [];
  for (const h of body.households) {
    if (h.courtyardId === undefined) {
      unassigned.push(h.householdId);
      continue;
    }
    const list = byCourtyard.get(h.courtyardId) ?? [];
    list.push(h.householdId);
    byCourtyard.set(h.courtyardId, list);
  }
  return {
    communityId: ctx.communityId,
    version: ctx.beforeVersion + 1,
    unassigned,
    courtyards: [...byCourtyard].map(([courtyardId, householdIds]) => ({
      courtyardId,
      householdIds,
    })),
    updatedBy: ctx.by,
    updatedAt: ctx.now.toISOString(),
  };
}

/**
 * The households of a proposal's area: the whole community, or only the courtyards it names.
 */
export function householdsIn(
  roster: HouseholdRoster,
  courtyardIds: readonly string[] | undefined,
): string[] {
  if (!courtyardIds?.length) {
    return [...roster.unassigned, ...roster.courtyards.flatMap((c) => c.householdIds)];
  }
  return roster.courtyards
    .filter((c) => courtyardIds.includes(c.courtyardId))
    .flatMap((c) => c.householdIds);
}

/** Only households of the roster in the proposal's area may answer (403). */
export function requireRosterHousehold(
  roster: HouseholdRoster,
  householdId: string,
  courtyardIds: readonly string[] | undefined,
): void {
  if (!householdsIn(roster, courtyardIds).includes(householdId)) {
    throw forbidden(
      courtyardIds?.length
        ? `household ${householdId} is not on the roster of courtyards ${courtyardIds.join(", ")}`
        : `household ${householdId} is not on the community's household roster`,
    );
  }
}

/**
 * A meeting's members against the council roster (422 not_a_member): each must be on it, with a
 * term not ended on the meeting's day (city time), and, for a courtyard council, a member of one
 * of its courtyards.
 */
export function requireRosterMembers(
  memberIds: readonly string[],
  roster: CouncilRoster,
  meetingDay: string,
  courtyardIds: readonly string[] | undefined,
): void {
  const bySub = new Map(roster.members.map((m) => [m.sub, m]));
  const problems = memberIds.flatMap((sub) => {
    const m = bySub.get(sub);
    if (!m) return [`${sub} is not on the council roster`];
    if (m.termEnds < meetingDay) return [`${sub}'s term ended on ${m.termEnds}`];
    if (courtyardIds?.length && !(m.courtyardId && courtyardIds.includes(m.courtyardId))) {
      return [`${sub} is not a council member of courtyards ${courtyardIds.join(", ")}`];
    }
    return [];
  });
  if (problems.length) {
    throw rule(
      "not_a_member",
      `not members of this council (roster version ${roster.version}): ${problems.join("; ")}`,
    );
  }
}

/** The roster as counts (household ids are not shown back). */
export function householdRosterView(r: HouseholdRoster) {
  return {
    communityId: r.communityId,
    version: r.version,
    households: r.unassigned.length + r.courtyards.reduce((n, c) => n + c.householdIds.length, 0),
    courtyards: r.courtyards.map((c) => ({
      courtyardId: c.courtyardId,
      households: c.householdIds.length,
    })),
    updatedAt: r.updatedAt,
  };
}

export function councilView(r: CouncilRoster) {
  return {
    communityId: r.communityId,
    version: r.version,
    members: r.members,
    updatedAt: r.updatedAt,
  };
}
