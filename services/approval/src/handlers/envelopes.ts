import type { Envelope } from "@pencai/contracts/events";
import { newEvent } from "@pencai/runtime/events";
import type { DomainEvent } from "../domain/types.js";

// Its own module so the inbox bundle does not pull in metrics or the calendar.

/** The outbox envelopes of a transition's events. */
export function envelopes(
  events: readonly DomainEvent[],
  meta: {
    proposalId: string;
    communityId: string;
    actor: { sub: string; roles: readonly string[] };
    correlationId: string;
    now: Date;
  },
): Envelope[] {
  return events.map((e) =>
    newEvent({
      type: e.type,
      proposalId: meta.proposalId,
      communityId: meta.communityId,
      actor: meta.actor,
      correlationId: meta.correlationId,
      data: e.data,
      now: meta.now,
    }),
  );
}
