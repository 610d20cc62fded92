import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type MerkleLeaf, merkleRoot, verifyProof } from "@pencai/contracts/merkle";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { allowedCategory, call, currentYear, places, token } from "../support/http.js";
import { submittedProposalAt } from "../support/proposals.js";
import { shellBlocks, shellScript } from "../support/readme.js";

// The daily digest on the local cloud (services/intake/README.md, "Proving a timeline has not
// been altered"): run it, fetch the latest root and a proposal's proof, verify them with
// merkle.ts as anyone would; then append to the proposal's timeline and show the old proof
// still verifies against the old root while the new head waits for the next day's digest; a
// second run the same day changes nothing. The local S3 has no Object Lock (see the README):
// what this proves is the service's own write-once rules.

const run = Date.now().toString(36);
let staff = "";
let proposalId = "";
/** clock days moved forward by this file, moved back afterwards */
let advanced = 0;

interface Proof {
  date: string;
  root: string;
  leaf: MerkleLeaf;
  index: number;
  path: { side: "left" | "right"; hash: string }[];
}

const runDigest = async () => {
  const r = await call("POST", "/dev/run/digest");
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.results[0] as { written: boolean; date: string; root: string; count: number };
};
const get = async (path: string) => {
  const r = await call("GET", path);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
};
/** The proposal's head as the public page shows it: the last item of its timeline. */
const headOf = async (id: string): Promise<MerkleLeaf> => {
  const { timeline } = await get(`/v1/public/proposals/${id}`);
  const last = timeline.at(-1);
  return { proposalId: id, seq: last.seq, hash: last.hash };
};

beforeAll(async () => {
  const { home } = await places();
  staff = await token({ sub: `dg-staff-${run}`, roles: ["community_staff"], ...home });
  proposalId = await submittedProposalAt(call, {
    communityId: home.communityId,
    staff,
    title: `digest proposal ${run}`,
    category: await allowedCategory(),
    year: currentYear(),
  });
}, 60_000);

afterAll(async () => {
  if (advanced) await call("POST", "/dev/clock", { body: { advanceDays: -advanced } });
});

describe("the daily digest of timeline heads", () => {
  let first: Awaited<ReturnType<typeof runDigest>>;
  let firstProof: Proof;
  let headBefore: MerkleLeaf;

  it("publishes a root whose leaves recompute it, with this proposal's head among them", async () => {
    first = await runDigest();
    expect(first).toMatchObject({
      written: true,
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const latest = await get("/v1/public/digests/latest");
    expect(latest).toEqual({
      date: first.date,
      root: first.root,
      count: first.count,
      createdAt: expect.any(String),
      algorithm: "sha256-merkle-v1",
    });
    const day = await get(`/v1/public/digests/${first.date}`);
    expect(day).toMatchObject(latest);
    expect(day.leaves).toHaveLength(first.count);
    expect(await merkleRoot(day.leaves)).toBe(first.root);
    headBefore = await headOf(proposalId);
    expect(day.leaves).toContainEqual(headBefore);
  });

  it("proves the proposal's head against the latest root, as anyone can check", async () => {
    firstProof = await get(`/v1/public/proposals/${proposalId}/proof`);
    expect(firstProof).toMatchObject({ date: first.date, root: first.root, leaf: headBefore });
    expect(await verifyProof(headBefore, firstProof, first.root)).toBe(true);
  });

  it("after the timeline grows, the old proof still holds and the new head is not in the digest", async () => {
    const screened = await call("POST", `/v1/proposals/${proposalId}/screening`, {
      token: staff,
      body: { decision: "accept", needFit: 70 },
    });
    expect(screened.status, JSON.stringify(screened.body)).toBe(200);
    const headAfter = await headOf(proposalId);
    expect(headAfter.seq).toBe(headBefore.seq + 1);

    // what a resident saw yesterday still proves against the published root
    expect(await verifyProof(headBefore, firstProof, first.root)).toBe(true);
    // the new head is not what the digest holds, until the next day's digest
    expect(await verifyProof(headAfter, firstProof, first.root)).toBe(false);
    const proofNow = await get(`/v1/public/proposals/${proposalId}/proof`);
    expect(proofNow.leaf).toEqual(headBefore);
  });

  it("a second run the same day changes nothing", async () => {
    const again = await runDigest();
    expect(again).toEqual({ ...first, written: false, createdAt: expect.any(String) });
    const latest = await get("/v1/public/digests/latest");
    expect(latest.root).toBe(first.root);
    const day = await get(`/v1/public/digests/${first.date}`);
    expect(day.root).toBe(first.root);
    expect(day.leaves).toContainEqual(headBefore);
  });

  it("the next day's digest holds the new head; the old day's tree still proves the old one", async () => {
    await call("POST", "/dev/clock", { body: { advanceDays: 1 } });
    advanced = 1;
    const next = await runDigest();
    expect(next.written).toBe(true);
    expect(next.date > first.date).toBe(true);
    expect(next.root).not.toBe(first.root);
    const proof: Proof = await get(`/v1/public/proposals/${proposalId}/proof`);
    const headAfter = await headOf(proposalId);
    expect(proof).toMatchObject({ date: next.date, root: next.root, leaf: headAfter });
    expect(await verifyProof(headAfter, proof, next.root)).toBe(true);
    const old = await get(`/v1/public/digests/${first.date}`);
    expect(old.root).toBe(first.root);
    expect(await merkleRoot(old.leaves)).toBe(first.root);
    expect(await verifyProof(headBefore, firstProof, old.root)).toBe(true);
  });
});

describe("services/intake/README.md, proving a timeline has not been altered", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const blocks = shellBlocks(readFileSync(`${root}services/intake/README.md`, "utf8")).filter(
    (b) => b.heading === "Digest: history the city cannot rewrite",
  );

  it.each([1, 2])("runs its steps against the local cloud (run %i)", async () => {
    expect(blocks).toHaveLength(1);
    const { stdout } = await promisify(execFile)("bash", ["-c", shellScript(blocks)], {
      cwd: root,
      env: { ...process.env, API: inject("baseUrl"), ID: proposalId },
    });
    expect(stdout).toContain(`verified: ${proposalId} item `);
  });
});
