import { merkleProof, merkleRoot, sortLeaves } from "@pencai/contracts/merkle";
import { type ChainHead, chainItem } from "@pencai/intake/domain/timeline";
import { describe, expect, it } from "vitest";
import { type ChainItem, type GetJson, verifyChain, verifyInDigest } from "../src/verify.js";

// The board's verifier against the chain intake writes (services/intake/src/domain/timeline.ts):
// what the server hashes with node:crypto and its JCS, the page must accept with WebCrypto, and
// any change to an item must show.

const ID = "01JB0000000000000000000001";

function chain(n: number): ChainItem[] {
  const items: ChainItem[] = [];
  let head: ChainHead | null = null;
  for (let i = 0; i < n; i++) {
    const item = chainItem(head, {
      type: i === 0 ? "ProposalSubmitted" : "ProgressReported",
      at: `2026-03-0${i + 1}T02:00:00.000Z`,
      actor: { role: "street_staff" },
      // key order, unicode and numbers are where a non-canonical JSON would differ
      data: { z: 1, a: "广场照明 ☀", percent: i * 25, nested: { b: [1.5, true, null], a: "x" } },
    });
    items.push(item);
    head = { seq: item.seq, hash: item.hash };
  }
  return items;
}

const headOf = (items: ChainItem[]) => {
  const last = items.at(-1) as ChainItem;
  return { seq: last.seq, hash: last.hash };
};

describe("verifyChain", () => {
  it("accepts the chain intake wrote", async () => {
    const items = chain(4);
    expect(await verifyChain(items, headOf(items))).toEqual({ ok: true, count: 4 });
  });

  it("names the first entry whose content was changed", async () => {
    const items = chain(4);
    const changed = items.map((i) =>
      i.seq === 3 ? { ...i, data: { ...i.data, percent: 99 } } : i,
    );
    expect(await verifyChain(changed, headOf(items))).toMatchObject({
      ok: false,
      brokenAt: 3,
      reason: "hash",
    });
  });

  it("finds an entry taken out, and a chain cut short of the record's head", async () => {
    const items = chain(4);
    expect(
      await verifyChain([items[0], items[2], items[3]] as ChainItem[], headOf(items)),
    ).toMatchObject({
      ok: false,
      reason: "seq",
    });
    expect(await verifyChain(items.slice(0, 3), headOf(items))).toMatchObject({
      ok: false,
      reason: "head",
    });
  });

  it("finds a re-hashed entry whose link to the one before was rewritten", async () => {
    const items = chain(3);
    const forged = { ...(items[1] as ChainItem), prevHash: "0".repeat(64) };
    expect(
      await verifyChain([items[0], forged, items[2]] as ChainItem[], headOf(items)),
    ).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: "link",
    });
  });
});

/** A digest of `others` plus this proposal at `seq`, served as the API would. */
async function digestApi(
  items: ChainItem[],
  seq: number,
  tamper?: (proof: { date: string; path: { hash: string }[] }) => void,
): Promise<GetJson> {
  const leaves = sortLeaves([
    { proposalId: ID, seq, hash: (items[seq - 1] as ChainItem).hash },
    { proposalId: "01JA0000000000000000000000", seq: 2, hash: "a".repeat(64) },
    { proposalId: "01JC0000000000000000000000", seq: 7, hash: "b".repeat(64) },
  ]);
  const root = await merkleRoot(leaves);
  const index = leaves.findIndex((l) => l.proposalId === ID);
  const proof = {
    date: "2026-03-05",
    root,
    leaf: leaves[index],
    ...(await merkleProof(leaves, index)),
  };
  tamper?.(proof);
  const latest = {
    date: "2026-03-05",
    root,
    count: 3,
    createdAt: "2026-03-05T16:00:00Z",
    algorithm: "sha256-merkle-v1",
  };
  return async (path) =>
    path === `/v1/public/proposals/${ID}/proof`
      ? { status: 200, body: proof }
      : path === "/v1/public/digests/latest"
        ? { status: 200, body: latest }
        : { status: 404 };
}

describe("verifyInDigest", () => {
  it("proves a proposal whose head of yesterday is in the latest digest", async () => {
    const items = chain(4);
    const get = await digestApi(items, 3);
    expect(await verifyInDigest(ID, items, get)).toMatchObject({
      state: "proven",
      seq: 3,
      date: "2026-03-05",
    });
  });

  it("says absent on 404 (no digest yet, or a proposal newer than it)", async () => {
    expect(await verifyInDigest(ID, chain(2), async () => ({ status: 404 }))).toEqual({
      state: "absent",
    });
  });

  it("fails when the digested head is not in the chain shown", async () => {
    const items = chain(4);
    const get = await digestApi(items, 3);
    const rewritten = items.map((i) => (i.seq === 3 ? { ...i, hash: "c".repeat(64) } : i));
    expect(await verifyInDigest(ID, rewritten, get)).toEqual({ state: "failed", why: "leaf" });
  });

  it("fails when the path does not lead to the root, or the root is not the latest", async () => {
    const items = chain(4);
    const badPath = await digestApi(items, 3, (p) => {
      (p.path[0] as { hash: string }).hash = "d".repeat(64);
    });
    expect(await verifyInDigest(ID, items, badPath)).toEqual({ state: "failed", why: "proof" });
    const oldRoot = await digestApi(items, 3, (p) => {
      p.date = "2026-03-04";
    });
    expect(await verifyInDigest(ID, items, oldRoot)).toEqual({ state: "failed", why: "root" });
  });
});
