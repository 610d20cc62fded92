import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { conflict, type DomainError } from "@pencai/contracts/errors";
import type { Envelope } from "@pencai/contracts/events";
import { ddb } from "./clients.js";
import type { IdempotencyRecord } from "./idempotency.js";

type TxItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
type Key = { pk: string; sk: string };
type Names = Record<string, string>;
type Values = Record<string, unknown>;

export interface ConditionOpts {
  condition?: string;
  names?: Names;
  values?: Values;
  /** Thrown by `commit()` when this item's condition fails (with the cancellation as its cause). */
  onFail?: DomainError;
}

/** DynamoDB allows at most 100 items in one TransactWriteItems. */
export const MAX_TX_ITEMS = 100;

const DAY_SECONDS = 24 * 3600;
const OUTBOX_TTL_SECONDS = 30 * DAY_SECONDS;

/** The idempotency record lost a race with a concurrent identical request; the runtime replays. */
export class IdempotencyRace extends Error {
  override readonly name = "IdempotencyRace";
}

/** The consumer's inbox record exists: this event was processed before. */
export class AlreadyProcessed extends Error {
  override readonly name = "AlreadyProcessed";
}

type Role = "state" | "idempotency" | "inbox";

/**
 * One TransactWriteItems: the state change, its outbox events and its idempotency record
 * commit together or not at all. Cancellation reasons are mapped back to the item that failed.
 */
export class Tx {
  private readonly items: { item: TxItem; role: Role; onFail?: DomainError }[] = [];

  constructor(readonly table: string) {}

  get size(): number {
    return this.items.length;
  }

  put(item: Record<string, unknown>, opts: ConditionOpts = {}): this {
    return this.add(
      { Put: { TableName: this.table, Item: item, ...expression(opts) } },
      "state",
      opts.onFail,
    );
  }

  update(key: Key, opts: ConditionOpts & { update: string }): this {
    return this.add(
      {
        Update: {
          TableName: this.table,
          Key: key,
          UpdateExpression: opts.update,
          ...expression(opts),
        },
      },
      "state",
      opts.onFail,
    );
  }

  check(key: Key, opts: ConditionOpts & { condition: string; onFail: DomainError }): this {
    const { ConditionExpression, ...rest } = expression(opts);
    return this.add(
      {
        ConditionCheck: {
          TableName: this.table,
          Key: key,
          ConditionExpression: ConditionExpression!,
          ...rest,
        },
      },
      "state",
      opts.onFail,
    );
  }

  delete(key: Key, opts: ConditionOpts = {}): this {
    return this.add(
      { Delete: { TableName: this.table, Key: key, ...expression(opts) } },
      "state",
      opts.onFail,
    );
  }

  /** Adds the outbox item; the relay publishes it after the commit. */
  event(envelope: Envelope): this {
    const at = Date.parse(envelope.occurredAt);
    return this.add(
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: `OUTBOX#${envelope.id}`,
            sk: "OUTBOX",
            event: envelope,
            outboxPending: "PENDING",
            outboxAt: envelope.occurredAt,
            ttl: Math.floor(at / 1000) + OUTBOX_TTL_SECONDS,
          },
        },
      },
      "state",
    );
  }

  /**
   * The request's idempotency record (the HTTP runtime adds it to the transaction a handler
   * returns, so no route can forget it). Only one per transaction.
   */
  idempotency(record: IdempotencyRecord): this {
    if (this.items.some((i) => i.role === "idempotency")) {
      throw new Error("a transaction holds one idempotency record");
    }
    return this.add(
      {
        Put: {
          TableName: this.table,
          Item: record.item(),
          // An expired record (TTL deletes lazily) may be overwritten.
          ConditionExpression: "attribute_not_exists(pk) OR #ttl < :now",
          ExpressionAttributeNames: { "#ttl": "ttl" },
          ExpressionAttributeValues: { ":now": Math.floor(record.at.getTime() / 1000) },
        },
      },
      "idempotency",
    );
  }

  /** Marks an event processed (consumers); a second delivery fails with AlreadyProcessed. */
  inbox(eventId: string, now: Date): this {
    return this.add(
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: `INBOX#${eventId}`,
            sk: "INBOX",
            processedAt: now.toISOString(),
            ttl: Math.floor(now.getTime() / 1000) + OUTBOX_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      "inbox",
    );
  }

  /**
   * Commits everything in one TransactWriteItems (nothing to do for an empty Tx). On
   * cancellation: a lost idempotency or inbox condition wins (IdempotencyRace, AlreadyProcessed);
   * then the first failed item with `onFail` throws it; a conflict with a concurrent
   * transaction is a 409 `conflict`; anything else is rethrown.
   */
  async commit(
    opts: { returnConsumedCapacity?: boolean } = {},
  ): Promise<{ consumedCapacity?: unknown }> {
    if (this.items.length === 0) return {};
    try {
      const out = await ddb.send(
        new TransactWriteCommand({
          TransactItems: this.items.map((i) => i.item),
          ...(opts.returnConsumedCapacity ? { ReturnConsumedCapacity: "TOTAL" } : {}),
        }),
      );
      return out.ConsumedCapacity ? { consumedCapacity: out.ConsumedCapacity } : {};
    } catch (err) {
      throw this.mapCancellation(err);
    }
  }

  private mapCancellation(err: unknown): unknown {
    const reasons = cancellationReasons(err);
    if (!reasons) return err;
    const failed = (i: number, code: string) => reasons[i]?.Code === code;
    for (const [i, { role }] of this.items.entries()) {
      if (
        role === "idempotency" &&
        (failed(i, "ConditionalCheckFailed") || failed(i, "TransactionConflict"))
      ) {
        return new IdempotencyRace(
          "a concurrent request with the same Idempotency-Key committed first",
        );
      }
      if (role === "inbox" && failed(i, "ConditionalCheckFailed")) return new AlreadyProcessed();
    }
    for (const [i, { onFail }] of this.items.entries()) {
      if (onFail && failed(i, "ConditionalCheckFailed")) return onFail.because(err);
    }
    if (reasons.some((r) => r?.Code === "TransactionConflict")) {
      return conflict("a concurrent request changed the same data; retry").because(err);
    }
    return err;
  }

  private add(item: TxItem, role: Role, onFail?: DomainError): this {
    if (this.items.length >= MAX_TX_ITEMS) {
      throw new Error(`a transaction holds at most ${MAX_TX_ITEMS} items`);
    }
    this.items.push({ item, role, ...(onFail ? { onFail } : {}) });
    return this;
  }
}

function expression(opts: ConditionOpts) {
  return {
    ...(opts.condition ? { ConditionExpression: opts.condition } : {}),
    ...(opts.names ? { ExpressionAttributeNames: opts.names } : {}),
    ...(opts.values ? { ExpressionAttributeValues: opts.values } : {}),
  };
}

function cancellationReasons(err: unknown): ({ Code?: string } | undefined)[] | undefined {
  if (!(err instanceof Error) || err.name !== "TransactionCanceledException") return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return Array.isArray(reasons) ? reasons : undefined;
}
