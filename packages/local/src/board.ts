/**
 * The public board beside the API, as CloudFront serves it in a city: `/` is the board's
 * `index.html`, `/assets/*` its hashed files; every other path is the API's. Built at start-up
 * into a directory of its own (packages/board's `buildBoard`, esbuild, well under a second).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { buildBoard } from "@pencai/board/build";
import type { HttpResult } from "./apigw.js";

export interface BoardSite {
  dir: string;
  /** build time, ms */
  builtInMs: number;
  remove(): void;
}

export async function buildBoardSite(): Promise<BoardSite> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "pencai-board-"));
  try {
    await buildBoard(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    builtInMs: Math.round(performance.now() - started),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** What the page may load: itself and the API at the same origin, nothing inline. */
const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The board's file for a GET or HEAD of `path`, or `undefined` (not the board's path). */
export function serveBoard(
  dir: string,
  req: { method: string; path: string },
): HttpResult | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const asset = /^\/assets\/([\w-]+\.(?:js|css))$/.exec(req.path)?.[1];
  const file =
    req.path === "/" || req.path === "/index.html"
      ? "index.html"
      : asset
        ? join("assets", asset)
        : undefined;
  if (!file || !existsSync(join(dir, file))) return undefined;
  return {
    status: 200,
    headers: {
      "content-type": types[extname(file)] as string,
      // hashed names never change; the page itself is asked again every time
      "cache-control": asset ? "public, max-age=31536000, immutable" : "no-cache",
      ...securityHeaders,
    },
    body: readFileSync(join(dir, file)),
  };
}
