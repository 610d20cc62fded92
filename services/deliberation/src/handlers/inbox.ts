import { currentCity } from "@pencai/config/current";
import { deliberationInboxEventTypes } from "@pencai/contracts/deliberation";
import { type EventHandler, eventConsumer } from "@pencai/runtime/consumer";
import { logger } from "@pencai/runtime/logger";
import { onScreened, onWithdrawn } from "../domain/projection.js";
import { rerank } from "../domain/ranking.js";
import * as store from "../store.js";

// Deliberation's inbox (deliberationInboxEventTypes): the proposal projection, from intake's
// ProposalScreened (event-carried state: deliberation never reads intake's table) and
// ProposalWithdrawn. Duplicates are dropped by the runtime's inbox record; a known proposal
// ignores a second ProposalScreened, and withdrawn is final even when it arrives first. A
// write that loses a race is decided again by the runtime's consumer. Each event's data has
// been parsed against its contract before it gets here.

const screened: EventHandler<"ProposalScreened"> = async (e, tx) => {
  const id = e.data.proposalId;
  const outcome = onScreened(await store.getProposal(id), e.data, e.occurredAt);
  if (outcome.kind === "ignore") {
    logger.info("ProposalScreened not projected", {
      eventId: e.id,
      proposalId: id,
      why: outcome.why,
    });
    return;
  }
  store.addProposal(tx, outcome.proposal);
};

/** Withdrawn: final; a council-passed proposal also leaves its community-year's ranking. */
const withdrawn: EventHandler<"ProposalWithdrawn"> = async (e, tx, { now }) => {
  const id = e.data.proposalId;
  const outcome = onWithdrawn(await store.getProposal(id), id, e.occurredAt);
  if (outcome.kind === "ignore") return;
  if (outcome.kind === "tombstone") {
    store.addProposal(tx, outcome.tombstone);
    return;
  }
  const { before, after } = outcome;
  store.putProposal(tx, after, before.version);
  const rules = currentCity().rules;
  const weights = rules.thresholds.priorityCriteria;
  if (weights && before.council?.passed) {
    const ranking = await store.getRanking(before.communityId, before.year);
    if (ranking) {
      const place = {
        communityId: before.communityId,
        year: before.year,
        capFen: rules.caps.communityYearFen,
      };
      store.putRanking(tx, rerank(ranking, { remove: [id] }, weights, place, now), ranking);
    }
  }
};

export const handler = eventConsumer({
  service: "deliberation",
  inbox: deliberationInboxEventTypes,
  handlers: { ProposalScreened: screened, ProposalWithdrawn: withdrawn },
});
