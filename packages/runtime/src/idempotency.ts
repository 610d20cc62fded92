import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { canonicalJson } from "./canonical.js";
import { ddb } from "./clients.js";

/** Longest accepted `Idempotency-Key`. */
export const MAX_IDEMPOTENCY_KEY = 128;
/** Printable ASCII without spaces: what clients send (UUIDs, ULIDs, `first-try`). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** A reply as stored and replayed: the body is kept as the exact JSON text that was sent. */
export interface StoredReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** Who asked what under which key: known before the handler runs. */
export interface IdempotencyClaim {
  sub: string;
  key: string;
  requestHash: string;
}

/**
 * The storage key of a (sub, key) pair. Both parts are percent-encoded, so the `#` between them
 * is the only `#` in the key: no two pairs can share a record.
 */
export const idempotencyKey = (sub: string, key: string) => ({
  pk: `IDEM#${encodeURIComponent(sub)}#${encodeURIComponent(key)}`,
  sk: "IDEM",
});

/** SHA-256 of the route key and the canonical JSON (RFC 8785) of params, query and body. */
export function requestHash(
  routeKey: string,
  params: unknown,
  query: unknown,
  body: unknown,
): string {
  return createHash("sha256")
    .update(`${routeKey}\n${canonicalJson({ params, query, body })}`)
    .digest("hex");
}

/**
 * The record a completed request leaves under its Idempotency-Key (as Powertools' persistence
 * layer hands an `IdempotencyRecord` to storage): built by the HTTP runtime once the reply is
 * known, and written by the transaction that carries the request's state change (`Tx.idempotency`).
 */
export class IdempotencyRecord {
  constructor(
    readonly claim: IdempotencyClaim,
    readonly reply: StoredReply,
    readonly at: Date,
  ) {}

  get key() {
    return idempotencyKey(this.claim.sub, this.claim.key);
  }

  /** Expiry in epoch seconds (DynamoDB TTL deletes lazily: readers treat it as absent after). */
  get ttl(): number {
    return Math.floor(this.at.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS;
  }

  item(): Record<string, unknown> {
    return {
      ...this.key,
      requestHash: this.claim.requestHash,
      reply: this.reply,
      createdAt: this.at.toISOString(),
      ttl: this.ttl,
    };
  }
}

/** The stored record for this key, read consistently; expired records count as absent. */
export async function findStored(
  table: string,
  claim: Pick<IdempotencyClaim, "sub" | "key">,
  now: Date,
): Promise<{ requestHash: string; reply: StoredReply } | undefined> {
  const out = await ddb.send(
    new GetCommand({
      TableName: table,
      Key: idempotencyKey(claim.sub, claim.key),
      ConsistentRead: true,
    }),
  );
  const item = out.Item;
  if (!item || (typeof item.ttl === "number" && item.ttl * 1000 < now.getTime())) return undefined;
  return { requestHash: String(item.requestHash), reply: item.reply as StoredReply };
}
