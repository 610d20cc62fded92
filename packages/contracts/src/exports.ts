import * as z from "zod/mini";
import { defineInbox } from "./event-data.js";
import { eventTypes } from "./events.js";
import { defineRoute } from "./http.js";
import { ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { MAX_YEAR, MIN_YEAR } from "./limits.js";
import { dayIn } from "./text.js";

// Exports (API.md "Exports"): Parquet files of every entity, Hive-partitioned by year and export
// day, described by Glue tables that Athena queries. The entities and their columns are declared
// once here: the exports writer, the Glue tables, the local DuckDB views and docs/analytics.md
// are all built from `exportEntities`.

/**
 * A column's type: `string` (Parquet STRING / Glue string), `bigint` (INT64 / bigint: money in
 * fen, counts, years), `double`, `boolean`, `timestamp` (INT64 TIMESTAMP_MILLIS / timestamp, UTC).
 */
export type ColumnType = "string" | "bigint" | "double" | "boolean" | "timestamp";

export interface ExportColumn {
  /** snake_case: the Parquet column, the Glue column, and the row attribute it is read from */
  name: string;
  type: ColumnType;
  doc: string;
}

export interface ExportEntity {
  doc: string;
  /** the column that identifies a row (with `changed_at`, the newest version wins) */
  key: string;
  columns: readonly ExportColumn[];
}

const c = (name: string, type: ColumnType, doc: string): ExportColumn => ({ name, type, doc });
const changedAt = c("changed_at", "timestamp", "when the newest event behind this row occurred");
const proposal = c("proposal_id", "string", "the proposal (project)");
const community = c("community_id", "string", "community id of the city file");
const street = c("street_id", "string", "street id of the city file");
const district = c("district_id", "string", "district id of the city file");
const year = c("year", "bigint", "programme year");

/**
 * Every exported entity, with its columns. No personal data: no names, phones, household or
 * account ids, no free text written by residents; the one subject column (`events.actor`) is an
 * HMAC-SHA256 pseudonym keyed by the city's secret.
 */
export const exportEntities = {
  proposals: {
    doc: "One row per proposal (project), its place, money, status and milestone times.",
    key: "proposal_id",
    columns: [
      proposal,
      community,
      street,
      district,
      year,
      c("kind", "string", "works or service"),
      c("category", "string", "category id of the city file"),
      c("title", "string", "the project's public title (四公开)"),
      c("status", "string", "the last status reached"),
      c("budget_fen", "bigint", "whole budget, every source"),
      c("programme_fen", "bigint", "the programme's part (what approval commits)"),
      c("self_raised_fen", "bigint", "self-raised part"),
      c("sponsor_fen", "bigint", "sponsor part"),
      c("approved_fen", "bigint", "the amount approved (committed), once approved"),
      c("beneficiaries", "bigint", "head count, when the proposal gave one"),
      c("progress_percent", "bigint", "last reported progress"),
      c("total_paid_fen", "bigint", "paid in all, when completed"),
      c("submitted_at", "timestamp", "submitted"),
      c("approved_at", "timestamp", "approved by the district group"),
      c("funded_at", "timestamp", "fully disbursed"),
      c("started_at", "timestamp", "implementation started"),
      c("completed_at", "timestamp", "completed"),
      c("ended_at", "timestamp", "withdrawn or rejected"),
      changedAt,
    ],
  },
  needs: {
    doc: "One row per raised need (its text stays in intake).",
    key: "need_id",
    columns: [
      c("need_id", "string", "the need"),
      community,
      street,
      district,
      c("category", "string", "category id, when given"),
      c("raised_at", "timestamp", "raised"),
      changedAt,
    ],
  },
  meetings: {
    doc: "One row per council meeting outcome of a proposal: tallies of ballots and household consent, never who voted.",
    key: "meeting_proposal_id",
    columns: [
      c("meeting_proposal_id", "string", "meeting id and proposal id joined by '#'"),
      c("meeting_id", "string", "the meeting"),
      proposal,
      community,
      c("members", "bigint", "members listed"),
      c("present", "bigint", "members present"),
      c("quorum_met", "boolean", "quorum reached"),
      c("yes", "bigint", "yes ballots"),
      c("no", "bigint", "no ballots"),
      c("abstain", "bigint", "abstentions"),
      c("passed", "boolean", "the proposal passed"),
      c("consent_households", "bigint", "households of the affected area"),
      c("consent_agreed", "bigint", "households that agreed"),
      c("consent_disagreed", "bigint", "households that disagreed"),
      c("consent_share", "double", "agreed / households"),
      c("consent_required", "boolean", "consent was required"),
      c("consent_met", "boolean", "the consent threshold was met"),
      c("concluded_at", "timestamp", "when the outcome was published"),
      changedAt,
    ],
  },
  expert_reviews: {
    doc: "One row per proposal's expert review decision: scores, never the experts.",
    key: "proposal_id",
    columns: [
      proposal,
      community,
      c("passed", "boolean", "the review passed"),
      c("reviews", "bigint", "reviews the decision rests on"),
      c("average_score", "double", "average score"),
      c("concluded_at", "timestamp", "decided"),
      changedAt,
    ],
  },
  sla_timers: {
    doc: "One row per SLA timer (review, disbursement, rectification) of a proposal and round.",
    key: "timer_id",
    columns: [
      c(
        "timer_id",
        "string",
        "proposal id, kind and round (a rectification: its inspection id) joined by '#'",
      ),
      proposal,
      community,
      district,
      c("kind", "string", "review, disbursement or rectification"),
      c(
        "round",
        "bigint",
        "review round; a proposal's rectifications in the order approval heard of them; 1 for disbursement",
      ),
      c("state", "string", "open, met or breached"),
      c("provisional", "boolean", "the deadline rests on a year without calendar data"),
      c("started_at", "timestamp", "timer started"),
      c("due_at", "timestamp", "deadline"),
      c("reminded_at", "timestamp", "reminder sent"),
      c("breached_at", "timestamp", "deadline passed with the timer open"),
      c("stopped_at", "timestamp", "the awaited step happened"),
      changedAt,
    ],
  },
  budgets: {
    doc: "One row per community and year: the ledger's cap and committed total after the newest approval.",
    key: "budget_id",
    columns: [
      c("budget_id", "string", "community id and year joined by '#'"),
      community,
      district,
      year,
      c("cap_fen", "bigint", "the community-year cap"),
      c("committed_fen", "bigint", "committed (approved) in all"),
      changedAt,
    ],
  },
  disbursements: {
    doc: "One row per disbursement by finance.",
    key: "disbursement_id",
    columns: [
      c("disbursement_id", "string", "the disbursement"),
      proposal,
      community,
      year,
      c("amount_fen", "bigint", "amount"),
      c("fully_disbursed", "boolean", "this one completed the approved amount"),
      c("disbursed_at", "timestamp", "disbursed"),
      changedAt,
    ],
  },
  payments: {
    doc: "One row per payment to an implementer (the payee is left out: it may name a person).",
    key: "payment_id",
    columns: [
      c("payment_id", "string", "the payment"),
      proposal,
      community,
      c("milestone_percent", "bigint", "the milestone it pays"),
      c("amount_fen", "bigint", "amount"),
      c("paid_at", "timestamp", "paid"),
      changedAt,
    ],
  },
  contributions: {
    doc: "One row per contribution from a source other than the programme (never the contributor).",
    key: "contribution_id",
    columns: [
      c("contribution_id", "string", "the contribution"),
      proposal,
      community,
      c("source", "string", "self_raised, sponsor or street_subsidy"),
      c("amount_fen", "bigint", "amount"),
      c("received_at", "timestamp", "received"),
      changedAt,
    ],
  },
  evaluations: {
    doc: "One row per satisfaction panel (一菜一评): counts and rate, never who rated what.",
    key: "proposal_id",
    columns: [
      proposal,
      community,
      c("seats", "bigint", "panel seats"),
      c("ratings", "bigint", "ratings given"),
      c("satisfied_count", "bigint", "very satisfied + satisfied"),
      c("satisfaction_rate", "double", "satisfied / ratings"),
      c("passed", "boolean", "the panel passed the project"),
      c("opened_at", "timestamp", "panel convened"),
      c("closed_at", "timestamp", "panel closed"),
      changedAt,
    ],
  },
  inspections: {
    doc: "One row per sampling inspection draw (抽检), reproducible from seed and population hash.",
    key: "inspection_id",
    columns: [
      c("inspection_id", "string", "the inspection"),
      district,
      year,
      c("seed", "string", "the published seed"),
      c("population_count", "bigint", "approved-or-later projects drawn from"),
      c("population_hash", "string", "sha256 of the population's ids"),
      c("sample_size", "bigint", "projects drawn"),
      c("drawn_at", "timestamp", "drawn"),
      changedAt,
    ],
  },
  inspection_findings: {
    doc: "One row per inspected project of an inspection.",
    key: "finding_id",
    columns: [
      c("finding_id", "string", "inspection id and proposal id joined by '#'"),
      c("inspection_id", "string", "the inspection"),
      proposal,
      community,
      street,
      district,
      year,
      c("passed", "boolean", "the project passed"),
      c("issues", "bigint", "issues listed"),
      c("rectify_due_at", "timestamp", "rectification deadline of a failed one"),
      c("rectified_at", "timestamp", "reported rectified"),
      c("recorded_at", "timestamp", "finding recorded"),
      changedAt,
    ],
  },
  events: {
    doc: "The timeline: one row per domain event, without its data.",
    key: "event_id",
    columns: [
      c("event_id", "string", "the event"),
      c("type", "string", "event type"),
      proposal,
      community,
      c("actor", "string", "HMAC-SHA256 pseudonym of the acting account (per-city secret)"),
      c("actor_roles", "string", "the actor's roles, comma-separated"),
      c("occurred_at", "timestamp", "when it happened"),
      changedAt,
    ],
  },
} as const satisfies Record<string, ExportEntity>;

export type ExportEntityName = keyof typeof exportEntities;
export const exportEntityNames = Object.keys(exportEntities) as ExportEntityName[];

/** The object key of an export file: Hive partitions `year` and `dt` (the export day). */
export const exportFileKey = (entity: string, day: string, exportId: string) =>
  `exports/${entity}/year=${day.slice(0, 4)}/dt=${day}/${exportId}.parquet`;

/** The object key of a community-year's pabulib file, under the export day. */
export const pabulibFileKey = (year: number, day: string, communityId: string) =>
  `exports/pabulib/year=${year}/dt=${day}/${communityId}.pb`;

/** The longest day range one export covers. */
export const MAX_EXPORT_DAYS = 366;

// ---------------------------------------------------------------- routes

const analyst = ["analyst"] as const;
const day = /* @__PURE__ */ once(() => dayIn(MIN_YEAR, MAX_YEAR));

const exportBody = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      entities: z.optional(
        z.array(z.enum(exportEntityNames as [ExportEntityName, ...ExportEntityName[]])).check(
          z.minLength(1),
          z.maxLength(exportEntityNames.length),
          z.refine((list) => new Set(list).size === list.length, "each entity once"),
        ),
      ),
      /** first change day (Asia/Shanghai), inclusive; with `to`, only rows changed in the range */
      from: z.optional(day()),
      /** last change day, inclusive */
      to: z.optional(day()),
      /** also the pabulib (.pb) research files: one per community and programme year, whole */
      pabulib: z.optional(z.boolean()),
    })
    .check(
      z.refine((b) => (b.from === undefined) === (b.to === undefined), {
        message: "from and to go together",
        path: ["to"],
      }),
      z.refine((b) => !b.from || !b.to || b.from <= b.to, {
        message: "from must not be after to",
        path: ["from"],
      }),
      z.refine(
        (b) =>
          !b.from ||
          !b.to ||
          (Date.parse(b.to) - Date.parse(b.from)) / 86_400_000 < MAX_EXPORT_DAYS,
        { message: `at most ${MAX_EXPORT_DAYS} days`, path: ["to"] },
      ),
    ),
);

