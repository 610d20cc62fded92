import { createHash } from "node:crypto";
import type { TimelineItem } from "@pencai/contracts/intake";
import canonicalizeModule from "canonicalize";
import { describe, expect, it } from "vitest";
import { chainItem, firstBrokenLink } from "../src/domain/timeline.js";

// An independent verifier, exactly as API.md states it: node:crypto + canonicalize (RFC 8785).
const canonicalize = canonicalizeModule as unknown as (v: unknown) => string;
function verify(items: Record<string, unknown>[]): number | null {
  let prev: string | null = null;
  for (const [i, item] of items.entries()) {
    const { hash, ...rest } = item;
    if (rest.prevHash !== prev) return i;
    const expected = createHash("sha256")
      .update(`${prev ?? ""}${canonicalize(rest)}`, "utf8")
      .digest("hex");
    if (hash !== expected) return i;
    prev = hash as string;
  }
  return null;
}

function sampleChain(): TimelineItem[] {
  const a = chainItem(null, {
    type: "ProposalSubmitted",
    at: "2026-03-01T08:00:00.000Z",
    actor: { role: "resident" },
    data: {
      title: "电梯 \u2028 加装",
      budgetFen: 8_000_000,
      needIds: ["01JNNNNNNNNNNNNNNNNNNNNNNN"],
      dropped: undefined,
    },
  });
  const b = chainItem(a, {
    type: "ProposalScreened",
    at: "2026-03-02T08:00:00.000Z",
    actor: { role: "community_staff" },
    data: { decision: "accept", needFit: 90, ratio: 0.5 },
  });
  const c = chainItem(b, {
    type: "ProposalApproved",
    at: "2026-04-01T08:00:00.000Z",
    actor: { role: "district_group" },
    data: { status: "approved", "z-key": 1, a: true },
  });
  return [a, b, c];
}

describe("timeline hash chain", () => {
  it("links items: seq from 1, prevHash null first, then the previous hash", () => {
    const [a, b, c] = sampleChain();
    expect([a!.seq, b!.seq, c!.seq]).toEqual([1, 2, 3]);
    expect(a!.prevHash).toBeNull();
    expect(b!.prevHash).toBe(a!.hash);
    expect(c!.prevHash).toBe(b!.hash);
    expect(a!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect("dropped" in a!.data).toBe(false);
  });

  it("verifies with an independent implementation, also after a JSON round trip", () => {
    const items = sampleChain();
    expect(verify(items as unknown as Record<string, unknown>[])).toBeNull();
    expect(verify(JSON.parse(JSON.stringify(items)))).toBeNull();
    expect(firstBrokenLink(items)).toBeNull();
  });

  it("detects tampering at the changed item", () => {
    const items = JSON.parse(JSON.stringify(sampleChain()));
    items[1].data.needFit = 10;
    expect(verify(items)).toBe(1);
    expect(firstBrokenLink(items)).toBe(1);
    const dropped = sampleChain().slice(1);
    expect(firstBrokenLink(dropped)).toBe(0);
  });

  it("never carries a sub: actors are roles", () => {
    const item = chainItem(null, {
      type: "X",
      at: "2026-01-01T00:00:00.000Z",
      actor: { role: "resident", sub: "secret" } as { role: string },
      data: {},
    });
    expect(item.actor).toEqual({ role: "resident" });
  });
});
