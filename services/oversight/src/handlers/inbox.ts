import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import { oversightInboxEventTypes } from "@pencai/contracts/oversight";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import type { Tx } from "@pencai/runtime/tx";
import type { Place } from "../domain/counted.js";
import {
  apply,
  approvedAndLive,
  contribution,
  counter,
  emptyProject,
  type Project,
  type ProjectEvent,
  yearAt,
} from "../domain/project.js";
import * as store from "../store.js";

// The oversight service's inbox (oversightInboxEventTypes): the project projection, needs and
// meetings, each with its share of the aggregates. Each event's data has passed its contract at
// the consumer's edge; duplicates are dropped by the inbox record; every write is conditional on
// the version read (a lost race is decided again), and the aggregates change in the same
// transaction by the difference between the item's share before and after.

const placeOfCommunity = (communityId: string): Place | undefined =>
  geoIndex(currentCity()).scopeOfCommunity(communityId);

const expertReview = () => currentCity().rules.process.expertReview;

/** The population index while the project is approved or later and not exited. */
function indexOf(p: Project): Record<string, string> {
  if (!approvedAndLive(p) || !p.place || p.year === undefined) return {};
  return store.populationIndex(p.place.districtId, p.year, p.place.streetId, p.id);
}

async function projectChange(changes: store.Changes, id: string, e: ProjectEvent) {
  const before = await store.getProject(id);
  const after = apply(before?.record ?? emptyProject(id), e, placeOfCommunity);
  changes.put(
    store.keys.project(id),
    before,
    after,
    contribution(after, expertReview()),
    indexOf(after),
  );
  return after;
}

const onProject =
  <T extends ProjectEvent["type"]>(): EventHandler<T> =>
  async (e, tx: Tx) => {
    const changes = new store.Changes();
    const id = e.proposalId ?? (e.data as { proposalId: string }).proposalId;
    await projectChange(changes, id, { type: e.type, data: e.data } as ProjectEvent);
    changes.into(tx);
  };

/** A need counts in its community's year once raised; linked once a proposal traces to it. */
async function needChange(
  changes: store.Changes,
  id: string,
  change: { raised?: { place: Place; year: number }; linked?: true },
) {
  const before = await store.getNeed(id);
  const record: store.NeedRecord = {
    id,
    ...(before?.record.raised || change.raised
      ? { raised: before?.record.raised ?? change.raised }
      : {}),
    linked: before?.record.linked === true || change.linked === true,
  };
  const share = record.raised && {
    ...record.raised,
    counters: {
      [counter.needsRaised]: 1,
      ...(record.linked ? { [counter.needsLinked]: 1 } : {}),
    },
  };
  changes.put(store.keys.need(id), before, record, share || undefined);
}

const needRaised: EventHandler<"NeedRaised"> = async (e, tx) => {
  const changes = new store.Changes();
  const d = e.data;
  await needChange(changes, d.needId, {
    raised: {
      place: { communityId: d.communityId, streetId: d.streetId, districtId: d.districtId },
      year: yearAt(e.occurredAt),
    },
  });
  changes.into(tx);
};

const submitted: EventHandler<"ProposalSubmitted"> = async (e, tx) => {
  const changes = new store.Changes();
  await projectChange(changes, e.data.proposalId, { type: e.type, data: e.data });
  for (const needId of new Set(e.data.needIds)) await needChange(changes, needId, { linked: true });
  changes.into(tx);
};

/**
 * A residents' council meeting held, counted once in its community and the year it closed:
 * deliberation emits BallotsCounted with every close (in parts only for a huge council, each
 * naming the meeting); the first part places it, the others find it counted.
 */
const ballotsCounted: EventHandler<"BallotsCounted"> = async (e, tx) => {
  const { meetingId, communityId, closedAt } = e.data;
  const place = placeOfCommunity(communityId);
  const before = await store.getMeeting(meetingId);
  if (!place || before) return;
  const changes = new store.Changes();
  changes.put(
    store.keys.meeting(meetingId),
    before,
    { id: meetingId },
    { place, year: yearAt(closedAt), counters: { [counter.meetings]: 1 } },
  );
  changes.into(tx);
};

export const handler = eventConsumer({
  service: "oversight",
  inbox: oversightInboxEventTypes,
  handlers: {
    NeedRaised: needRaised,
    ProposalSubmitted: submitted,
    ProposalScreened: onProject(),
    ProposalWithdrawn: onProject(),
    EvidenceVerified: onProject(),
    BallotsCounted: ballotsCounted,
    DeliberationConcluded: onProject(),
    ExpertReviewConcluded: onProject(),
    ProposalEndorsed: onProject(),
    ProposalReported: onProject(),
    DistrictReviewCompleted: onProject(),
    ProposalApproved: onProject(),
    ProposalRejected: onProject(),
    FundsDisbursed: onProject(),
    ImplementationStarted: onProject(),
    ProgressReported: onProject(),
    PaymentMade: onProject(),
    ProjectCompleted: onProject(),
    EvaluationClosed: onProject(),
    SlaBreached: onProject(),
    InspectionFinding: onProject(),
    RectificationCompleted: onProject(),
  },
});
