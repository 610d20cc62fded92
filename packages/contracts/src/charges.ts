/** A community-year ledger (the community's yearly cap) that programme money is charged to. */
export interface Charge {
  communityId: string;
  year: number;
  programmeFen: number;
}

/**
 * The ledgers a proposal's programme money charges (intake checks them at submission, approval
 * commits them): its own community and year; a phased works project's years, each share
 * against that year's cap; a cross-community project's communities, each share against its own.
 */
export function ledgerCharges(p: {
  communityId: string;
  year: number;
  programmeFen: number;
  phasing?: readonly { year: number; programmeFen: number }[] | undefined;
  communities?: readonly { communityId: string; programmeFen: number }[] | undefined;
}): Charge[] {
  if (p.phasing?.length) {
    return p.phasing.map((s) => ({
      communityId: p.communityId,
      year: s.year,
      programmeFen: s.programmeFen,
    }));
  }
  if (p.communities?.length) {
    return p.communities.map((s) => ({
      communityId: s.communityId,
      year: p.year,
      programmeFen: s.programmeFen,
    }));
  }
  return [{ communityId: p.communityId, year: p.year, programmeFen: p.programmeFen }];
}
