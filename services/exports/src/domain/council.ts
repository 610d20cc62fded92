import { isApprovedOrLater } from "@pencai/contracts/intake";
import type { PabulibInstance, PabulibProject } from "./pabulib.js";
import type { Values } from "./rows.js";

// Council votes for research (pabulib): each closed meeting's counted ballots, kept with
// pseudonymous voter ids (never the account id), and the community-year instances built from
// them and the proposal rows.

/** One meeting's counted ballots, voters already pseudonymous. */
export interface CouncilBallots {
  meetingId: string;
  communityId: string;
  closedAt: string;
  /** the agenda's proposals */
  proposalIds: string[];
  ballots: { voter: string; proposalId: string; choice: "yes" | "no" | "abstain" }[];
}

/**
 * The pabulib instance of a community and year: the year's proposals that were on a council
 * agenda or were selected, their programme cost, and each voter's yes votes as approvals.
 */
export function pabulibInstance(args: {
  cityName: string;
  communityId: string;
  unitName: string;
  subunit?: string;
  year: number;
  budgetFen: number;
  proposals: readonly Values[];
  meetings: readonly CouncilBallots[];
}): PabulibInstance | undefined {
  const onAgenda = new Set(args.meetings.flatMap((m) => m.proposalIds));
  const projects: PabulibProject[] = args.proposals
    .filter(
      (p) =>
        p.community_id === args.communityId &&
        Number(p.year) === args.year &&
        (onAgenda.has(String(p.proposal_id)) || isApprovedOrLater(String(p.status))),
    )
    .map((p) => ({
      id: String(p.proposal_id),
      costFen: Number(p.programme_fen ?? p.approved_fen ?? 0),
      name: String(p.title ?? p.proposal_id),
      ...(p.category ? { category: String(p.category) } : {}),
      selected: isApprovedOrLater(String(p.status)),
    }));
  if (projects.length === 0) return undefined;
  const ids = new Set(projects.map((p) => p.id));
  const approvals = new Map<string, string[]>();
  for (const m of args.meetings) {
    for (const b of m.ballots) {
      if (b.choice !== "yes" || !ids.has(b.proposalId)) continue;
      approvals.set(b.voter, [...(approvals.get(b.voter) ?? []), b.proposalId]);
    }
  }
  return {
    country: "China",
    unit: args.unitName,
    ...(args.subunit ? { subunit: args.subunit } : {}),
    instance: args.year,
    description: `${args.cityName} livelihood micro-projects (民生微实事), community ${args.communityId}, ${args.year}: council approvals`,
    budgetFen: args.budgetFen,
    projects,
    approvals,
  };
}