export const exportStatuses = ["queued", "running", "done", "failed"] as const;

const exportFile = /* @__PURE__ */ once(() =>
  z.object({
    key: z.string(),
    entity: z.string(),
    /** presigned GET, valid for a few minutes */
    url: z.string(),
    rows: z.int(),
    bytes: z.int(),
  }),
);

const exportView = /* @__PURE__ */ once(() =>
  z.object({
    exportId: z.string(),
    status: z.enum(exportStatuses),
    entities: z.array(z.string()),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    pabulib: z.optional(z.boolean()),
    requestedAt: z.string(),
    finishedAt: z.optional(z.string()),
    error: z.optional(z.string()),
    files: z.array(exportFile()),
  }),
);

export const startExport = /* @__PURE__ */ defineRoute({
  operationId: "startExport",
  method: "POST",
  path: "/v1/exports",
  summary:
    "Export entities as Parquet (all rows, or rows changed from..to); city-wide analysts only",
  tags: ["exports"],
  auth: analyst,
  get body() {
    return exportBody();
  },
  get response() {
    return z.object({ exportId: z.string() });
  },
  status: 202,
  idempotent: true,
});

export const getExport = /* @__PURE__ */ defineRoute({
  operationId: "getExport",
  method: "GET",
  path: "/v1/exports/{id}",
  summary: "An export's status and files (presigned downloads); city-wide analysts only",
  tags: ["exports"],
  auth: analyst,
  get params() {
    return z.object({ id: ulidSchema });
  },
  get response() {
    return exportView();
  },
  status: 200,
  errors: ["not_found"],
});

export const exportsApiRoutes = [startExport, getExport] as const;

/** The exports service subscribes to every event type: each is a timeline row, most feed entities. */
export const exportsInboxEventTypes = /* @__PURE__ */ defineInbox(eventTypes);
