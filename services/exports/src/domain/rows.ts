import type { ContractEventType, TypedEnvelope } from "@pencai/contracts/event-data";
import type { ExportEntityName } from "@pencai/contracts/exports";

// The export rows: each event becomes patches of entity rows. Proposal statuses are intake's
// (packages/contracts/src/intake.ts `proposalStatuses`), set by the same events as in intake's
// registry; here the newest status-setting event decides. A row keeps, per slot, the newest
// patch (by occurredAt, then event id), and its columns are the slots folded oldest first. So a
// row is a function of the set of events seen: redelivery changes nothing and any arrival
// order gives the same row.

/** Column values of a row, by column name (times as ISO strings; undefined = not set here). */
export type Values = Record<string, string | number | boolean | undefined>;

/** What one event says about one row. */
export interface Patch {
  entity: ExportEntityName;
  id: string;
  /** which fact of the row this is; a newer patch of the same slot replaces an older one */
  slot: string;
  values: Values;
}

/** A patch as kept in a row, with the event it came from. */
export interface Slot {
  at: string;
  eventId: string;
  values: Values;
}

export interface Row {
  entity: ExportEntityName;
  id: string;
  slots: Record<string, Slot>;
  /** the columns, the slots folded oldest first, `changed_at` the newest slot's time */
  columns: Values;
}

type AnyEnvelope = {
  [T in ContractEventType]: TypedEnvelope<T>;
}[ContractEventType];

const newer = (a: Slot, b: Slot) =>
  a.at !== b.at ? Date.parse(a.at) > Date.parse(b.at) : a.eventId > b.eventId;

/** The columns of a row's slots: applied oldest first, undefined values leave a column as is. */
export function fold(slots: Record<string, Slot>): Values {
  const ordered = Object.entries(slots).sort(([sa, a], [sb, b]) =>
    newer(a, b) ? 1 : newer(b, a) ? -1 : sa < sb ? -1 : 1,
  );
  const out: Values = {};
  for (const [, slot] of ordered) {
    for (const [k, v] of Object.entries(slot.values)) if (v !== undefined) out[k] = v;
  }
  const last = ordered.at(-1)?.[1];
  if (last) out.changed_at = last.at;
  return out;
}

/** A stopped timer that no fact closed (a rectification): met when stopped by its deadline. */
function settle(entity: ExportEntityName, columns: Values): Values {
  if (entity !== "sla_timers" || columns.state !== "open" || columns.stopped_at === undefined) {
    return columns;
  }
  const met =
    columns.due_at === undefined ||
    Date.parse(String(columns.stopped_at)) <= Date.parse(String(columns.due_at));
  return { ...columns, state: met ? "met" : "breached" };
}

/** The row after a patch of event `at`/`eventId`; `undefined` when the row keeps a newer one. */
export function applyPatch(
  row: Row | undefined,
  patch: Patch,
  at: string,
  eventId: string,
): Row | undefined {
  const slot: Slot = { at, eventId, values: patch.values };
  const held = row?.slots[patch.slot];
  if (held && (held.eventId === eventId || !newer(slot, held))) return undefined;
  const slots = { ...row?.slots, [patch.slot]: slot };
  return { entity: patch.entity, id: patch.id, slots, columns: settle(patch.entity, fold(slots)) };
}

/** The patches of one event: its timeline row, and the entity rows it changes. */
export function patchesOf(e: AnyEnvelope, pseudonym: (sub: string) => string): Patch[] {
  const timeline: Patch = {
    entity: "events",
    id: e.id,
    slot: "event",
    values: {
      event_id: e.id,
      type: e.type,
      proposal_id: e.proposalId,
      community_id: e.communityId,
      actor: pseudonym(e.actor.sub),
      actor_roles: e.actor.roles.join(","),
      occurred_at: e.occurredAt,
    },
  };
  return [timeline, ...entityPatches(e)];
}

