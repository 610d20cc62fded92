import { validationFailed } from "@pencai/runtime/errors";

/**
 * List cursors are the opaque base64url of DynamoDB's LastEvaluatedKey. A cursor only
 * continues the list it came from: its partition key must match the query's.
 */

const keyAttributes = new Set([
  "pk",
  "sk",
  "gsi1pk",
  "gsi1sk",
  "gsi2pk",
  "gsi2sk",
  "gsi3pk",
  "gsi3sk",
]);

export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  return lastKey ? Buffer.from(JSON.stringify(lastKey), "utf8").toString("base64url") : null;
}

export function decodeCursor(
  cursor: string | undefined,
  expect: Record<string, string>,
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const bad = () =>
    validationFailed("invalid cursor", [
      { path: "query.cursor", message: "not a cursor of this list" },
    ]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) throw bad();
  const entries = Object.entries(key);
  if (entries.length === 0) throw bad();
  for (const [k, v] of entries) {
    if (!keyAttributes.has(k) || typeof v !== "string" || v.length > 1024) throw bad();
  }
  for (const [k, v] of Object.entries(expect)) {
    if ((key as Record<string, unknown>)[k] !== v) throw bad();
  }
  return key as Record<string, string>;
}
