import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildDigest } from "../src/domain/digest.js";

// The daily run's order of writes (handlers/digest.ts), with the digest store replaced: a day
// already recorded is answered as it is; a document the bucket already holds (a run that
// stopped before recording it) is recorded as it is, never replaced by a new tree.

vi.mock("../src/digest-store.js", () => ({
  getDigestRecord: vi.fn(),
  timelineHeads: vi.fn(),
  putDigestDocument: vi.fn(),
  getDigestDocument: vi.fn(),
  recordDigest: vi.fn(),
  advanceLatest: vi.fn(),
}));
const store = vi.mocked(await import("../src/digest-store.js"));
const { runDigest } = await import("../src/handlers/digest.js");

const hash = (c: string) => c.repeat(64);
const heads = [
  { id: "01J0000000000000000000000B", timelineSeq: 2, timelineHash: hash("b") },
  { id: "01J0000000000000000000000A", timelineSeq: 1, timelineHash: hash("a") },
];
// 00:30 in Shanghai on 2 December is 16:30 UTC on 1 December
const AT = new Date("2026-12-01T16:30:00Z");

beforeEach(() => {
  store.timelineHeads.mockResolvedValue(heads);
  store.recordDigest.mockResolvedValue(true);
  store.advanceLatest.mockResolvedValue();
});
afterEach(() => vi.resetAllMocks());

describe("runDigest", () => {
  it("writes the day's tree once: the bucket, then the day's record, then the pointer", async () => {
    store.getDigestRecord.mockResolvedValue(undefined);
    store.putDigestDocument.mockResolvedValue(true);
    const out = await runDigest(AT);
    const doc = await buildDigest(heads, "2026-12-02", AT.toISOString());
    expect(store.putDigestDocument).toHaveBeenCalledWith(doc);
    const record = { date: "2026-12-02", root: doc.root, count: 2, createdAt: AT.toISOString() };
    expect(store.recordDigest).toHaveBeenCalledWith(
      expect.objectContaining({ ...record, key: "digests/2026-12-02.json" }),
    );
    expect(store.advanceLatest).toHaveBeenCalledWith(store.recordDigest.mock.calls[0]![0]);
    expect(out).toEqual({ written: true, ...record, algorithm: "sha256-merkle-v1" });
  });

  it("answers a day already recorded without reading the heads or writing the bucket", async () => {
    const recorded = {
      date: "2026-12-02",
      root: hash("f"),
      count: 7,
      createdAt: "2026-12-01T16:30:01.000Z",
      algorithm: "sha256-merkle-v1" as const,
      key: "digests/2026-12-02.json",
    };
    store.getDigestRecord.mockResolvedValue(recorded);
    const out = await runDigest(new Date("2026-12-02T09:00:00Z"));
    expect(store.timelineHeads).not.toHaveBeenCalled();
    expect(store.putDigestDocument).not.toHaveBeenCalled();
    expect(store.recordDigest).not.toHaveBeenCalled();
    expect(store.advanceLatest).toHaveBeenCalledWith(recorded);
    expect(out).toMatchObject({ written: false, root: recorded.root, count: 7 });
  });

  it("records the document the bucket already holds when the write is refused (412)", async () => {
    const first = await buildDigest(heads.slice(0, 1), "2026-12-02", "2026-12-01T16:30:00.000Z");
    store.getDigestRecord.mockResolvedValue(undefined);
    store.putDigestDocument.mockResolvedValue(false);
    store.getDigestDocument.mockResolvedValue(first);
    const out = await runDigest(new Date("2026-12-01T17:00:00Z"));
    expect(store.getDigestDocument).toHaveBeenCalledWith("2026-12-02");
    expect(store.recordDigest).toHaveBeenCalledWith(
      expect.objectContaining({ root: first.root, count: 1, createdAt: first.createdAt }),
    );
    expect(out).toMatchObject({ written: false, root: first.root });
  });

  it("fails loudly when the bucket refuses the write but holds no document", async () => {
    store.getDigestRecord.mockResolvedValue(undefined);
    store.putDigestDocument.mockResolvedValue(false);
    store.getDigestDocument.mockResolvedValue(undefined);
    await expect(runDigest(AT)).rejects.toThrow(/refused the write/);
    expect(store.recordDigest).not.toHaveBeenCalled();
  });
});
