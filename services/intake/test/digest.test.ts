import { createHash } from "node:crypto";
import { verifyProof } from "@pencai/contracts/merkle";
import { describe, expect, it } from "vitest";
import { buildDigest, digestSummary, proofIn, type TimelineHead } from "../src/domain/digest.js";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
// ULID-like ids, deliberately out of order: the digest sorts them
const heads: TimelineHead[] = [
  "01J0000000000000000000000C",
  "01J0000000000000000000000A",
  "01J0000000000000000000000E",
  "01J0000000000000000000000B",
  "01J0000000000000000000000D",
].map((id, i) => ({ id, timelineSeq: i + 2, timelineHash: sha(id) }));
const DATE = "2026-12-02";
const AT = "2026-12-01T16:30:00.000Z";

describe("buildDigest", () => {
  it("sorts the heads by proposal id into leaves and names the algorithm", async () => {
    const d = await buildDigest(heads, DATE, AT);
    expect(d.leaves.map((l) => l.proposalId)).toEqual([...heads.map((h) => h.id)].sort());
    expect(d).toMatchObject({ date: DATE, createdAt: AT, count: 5, algorithm: "sha256-merkle-v1" });
    expect(d.leaves[0]).toEqual({
      proposalId: "01J0000000000000000000000A",
      seq: 3,
      hash: sha("01J0000000000000000000000A"),
    });
    expect(digestSummary(d)).toEqual({
      date: DATE,
      root: d.root,
      count: 5,
      createdAt: AT,
      algorithm: "sha256-merkle-v1",
    });
  });

  it("does not depend on the order the heads were read in", async () => {
    const a = await buildDigest(heads, DATE, AT);
    const b = await buildDigest([...heads].reverse(), DATE, AT);
    expect(b).toEqual(a);
  });

  it("a digest of no proposals is still a digest (the root of nothing)", async () => {
    const d = await buildDigest([], DATE, AT);
    expect(d).toMatchObject({ count: 0, leaves: [], root: sha("") });
  });
});

describe("proofIn", () => {
  it("the proof of every leaf verifies against the root", async () => {
    const d = await buildDigest(heads, DATE, AT);
    for (const h of heads) {
      const proof = await proofIn(d, h.id);
      expect(proof).toMatchObject({ date: DATE, root: d.root, leaf: { proposalId: h.id } });
      expect(await verifyProof(proof!.leaf, proof!, d.root)).toBe(true);
    }
  });

  it("a changed head does not verify against the old root, and gives another root", async () => {
    const d = await buildDigest(heads, DATE, AT);
    const proof = (await proofIn(d, heads[2]!.id))!;
    const appended = { ...proof.leaf, seq: proof.leaf.seq + 1, hash: sha("a new item") };
    expect(await verifyProof(appended, proof, d.root)).toBe(false);
    const next = await buildDigest(
      heads.map((h, i) =>
        i === 2 ? { ...h, timelineSeq: appended.seq, timelineHash: appended.hash } : h,
      ),
      "2026-12-03",
      AT,
    );
    expect(next.root).not.toBe(d.root);
    const newProof = (await proofIn(next, heads[2]!.id))!;
    expect(await verifyProof(appended, newProof, next.root)).toBe(true);
    // the old proof of an unchanged neighbour still proves against the old root
    const old = (await proofIn(d, heads[0]!.id))!;
    expect(await verifyProof(old.leaf, old, d.root)).toBe(true);
  });

  it("answers nothing for a proposal that is not a leaf", async () => {
    const d = await buildDigest(heads, DATE, AT);
    expect(await proofIn(d, "01J0000000000000000000000Z")).toBeUndefined();
  });

  it("refuses a document whose leaves do not give its root", async () => {
    const d = await buildDigest(heads, DATE, AT);
    const forged = { ...d, leaves: d.leaves.map((l, i) => (i === 1 ? { ...l, seq: 99 } : l)) };
    await expect(proofIn(forged, heads[0]!.id)).rejects.toThrow(/do not give its root/);
  });
});
