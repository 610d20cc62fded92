import type { Envelope } from "@pencai/contracts/events";
import type { ProposalSla, ProposalSlaState, ProposalSlaSummary } from "@pencai/contracts/intake";

/**
 * The SLA projection: per proposal, one entry per approval timer (`kind` + `round`), built from
 * approval's events, which may arrive late, twice or in any order. Merging is order-free:
 *
 * - the state only climbs `open < cancelled < met < breached`, so `breached` is final (a later
 *   "met" never overwrites it, and a breach that arrives before the opening event still wins);
 *   `cancelled` is intake's own inference from a withdrawal, and approval's word (met, breached)
 *   overrides it;
 * - `startedAt`, `remindedAt`, `breachedAt` are set once; `stoppedAt` comes with the state that
 *   wins (or fills a gap: a sweep's breach is stopped later);
 * - `dueAt`/`provisional` follow the newest event that carries them (`factsAt` = its
 *   `occurredAt`): approval recomputes provisional deadlines of open timers.
 */

type Kind = ProposalSla["kind"];

/** One timer as intake stores it: `dueAt` may be unknown until an event names it. */
export interface SlaRecord extends Omit<ProposalSla, "dueAt"> {
  dueAt?: string;
  /** occurredAt of the event `dueAt`/`provisional` come from (never shown) */
  factsAt?: string;
}

/** What one event says about one timer. */
export interface SlaObservation {
  kind: Kind;
  round: number;
  at: string;
  state?: ProposalSlaState;
  startedAt?: string;
  dueAt?: string;
  provisional?: boolean;
  stoppedAt?: string;
  remindedAt?: string;
  breachedAt?: string;
}

const rank: Record<ProposalSlaState, number> = { open: 0, cancelled: 1, met: 2, breached: 3 };

/** An ISO-8601 time (what approval sends); anything else is ignored. */
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.length <= 64 && !Number.isNaN(Date.parse(v)) ? v : undefined;
const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const round = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : undefined;
const outcome = (v: unknown): "met" | "breached" | undefined =>
  v === "met" || v === "breached" ? v : undefined;
const kindOf = (v: unknown): Kind | undefined =>
  v === "review" || v === "disbursement" ? v : undefined;

/** Drops undefined fields (records round-trip through DynamoDB). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The timer fact an approval event carries, if any (malformed data: none). */
export function slaObservationOf(e: Envelope): SlaObservation | undefined {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const at = e.occurredAt;
  switch (e.type) {
    case "ProposalReported": {
      const r = round(d.round);
      const dueAt = str(d.reviewDueAt);
      if (r === undefined || dueAt === undefined) return undefined;
      return defined({
        kind: "review" as const,
        round: r,
        at,
        state: "open" as const,
        startedAt: str(d.reportedAt),
        dueAt,
        provisional: bool(d.provisional),
      });
    }
    case "DistrictReviewCompleted": {
      const r = round(d.round);
      const state = outcome(d.sla);
      if (r === undefined || state === undefined) return undefined;
      return defined({
        kind: "review" as const,
        round: r,
        at,
        state,
        dueAt: str(d.reviewDueAt),
        stoppedAt: str(d.reviewedAt),
        provisional: bool(d.provisional),
      });
    }
    case "ProposalApproved": {
      const dueAt = str(d.disbursementDueAt);
      if (dueAt === undefined) return undefined;
      return defined({
        kind: "disbursement" as const,
        round: 1,
        at,
        state: "open" as const,
        startedAt: str(d.approvedAt),
        dueAt,
        provisional: bool(d.provisional),
      });
    }
    case "FundsDisbursed": {
      const state = outcome(d.sla);
      // a partial disbursement leaves the timer open; without `sla` there was no timer
      if (d.fullyDisbursed !== true || state === undefined) return undefined;
      return defined({
        kind: "disbursement" as const,
        round: 1,
        at,
        state,
        dueAt: str(d.disbursementDueAt),
        stoppedAt: str(d.disbursedAt),
        provisional: bool(d.provisional),
      });
    }
    case "SlaReminder":
    case "SlaBreached": {
      const kind = kindOf(d.kind);
      const r = round(d.round);
      if (kind === undefined || r === undefined) return undefined;
      const breach = e.type === "SlaBreached";
      return defined({
        kind,
        round: r,
        at,
        ...(breach && { state: "breached" as const, breachedAt: str(d.breachedAt) ?? at }),
        ...(!breach && { remindedAt: str(d.remindedAt) ?? at }),
        startedAt: str(d.startedAt),
        dueAt: str(d.dueAt),
        provisional: bool(d.provisional),
      });
    }
    default:
      return undefined;
  }
}

