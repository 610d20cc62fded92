import { paginateQuery, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
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
