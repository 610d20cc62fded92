import { duplicate, invalidState, notFound, stale } from "@pencai/contracts/errors";
import { env } from "@pencai/runtime/clients";
import {
  batchGetAll,
  getItem as getItemIn,
  itemsUnder,
  withoutStorageKeys as strip,
} from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import { meetingNotOpen, notPresent } from "./domain/meeting.js";
import type { StoredRanking } from "./domain/ranking.js";
import type { CouncilRoster, HouseholdRoster } from "./domain/roster.js";
import type {
  Attendance,
  Ballot,
  Consent,
  ExpertReview,
  MeetingRecord,
  Opinion,
  ProposalProjection,
  StoredProposal,
  WithdrawnTombstone,
} from "./domain/types.js";

/**
 * Deliberation's DynamoDB table (keys `pk`/`sk`, sparse GSIs). Item kinds:
 *
 * | item | pk | sk | index |
 * |---|---|---|---|
 * | meeting | `MEETING#<id>` | `MEETING` | gsi1 `MEETING#C#<community>` / `<scheduledAt>#<id>` |
 * | attendance (sign-in sheet) | `MEETING#<id>` | `ATTENDANCE` | |
 * | ballot | `MEETING#<id>` | `BALLOT#<proposalId>#<sub>` | |
 * | consultation opinion | `MEETING#<id>` | `OPINION#<proposalId>#<invitee>` | |
 * | proposal projection | `PROPOSAL#<id>` | `PROPOSAL` | |
 * | household consent | `PROPOSAL#<id>` | `CONSENT#<householdId>` | |
 * | expert review | `PROPOSAL#<id>` | `REVIEW#<sub>` | |
 * | ranking | `RANKING#<community>#<year>` | `RANKING` | |
 * | council roster (current) | `COUNCIL#<community>` | `COUNCIL` | |
 * | council roster (each version, kept) | `COUNCIL#<community>` | `V#<version>` | |
 * | household roster head (version, counts) | `HOUSEHOLDS#<community>` | `HEAD` | |
 * | household roster version (immutable: meetings snapshot it) | `HOUSEHOLDS#<community>` | `V#<version>` | |
 *
 * Every invariant is a condition inside the one transaction of a request (state, outbox
 * events and idempotency record together); see services/deliberation/README.md.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());

export const keys = {
  meeting: (id: string) => ({ pk: `MEETING#${id}`, sk: "MEETING" }),
  attendance: (meetingId: string) => ({ pk: `MEETING#${meetingId}`, sk: "ATTENDANCE" }),
  ballot: (meetingId: string, proposalId: string, sub: string) => ({
    pk: `MEETING#${meetingId}`,
    sk: `BALLOT#${proposalId}#${sub}`,
  }),
  proposal: (id: string) => ({ pk: `PROPOSAL#${id}`, sk: "PROPOSAL" }),
  consent: (proposalId: string, householdId: string) => ({
    pk: `PROPOSAL#${proposalId}`,
    sk: `CONSENT#${householdId}`,
  }),
  review: (proposalId: string, sub: string) => ({
    pk: `PROPOSAL#${proposalId}`,
    sk: `REVIEW#${sub}`,
  }),
  ranking: (communityId: string, year: number) => ({
    pk: `RANKING#${communityId}#${year}`,
    sk: "RANKING",
  }),
  opinion: (meetingId: string, proposalId: string, index: number) => ({
    pk: `MEETING#${meetingId}`,
    sk: `OPINION#${proposalId}#${String(index).padStart(2, "0")}`,
  }),
  council: (communityId: string) => ({ pk: `COUNCIL#${communityId}`, sk: "COUNCIL" }),
  councilVersion: (communityId: string, version: number) => ({
    pk: `COUNCIL#${communityId}`,
    sk: `V#${String(version).padStart(8, "0")}`,
  }),
  householdsHead: (communityId: string) => ({ pk: `HOUSEHOLDS#${communityId}`, sk: "HEAD" }),
  households: (communityId: string, version: number) => ({
    pk: `HOUSEHOLDS#${communityId}`,
    sk: `V#${String(version).padStart(8, "0")}`,
  }),
};

// ---------------------------------------------------------------- item <-> record

export const meetingItem = (m: MeetingRecord) => ({
  ...keys.meeting(m.id),
  entity: "meeting",
  ...m,
  gsi1pk: `MEETING#C#${m.communityId}`,
  gsi1sk: `${m.scheduledAt}#${m.id}`,
});
export const proposalItem = (p: StoredProposal) => ({
  ...keys.proposal(p.id),
  entity: "proposal",
  ...p,
});

// ---------------------------------------------------------------- reads (consistent)

const getItem = (key: { pk: string; sk: string }) => getItemIn(table(), key);

export async function getMeeting(id: string): Promise<MeetingRecord | undefined> {
  const item = await getItem(keys.meeting(id));
  return item && strip<MeetingRecord>(item);
}

export async function getAttendance(meetingId: string): Promise<Attendance | undefined> {
  const item = await getItem(keys.attendance(meetingId));
  return item && strip<Attendance>(item);
}

export async function getProposal(id: string): Promise<StoredProposal | undefined> {
  const item = await getItem(keys.proposal(id));
  return item && strip<StoredProposal>(item);
}

export async function getRanking(
  communityId: string,
  year: number,
): Promise<StoredRanking | undefined> {
  const item = await getItem(keys.ranking(communityId, year));
  return item && strip<StoredRanking>(item);
}

export async function getCouncil(communityId: string): Promise<CouncilRoster | undefined> {
  const item = await getItem(keys.council(communityId));
  return item && strip<CouncilRoster>(item);
}

/** The household roster's current version number (0: the community has none). */
export async function householdRosterVersion(communityId: string): Promise<number> {
  const item = await getItem(keys.householdsHead(communityId));
  return (item?.version as number | undefined) ?? 0;
}

