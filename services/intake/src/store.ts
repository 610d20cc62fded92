import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { duplicate, invalidState, notFound, rule, stale } from "@pencai/contracts/errors";
import type { ProposalStatus, PublicStage, TimelineItem } from "@pencai/contracts/intake";
import { ddb, env } from "@pencai/runtime/clients";
import { decodeCursor, encodeCursor } from "@pencai/runtime/cursor";
import {
  batchGetAll,
  getItem as getItemIn,
  itemsUnder,
  withoutStorageKeys as strip,
} from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import { evidenceQuota, shanghaiDay } from "./domain/evidence.js";
import { titleKey } from "./domain/need.js";
import { stageOf } from "./domain/proposal.js";
import { chainItem, type TimelineEntry } from "./domain/timeline.js";
import type { EvidenceRecord, NeedRecord, ProposalRecord } from "./domain/types.js";

/**
 * Intake's DynamoDB table (one table, keys `pk`/`sk`, sparse GSIs gsi1..gsi3). Item kinds:
 *
 * | item | pk | sk | indexes |
 * |---|---|---|---|
 * | proposal | `PROPOSAL#<id>` | `PROPOSAL` | gsi1 `PROPOSAL#C#<community>`, gsi2 `PROPOSAL#S#<street>`, gsi3 `PROPOSAL#D#<district>`; sk `<year>#<status>#<createdAt>#<id>` |
 * | timeline item | `PROPOSAL#<id>` | `TL#<seq, 6 digits>` | |
 * | evidence | `PROPOSAL#<id>` | `EVIDENCE#<evidenceId>` | |
 * | proposer index | `PROPOSER#<sub>` | `<createdAt>#<id>` | |
 * | need | `NEED#<id>` | `NEED` | gsi1 `NEED#C#<community>` / `<createdAt>#<id>` |
 * | need title (dedup) | `NEEDTITLE#<community>#<titleKey>` | `NEEDTITLE` | |
 * | endorsement | `NEED#<id>` | `ENDORSE#<sub>` | |
 * | community-year budget | `BUDGET#<community>#<year>` | `BUDGET` | |
 * | package group (拆开申报) | `PKGGROUP#<id>` | `GROUP` (community, year, proposer) | |
 * | package of a group | `PKGGROUP#<id>` | `MEMBER#<proposalId>` | |
 * | upload quota | `EVQUOTA#U#<sub>#<day>`, `EVQUOTA#P#<proposal>[#<day>]` | `EVQUOTA` | |
 *
 * Writes are added to a runtime `Tx` (state + timeline + outbox + idempotency commit together).
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());

export const keys = {
  proposal: (id: string) => ({ pk: `PROPOSAL#${id}`, sk: "PROPOSAL" }),
  timeline: (id: string, seq: number) => ({
    pk: `PROPOSAL#${id}`,
    sk: `TL#${String(seq).padStart(6, "0")}`,
  }),
  evidence: (proposalId: string, evidenceId: string) => ({
    pk: `PROPOSAL#${proposalId}`,
    sk: `EVIDENCE#${evidenceId}`,
  }),
  proposer: (sub: string, createdAt: string, id: string) => ({
    pk: `PROPOSER#${sub}`,
    sk: `${createdAt}#${id}`,
  }),
  need: (id: string) => ({ pk: `NEED#${id}`, sk: "NEED" }),
  needTitle: (communityId: string, title: string) => ({
    pk: `NEEDTITLE#${communityId}#${titleKey(title)}`,
    sk: "NEEDTITLE",
  }),
  endorsement: (needId: string, sub: string) => ({ pk: `NEED#${needId}`, sk: `ENDORSE#${sub}` }),
  budget: (communityId: string, year: number) => ({
    pk: `BUDGET#${communityId}#${year}`,
    sk: "BUDGET",
  }),
  packageGroup: (id: string) => ({ pk: `PKGGROUP#${id}`, sk: "GROUP" }),
  packageMember: (id: string, proposalId: string) => ({
    pk: `PKGGROUP#${id}`,
    sk: `MEMBER#${proposalId}`,
  }),
  /** evidence upload counters (quotas): per user and day, per proposal and day or in all */
  userQuota: (sub: string, day: string) => ({ pk: `EVQUOTA#U#${sub}#${day}`, sk: "EVQUOTA" }),
  proposalQuota: (proposalId: string, day?: string) => ({
    pk: `EVQUOTA#P#${proposalId}${day ? `#${day}` : ""}`,
    sk: "EVQUOTA",
  }),
};

