import { DomainError } from "@pencai/contracts/errors";
import type { Envelope } from "@pencai/contracts/events";
import type { Principal } from "@pencai/runtime/reach";
import type { ProposalRecord } from "../src/domain/types.js";

export { testCity, useTestCity } from "@pencai/config/testing";

/** The code of the domain error `fn` throws, or "ok". */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return "ok";
}

export const c1 = { districtId: "d1", streetId: "s1", communityId: "c1" };
export const c2 = { districtId: "d1", streetId: "s1", communityId: "c2" };
export const c3 = { districtId: "d1", streetId: "s2", communityId: "c3" };

export const resident = (sub = "res-1", place = c1): Principal => ({
  sub,
  roles: ["resident"],
  ...place,
  householdId: `hh-${sub}`,
});
export const staff = (place: Partial<typeof c1> = c1, sub = "staff-1"): Principal => ({
  sub,
  roles: ["community_staff"],
  districtId: place.districtId ?? "d1",
  ...place,
});
export const org = (orgId = "org-1", place = c1): Principal => ({
  sub: `user-${orgId}`,
  roles: ["org"],
  ...place,
  orgId,
});
export const streetStaff = (streetId = "s1"): Principal => ({
  sub: "street-1",
  roles: ["street_staff"],
  districtId: "d1",
  streetId,
});

export const ULID_A = "01JAAAAAAAAAAAAAAAAAAAAAAA";
export const ULID_B = "01JBBBBBBBBBBBBBBBBBBBBBBB";
export const ULID_N = "01JNNNNNNNNNNNNNNNNNNNNNNN";

export function proposalRecord(over: Partial<ProposalRecord> = {}): ProposalRecord {
  return {
    id: ULID_A,
    ...c1,
    kind: "works",
    category: "environment",
    title: "路灯更换",
    summary: "更换老化路灯",
    beneficiaries: 300,
    budgetFen: 1_000_000,
    selfRaisedFen: 0,
    sponsorFen: 0,
    programmeFen: 1_000_000,
    needIds: [ULID_N],
    year: 2026,
    status: "submitted",
    proposer: { sub: "res-1", role: "resident", householdId: "hh-res-1" },
    createdAt: "2026-03-01T00:00:00.000Z",
    updatedAt: "2026-03-01T00:00:00.000Z",
    timelineSeq: 1,
    timelineHash: "0".repeat(64),
    ...over,
  };
}

/** Another service's lifecycle event about proposal ULID_A of community c1 (id from type and time). */
export const lifecycleEvent = (
  actor: Envelope["actor"],
  type: Envelope["type"],
  data: Record<string, unknown> = {},
  at = "2026-05-01T00:00:00.000Z",
): Envelope => ({
  id: `evt-${type}-${at}`,
  type,
  version: 1,
  occurredAt: at,
  cityId: "testcity",
  proposalId: ULID_A,
  communityId: "c1",
  actor,
  correlationId: "corr",
  data,
});