/** One version of the household roster (immutable). */
export async function getHouseholdRoster(
  communityId: string,
  version: number,
): Promise<HouseholdRoster | undefined> {
  const item = await getItem(keys.households(communityId, version));
  return item && strip<HouseholdRoster>(item);
}

/** The current household roster, if the community has one. */
export async function currentHouseholdRoster(
  communityId: string,
): Promise<HouseholdRoster | undefined> {
  const version = await householdRosterVersion(communityId);
  return version ? getHouseholdRoster(communityId, version) : undefined;
}

/** Projections by id (consistent reads; none is left out). */
export async function getProposals(ids: readonly string[]): Promise<Map<string, StoredProposal>> {
  const items = await batchGetAll(table(), ids.map(keys.proposal));
  return new Map(items.map((item) => [item.id as string, strip<StoredProposal>(item)]));
}

export async function ballotsOf(meetingId: string): Promise<Ballot[]> {
  return (await itemsUnder(table(), keys.meeting(meetingId).pk, "BALLOT#")).map((i) =>
    strip<Ballot>(i),
  );
}

export async function opinionsOf(meetingId: string): Promise<Opinion[]> {
  return (await itemsUnder(table(), keys.meeting(meetingId).pk, "OPINION#")).map((i) =>
    strip<Opinion>(i),
  );
}

export async function consentsOf(proposalId: string): Promise<Consent[]> {
  return (await itemsUnder(table(), keys.proposal(proposalId).pk, "CONSENT#")).map((i) =>
    strip<Consent>(i),
  );
}

// ---------------------------------------------------------------- writes (added to a Tx)

/** Replaces a projection computed from `version`; a concurrent change makes it stale. */
export function putProposal(tx: Tx, after: ProposalProjection, version: number): Tx {
  return tx.put(proposalItem({ ...after, version: version + 1 }), {
    condition: "version = :v",
    values: { ":v": version },
    onFail: stale(`proposal ${after.id}`),
  });
}

/** Inbox: a newly screened proposal (a tombstone or an earlier copy wins: the event retries). */
export function addProposal(tx: Tx, p: ProposalProjection | WithdrawnTombstone): Tx {
  return tx.put(proposalItem(p), { condition: "attribute_not_exists(pk)" });
}

/**
 * The meeting, and each agenda proposal marked with it (stale if anything changed since read),
 * on the rosters it was checked against: the council roster and the household roster's head are
 * still the versions read (or still absent), so a roster replaced meanwhile cannot let a
 * non-member in or leave a stale denominator: the route runs again and sees the new roster.
 */