/** The three geography indexes of proposals. */
export const proposalIndexes = {
  community: { index: "gsi1", pk: "gsi1pk", sk: "gsi1sk", prefix: "PROPOSAL#C#" },
  street: { index: "gsi2", pk: "gsi2pk", sk: "gsi2sk", prefix: "PROPOSAL#S#" },
  district: { index: "gsi3", pk: "gsi3pk", sk: "gsi3sk", prefix: "PROPOSAL#D#" },
} as const;
export type ProposalIndex = keyof typeof proposalIndexes;

const indexSortKey = (p: ProposalRecord) => `${p.year}#${p.status}#${p.createdAt}#${p.id}`;

// ---------------------------------------------------------------- item <-> record

export function proposalItem(p: ProposalRecord): Record<string, unknown> {
  const stage = stageOf(p.status, p.rejectedAt);
  const sk = indexSortKey(p);
  return {
    ...keys.proposal(p.id),
    entity: "proposal",
    ...p,
    ...(stage && { publicStage: stage }),
    gsi1pk: `${proposalIndexes.community.prefix}${p.communityId}`,
    gsi1sk: sk,
    gsi2pk: `${proposalIndexes.street.prefix}${p.streetId}`,
    gsi2sk: sk,
    gsi3pk: `${proposalIndexes.district.prefix}${p.districtId}`,
    gsi3sk: sk,
  };
}

export const proposalOf = (item: Record<string, unknown>) =>
  strip<ProposalRecord>(item, ["publicStage"]);

export function needItem(n: NeedRecord): Record<string, unknown> {
  const { proposalIds: _links, ...rest } = n; // links are a string set kept by the inbox
  return {
    ...keys.need(n.id),
    entity: "need",
    ...rest,
    gsi1pk: `NEED#C#${n.communityId}`,
    gsi1sk: `${n.createdAt}#${n.id}`,
  };
}

export function needOf(item: Record<string, unknown>): NeedRecord {
  const links = item.proposalIds;
  const proposalIds = links instanceof Set ? [...(links as Set<string>)].sort() : [];
  return { ...strip<NeedRecord>(item), proposalIds };
}

const evidenceItem = (e: EvidenceRecord) => ({
  ...keys.evidence(e.proposalId, e.evidenceId),
  entity: "evidence",
  ...e,
});
const evidenceOf = (item: Record<string, unknown>) => strip<EvidenceRecord>(item);
const timelineOf = (item: Record<string, unknown>) => strip<TimelineItem>(item);

// ---------------------------------------------------------------- reads

const getItem = (key: { pk: string; sk: string }) => getItemIn(table(), key);

export async function getProposal(id: string): Promise<ProposalRecord | undefined> {
  const item = await getItem(keys.proposal(id));
  return item && proposalOf(item);
}

export async function getNeed(id: string): Promise<NeedRecord | undefined> {
  const item = await getItem(keys.need(id));
  return item && needOf(item);
}

/** The need already holding this (normalised) title in the community, if any. */
export async function needIdByTitle(
  communityId: string,
  title: string,
): Promise<string | undefined> {
  const item = await getItem(keys.needTitle(communityId, title));
  return item?.needId as string | undefined;
}

export async function getEvidence(
  proposalId: string,
  evidenceId: string,
): Promise<EvidenceRecord | undefined> {
  const item = await getItem(keys.evidence(proposalId, evidenceId));
  return item && evidenceOf(item);
}