const p = (entity: ExportEntityName, id: string, slot: string, values: Values): Patch => ({
  entity,
  id,
  slot,
  values,
});
const proposalRow = (id: string, slot: string, values: Values) =>
  p("proposals", id, slot, { proposal_id: id, ...values });
/**
 * A timer's row: proposal, kind and round; a rectification by its inspection instead, since
 * oversight's finding starts it before approval numbers it (its `round` comes with approval's
 * SLA events).
 */
const timerId = (
  proposalId: string,
  kind: string,
  round: number | undefined,
  inspectionId?: string,
) =>
  kind === "rectification" && inspectionId
    ? `${proposalId}#${kind}#${inspectionId}`
    : `${proposalId}#${kind}#${round ?? 1}`;
const timer = (
  t: { proposalId: string; kind: string; round?: number; inspectionId?: string },
  slot: string,
  values: Values,
) => {
  const id = timerId(t.proposalId, t.kind, t.round, t.inspectionId);
  return p("sla_timers", id, slot, {
    timer_id: id,
    proposal_id: t.proposalId,
    kind: t.kind,
    ...(t.round !== undefined && { round: t.round }),
    ...values,
  });
};

function entityPatches(e: AnyEnvelope): Patch[] {
  switch (e.type) {
    case "NeedRaised": {
      const d = e.data;
      return [
        p("needs", d.needId, "raised", {
          need_id: d.needId,
          community_id: d.communityId,
          street_id: d.streetId,
          district_id: d.districtId,
          category: d.category,
          raised_at: e.occurredAt,
        }),
      ];
    }
    case "ProposalSubmitted":
    case "ProposalScreened": {
      const d = e.data;
      const screened = e.type === "ProposalScreened" ? e.data : undefined;
      return [
        proposalRow(d.proposalId, "facts", {
          community_id: d.communityId,
          street_id: d.streetId,
          district_id: d.districtId,
          year: d.year,
          kind: d.kind,
          category: d.category,
          title: d.title,
          budget_fen: d.budgetFen,
          programme_fen: d.programmeFen,
          self_raised_fen: d.selfRaisedFen,
          sponsor_fen: d.sponsorFen,
          beneficiaries: screened?.beneficiaries,
        }),
        proposalRow(d.proposalId, e.type, {
          status: screened ? screened.status : "submitted",
          submitted_at: screened ? undefined : e.occurredAt,
          ended_at: screened?.status === "rejected" ? e.occurredAt : undefined,
        }),
      ];
    }
    case "ProposalWithdrawn":
      return [
        proposalRow(e.data.proposalId, "exit", { status: "withdrawn", ended_at: e.occurredAt }),
      ];
    case "DeliberationConcluded": {
      const d = e.data;
      const id = `${d.meetingId}#${d.proposalId}`;
      return [
        p("meetings", id, "concluded", {
          meeting_proposal_id: id,
          meeting_id: d.meetingId,
          proposal_id: d.proposalId,
          community_id: e.communityId,
          members: d.members,
          present: d.present,
          quorum_met: d.quorumMet,
          yes: d.yes,
          no: d.no,
          abstain: d.abstain,
          passed: d.passed,
          consent_households: d.consent?.households,
          consent_agreed: d.consent?.agreed,
          consent_disagreed: d.consent?.disagreed,
          consent_share: d.consent?.share,
          consent_required: d.consent?.required,
          consent_met: d.consent?.met,
          concluded_at: e.occurredAt,
        }),
        proposalRow(
          d.proposalId,
          e.type,
          d.passed ? { status: "deliberated" } : { status: "rejected", ended_at: e.occurredAt },
        ),
      ];
    }
    case "ExpertReviewConcluded": {
      const d = e.data;
      return [
        p("expert_reviews", d.proposalId, "concluded", {
          proposal_id: d.proposalId,
          community_id: e.communityId,
          passed: d.passed,
          reviews: d.reviews,
          average_score: d.averageScore,
          concluded_at: e.occurredAt,
        }),
        // a pass alone changes nothing (endorsement needs the council too); a fail ends it
        ...(d.passed
          ? []
          : [proposalRow(d.proposalId, e.type, { status: "rejected", ended_at: e.occurredAt })]),
      ];
    }
    case "ProposalEndorsed":
      return [proposalRow(e.data.proposalId, e.type, { status: "endorsed" })];
    case "ProposalReported": {
      const d = e.data;
      return [
        proposalRow(d.proposalId, e.type, { status: "reported" }),
        timer({ proposalId: d.proposalId, kind: "review", round: d.round }, "started", {
          community_id: d.communityId,
          district_id: d.districtId,
          state: "open",
          provisional: d.provisional,
          started_at: d.reportedAt,
          due_at: d.reviewDueAt,
        }),
      ];
    }
    case "DistrictReviewCompleted": {
      const d = e.data;
      // a return sends it back to the street (endorsed), which may report it again
      const status = { forward: "forwarded", return: "endorsed", reject: "rejected" }[d.decision];
      return [
        proposalRow(d.proposalId, e.type, {
          status,
          ended_at: d.decision === "reject" ? e.occurredAt : undefined,
        }),
        timer({ proposalId: d.proposalId, kind: "review", round: d.round }, "stopped", {
          state: d.sla,
          due_at: d.reviewDueAt,
          stopped_at: d.reviewedAt,
        }),
      ];
    }
    case "ProposalApproved": {
      const d = e.data;
      return [
        proposalRow(d.proposalId, e.type, {
          status: "approved",
          approved_fen: d.programmeFen,
          approved_at: d.approvedAt,
        }),
        timer({ proposalId: d.proposalId, kind: "disbursement", round: 1 }, "started", {
          community_id: d.communityId,
          district_id: d.districtId,
          state: "open",
          provisional: d.provisional,
          started_at: d.approvedAt,
          due_at: d.disbursementDueAt,
        }),
        p("budgets", `${d.communityId}#${d.year}`, "ledger", {
          budget_id: `${d.communityId}#${d.year}`,
          community_id: d.communityId,
          district_id: d.districtId,
          year: d.year,
          cap_fen: d.capFen,
          committed_fen: d.committedFen,
        }),
      ];
    }
    case "ProposalRejected":
      return [
        proposalRow(e.data.proposalId, "exit", { status: "rejected", ended_at: e.occurredAt }),
      ];
    case "FundsDisbursed": {
      const d = e.data;
      return [
        p("disbursements", d.disbursementId, "disbursed", {
          disbursement_id: d.disbursementId,
          proposal_id: d.proposalId,
          community_id: d.communityId,
          year: d.year,
          amount_fen: d.amountFen,
          fully_disbursed: d.fullyDisbursed,
          disbursed_at: d.disbursedAt,
        }),
        ...(d.fullyDisbursed
          ? [
              proposalRow(d.proposalId, e.type, { status: "funded", funded_at: d.disbursedAt }),
              timer({ proposalId: d.proposalId, kind: "disbursement", round: 1 }, "stopped", {
                state: d.sla,
                due_at: d.disbursementDueAt,
                stopped_at: d.disbursedAt,
              }),
            ]
          : []),
      ];
    }
    case "ContributionReceived": {
      const d = e.data;
      return [
        p("contributions", d.contributionId, "received", {
          contribution_id: d.contributionId,
          proposal_id: d.proposalId,
          community_id: e.communityId,
          source: d.source,
          amount_fen: d.amountFen,
          received_at: d.receivedAt,
        }),
      ];
    }
    case "ImplementationStarted":
      return [proposalRow(e.data.proposalId, e.type, { started_at: e.data.startedAt })];
    case "ProgressReported":
      return [
        proposalRow(e.data.proposalId, "progress", {
          status: "implementing",
          progress_percent: e.data.percent,
        }),
      ];
    case "PaymentMade": {
      const d = e.data;
      return [
        p("payments", d.paymentId, "paid", {
          payment_id: d.paymentId,
          proposal_id: d.proposalId,
          community_id: e.communityId,
          milestone_percent: d.milestonePercent,
          amount_fen: d.amountFen,
          paid_at: d.paidAt,
        }),
      ];
    }
    case "ProjectCompleted":
      return [
        proposalRow(e.data.proposalId, e.type, {
          status: "completed",
          completed_at: e.data.completedAt,
          total_paid_fen: e.data.totalPaidFen,
        }),
      ];
    case "EvaluationOpened":
      return [
        p("evaluations", e.data.proposalId, "opened", {
          proposal_id: e.data.proposalId,
          community_id: e.communityId,
          seats: e.data.seats,
          opened_at: e.data.openedAt,
        }),
      ];
    case "EvaluationClosed": {
      const d = e.data;
      return [
        p("evaluations", d.proposalId, "closed", {
          proposal_id: d.proposalId,
          community_id: e.communityId,
          seats: d.seats,
          ratings: d.ratings,
          satisfied_count: d.satisfiedCount,
          satisfaction_rate: d.satisfactionRate,
          passed: d.passed,
          closed_at: d.closedAt,
        }),
        proposalRow(d.proposalId, e.type, { status: "evaluated" }),
      ];
    }
    case "SlaReminder":
    case "SlaBreached": {
      const d = e.data;
      const reminder = e.type === "SlaReminder" ? e.data : undefined;
      const breach = e.type === "SlaBreached" ? e.data : undefined;
      return [
        // the start as approval knew it, without a state: in a tie this slot folds after the
        // event's own (by name), and must not reopen a breached timer
        timer(d, "started", {
          community_id: d.communityId,
          district_id: d.districtId,
          provisional: d.provisional,
          started_at: d.startedAt,
          due_at: d.dueAt,
        }),
        timer(
          d,
          e.type,
          reminder
            ? { state: "open", reminded_at: reminder.remindedAt }
            : { state: "breached", breached_at: breach?.breachedAt },
        ),
      ];
    }
    case "InspectionDrawn": {
      const d = e.data;
      return [
        p("inspections", d.inspectionId, "drawn", {
          inspection_id: d.inspectionId,
          district_id: d.districtId,
          year: d.year,
          seed: d.seed,
          population_count: d.populationCount,
          population_hash: d.populationHash,
          sample_size: d.sampleSize,
          drawn_at: d.drawnAt,
        }),
      ];
    }
    case "InspectionFinding": {
      const d = e.data;
      const id = `${d.inspectionId}#${d.proposalId}`;
      return [
        p("inspection_findings", id, "finding", {
          finding_id: id,
          inspection_id: d.inspectionId,
          proposal_id: d.proposalId,
          community_id: d.communityId,
          street_id: d.streetId,
          district_id: d.districtId,
          year: d.year,
          passed: d.passed,
          issues: d.issues,
          rectify_due_at: d.rectifyDueAt,
          recorded_at: d.recordedAt,
        }),
        ...(!d.passed && d.rectifyDueAt
          ? [
              timer({ ...d, kind: "rectification" }, "started", {
                community_id: d.communityId,
                district_id: d.districtId,
                state: "open",
                provisional: d.provisional ?? false,
                started_at: d.recordedAt,
                due_at: d.rectifyDueAt,
              }),
            ]
          : []),
      ];
    }
    case "RectificationCompleted": {
      const d = e.data;
      const id = `${d.inspectionId}#${d.proposalId}`;
      return [
        p("inspection_findings", id, "rectified", {
          finding_id: id,
          inspection_id: d.inspectionId,
          proposal_id: d.proposalId,
          rectified_at: d.completedAt,
        }),
        timer({ ...d, kind: "rectification" }, "stopped", { stopped_at: d.completedAt }),
      ];
    }
    case "BallotsCounted":
    case "EvidenceVerified":
      // the timeline row only: per-voter ballots are research data (pabulib), not an entity
      return [];
    case "OrgRegistered":
    case "OrgStatusChanged":
      // the timeline row only, for now: the organisation registry is not an export entity yet
      return [];
  }
}
