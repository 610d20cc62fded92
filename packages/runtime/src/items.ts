import {
  BatchGetCommand,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { ddb } from "./clients.js";

// Reading items of the one service table shape (docs/design.md "Tables").

/** Attributes that are storage (keys, index keys, the item kind), not the domain record. */
export const storageKeys = [
  "pk",
  "sk",
  "entity",
  "gsi1pk",
  "gsi1sk",
  "gsi2pk",
  "gsi2sk",
  "gsi3pk",
  "gsi3sk",
] as const;

/** The domain record of an item: the storage keys (and `extra` attributes) left out. */
export function withoutStorageKeys<T>(
  item: Record<string, unknown>,
  extra: readonly string[] = [],
): T {
  const out: Record<string, unknown> = { ...item };
  for (const k of storageKeys) delete out[k];
  for (const k of extra) delete out[k];
  return out as T;
}

/** Every item a query matches, all pages: for small, bounded sets (a proposal's timers, a bucket). */
export async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: ddb }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** Every item of one partition under a sort-key prefix, read consistently (all pages). */
export function itemsUnder(
  table: string,
  pk: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: table,
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
    ConsistentRead: true,
  });
}

type Key = { pk: string; sk: string };

/** One item by key, read consistently (the read before a conditional write must see the last one). */
export async function getItem(
  table: string,
  key: Key,
): Promise<Record<string, unknown> | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
  return out.Item;
}

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ATTEMPTS = 8;

/**
 * Every item of `keys` that exists, read consistently, in one or more BatchGetItem calls. Keys
 * DynamoDB leaves unprocessed (throttling, the 16 MB reply limit) are asked again with jittered
 * backoff; if some are still left after that, it throws rather than answer with items missing.
 */
export async function batchGetAll(
  table: string,
  keys: readonly Key[],
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_KEYS);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > BATCH_GET_ATTEMPTS) {
        throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      }
      if (attempt > 1)
        await new Promise((r) => setTimeout(r, 2 ** attempt * (5 + Math.random() * 10)));
      const out = await ddb.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      found.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return found;
}