const order = (a: SlaRecord, b: SlaRecord) =>
  (a.kind === b.kind ? 0 : a.kind === "review" ? -1 : 1) || a.round - b.round;

/** The projection after one observation (a new array; the input is not changed). */
export function mergeSla(list: readonly SlaRecord[] | undefined, o: SlaObservation): SlaRecord[] {
  const all = [...(list ?? [])];
  const i = all.findIndex((t) => t.kind === o.kind && t.round === o.round);
  const t: SlaRecord =
    i >= 0 ? { ...all[i]! } : { kind: o.kind, round: o.round, state: "open", provisional: false };

  if (o.state !== undefined && rank[o.state] > rank[t.state]) {
    t.state = o.state;
    if (o.stoppedAt !== undefined) t.stoppedAt = o.stoppedAt;
  } else if (o.state === t.state && t.stoppedAt === undefined && o.stoppedAt !== undefined) {
    t.stoppedAt = o.stoppedAt; // breached by the sweep, stopped later
  }
  t.startedAt ??= o.startedAt;
  t.remindedAt ??= o.remindedAt;
  t.breachedAt ??= o.breachedAt;
  if (o.dueAt !== undefined && (t.factsAt === undefined || o.at >= t.factsAt)) {
    t.dueAt = o.dueAt;
    t.factsAt = o.at;
    if (o.provisional !== undefined) t.provisional = o.provisional;
  } else if (t.dueAt === undefined && o.provisional !== undefined) {
    t.provisional = o.provisional;
  }

  const next = defined(t);
  if (i >= 0) all[i] = next;
  else all.push(next);
  return all.sort(order);
}

/**
 * A withdrawal at `at`: open review timers whose deadline has not passed become `cancelled`
 * (approval cancels them too, or reports the breach itself after the deadline). Disbursement
 * timers are left alone: approval ignores a withdrawal once the proposal is approved.
 */
export function cancelOpenReviews(
  list: readonly SlaRecord[] | undefined,
  at: string,
): SlaRecord[] | undefined {
  if (!list) return undefined;
  let changed = false;
  const out = list.map((t) => {
    if (t.kind !== "review" || t.state !== "open" || t.dueAt === undefined) return t;
    if (Date.parse(at) > Date.parse(t.dueAt)) return t;
    changed = true;
    const stoppedAt = t.startedAt !== undefined && t.startedAt > at ? t.startedAt : at;
    return { ...t, state: "cancelled" as const, stoppedAt };
  });
  return changed ? out : (list as SlaRecord[]);
}

/** The timers as the API shows them (only those whose deadline is known). */
export function slaView(list: readonly SlaRecord[] | undefined): ProposalSla[] {
  const out: ProposalSla[] = [];
  for (const { factsAt: _, dueAt, ...t } of list ?? []) {
    if (dueAt !== undefined) out.push({ ...t, dueAt });
  }
  return out;
}

/** Per kind: `breached` if any round breached, else the latest round's state. */
export function slaSummary(list: readonly SlaRecord[] | undefined): ProposalSlaSummary | undefined {
  const out: ProposalSlaSummary = {};
  for (const t of slaView(list)) {
    const seen = out[t.kind];
    out[t.kind] = seen === "breached" ? seen : t.state; // sorted by round: the last one wins
  }
  return Object.keys(out).length ? out : undefined;
}
