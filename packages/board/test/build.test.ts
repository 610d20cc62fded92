import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { boardFirstLoad, boardTargetGzipBytes } from "../../../test/bench/board.js";

// buildBoard's output as npm run bench measures it: the page and every file it names, within
// the budget of first-load JavaScript.

const dir = mkdtempSync(join(tmpdir(), "pencai-board-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("buildBoard", () => {
  it(`gives a first load of at most ${boardTargetGzipBytes / 1024} KB of JavaScript gzipped`, async () => {
    const load = await boardFirstLoad(dir);
    expect(load.files.map((f) => f.file)).toEqual([
      "index.html",
      expect.stringMatching(/^assets\/style-\w+\.css$/),
      expect.stringMatching(/^assets\/app-\w+\.js$/),
    ]);
    expect(load.jsGzipped).toBeGreaterThan(0);
    expect(load.jsGzipped).toBeLessThanOrEqual(boardTargetGzipBytes);
  });
});
