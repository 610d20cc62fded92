/**
 * "Verify this chain", in the browser: recompute every timeline hash (WebCrypto SHA-256 over
 * `(prevHash ?? "") + JCS(item without hash)`, RFC 8785 by `canonicalize`, the algorithm of
 * services/intake/src/domain/timeline.ts) and check the proposal against the latest daily
 * digest (a Merkle proof, `@pencai/contracts/merkle`). Pure but for the `fetch` handed in.
 */
import { verifyProof } from "@pencai/contracts/merkle";
import canonicalizeModule from "canonicalize";

// `canonicalize` is CommonJS whose typings declare an ES default export (see runtime/canonical.ts).
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** One public timeline item (API.md "Intake"). */
export interface ChainItem {
  seq: number;
  type: string;
  at: string;
  actor: { role: string };
  data: Record<string, unknown>;
  prevHash: string | null;
  hash: string;
}

export type ChainCheck =
  | { ok: true; count: number }
  /** `seq` of the first item that does not verify; `head`: the items verify but end elsewhere */
  | { ok: false; count: number; brokenAt: number; reason: "hash" | "link" | "seq" | "head" };

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The hash an item should carry. */
function itemHash(item: ChainItem): Promise<string> {
  const { hash: _hash, ...rest } = item;
  return sha256Hex(`${rest.prevHash ?? ""}${canonicalize(rest) ?? ""}`);
}

/** Checks the chain link by link, and that it ends at the head the proposal record names. */
export async function verifyChain(
  items: readonly ChainItem[],
  head: { seq: number; hash: string },
): Promise<ChainCheck> {
  let prev: string | null = null;
  for (const [i, item] of items.entries()) {
    const broken = (reason: "hash" | "link" | "seq"): ChainCheck => ({
      ok: false,
      count: items.length,
      brokenAt: item.seq,
      reason,
    });
    if (item.seq !== i + 1) return broken("seq");
    if (item.prevHash !== prev) return broken("link");
    if ((await itemHash(item)) !== item.hash) return broken("hash");
    prev = item.hash;
  }
  const last = items.at(-1);
  if ((last?.seq ?? 0) !== head.seq || (last?.hash ?? "") !== head.hash) {
    return { ok: false, count: items.length, brokenAt: last?.seq ?? 0, reason: "head" };
  }
  return { ok: true, count: items.length };
}

/** `GET /v1/public/proposals/{id}/proof` (shared decision of issue 13). */
interface DigestProof {
  date: string;
  root: string;
  leaf: { proposalId: string; seq: number; hash: string };
  index: number;
  path: { side: "left" | "right"; hash: string }[];
}

/** `GET /v1/public/digests/latest`. */
interface DigestHead {
  date: string;
  root: string;
  count: number;
  createdAt: string;
  algorithm: string;
}

export type DigestCheck =
  | { state: "proven"; date: string; root: string; seq: number }
  | { state: "absent" }
  | { state: "failed"; why: "proof" | "leaf" | "root" };

/** A JSON GET at the board's origin: the status, and the body when it is 200. */
export type GetJson = (path: string) => Promise<{ status: number; body?: unknown }>;

/**
 * The proposal against the latest digest: the proof's leaf is this proposal at an item of the
 * chain just verified, its path leads to the root, and that root is the latest digest's.
 * A 404 (no digest yet, or the proposal came after it) is `absent`, not a failure.
 */
export async function verifyInDigest(
  proposalId: string,
  items: readonly ChainItem[],
  get: GetJson,
): Promise<DigestCheck> {
  const proof = await get(`/v1/public/proposals/${encodeURIComponent(proposalId)}/proof`);
  if (proof.status === 404) return { state: "absent" };
  if (proof.status !== 200) throw new Error(`proof: HTTP ${proof.status}`);
  const p = proof.body as DigestProof;
  const item = items[p.leaf.seq - 1];
  if (p.leaf.proposalId !== proposalId || item?.hash !== p.leaf.hash) {
    return { state: "failed", why: "leaf" };
  }
  if (!(await verifyProof(p.leaf, p, p.root))) return { state: "failed", why: "proof" };
  const latest = await get("/v1/public/digests/latest");
  if (latest.status !== 200) throw new Error(`latest digest: HTTP ${latest.status}`);
  const head = latest.body as DigestHead;
  if (head.root !== p.root || head.date !== p.date) return { state: "failed", why: "root" };
  return { state: "proven", date: p.date, root: p.root, seq: p.leaf.seq };
}
