import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { currentCity } from "@pencai/config/current";
import {
  type ContractEventType,
  eventDataSchemas,
  type TypedEnvelope,
} from "@pencai/contracts/event-data";
import { type Envelope, envelopeSchema } from "@pencai/contracts/events";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { ZodMiniType } from "zod/mini";
import { env } from "./clients.js";
import { now } from "./clock.js";
import { retrying } from "./conflict.js";
import { logger } from "./logger.js";
import { AlreadyProcessed, Tx } from "./tx.js";
import { parse } from "./validation.js";

/** What a consumer's handler gets besides the event and the transaction. */
export interface ConsumeContext {
  now: Date;
  correlationId: string;
}

/** A handler of one event type: its `data` is already parsed against the type's contract. */
export type EventHandler<T extends ContractEventType> = (
  event: TypedEnvelope<T>,
  tx: Tx,
  ctx: ConsumeContext,
) => Promise<void>;

/** Exactly one handler per type of the inbox declaration (a missing or extra one is a type error). */
export type InboxHandlers<T extends readonly ContractEventType[]> = {
  [K in T[number]]: EventHandler<K>;
};

export interface ConsumerOptions<T extends readonly ContractEventType[]> {
  service: string;
  /** The service's table (inbox records); defaults to `TABLE_NAME`, read when a batch arrives. */
  table?: string;
  /** The inbox declaration (`@pencai/contracts`), the same list infra subscribes the queue to. */
  inbox: T;
  handlers: InboxHandlers<T>;
}

/**
 * A record that is not a valid event of this city (not JSON, not an envelope, data that breaks
 * its type's contract, a proposal id that disagrees with itself): it fails, and SQS redrives it
 * to the DLQ after `maxReceiveCount`. Nothing of it reaches a handler.
 */
export class MalformedEvent extends Error {
  override readonly name = "MalformedEvent";
}

/**
 * A valid envelope of this city whose `data` satisfies its type's contract, typed; or
 * MalformedEvent. Envelope fields not in the contract pass (forward compatibility); unknown
 * `data` fields are dropped.
 */
export function parseEvent(body: string): Envelope & { data: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new MalformedEvent("not JSON");
  }
  const envelope = parse(envelopeSchema, raw);
  if (!envelope.ok) throw new MalformedEvent(`not an event envelope: ${describe(envelope.issues)}`);
  const e = envelope.value as Envelope;
  if (e.cityId !== currentCity().id) {
    throw new MalformedEvent(`an event of city ${e.cityId}, not ${currentCity().id}`);
  }
  return e;
}

function typedData<T extends ContractEventType>(e: Envelope, type: T): TypedEnvelope<T> {
  const data = parse(eventDataSchemas[type] as ZodMiniType, e.data);
  if (!data.ok)
    throw new MalformedEvent(`data breaks the ${type} contract: ${describe(data.issues)}`);
  const named = (data.value as { proposalId?: unknown }).proposalId;
  if (typeof named === "string" && e.proposalId !== undefined && named !== e.proposalId) {
    throw new MalformedEvent(`envelope names proposal ${e.proposalId}, data ${named}`);
  }
  return { ...e, type, data: data.value } as TypedEnvelope<T>;
}

const describe = (issues: { path: string; message: string }[]) =>
  issues
    .slice(0, 5)
    .map((i) => `${i.path || "(root)"}: ${i.message}`)
    .join("; ");

/**
 * The SQS consumer of a service inbox, with partial batch responses. Each record is parsed at
 * the edge (envelope, city, then `data` against its type's contract) before any handler runs,
 * then committed as one transaction: the inbox record `INBOX#<eventId>` (must not exist) plus the
 * handler's items. An existing inbox record means the event was processed before: success. A
 * write that loses an optimistic-concurrency race reads and decides again (`retrying`). Every
 * failure is logged with the event id, type and reason, each time it happens.
 */
export function eventConsumer<const T extends readonly ContractEventType[]>(
  opts: ConsumerOptions<T>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const declared = new Set<string>(opts.inbox);
  const handled = Object.keys(opts.handlers);
  if (handled.length !== declared.size || handled.some((t) => !declared.has(t))) {
    throw new Error(`${opts.service}: the handlers must be exactly the inbox's event types`);
  }
  const processor = new BatchProcessor(EventType.SQS);

  const consume = async (record: SQSRecord): Promise<void> => {
    let log: Record<string, unknown> = { messageId: record.messageId };
    try {
      const e = parseEvent(record.body);
      log = { ...log, eventId: e.id, type: e.type, correlationId: e.correlationId };
      if (!declared.has(e.type)) {
        logger.warn("event of a type this inbox does not subscribe to, acknowledged", log);
        return;
      }
      const type = e.type as T[number];
      const event = typedData(e, type);
      const handler = opts.handlers[type] as EventHandler<typeof type>;
      await retrying(async () => {
        const at = now();
        const tx = new Tx(opts.table ?? env("TABLE_NAME")).inbox(event.id, at);
        await handler(event, tx, { now: at, correlationId: event.correlationId });
        try {
          await tx.commit();
          logger.info("event processed", log);
        } catch (err) {
          if (!(err instanceof AlreadyProcessed)) throw err;
          logger.info("duplicate event ignored", log);
        }
      }, CONFLICT_ATTEMPTS);
    } catch (err) {
      logger.error("event failed; SQS redelivers it, then moves it to the DLQ", {
        ...log,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 0) || undefined,
        reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      throw err;
    }
  };

  const handler = (event: SQSEvent, context: Context) =>
    processPartialResponse(event, consume, processor, { context, throwOnFullBatchFailure: false });

  return middy<SQSEvent, SQSBatchResponse>(handler).use(
    injectLambdaContext(logger, { logEvent: false, resetKeys: true }),
  ) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}

/** Tries per event when its write loses an optimistic-concurrency race. */
const CONFLICT_ATTEMPTS = 4;