export function addMeeting(
  tx: Tx,
  meeting: MeetingRecord,
  agenda: readonly { before: ProposalProjection; after: ProposalProjection }[],
  rosters: { councilVersion: number | undefined; householdVersion: number },
): Tx {
  tx.put(meetingItem(meeting), { condition: "attribute_not_exists(pk)" });
  for (const { before, after } of agenda) putProposal(tx, after, before.version);
  checkVersion(
    tx,
    keys.council(meeting.communityId),
    rosters.councilVersion ?? 0,
    "council roster",
  );
  checkVersion(
    tx,
    keys.householdsHead(meeting.communityId),
    rosters.householdVersion,
    "household roster",
  );
  return tx;
}

/** An item is still at `version` (0: still absent). */
function checkVersion(tx: Tx, key: { pk: string; sk: string }, version: number, what: string) {
  return tx.check(
    key,
    version
      ? {
          condition: "version = :v",
          values: { ":v": version },
          onFail: stale(`${what} of ${key.pk}`),
        }
      : { condition: "attribute_not_exists(pk)", onFail: stale(`${what} of ${key.pk}`) },
  );
}

/** Put `item` at `version`, if the item is still at `version - 1` (or absent for version 1). */
const versioned = (version: number, what: string) =>
  version > 1
    ? { condition: "version = :v", values: { ":v": version - 1 }, onFail: stale(what) }
    : { condition: "attribute_not_exists(pk)", onFail: stale(what) };

/** The new council roster (a version after the one read) and a kept copy of it. */
export function putCouncil(tx: Tx, roster: CouncilRoster): Tx {
  const what = `council roster of ${roster.communityId}`;
  tx.put(
    { ...keys.council(roster.communityId), entity: "council", ...roster },
    versioned(roster.version, what),
  );
  return tx.put(
    {
      ...keys.councilVersion(roster.communityId, roster.version),
      entity: "council-version",
      ...roster,
    },
    { condition: "attribute_not_exists(pk)", onFail: stale(what) },
  );
}

/** A new household roster version (immutable) and the head that points to it. */
export function putHouseholds(tx: Tx, roster: HouseholdRoster): Tx {
  const what = `household roster of ${roster.communityId}`;
  tx.put(
    {
      ...keys.householdsHead(roster.communityId),
      entity: "households-head",
      communityId: roster.communityId,
      version: roster.version,
      updatedAt: roster.updatedAt,
    },
    versioned(roster.version, what),
  );
  return tx.put(
    { ...keys.households(roster.communityId, roster.version), entity: "households", ...roster },
    { condition: "attribute_not_exists(pk)", onFail: stale(what) },
  );
}

/** A condition that the meeting is still `open` (ballots, consents, attendance). */
export function checkOpen(tx: Tx, meetingId: string): Tx {
  return tx.check(keys.meeting(meetingId), {
    condition: "#status = :open",
    names: { "#status": "status" },
    values: { ":open": "open" },
    onFail: meetingNotOpen(),
  });
}

/** Replaces the sign-in sheet while the meeting is open. */
export function setAttendance(tx: Tx, attendance: Attendance): Tx {
  checkOpen(tx, attendance.meetingId);
  return tx.put({ ...keys.attendance(attendance.meetingId), entity: "attendance", ...attendance });
}

/**
 * One ballot: the meeting is open, the voter is on the sign-in sheet (where presence is
 * required), the proposal has not been withdrawn, and the voter has not voted on it; all in one
 * transaction, so neither a duplicate, a withdrawal nor a close can race past them.
 */
export function addBallot(tx: Tx, ballot: Ballot, requirePresence: boolean): Tx {
  checkOpen(tx, ballot.meetingId);
  if (requirePresence) {
    tx.check(keys.attendance(ballot.meetingId), {
      condition: "contains(present, :sub)",
      values: { ":sub": ballot.sub },
      onFail: notPresent(),
    });
  }
  tx.check(keys.proposal(ballot.proposalId), {
    condition: "attribute_exists(pk) AND #status <> :withdrawn",
    names: { "#status": "status" },
    values: { ":withdrawn": "withdrawn" },
    onFail: invalidState(`proposal ${ballot.proposalId} was withdrawn; it takes no ballots`),
  });
  return tx.put(
    {
      ...keys.ballot(ballot.meetingId, ballot.proposalId, ballot.sub),
      entity: "ballot",
      ...ballot,
    },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("you already voted on this proposal at this meeting"),
    },
  );
}

