import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  leafHash,
  type MerkleLeaf,
  merkleProof,
  merkleRoot,
  sortLeaves,
  verifyProof,
} from "../src/merkle.js";

// An independent reading of the shared rules with node:crypto, written level by level without
// the module's helpers: if the two disagree, one of them misreads the rules.
const sha = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const refLeaf = (l: MerkleLeaf) =>
  sha(Buffer.from([0]), Buffer.from(`${l.proposalId}\n${l.seq}\n${l.hash}`, "utf8"));
function refRoot(leaves: MerkleLeaf[]): string {
  if (leaves.length === 0) return sha().toString("hex");
  let level: Buffer[] = leaves.map(refLeaf);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(sha(Buffer.from([1]), level[i] as Buffer, level[i + 1] as Buffer));
    }
    if (level.length % 2 === 1) next.push(level.at(-1) as Buffer);
    level = next;
  }
  return (level[0] as Buffer).toString("hex");
}

const head = (n: number) => createHash("sha256").update(`item ${n}`).digest("hex");
const leavesOf = (n: number): MerkleLeaf[] =>
  Array.from({ length: n }, (_, i) => ({
    proposalId: `p-${String(i).padStart(3, "0")}`,
    seq: i + 1,
    hash: head(i),
  }));

describe("leafHash", () => {
  it("hashes 0x00 and the id, seq and head on three lines", async () => {
    const leaf = { proposalId: "提案-1", seq: 7, hash: head(1) };
    expect(await leafHash(leaf)).toBe(refLeaf(leaf).toString("hex"));
  });

  it("a fixed vector: anyone re-implementing the rules must get this", async () => {
    const leaf = { proposalId: "a", seq: 1, hash: "0".repeat(64) };
    expect(await leafHash(leaf)).toBe(
      createHash("sha256")
        .update(`\u0000a\n1\n${"0".repeat(64)}`)
        .digest("hex"),
    );
  });
});

describe("merkleRoot", () => {
  it.each([0, 1, 2, 3, 5, 8, 13])(
    "agrees with an independent node:crypto tree of %i leaves",
    async (n) => {
      expect(await merkleRoot(leavesOf(n))).toBe(refRoot(leavesOf(n)));
    },
  );

  it("of one leaf is that leaf's hash; of three promotes the odd one", async () => {
    const [a, b, c] = leavesOf(3) as [MerkleLeaf, MerkleLeaf, MerkleLeaf];
    expect(await merkleRoot([a])).toBe(await leafHash(a));
    const ab = sha(Buffer.from([1]), refLeaf(a), refLeaf(b));
    expect(await merkleRoot([a, b, c])).toBe(sha(Buffer.from([1]), ab, refLeaf(c)).toString("hex"));
  });

  it("changes when any head changes", async () => {
    const leaves = leavesOf(5);
    const before = await merkleRoot(leaves);
    const changed = leaves.map((l, i) => (i === 3 ? { ...l, seq: l.seq + 1 } : l));
    expect(await merkleRoot(changed)).not.toBe(before);
  });

  it("refuses leaves out of order or twice, and sortLeaves puts them in order", async () => {
    const leaves = leavesOf(3);
    const shuffled = [leaves[2], leaves[0], leaves[1]] as MerkleLeaf[];
    await expect(merkleRoot(shuffled)).rejects.toThrow(/sorted/);
    await expect(merkleRoot([...leaves, leaves[2] as MerkleLeaf])).rejects.toThrow(/sorted/);
    expect(sortLeaves(shuffled)).toEqual(leaves);
  });
});

describe("merkleProof / verifyProof", () => {
  it.each([1, 2, 3, 5, 8])("every leaf of %i proves against the root", async (n) => {
    const leaves = leavesOf(n);
    const root = refRoot(leaves);
    for (const [i, leaf] of leaves.entries()) {
      const proof = await merkleProof(leaves, i);
      expect(proof.index).toBe(i);
      expect(await verifyProof(leaf, proof, root)).toBe(true);
    }
  });

  it("the path of a promoted leaf skips the level where it had no sibling", async () => {
    const leaves = leavesOf(5);
    const proof = await merkleProof(leaves, 4);
    expect(proof.path).toEqual([{ side: "left", hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect((await merkleProof(leaves, 0)).path.map((s) => s.side)).toEqual([
      "right",
      "right",
      "right",
    ]);
  });

  it("a tampered leaf does not verify", async () => {
    const leaves = leavesOf(8);
    const root = await merkleRoot(leaves);
    const proof = await merkleProof(leaves, 5);
    const leaf = leaves[5] as MerkleLeaf;
    expect(await verifyProof({ ...leaf, seq: leaf.seq + 1 }, proof, root)).toBe(false);
    expect(await verifyProof({ ...leaf, hash: head(99) }, proof, root)).toBe(false);
    expect(await verifyProof({ ...leaf, proposalId: "p-999" }, proof, root)).toBe(false);
    expect(await verifyProof(leaves[4] as MerkleLeaf, proof, root)).toBe(false);
  });

  it("a tampered path or root does not verify, and malformed input is false, not a throw", async () => {
    const leaves = leavesOf(8);
    const root = await merkleRoot(leaves);
    const leaf = leaves[2] as MerkleLeaf;
    const proof = await merkleProof(leaves, 2);
    const flipped = proof.path.map((s, i) =>
      i === 1 ? { ...s, side: s.side === "left" ? ("right" as const) : ("left" as const) } : s,
    );
    expect(await verifyProof(leaf, { path: flipped }, root)).toBe(false);
    const swapped = proof.path.map((s, i) => (i === 0 ? { ...s, hash: head(42) } : s));
    expect(await verifyProof(leaf, { path: swapped }, root)).toBe(false);
    expect(await verifyProof(leaf, { path: proof.path.slice(1) }, root)).toBe(false);
    expect(await verifyProof(leaf, proof, head(7))).toBe(false);
    expect(await verifyProof(leaf, proof, root.toUpperCase())).toBe(false);
    const junk = [{ side: "up", hash: "zz" }] as unknown as typeof proof.path;
    expect(await verifyProof(leaf, { path: junk }, root)).toBe(false);
  });

  it("refuses an index outside the leaves", async () => {
    await expect(merkleProof(leavesOf(3), 3)).rejects.toThrow(RangeError);
    await expect(merkleProof(leavesOf(3), -1)).rejects.toThrow(RangeError);
  });
});
