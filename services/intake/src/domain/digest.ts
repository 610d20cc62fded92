import type { DigestDocument, DigestSummary } from "@pencai/contracts/digest";
import {
  MERKLE_ALGORITHM,
  type MerkleLeaf,
  type MerkleStep,
  merkleProof,
  merkleRoot,
  sortLeaves,
} from "@pencai/contracts/merkle";

// The daily digest (issue 13, "history the city cannot rewrite"): every public proposal's
// timeline head as a leaf of a Merkle tree (packages/contracts/src/merkle.ts). Pure: the handler
// reads the heads, this builds the document the bucket keeps, and answers proofs from it.

/** A proposal's chain head as the table keeps it (`timelineSeq`, `timelineHash`). */
export interface TimelineHead {
  id: string;
  timelineSeq: number;
  timelineHash: string;
}

/** The digest of `heads` for `date`: leaves sorted by proposal id, their root and count. */
export async function buildDigest(
  heads: readonly TimelineHead[],
  date: string,
  createdAt: string,
): Promise<DigestDocument> {
  const leaves = sortLeaves(
    heads.map((h) => ({ proposalId: h.id, seq: h.timelineSeq, hash: h.timelineHash })),
  );
  return {
    date,
    root: await merkleRoot(leaves),
    count: leaves.length,
    createdAt,
    algorithm: MERKLE_ALGORITHM,
    leaves,
  };
}

export interface DigestProof {
  date: string;
  root: string;
  leaf: MerkleLeaf;
  index: number;
  path: MerkleStep[];
}

/**
 * The proof of `proposalId` in `digest`, or undefined when it is not a leaf. The root is
 * recomputed from the leaves: a document whose leaves do not give its root is refused (thrown),
 * never answered as if it proved something.
 */
export async function proofIn(
  digest: DigestDocument,
  proposalId: string,
): Promise<DigestProof | undefined> {
  const index = digest.leaves.findIndex((l) => l.proposalId === proposalId);
  if (index < 0) return undefined;
  if ((await merkleRoot(digest.leaves)) !== digest.root) {
    throw new Error(`digest ${digest.date}: its leaves do not give its root`);
  }
  const { path } = await merkleProof(digest.leaves, index);
  return {
    date: digest.date,
    root: digest.root,
    leaf: digest.leaves[index] as MerkleLeaf,
    index,
    path,
  };
}

/** The summary the table keeps and `GET /v1/public/digests/latest` answers. */
export function digestSummary(d: DigestSummary): DigestSummary {
  return {
    date: d.date,
    root: d.root,
    count: d.count,
    createdAt: d.createdAt,
    algorithm: d.algorithm,
  };
}
