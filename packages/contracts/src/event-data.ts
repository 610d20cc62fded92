import type * as z from "zod/mini";
import { approvalEventDataSchemas } from "./approval-events.js";
import { deliberationEventDataSchemas } from "./deliberation-events.js";
import { evaluationEventDataSchemas } from "./evaluation-events.js";
import type { Envelope, EventType } from "./events.js";
import { intakeEventDataSchemas } from "./intake-events.js";
import { orgsEventDataSchemas } from "./orgs-events.js";
import { oversightEventDataSchemas } from "./oversight-events.js";

/**
 * The `data` schema of every event type that has a producer: consumers parse each event's data
 * with it before any handler runs (a malformed event goes to the DLQ), so handlers receive
 * typed values. A type without a schema here cannot be subscribed to (see `InboxHandlers`).
 */
export const eventDataSchemas = {
  ...intakeEventDataSchemas,
  ...deliberationEventDataSchemas,
  ...approvalEventDataSchemas,
  ...evaluationEventDataSchemas,
  ...oversightEventDataSchemas,
  ...orgsEventDataSchemas,
} as const satisfies Partial<Record<EventType, z.ZodMiniType>>;

/** Event types with a data contract. */
export type ContractEventType = keyof typeof eventDataSchemas;

export const hasDataContract = (type: string): type is ContractEventType =>
  Object.hasOwn(eventDataSchemas, type);

/** The parsed `data` of an event type. */
export type EventData<T extends ContractEventType> = z.output<(typeof eventDataSchemas)[T]>;

/** An envelope whose `data` has been parsed against its type's schema. */
export type TypedEnvelope<T extends ContractEventType> = Envelope<EventData<T>> & { type: T };

/**
 * A service inbox: the event types its queue subscribes to. The one declaration that infra's
 * SNS filter policy and the consumer's handler map are both built from.
 */
export const defineInbox = <const T extends readonly ContractEventType[]>(types: T): T => types;
