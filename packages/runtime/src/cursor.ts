import { validationFailed } from "@pencai/contracts/errors";

/**
 * List cursors are the opaque base64url of DynamoDB's LastEvaluatedKey. A cursor only
 * continues the query it came from: its key must be exactly the query's key schema (the table's
 * `pk`/`sk`, plus the index's `gsi<n>pk`/`gsi<n>sk` on an index), name the query's partition,
 * and hold a sort key inside the query's key condition (`begins_with(sk, prefix)`). Anything
 * else is 400, before DynamoDB would refuse the start key (a 500: "The provided starting key is
 * outside query boundaries").
 */

/** 400: the cursor does not continue this list. */
export const invalidCursor = () =>
  validationFailed("invalid cursor", [
    { path: "query.cursor", message: "not a cursor of this list" },
  ]);

export function encodeCursor(lastKey: unknown): string | null {
  return lastKey === undefined
    ? null
    : Buffer.from(JSON.stringify(lastKey), "utf8").toString("base64url");
}

/** The JSON inside a cursor (for lists whose cursor wraps a start key; 400 if it is not JSON). */
export function parseCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
}

/**
 * A start key for the query whose partition is `expect` (e.g. `{gsi1pk: "PROPOSAL#C#c1"}` on
 * gsi1, `{pk: "PROPOSAL#01J"}` on the table) and whose sort key condition is
 * `begins_with(<sort key>, sortPrefix)`: exactly the key schema's attributes, strings, the
 * expected partition, and a sort key with that prefix.
 */
export function startKey(
  value: unknown,
  expect: Record<string, string>,
  sortPrefix = "",
): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidCursor();
  const key = value as Record<string, unknown>;
  const index = Object.keys(expect)
    .map((k) => /^(gsi\d)pk$/.exec(k)?.[1])
    .find(Boolean);
  const schema = ["pk", "sk", ...(index ? [`${index}pk`, `${index}sk`] : [])];
  const names = Object.keys(key);
  if (names.length !== schema.length || !schema.every((n) => names.includes(n)))
    throw invalidCursor();
  for (const v of Object.values(key)) {
    if (typeof v !== "string" || v.length > 1024) throw invalidCursor();
  }
  for (const [k, v] of Object.entries(expect)) if (key[k] !== v) throw invalidCursor();
  const sortKey = index ? `${index}sk` : "sk";
  if (!(key[sortKey] as string).startsWith(sortPrefix)) throw invalidCursor();
  return key as Record<string, string>;
}

export function decodeCursor(
  cursor: string | undefined,
  expect: Record<string, string>,
  sortPrefix = "",
): Record<string, string> | undefined {
  return cursor === undefined ? undefined : startKey(parseCursor(cursor), expect, sortPrefix);
}
