import type { BallotsCountedData } from "@pencai/contracts/deliberation";
import { byCodeUnits } from "@pencai/contracts/text";
import { countedBallots } from "./tally.js";
import type { Ballot, MeetingRecord } from "./types.js";

/**
 * Most bytes of one BallotsCounted `data` (JSON, UTF-8). The relay publishes an event as one SNS
 * message, at most 256 KiB with its attributes, and the outbox item must stay under DynamoDB's
 * 400 KB: 200 KiB leaves room for the envelope (ids, actor, correlation id: < 1 KiB).
 */
export const COUNTED_DATA_BYTES = 200 * 1024;

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), "utf8");

/**
 * The BallotsCounted data of a closed meeting: every agenda proposal with its outcome (as in the
 * minutes, withdrawn ones included) and every ballot its tally counted (`countedBallots`), in
 * agenda order, then by voter.
 *
 * One event per meeting. Only a council whose ballots exceed `COUNTED_DATA_BYTES` (about 2,000
 * ballots with Cognito subs; the worst case the contracts allow, 200 members × 20 proposals
 * with 128-character subs, is 4,000) is split into parts along proposals: each part lists the
 * proposals it covers and carries all of their ballots, so a proposal is never split and the
 * parts together are the whole meeting.
 */
export function ballotsCounted(
  meeting: MeetingRecord,
  ballots: readonly Ballot[],
): BallotsCountedData[] {
  if (meeting.status !== "closed" || !meeting.results || !meeting.closedAt) {
    throw new Error(`meeting ${meeting.id} is not closed with results`);
  }
  const members = new Set(meeting.memberIds);
  const chunks = meeting.results.map((r) => {
    const counted = countedBallots(
      members,
      ballots.filter((b) => b.proposalId === r.proposalId),
    )
      .map((b) => ({ sub: b.sub, proposalId: b.proposalId, choice: b.choice }))
      .sort((a, b) => byCodeUnits(a.sub, b.sub));
    const proposal = { proposalId: r.proposalId, passed: r.passed };
    // each array element adds its JSON and at most one comma
    const size = bytes(proposal) + 1 + counted.reduce((n, b) => n + bytes(b) + 1, 0);
    return { proposal, ballots: counted, size };
  });

  const empty = (): BallotsCountedData => ({
    meetingId: meeting.id,
    communityId: meeting.communityId,
    proposals: [],
    ballots: [],
    closedAt: meeting.closedAt!,
  });
  const base = bytes(empty());
  const parts: BallotsCountedData[] = [];
  let part = empty();
  let size = base;
  for (const chunk of chunks) {
    if (part.proposals.length && size + chunk.size > COUNTED_DATA_BYTES) {
      parts.push(part);
      part = empty();
      size = base;
    }
    part.proposals.push(chunk.proposal);
    part.ballots.push(...chunk.ballots);
    size += chunk.size;
  }
  parts.push(part);
  return parts;
}
