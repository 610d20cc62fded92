/**
 * The public board's first load: what a phone downloads to show the first page (index.html,
 * the stylesheet and every script it names), as built by packages/board's `buildBoard`, gzipped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildBoard } from "@pencai/board/build";

/** Gzipped JavaScript the board may ask of a phone at first load (issue 13). */
export const boardTargetGzipBytes = 100 * 1024;

export interface BoardLoad {
  buildMs: number;
  /** [file, raw bytes, gzipped bytes] of everything the first page loads */
  files: { file: string; raw: number; gzipped: number }[];
  jsGzipped: number;
}

export async function boardFirstLoad(dir: string): Promise<BoardLoad> {
  const started = performance.now();
  await buildBoard(dir);
  const buildMs = performance.now() - started;
  const html = readFileSync(join(dir, "index.html"), "utf8");
  // the board's own files (the icon is an inline `data:` URL)
  const named = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(assets\/[^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  const files = ["index.html", ...named].map((file) => {
    const bytes = readFileSync(join(dir, file));
    return { file, raw: bytes.length, gzipped: gzipSync(bytes).length };
  });
  const jsGzipped = files.filter((f) => f.file.endsWith(".js")).reduce((n, f) => n + f.gzipped, 0);
  return { buildMs, files, jsGzipped };
}
