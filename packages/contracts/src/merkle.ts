/**
 * The daily digest's Merkle tree (RFC 6962 style), the same in Node 22 and in a browser: WebCrypto
 * only (`crypto.subtle`), every hash lowercase hex SHA-256.
 *
 * - leafHash = SHA-256(0x00 || UTF-8 of `${proposalId}\n${seq}\n${hash}`)
 * - nodeHash = SHA-256(0x01 || left bytes || right bytes)
 * - leaves are sorted by proposalId (code-unit order, each id once); an odd node at a level is
 *   promoted to the next level unchanged; the root of no leaves is SHA-256 of nothing.
 *
 * The 0x00/0x01 prefixes keep a leaf from passing for an inner node (second-preimage attack).
 */

export const MERKLE_ALGORITHM = "sha256-merkle-v1";

/** One proposal's timeline head, as it stood when the digest was made. */
export interface MerkleLeaf {
  proposalId: string;
  seq: number;
  hash: string;
}

/** One step up from a leaf: the sibling's hash and the side it sits on. */
export interface MerkleStep {
  side: "left" | "right";
  hash: string;
}

export interface MerkleProof {
  /** The leaf's position among the sorted leaves. */
  index: number;
  /** Siblings from the leaf up to the root (a promoted node has no sibling, so no step). */
  path: MerkleStep[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();

async function sha256(...parts: Uint8Array[]): Promise<string> {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function bytesOf(hex: string): Uint8Array {
  if (!HEX64.test(hex)) throw new TypeError(`not a lowercase hex SHA-256: ${JSON.stringify(hex)}`);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function leafHash(leaf: MerkleLeaf): Promise<string> {
  const text = `${leaf.proposalId}\n${leaf.seq}\n${leaf.hash}`;
  return sha256(Uint8Array.of(0), encoder.encode(text));
}

export function nodeHash(left: string, right: string): Promise<string> {
  return sha256(Uint8Array.of(1), bytesOf(left), bytesOf(right));
}

/** The leaves in the order the tree wants them (by proposalId, code-unit order). */
export function sortLeaves<T extends MerkleLeaf>(leaves: readonly T[]): T[] {
  return [...leaves].sort((a, b) =>
    a.proposalId < b.proposalId ? -1 : a.proposalId > b.proposalId ? 1 : 0,
  );
}

function assertSorted(leaves: readonly MerkleLeaf[]): void {
  for (let i = 1; i < leaves.length; i++) {
    const prev = leaves[i - 1] as MerkleLeaf;
    const here = leaves[i] as MerkleLeaf;
    if (!(prev.proposalId < here.proposalId)) {
      throw new RangeError(`leaves must be sorted by proposalId, each once (at ${i})`);
    }
  }
}

/** Every level of the tree, leaves first, root last. */
async function levels(leaves: readonly MerkleLeaf[]): Promise<string[][]> {
  assertSorted(leaves);
  const out = [await Promise.all(leaves.map(leafHash))];
  for (let level = out[0] as string[]; level.length > 1; ) {
    const next: Promise<string>[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as string;
      const right = level[i + 1];
      next.push(right === undefined ? Promise.resolve(left) : nodeHash(left, right));
    }
    level = await Promise.all(next);
    out.push(level);
  }
  return out;
}

/** The root of leaves sorted by proposalId (throws when they are not). */
export async function merkleRoot(leaves: readonly MerkleLeaf[]): Promise<string> {
  if (leaves.length === 0) return sha256();
  const all = await levels(leaves);
  return (all.at(-1) as string[])[0] as string;
}

/** The audit path of the leaf at `index` among leaves sorted by proposalId. */
export async function merkleProof(
  leaves: readonly MerkleLeaf[],
  index: number,
): Promise<MerkleProof> {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`no leaf at index ${index} of ${leaves.length}`);
  }
  const path: MerkleStep[] = [];
  let i = index;
  for (const level of (await levels(leaves)).slice(0, -1)) {
    const sibling = i % 2 === 0 ? level[i + 1] : level[i - 1];
    if (sibling !== undefined) path.push({ side: i % 2 === 0 ? "right" : "left", hash: sibling });
    i = Math.floor(i / 2);
  }
  return { index, path };
}

/**
 * Whether `leaf` with `proof` leads to `root`. Never throws on what a stranger sends: a malformed
 * hash or side is simply a proof that does not verify.
 */
export async function verifyProof(
  leaf: MerkleLeaf,
  proof: Pick<MerkleProof, "path">,
  root: string,
): Promise<boolean> {
  if (!HEX64.test(root) || !Array.isArray(proof.path)) return false;
  let h = await leafHash(leaf);
  for (const step of proof.path) {
    if (typeof step?.hash !== "string" || !HEX64.test(step.hash)) return false;
    if (step.side === "left") h = await nodeHash(step.hash, h);
    else if (step.side === "right") h = await nodeHash(h, step.hash);
    else return false;
  }
  return h === root;
}