/** The whole timeline, in order (a proposal has tens of entries, not thousands). */
export async function getTimeline(id: string): Promise<TimelineItem[]> {
  return (await itemsUnder(table(), keys.proposal(id).pk, "TL#")).map(timelineOf);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Pages of at most `limit`; FilterExpressions may thin a page, so it reads on until full. */
async function queryPage(
  input: {
    index?: string;
    key: string;
    values: Record<string, unknown>;
    names?: Record<string, string>;
    filter?: string;
    forward?: boolean;
  },
  limit: number,
  start: Record<string, unknown> | undefined,
): Promise<{ items: Record<string, unknown>[]; last: Record<string, unknown> | undefined }> {
  const items: Record<string, unknown>[] = [];
  let last = start;
  for (let round = 0; round < 10 && items.length < limit; round++) {
    const out = await ddb.send(
      new QueryCommand({
        TableName: table(),
        ...(input.index && { IndexName: input.index }),
        KeyConditionExpression: input.key,
        ...(input.filter && { FilterExpression: input.filter }),
        ...(input.names && { ExpressionAttributeNames: input.names }),
        ExpressionAttributeValues: input.values,
        ScanIndexForward: input.forward ?? false,
        Limit: limit - items.length,
        ExclusiveStartKey: last,
      }),
    );
    items.push(...(out.Items ?? []));
    last = out.LastEvaluatedKey;
    if (!last) break;
  }
  return { items, last };
}

export interface ProposalQuery {
  by: ProposalIndex;
  id: string;
  year?: number;
  status?: ProposalStatus;
  stage?: PublicStage;
  /** leave out withdrawn proposals (public views) */
  publicOnly?: boolean;
  /** only this proposer's (residents and organisations listing their own community) */
  proposerSub?: string;
  limit: number;
  cursor?: string;
}

/**
 * Proposals of a community, street or district, newest year first. Year and status are
 * key conditions (`begins_with(sk, "<year>#<status>#")`); a status without a year, a public
 * stage and the public-only rule are filters on the same index query. Never a Scan.
 */
export async function queryProposals(q: ProposalQuery): Promise<Page<ProposalRecord>> {
  const ix = proposalIndexes[q.by];
  const pkValue = `${ix.prefix}${q.id}`;
  const sortPrefix = q.year === undefined ? "" : q.status ? `${q.year}#${q.status}#` : `${q.year}#`;
  const start = decodeCursor(q.cursor, { [ix.pk]: pkValue }, sortPrefix);
  const values: Record<string, unknown> = { ":pk": pkValue };
  const names: Record<string, string> = {};
  let key = `${ix.pk} = :pk`;
  const filters: string[] = [];
  if (sortPrefix) {
    values[":prefix"] = sortPrefix;
    key += ` AND begins_with(${ix.sk}, :prefix)`;
  } else if (q.status) {
    names["#status"] = "status";
    values[":status"] = q.status;
    filters.push("#status = :status");
  }
  if (q.stage) {
    values[":stage"] = q.stage;
    filters.push("publicStage = :stage");
  } else if (q.publicOnly) {
    filters.push("attribute_exists(publicStage)");
  }
  if (q.proposerSub !== undefined) {
    names["#proposer"] = "proposer";
    names["#sub"] = "sub";
    values[":sub"] = q.proposerSub;
    filters.push("#proposer.#sub = :sub");
  }
  const { items, last } = await queryPage(
    {
      index: ix.index,
      key,
      values,
      ...(Object.keys(names).length && { names }),
      ...(filters.length && { filter: filters.join(" AND ") }),
    },
    q.limit,
    start,
  );
  return { items: items.map(proposalOf), nextCursor: encodeCursor(last) };
}

/** The caller's own proposals, newest first (proposer index items, then one batch read). */
export async function proposalsOf(
  sub: string,
  limit: number,
  cursor?: string,
): Promise<Page<ProposalRecord>> {
  const pk = `PROPOSER#${sub}`;
  const start = decodeCursor(cursor, { pk });
  const { items, last } = await queryPage({ key: "pk = :pk", values: { ":pk": pk } }, limit, start);
  const ids = items.map((i) => i.proposalId as string);
  const found = new Map(
    (await batchGetAll(table(), ids.map(keys.proposal))).map((item) => {
      const p = proposalOf(item);
      return [p.id, p] as const;
    }),
  );
  return {
    items: ids.flatMap((id) => found.get(id) ?? []),
    nextCursor: encodeCursor(last),
  };
}

/** A community's needs library, newest first. */
export async function listNeeds(
  communityId: string,
  limit: number,
  cursor?: string,
): Promise<Page<NeedRecord>> {
  const pkValue = `NEED#C#${communityId}`;
  const start = decodeCursor(cursor, { gsi1pk: pkValue });
  const { items, last } = await queryPage(
    { index: "gsi1", key: "gsi1pk = :pk", values: { ":pk": pkValue } },
    limit,
    start,
  );
  return { items: items.map(needOf), nextCursor: encodeCursor(last) };
}

/** A proposal's evidence, oldest first. */
export async function listEvidence(
  proposalId: string,
  limit: number,
  cursor?: string,
): Promise<Page<EvidenceRecord>> {
  const pk = keys.proposal(proposalId).pk;
  const start = decodeCursor(cursor, { pk }, "EVIDENCE#");
  const { items, last } = await queryPage(
    {
      key: "pk = :pk AND begins_with(sk, :ev)",
      values: { ":pk": pk, ":ev": "EVIDENCE#" },
      forward: true,
    },
    limit,
    start,
  );
  return { items: items.map(evidenceOf), nextCursor: encodeCursor(last) };
}

// ---------------------------------------------------------------- writes (added to a Tx)

/**
 * A new proposal: the proposal and its first timeline item, a ConditionCheck per need (exists,
 * same community), one per community-year budget it charges (committed + share ≤ cap), and a
 * package joins its group (opened by the first package: one community, year and proposer).
 */
export function addSubmission(
  tx: Tx,
  proposal: ProposalRecord,
  first: TimelineItem,
  budgetChecks: readonly { communityId: string; year: number; committedLimitFen: number }[],
): Tx {
  tx.put(proposalItem(proposal), { condition: "attribute_not_exists(pk)" });
  tx.put(
    { ...keys.timeline(proposal.id, first.seq), entity: "timeline", ...first },
    {
      condition: "attribute_not_exists(pk)",
    },
  );
  tx.put({
    ...keys.proposer(proposal.proposer.sub, proposal.createdAt, proposal.id),
    entity: "proposer",
    proposalId: proposal.id,
  });
  for (const needId of proposal.needIds) {
    tx.check(keys.need(needId), {
      condition: "attribute_exists(pk) AND communityId = :community",
      values: { ":community": proposal.communityId },
      onFail: rule(
        "need_not_found",
        `need ${needId} is not in the needs library of ${proposal.communityId}`,
      ),
    });
  }
  for (const c of budgetChecks) {
    tx.check(keys.budget(c.communityId, c.year), {
      condition: "attribute_not_exists(pk) OR committedFen <= :limit",
      values: { ":limit": c.committedLimitFen },
      onFail: rule(
        "community_cap_exceeded",
        `the budget does not fit in what is left of ${c.communityId}'s ${c.year} cap`,
      ),
    });
  }
  if (proposal.packageGroupId !== undefined) addPackage(tx, proposal, proposal.packageGroupId);
  return tx;
}

/**
 * A package joins its group: the group item is written by its first package and rewritten
 * unchanged by the next, conditional on the same community, year and proposer, so nobody can
 * add a package to somebody else's group (422 package_group_mismatch).
 */
function addPackage(tx: Tx, p: ProposalRecord, groupId: string): void {
  tx.put(
    {
      ...keys.packageGroup(groupId),
      entity: "packageGroup",
      id: groupId,
      communityId: p.communityId,
      year: p.year,
      proposerSub: p.proposer.sub,
    },
    {
      condition:
        "attribute_not_exists(pk) OR (communityId = :c AND #year = :y AND proposerSub = :sub)",
      names: { "#year": "year" },
      values: { ":c": p.communityId, ":y": p.year, ":sub": p.proposer.sub },
      onFail: rule(
        "package_group_mismatch",
        `package group ${groupId} belongs to another proposer, community or year`,
      ),
    },
  );
  tx.put(
    { ...keys.packageMember(groupId, p.id), entity: "packageMember", proposalId: p.id },
    { condition: "attribute_not_exists(pk)" },
  );
}

export interface PackageGroupRecord {
  id: string;
  communityId: string;
  year: number;
  proposerSub: string;
}

/** A package group with its packages (proposals, in id order), or undefined. */
export async function getPackageGroup(
  id: string,
): Promise<{ group: PackageGroupRecord; members: ProposalRecord[] } | undefined> {
  const head = await getItem(keys.packageGroup(id));
  if (!head) return undefined;
  const items = await itemsUnder(table(), keys.packageGroup(id).pk, "MEMBER#");
  const ids = items.flatMap((i) => (typeof i.proposalId === "string" ? [i.proposalId] : []));
  const members = (await batchGetAll(table(), ids.map(keys.proposal))).map(proposalOf);
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { group: strip<PackageGroupRecord>(head), members };
}

/**
 * A change of a proposal with its next timeline item. The proposal is replaced only if its
 * chain head is still the one the change was computed from, so concurrent writers cannot fork
 * the chain or overwrite each other: the loser's commit is a 409 `conflict`, and the HTTP
 * runtime or the consumer reads again and decides again.
 */
export function addTransition(
  tx: Tx,
  before: ProposalRecord,
  next: ProposalRecord,
  entry: TimelineEntry,
): ProposalRecord {
  const item = chainItem({ seq: before.timelineSeq, hash: before.timelineHash }, entry);
  const after = { ...next, timelineSeq: item.seq, timelineHash: item.hash };
  tx.put(proposalItem(after), {
    condition: "timelineSeq = :seq",
    values: { ":seq": before.timelineSeq },
    onFail: stale("the proposal"),
  });
  tx.put(
    { ...keys.timeline(before.id, item.seq), entity: "timeline", ...item },
    {
      condition: "attribute_not_exists(pk)",
    },
  );
  return after;
}

/**
 * A need and its title claim (one need per normalised title and community). A claim taken
 * meanwhile is a lost race (409 `conflict`): deciding again finds the need that won.
 */
export function addNeed(tx: Tx, need: NeedRecord): Tx {
  tx.put(needItem(need), { condition: "attribute_not_exists(pk)" });
  tx.put(
    { ...keys.needTitle(need.communityId, need.title), entity: "needTitle", needId: need.id },
    { condition: "attribute_not_exists(pk)", onFail: stale("the needs library") },
  );
  return tx;
}

/** One endorsement per resident (conditional put) and the count kept on the need. */
export function addEndorsement(tx: Tx, needId: string, sub: string, at: string): Tx {
  tx.put(
    { ...keys.endorsement(needId, sub), entity: "endorsement", needId, endorsedAt: at },
    { condition: "attribute_not_exists(pk)", onFail: duplicate("you already endorsed this need") },
  );
  tx.update(keys.need(needId), {
    update: "ADD endorsements :one",
    condition: "attribute_exists(pk)",
    values: { ":one": 1 },
    onFail: notFound(`need ${needId}`),
  });
  return tx;
}

/** Links (or unlinks) a proposal to the needs it answers; set operations are idempotent. */
export function addNeedLinks(
  tx: Tx,
  needIds: readonly string[],
  proposalId: string,
  op: "ADD" | "DELETE",
): Tx {
  for (const needId of needIds) {
    tx.update(keys.need(needId), {
      update: `${op} proposalIds :ids`,
      condition: "attribute_exists(pk)",
      values: { ":ids": new Set([proposalId]) },
    });
  }
  return tx;
}

/** Adds an approved budget to the community-year committed projection. */
export function addCommitment(tx: Tx, communityId: string, year: number, fen: number): Tx {
  tx.update(keys.budget(communityId, year), {
    update: "ADD committedFen :fen SET communityId = :c, #year = :y",
    names: { "#year": "year" },
    values: { ":fen": fen, ":c": communityId, ":y": year },
  });
  return tx;
}

/** A proposal still takes evidence: checked inside the transaction that adds or settles it. */
function checkLiveProposal(tx: Tx, proposalId: string): void {
  tx.check(keys.proposal(proposalId), {
    condition: "attribute_exists(pk) AND NOT #status IN (:withdrawn, :rejected)",
    names: { "#status": "status" },
    values: { ":withdrawn": "withdrawn", ":rejected": "rejected" },
    onFail: invalidState("the proposal was withdrawn or rejected meanwhile; it takes no evidence"),
  });
}

const QUOTA_TTL_SECONDS = 3 * 24 * 3600;

/** One quota counter: `uploads` and `bytes` grow only while they stay within the limits. */
function countAgainst(
  tx: Tx,
  key: { pk: string; sk: string },
  limit: { uploads: number; bytes?: number },
  sizeBytes: number,
  what: string,
  ttl?: number,
): void {
  const bytesLimit = limit.bytes === undefined ? "" : " AND #bytes <= :bytesLeft";
  tx.update(key, {
    update: `ADD #uploads :one, #bytes :size${ttl === undefined ? "" : " SET #ttl = :ttl"}`,
    condition: `attribute_not_exists(pk) OR (#uploads < :uploads${bytesLimit})`,
    names: {
      "#uploads": "uploads",
      "#bytes": "bytes",
      ...(ttl === undefined ? {} : { "#ttl": "ttl" }),
    },
    values: {
      ":one": 1,
      ":size": sizeBytes,
      ":uploads": limit.uploads,
      ...(limit.bytes === undefined ? {} : { ":bytesLeft": limit.bytes - sizeBytes }),
      ...(ttl === undefined ? {} : { ":ttl": ttl }),
    },
    onFail: rule(
      "evidence_quota_exceeded",
      `${what}: at most ${limit.uploads} uploads${limit.bytes === undefined ? "" : ` and ${limit.bytes / 1024 / 1024} MB`}`,
    ),
  });
}

/**
 * A declared upload: the evidence record, the proposal still live, and the upload counted
 * against the uploader's and the proposal's quotas (domain/evidence.ts `evidenceQuota`).
 */
export function addEvidence(tx: Tx, e: EvidenceRecord, now: Date): Tx {
  tx.put(evidenceItem(e), { condition: "attribute_not_exists(pk)" });
  checkLiveProposal(tx, e.proposalId);
  const day = shanghaiDay(now);
  const ttl = Math.floor(now.getTime() / 1000) + QUOTA_TTL_SECONDS;
  const q = evidenceQuota;
  countAgainst(
    tx,
    keys.userQuota(e.uploadedBy.sub, day),
    q.perUserDay,
    e.sizeBytes,
    "your uploads today",
    ttl,
  );
  countAgainst(
    tx,
    keys.proposalQuota(e.proposalId, day),
    q.perProposalDay,
    e.sizeBytes,
    "this proposal's uploads today",
    ttl,
  );
  countAgainst(
    tx,
    keys.proposalQuota(e.proposalId),
    q.perProposal,
    e.sizeBytes,
    "this proposal's uploads",
  );
  return tx;
}

/**
 * Verified or rejected: only a pending record of a live proposal changes. A concurrent confirm
 * that settled it first makes this a lost race (409 `conflict`): deciding again sees its outcome.
 */
export function settleEvidence(tx: Tx, e: EvidenceRecord): Tx {
  tx.put(evidenceItem(e), {
    condition: "#status = :pending",
    names: { "#status": "status" },
    values: { ":pending": "pending" },
    onFail: stale("the evidence"),
  });
  return tx;
}

/** A rejected upload: settled, while the proposal is still live. */
export function rejectEvidence(tx: Tx, e: EvidenceRecord): Tx {
  settleEvidence(tx, e);
  checkLiveProposal(tx, e.proposalId);
  return tx;
}
