import type { Envelope } from "@pencai/contracts/events";
import type { ProposalStatus } from "@pencai/contracts/intake";
import { decisionAfter } from "./decision.js";
import { deliveryAfter } from "./delivery.js";
import { isExit, movesForward, statusRank } from "./proposal.js";
import { cancelOpenReviews, mergeSla, slaObservationOf } from "./sla.js";
import type { TimelineEntry } from "./timeline.js";
import type { ProposalRecord, RejectionStage } from "./types.js";

/**
 * The proposal registry: intake keeps every proposal's status and timeline as the other
 * services move it (deliberation, approval, evaluation). Events may arrive late, twice or out
 * of order: a status only moves forward along the lifecycle, nothing leaves `withdrawn` or
 * `rejected`, a rejection only lands before approval, and every event still gets its
 * timeline entry (at its own `occurredAt`). Duplicates of one event id are dropped by the inbox.
 *
 * The one step back is the district's "return" (reported -> endorsed; the street may report
 * again, next round). Rounds keep it order-safe: `reportRound` is the highest report round
 * seen, `returnedRound` the highest returned; a return moves back only if no later round has
 * been reported, and a report of a round already returned only records.
 *
 * The SLA timers (`sla`, domain/sla.ts) follow approval's events the same order-free way.
 */

export interface RegistryChange {
  proposal: ProposalRecord;
  entry: TimelineEntry;
  /** add this to the community-year committed projection (first ProposalApproved only) */
  commitFen?: number;
  /** instead, a phased or cross-community approval's amount per community-year ledger */
  commitShares?: { communityId: string; year: number; fen: number }[];
}

type Outcome =
  | { kind: "advance"; to: ProposalStatus }
  | { kind: "reject"; at: RejectionStage }
  /** the district returned report round `round` to the street */
  | { kind: "return"; round: number }
  | { kind: "record" };

/** What each lifecycle event means for the proposal's status. */
function outcomeOf(current: ProposalRecord, e: Envelope): Outcome {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const round = roundOf(data.round);
  switch (e.type) {
    case "DeliberationConcluded":
      return failed(data)
        ? { kind: "reject", at: "deliberation" }
        : { kind: "advance", to: "deliberated" };
    case "ExpertReviewConcluded":
      // a pass alone changes nothing: `endorsed` needs council and experts (ProposalEndorsed)
      return failed(data) ? { kind: "reject", at: "expert_review" } : { kind: "record" };
    case "ProposalEndorsed":
      return { kind: "advance", to: "endorsed" };
    case "ProposalReported":
      // a report whose round the district already returned (events crossed) is history
      return round !== undefined && round <= (current.returnedRound ?? 0)
        ? { kind: "record" }
        : { kind: "advance", to: "reported" };
    case "DistrictReviewCompleted":
      if (data.decision === "forward") return { kind: "advance", to: "forwarded" };
      if (data.decision === "reject") return { kind: "reject", at: "district_review" };
      if (data.decision === "return") {
        return { kind: "return", round: round ?? current.reportRound ?? 0 };
      }
      return { kind: "record" };
    case "ProposalApproved":
      return { kind: "advance", to: "approved" };
    case "ProposalRejected":
      return { kind: "reject", at: rejectionStage(data.stage) ?? "approval" };
    case "FundsDisbursed":
      // a partial disbursement is recorded; `funded` means the approved amount is all paid out
      return data.fullyDisbursed === true ? { kind: "advance", to: "funded" } : { kind: "record" };
    case "ProgressReported":
      return { kind: "advance", to: "implementing" };
    case "ProjectCompleted":
      return { kind: "advance", to: "completed" };
    case "EvaluationClosed":
      return { kind: "advance", to: "evaluated" };
    default:
      return { kind: "record" };
  }
}

