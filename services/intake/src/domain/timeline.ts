import { createHash } from "node:crypto";
import type { TimelineItem } from "@pencai/contracts/intake";
import { canonicalJson } from "@pencai/runtime/canonical";

/** What happened, before it is chained: never a `sub`, only the actor's role. */
export interface TimelineEntry {
  type: string;
  at: string;
  actor: { role: string };
  data: Record<string, unknown>;
}

/** The chain head kept on the proposal (`timelineSeq`, `timelineHash`). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** hash = lowercase hex SHA-256 of `(prevHash ?? "") + JCS(item without hash)`. */
export function hashOf(item: Omit<TimelineItem, "hash">): string {
  return createHash("sha256")
    .update(`${item.prevHash ?? ""}${canonicalJson(item)}`, "utf8")
    .digest("hex");
}

/** The next item of a chain whose head is `prev` (`null` for the first item, seq 1). */
export function chainItem(prev: ChainHead | null, entry: TimelineEntry): TimelineItem {
  const item = {
    seq: (prev?.seq ?? 0) + 1,
    type: entry.type,
    at: entry.at,
    actor: { role: entry.actor.role },
    data: jsonSafe(entry.data),
    prevHash: prev?.hash ?? null,
  };
  return { ...item, hash: hashOf(item) };
}

/** Index of the first item that breaks the chain, or `null` when it verifies. */
export function firstBrokenLink(items: readonly TimelineItem[]): number | null {
  let prev: string | null = null;
  for (const [i, item] of items.entries()) {
    const { hash, ...rest } = item;
    if (rest.prevHash !== prev || rest.seq !== i + 1 || hashOf(rest) !== hash) return i;
    prev = hash;
  }
  return null;
}

// Stored items round-trip through DynamoDB and JSON: drop `undefined` so the hash is stable.
function jsonSafe(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}
