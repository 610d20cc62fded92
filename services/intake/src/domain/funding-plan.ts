import type { Rules } from "@pencai/config";
import { type Charge, ledgerCharges } from "@pencai/contracts/charges";
import { forbidden, rule } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import type { Place } from "./types.js";

/**
 * How a proposal's programme money is charged to community-year budgets (Luohu's mechanisms,
 * `process.splitPackages`, `process.phasingYears`, `process.crossCommunity`):
 * - an ordinary proposal charges its own community and year all of it;
 * - a package of a split works need (拆开申报、分开审议、合并实施) is an ordinary proposal of its
 *   own (its own cap check, screening, council, review, approval); the group only ties packages
 *   of one community, year and proposer together (the store enforces it) for the group view;
 * - a phased works project (分年度实施) charges each consecutive year its share, and each share
 *   is held to the works cap rather than the whole (the point of phasing: 50-100万 over two years);
 * - a cross-community project, filed by the street's staff, charges each community its share.
 * A proposal is at most one of the three. Approval commits the charges; intake checks them
 * against its committed projection at submission.
 */

export type { Charge } from "@pencai/contracts/charges";

export interface YearShare {
  year: number;
  programmeFen: number;
}

export interface CommunityShare {
  communityId: string;
  programmeFen: number;
}

export interface PlanRequest {
  kind: "works" | "service";
  year: number;
  packageGroupId?: string;
  phasing?: YearShare[];
  communities?: CommunityShare[];
}

export interface FundingPlan {
  charges: Charge[];
  /** the amounts the per-kind cap applies to: the whole, or each year's share when phased */
  cappedFen: number[];
  phasing?: YearShare[];
  communities?: CommunityShare[];
}

export interface PlanContext {
  place: Place;
  role: Role;
  rules: Rules;
  programmeFen: number;
  /** a community of this city with its street (undefined when unknown) */
  placeOf: (communityId: string) => Place | undefined;
}

export function fundingPlan(body: PlanRequest, ctx: PlanContext): FundingPlan {
  const { place, rules, programmeFen } = ctx;
  const at = { communityId: place.communityId, year: body.year, programmeFen };
  const given = [body.packageGroupId, body.phasing, body.communities].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) {
    throw rule(
      "funding_plan_conflict",
      "a proposal is at most one of: a package (packageGroupId), phased (phasing), cross-community (communities)",
    );
  }
  if (body.packageGroupId !== undefined) {
    checkPackage(body.kind, rules);
  }
  if (body.phasing !== undefined) {
    const phasing = checkPhasing(body.phasing, body, rules, programmeFen);
    return {
      charges: ledgerCharges({ ...at, phasing }),
      cappedFen: phasing.map((s) => s.programmeFen),
      phasing,
    };
  }
  if (body.communities !== undefined) {
    const communities = checkCommunities(body.communities, ctx);
    return {
      charges: ledgerCharges({ ...at, communities }),
      cappedFen: [programmeFen],
      communities,
    };
  }
  return { charges: ledgerCharges(at), cappedFen: [programmeFen] };
}

/** Packages exist where the city splits large works needs, and only for works. */
export function checkPackage(kind: "works" | "service", rules: Rules): void {
  if (!rules.process.splitPackages) {
    throw rule("packages_not_allowed", "this city's programme does not split needs into packages");
  }
  if (kind !== "works") {
    throw rule("packages_not_allowed", "only works projects are split into packages");
  }
}

/**
 * Phasing: a works project where the city phases (`phasingYears` ≥ 2), over at most that many
 * consecutive years starting with the proposal's year, shares summing to the programme money.
 */
export function checkPhasing(
  phasing: YearShare[],
  body: { kind: "works" | "service"; year: number },
  rules: Rules,
  programmeFen: number,
): YearShare[] {
  const most = rules.process.phasingYears;
  if (most < 2) {
    throw rule("phasing_not_allowed", "this city's programme does not phase projects over years");
  }
  if (body.kind !== "works") {
    throw rule("phasing_not_allowed", "only works projects are phased over years");
  }
  if (phasing.length < 2 || phasing.length > most) {
    throw rule("phasing_invalid", `a phased project runs over 2 to ${most} programme years`);
  }
  phasing.forEach((s, i) => {
    if (s.year !== body.year + i) {
      throw rule(
        "phasing_invalid",
        `phasing years must run consecutively from the proposal's year ${body.year}: share ${i} is ${s.year}`,
      );
    }
  });
  const sum = phasing.reduce((total, s) => total + s.programmeFen, 0);
  if (sum !== programmeFen) {
    throw rule(
      "phasing_invalid",
      `the years' shares sum to ${sum} fen; the programme pays ${programmeFen}`,
    );
  }
  return phasing.map((s) => ({ year: s.year, programmeFen: s.programmeFen }));
}

/**
 * Cross-community: filed by staff of the street (跨社区项目向街道申报) where the city allows it;
 * two or more different communities of that street, the proposal's own among them, shares
 * summing to the programme money.
 */
export function checkCommunities(
  communities: CommunityShare[],
  ctx: PlanContext,
): CommunityShare[] {
  if (!ctx.rules.process.crossCommunity) {
    throw rule(
      "cross_community_not_allowed",
      "this city's programme takes no cross-community projects",
    );
  }
  if (ctx.role !== "street_staff") {
    throw forbidden("cross-community projects are filed by the street's staff");
  }
  const ids = communities.map((c) => c.communityId);
  if (new Set(ids).size !== ids.length || ids.length < 2) {
    throw rule("communities_invalid", "name two or more different communities, each once");
  }
  for (const id of ids) {
    if (ctx.placeOf(id)?.streetId !== ctx.place.streetId) {
      throw rule("communities_invalid", `${id} is not a community of street ${ctx.place.streetId}`);
    }
  }
  if (!ids.includes(ctx.place.communityId)) {
    throw rule(
      "communities_invalid",
      `the proposal's community ${ctx.place.communityId} must be one of the communities`,
    );
  }
  const sum = communities.reduce((total, c) => total + c.programmeFen, 0);
  if (sum !== ctx.programmeFen) {
    throw rule(
      "communities_invalid",
      `the communities' shares sum to ${sum} fen; the programme pays ${ctx.programmeFen}`,
    );
  }
  return communities.map((c) => ({ communityId: c.communityId, programmeFen: c.programmeFen }));
}

/** Courtyards named by a proposal must be courtyards (院落) of its community, each once. */
export function checkCourtyards(
  courtyardIds: string[] | undefined,
  communityId: string,
  courtyards: readonly { id: string }[],
): string[] | undefined {
  if (courtyardIds === undefined) return undefined;
  const known = new Set(courtyards.map((c) => c.id));
  for (const id of courtyardIds) {
    if (!known.has(id)) {
      throw rule("courtyard_not_found", `${id} is not a courtyard of community ${communityId}`);
    }
  }
  return [...new Set(courtyardIds)];
}
