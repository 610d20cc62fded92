import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { RouteDef } from "@pencai/contracts/http";
import { canonicalJson } from "./canonical.js";
import { ddb } from "./clients.js";
import type { HttpReply, HttpRequest } from "./http.js";

/** Longest accepted `Idempotency-Key`. */
export const MAX_IDEMPOTENCY_KEY = 128;
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** A reply as stored and replayed: the body is kept as the exact JSON text that was sent. */
export interface StoredReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export const idempotencyKey = (sub: string, key: string) => ({
  pk: `IDEM#${sub}#${key}`,
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

// Requests whose handler stored their reply in a transaction (see Tx.idempotency).
const recorded = new WeakSet<object>();
export const wasRecorded = (req: HttpRequest<RouteDef>) => recorded.has(req);

export function storedReply(req: HttpRequest<RouteDef>, reply: HttpReply<RouteDef>): StoredReply {
  const status = reply.status ?? req.route.status;
  return {
    status,
    ...(reply.body === undefined || status === 204 ? {} : { body: JSON.stringify(reply.body) }),
    ...(reply.headers ? { headers: reply.headers } : {}),
  };
}

export function idempotencyItem(req: HttpRequest<RouteDef>, reply: HttpReply<RouteDef>) {
  const idem = req.idempotency;
  if (!idem) return undefined;
  recorded.add(req);
  return {
    ...idempotencyKey(idem.sub, idem.key),
    requestHash: idem.requestHash,
    reply: storedReply(req, reply),
    createdAt: req.now.toISOString(),
    ttl: Math.floor(req.now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
  };
}

/** The stored record for this key, read consistently; expired records count as absent. */
export async function findStored(
  table: string,
  sub: string,
  key: string,
  now: Date,
): Promise<{ requestHash: string; reply: StoredReply } | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table, Key: idempotencyKey(sub, key), ConsistentRead: true }),
  );
  const item = out.Item;
  if (!item || (typeof item.ttl === "number" && item.ttl * 1000 < now.getTime())) return undefined;
  return { requestHash: String(item.requestHash), reply: item.reply as StoredReply };
}