/** The change one lifecycle event makes to a proposal (its timeline entry at least). */
export function applyLifecycleEvent(current: ProposalRecord, e: Envelope): RegistryChange {
  const outcome = outcomeOf(current, e);
  const data = (e.data ?? {}) as Record<string, unknown>;
  // a late event changes the record but never moves its time back
  const updatedAt = current.updatedAt > e.occurredAt ? current.updatedAt : e.occurredAt;
  let proposal: ProposalRecord = current;
  if (outcome.kind === "advance" && movesForward(current.status, outcome.to)) {
    proposal = { ...current, status: outcome.to, updatedAt };
  } else if (outcome.kind === "return") {
    // the one step back: reported -> endorsed, only if no later round has been reported since
    if (current.status === "reported" && outcome.round >= (current.reportRound ?? 0)) {
      proposal = { ...current, status: "endorsed", updatedAt };
    }
    if (outcome.round > (current.returnedRound ?? 0)) {
      proposal = { ...proposal, returnedRound: outcome.round };
    }
  } else if (
    outcome.kind === "reject" &&
    !isExit(current.status) &&
    statusRank(current.status) < statusRank("approved")
  ) {
    const reason = typeof data.reason === "string" ? data.reason.slice(0, 2000) : undefined;
    proposal = {
      ...current,
      status: "rejected",
      rejectedAt: outcome.at,
      ...(reason !== undefined && { rejectionReason: reason }),
      updatedAt,
    };
  }

  const reported = e.type === "ProposalReported" ? roundOf(data.round) : undefined;
  if (reported !== undefined && reported > (current.reportRound ?? 0)) {
    proposal = { ...proposal, reportRound: reported };
  }

  // the SLA timers, whatever the status did (a late event still tells how a deadline went)
  const observed = slaObservationOf(e);
  if (observed) {
    let sla = mergeSla(proposal.sla, observed);
    if (proposal.status === "withdrawn" && proposal.withdrawnAt) {
      sla = cancelOpenReviews(sla, proposal.withdrawnAt) ?? sla;
    }
    if (JSON.stringify(sla) !== JSON.stringify(proposal.sla)) {
      proposal = { ...proposal, sla, updatedAt };
    }
  }

  // the decision record (council tally, expert outcome) is kept whatever the status did
  const decision = decisionAfter(current.decision, e);
  if (decision && decision !== current.decision) {
    proposal = { ...proposal, decision, updatedAt };
  }

  // implementation and effect (四公开), whatever the status did
  const delivery = deliveryAfter(proposal, e);
  if (Object.keys(delivery).length > 0) {
    proposal = { ...proposal, ...delivery, updatedAt };
  }

  let commitFen: number | undefined;
  let commitShares: RegistryChange["commitShares"];
  if (e.type === "ProposalApproved" && !current.committed) {
    // approval commits the budget whatever the status did (a late event still spent the money)
    commitFen = isFen(data.programmeFen) ? data.programmeFen : current.programmeFen;
    commitShares = sharesOf(data.charges);
    proposal = { ...proposal, committed: true };
  }

  return {
    proposal,
    entry: {
      type: e.type,
      at: e.occurredAt,
      actor: { role: e.actor.roles[0] ?? "system" },
      data: { ...publicData(data), status: proposal.status },
    },
    ...(commitShares ? { commitShares } : commitFen !== undefined && { commitFen }),
  };
}

function failed(data: Record<string, unknown>): boolean {
  return data.passed === false || data.decision === "fail" || data.decision === "reject";
}

const rejectionStages: readonly RejectionStage[] = [
  "screening",
  "deliberation",
  "expert_review",
  "district_review",
  "approval",
];
function rejectionStage(v: unknown): RejectionStage | undefined {
  return rejectionStages.find((s) => s === v);
}

const roundOf = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : undefined;

const isFen = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Keys that may name or identify people: never copied onto the (public) timeline. */
const personal = /sub|household|phone|name|member|present|panel|actor|voter|ballot|comment|email/i;

/**
 * The part of another service's event data fit for the public timeline: top-level scalars
 * (decision, counts, amounts, due dates, reasons), never identities.
 */
export function publicData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (personal.test(k)) continue;
    if (typeof v === "string") out[k] = v.slice(0, 2000);
    else if (typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) out[k] = v;
  }
  return out;
}

/**
 * Splits a batch into waves that hold at most one item per key, in their original order: the
 * n-th item of a key goes into the n-th wave. Items of one key thus run one after another when
 * the waves run in sequence, and items of different keys side by side.
 */
export function inWaves<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const waves: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const wave = waves[n] ?? [];
    wave.push(item);
    waves[n] = wave;
  }
  return waves;
}

/** ProposalApproved's `charges` (a phased or cross-community approval), when well formed. */
function sharesOf(charges: unknown): RegistryChange["commitShares"] {
  if (!Array.isArray(charges) || charges.length === 0) return undefined;
  const shares = charges.flatMap((c: Record<string, unknown>) =>
    typeof c?.communityId === "string" && typeof c.year === "number" && isFen(c.programmeFen)
      ? [{ communityId: c.communityId, year: c.year, fen: c.programmeFen }]
      : [],
  );
  return shares.length === charges.length ? shares : undefined;
}
