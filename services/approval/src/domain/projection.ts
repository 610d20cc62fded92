import { ledgerCharges } from "@pencai/contracts/charges";
import { cancelTimer } from "./timers.js";
import type { ApprovalProposal, Charge, DomainEvent, Place, Timer, TimerWrite } from "./types.js";

/**
 * Approval's proposal projection, fed by its inbox. Approval never reads intake's table: the
 * ProposalEndorsed event must carry the proposal's facts (place, kind, title, budget, year),
 * the way intake enriches ProposalScreened for deliberation.
 */

/** What a ProposalEndorsed carries about the proposal (its data contract, `ProposalEndorsedData`). */
export interface EndorsedFacts extends Place {
  proposalId: string;
  kind: "works" | "service";
  title: string;
  budgetFen: number;
  programmeFen: number;
  year: number;
  /** a phased works project: each year's share */
  phasing?: { year: number; programmeFen: number }[];
  /** a cross-community project: each community's share */
  communities?: { communityId: string; programmeFen: number }[];
}

/** The ledgers a phased or cross-community project charges (none for an ordinary one). */
export function chargesFrom(facts: EndorsedFacts): Charge[] | undefined {
  return facts.phasing?.length || facts.communities?.length ? ledgerCharges(facts) : undefined;
}

/** The projection a first ProposalEndorsed creates (a duplicate or late one changes nothing). */
export function fromEndorsed(facts: EndorsedFacts, occurredAt: string): ApprovalProposal {
  const charges = chargesFrom(facts);
  return {
    id: facts.proposalId,
    communityId: facts.communityId,
    streetId: facts.streetId,
    districtId: facts.districtId,
    kind: facts.kind,
    title: facts.title,
    budgetFen: facts.budgetFen,
    programmeFen: facts.programmeFen,
    year: facts.year,
    ...(charges && { charges }),
    status: "endorsed",
    version: 1,
    endorsedAt: occurredAt,
    round: 0,
    disbursedFen: 0,
  };
}

/** Statuses a withdrawal applies to (intake lets the proposer withdraw only before approval). */
const withdrawable = new Set(["endorsed", "reported", "forwarded"]);

export interface Withdrawal {
  /** undefined: nothing changes (already final, or approved: the commitment stands) */
  proposal?: ApprovalProposal;
  events: DomainEvent[];
  timers: TimerWrite[];
}

/**
 * ProposalWithdrawn: a proposal before approval leaves the workflow; its open timers stop as
 * `cancelled` (or `breached` with SlaBreached if the deadline had already passed). An approved
 * or funded proposal ignores a late withdrawal (intake allows withdrawal only before approval;
 * if the two raced, the money is committed: the handler logs it for the district to resolve).
 */
export function withdraw(p: ApprovalProposal, openTimers: readonly Timer[], at: Date): Withdrawal {
  if (!withdrawable.has(p.status)) return { events: [], timers: [] };
  const events: DomainEvent[] = [];
  const timers: TimerWrite[] = [];
  for (const t of openTimers) {
    if (t.state !== "open") continue;
    const r = cancelTimer(t, at);
    if (r.event) events.push(r.event);
    timers.push({ timer: r.timer, previous: t });
  }
  return {
    proposal: { ...p, status: "withdrawn", withdrawnAt: at.toISOString(), version: p.version + 1 },
    events,
    timers,
  };
}
