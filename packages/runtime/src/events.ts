import { currentCity } from "@pencai/config/current";
import type { Envelope, EventType } from "@pencai/contracts/events";
import { ulid } from "ulid";

/** A new domain event envelope (version 1); add it to the state change with `tx.event()`. */
export function newEvent<T>(args: {
  type: EventType;
  proposalId?: string;
  communityId?: string;
  actor: { sub: string; roles: readonly string[] };
  correlationId: string;
  data: T;
  now: Date;
  version?: number;
}): Envelope<T> {
  return {
    id: ulid(args.now.getTime()),
    type: args.type,
    version: args.version ?? 1,
    occurredAt: args.now.toISOString(),
    cityId: currentCity().id,
    ...(args.proposalId ? { proposalId: args.proposalId } : {}),
    ...(args.communityId ? { communityId: args.communityId } : {}),
    actor: { sub: args.actor.sub, roles: [...args.actor.roles] },
    correlationId: args.correlationId,
    data: args.data,
  };
}

/** The envelopes of a change's events: one proposal, one actor, one correlation id, one time. */
export function newEvents(
  events: readonly { type: EventType; data: unknown }[],
  meta: {
    proposalId: string;
    communityId?: string;
    actor: { sub: string; roles: readonly string[] };
    correlationId: string;
    now: Date;
  },
): Envelope[] {
  return events.map((e) => newEvent({ ...meta, type: e.type, data: e.data }));
}
