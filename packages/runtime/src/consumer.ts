import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  type EventType as DomainEventType,
  type Envelope,
  envelopeSchema,
  isEventType,
} from "@pencai/contracts/events";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { env } from "./clients.js";
import { now } from "./clock.js";
import { ProblemError } from "./errors.js";
import { logger } from "./logger.js";
import { AlreadyProcessed, Tx } from "./tx.js";

/** Tries per event when its write loses an optimistic-concurrency check. */
const CONFLICT_ATTEMPTS = 4;

/** What a consumer's handler gets besides the event and the transaction. */
export interface ConsumeContext {
  now: Date;
  correlationId: string;
}

export type EventHandler = (event: Envelope, tx: Tx, ctx: ConsumeContext) => Promise<void>;

export interface ConsumerOptions {
  service: string;
  /** The service's table (inbox records); defaults to `TABLE_NAME`, read when a batch arrives. */
  table?: string;
  handlers: Partial<Record<DomainEventType, EventHandler>>;
}

/** A record whose body is not a valid envelope: it fails, and SQS redrives it to the DLQ. */
export class MalformedEvent extends Error {
  override readonly name = "MalformedEvent";
}

/**
 * The SQS consumer of a service inbox, with partial batch responses. Each record is one
 * transaction: the inbox record `INBOX#<eventId>` (must not exist) plus the handler's items;
 * an existing inbox record means the event was processed before, which counts as success.
 * Event types without a handler are acknowledged and logged.
 */
export function eventConsumer(
  opts: ConsumerOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);

  const consume = async (record: SQSRecord): Promise<void> => {
    let raw: unknown;
    try {
      raw = JSON.parse(record.body);
    } catch {
      throw new MalformedEvent(`message ${record.messageId} is not JSON`);
    }
    const parsed = envelopeSchema.safeParse(raw);
    if (!parsed.success)
      throw new MalformedEvent(`message ${record.messageId} is not an event envelope`);
    const envelope = parsed.data as Envelope;
    const log = {
      eventId: envelope.id,
      type: envelope.type,
      correlationId: envelope.correlationId,
    };
    const handler = isEventType(envelope.type) ? opts.handlers[envelope.type] : undefined;
    if (!handler) {
      logger.info("event acknowledged without handler", log);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const at = now();
      const tx = new Tx(opts.table ?? env("TABLE_NAME")).inbox(envelope.id, at);
      await handler(envelope, tx, { now: at, correlationId: envelope.correlationId });
      try {
        await tx.commit();
        logger.info("event processed", log);
        return;
      } catch (err) {
        if (err instanceof AlreadyProcessed) {
          logger.info("duplicate event ignored", log);
          return;
        }
        // A 409 from the commit means the handler read state that changed before its write
        // (optimistic concurrency, e.g. two events of one proposal in parallel batches): read
        // again and decide again now, instead of waiting a whole visibility timeout.
        if (!(err instanceof ProblemError && err.status === 409) || attempt >= CONFLICT_ATTEMPTS)
          throw err;
        logger.info("write conflict, retrying the event", { ...log, attempt });
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
      }
    }
  };

  const handler = (event: SQSEvent, context: Context) =>
    processPartialResponse(event, consume, processor, { context, throwOnFullBatchFailure: false });

  return middy<SQSEvent, SQSBatchResponse>(handler).use(
    injectLambdaContext(logger, { logEvent: false, resetKeys: true }),
  ) as unknown as (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
}
