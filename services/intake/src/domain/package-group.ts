import type { Principal } from "@pencai/runtime/reach";
import { hasOfficialReach } from "./access.js";
import { isExit, statusRank } from "./proposal.js";
import type { Place, ProposalRecord } from "./types.js";

/**
 * A split works need (拆开申报、分开审议、合并实施, Luohu): packages of one community, year and
 * proposer share a `packageGroupId`; each is filed, capped, screened, deliberated, reviewed and
 * approved on its own. "Implemented together": the street tenders the packages as one project
 * only after every package passed (审议均通过以后，再由街道…统一打包成一个项目进行招投标), so the
 * group is `ready` once every package still in it (withdrawn ones have left) is approved or
 * later; a rejected package keeps the group waiting for the street to refile it.
 */

export interface PackageGroup extends Pick<Place, "communityId"> {
  id: string;
  year: number;
  proposerSub: string;
}

/** The group's proposer, or an official whose reach covers the group's community. */
export function canReadGroup(p: Principal, group: PackageGroup, place: Place): boolean {
  return p.sub === group.proposerSub || hasOfficialReach(p, place);
}

const approvedOrLater = (p: ProposalRecord) =>
  !isExit(p.status) && statusRank(p.status) >= statusRank("approved");

/** Members (id, title, status, money), totals and whether the packages may go to one tender. */
export function packageGroupView(group: PackageGroup, members: readonly ProposalRecord[]) {
  const inGroup = members.filter((m) => m.status !== "withdrawn");
  const waitingFor = inGroup.filter((m) => !approvedOrLater(m)).map((m) => m.id);
  return {
    id: group.id,
    communityId: group.communityId,
    year: group.year,
    members: members.map((m) => ({
      id: m.id,
      title: m.title,
      status: m.status,
      programmeFen: m.programmeFen,
      budgetFen: m.budgetFen,
    })),
    totals: {
      members: inGroup.length,
      budgetFen: sum(inGroup.map((m) => m.budgetFen)),
      programmeFen: sum(inGroup.map((m) => m.programmeFen)),
      approvedFen: sum(inGroup.filter(approvedOrLater).map((m) => m.programmeFen)),
    },
    implementation: { ready: inGroup.length > 0 && waitingFor.length === 0, waitingFor },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