/** One opinion per invitee and proposal, while the consultation is open. */
export function addOpinion(tx: Tx, o: Opinion): Tx {
  checkOpen(tx, o.meetingId);
  return tx.put(
    { ...keys.opinion(o.meetingId, o.proposalId, o.index), entity: "opinion", ...o },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("this invitee's opinion on this proposal is already recorded"),
    },
  );
}

/** open -> closing: from here on every ballot and consent fails its `open` check. */
export function beginClosing(tx: Tx, meetingId: string, at: string): Tx {
  return tx.update(keys.meeting(meetingId), {
    update: "SET #status = :closing, closingAt = :at",
    condition: "#status = :open",
    names: { "#status": "status" },
    values: { ":closing": "closing", ":open": "open", ":at": at },
    onFail: stale(`meeting ${meetingId}`),
  });
}

/** closing -> closed with the results (a concurrent close that finished first wins). */
export function finishClosing(tx: Tx, closed: MeetingRecord): Tx {
  return tx.update(keys.meeting(closed.id), {
    update: "SET #status = :closed, closedAt = :at, results = :results",
    condition: "#status = :closing",
    names: { "#status": "status" },
    values: {
      ":closed": "closed",
      ":closing": "closing",
      ":at": closed.closedAt,
      ":results": closed.results,
    },
    onFail: stale(`meeting ${closed.id}`),
  });
}

/**
 * The proposal is as it was read (not withdrawn or decided since): a consent checks this in its
 * transaction, without writing the projection, so parallel answers never conflict.
 */
export function checkUnchanged(tx: Tx, p: ProposalProjection): Tx {
  return tx.check(keys.proposal(p.id), {
    condition: "version = :v",
    values: { ":v": p.version },
    onFail: stale(`proposal ${p.id}`),
  });
}

/** A household's first answer (once: 409 duplicate), while the meeting is open. */
export function addConsent(
  tx: Tx,
  consent: Consent,
  meetingId: string,
  proposal: ProposalProjection,
): Tx {
  checkOpen(tx, meetingId);
  checkUnchanged(tx, proposal);
  return tx.put(
    { ...keys.consent(consent.proposalId, consent.householdId), entity: "consent", ...consent },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("your household has already answered; use PUT to change the answer"),
    },
  );
}

/** A changed answer, while the meeting is open; there must be one to change. */
export function changeConsent(
  tx: Tx,
  consent: Consent,
  meetingId: string,
  proposal: ProposalProjection,
): Tx {
  checkOpen(tx, meetingId);
  checkUnchanged(tx, proposal);
  return tx.update(keys.consent(consent.proposalId, consent.householdId), {
    update: "SET agree = :agree, answeredAt = :at, #sub = :sub",
    condition: "attribute_exists(pk)",
    names: { "#sub": "sub" },
    values: { ":agree": consent.agree, ":at": consent.answeredAt, ":sub": consent.sub },
    onFail: notFound("your household's answer (POST it first)"),
  });
}

/** One review per expert, counted on the projection in the same transaction. */
export function addReview(
  tx: Tx,
  review: ExpertReview,
  before: ProposalProjection,
  after: ProposalProjection,
): Tx {
  tx.put(
    { ...keys.review(review.proposalId, review.sub), entity: "review", ...review },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("you already reviewed this proposal"),
    },
  );
  return putProposal(tx, after, before.version);
}

/** The community-year's ranking, replaced only if nobody re-ranked it since it was read. */
export function putRanking(
  tx: Tx,
  ranking: Omit<StoredRanking, "version">,
  before: StoredRanking | undefined,
): Tx {
  const version = before?.version ?? 0;
  return tx.put(
    {
      ...keys.ranking(ranking.communityId, ranking.year),
      entity: "ranking",
      ...ranking,
      version: version + 1,
    },
    before
      ? {
          condition: "version = :v",
          values: { ":v": version },
          onFail: stale(`ranking ${ranking.communityId}/${ranking.year}`),
        }
      : {
          condition: "attribute_not_exists(pk)",
          onFail: stale(`ranking ${ranking.communityId}/${ranking.year}`),
        },
  );
}
