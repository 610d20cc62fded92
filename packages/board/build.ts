/**
 * Builds the public board into `outdir`: `index.html` and hashed assets under `assets/`
 * (esbuild: one ESM bundle with Preact, one stylesheet). `npm run build -w @pencai/board`
 * writes `packages/board/dist/`; `npm start` builds into a directory of its own at start-up.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";

const src = join(import.meta.dirname, "src");

/**
 * Browsers the board is built for: WeChat's in-app browser (Chromium-based XWeb on Android,
 * WKWebView on iOS) and phones a few years old.
 */
export const boardTargets = ["es2020", "chrome91", "safari15"];

/** Writes `index.html` and `assets/app-<hash>.js`, `assets/style-<hash>.css` into `outdir`. */
export async function buildBoard(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { metafile } = await build({
    entryPoints: { app: join(src, "main.tsx"), style: join(src, "style.css") },
    outdir: join(outdir, "assets"),
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: boardTargets,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
  });
  const outputs = Object.keys(metafile.outputs).map((f) => basename(f));
  const script = outputs.find((f) => f.startsWith("app-") && f.endsWith(".js"));
  const style = outputs.find((f) => f.startsWith("style-") && f.endsWith(".css"));
  if (!script || !style) throw new Error(`board build: missing outputs in ${outputs.join(", ")}`);
  writeFileSync(join(outdir, "index.html"), indexHtml(`assets/${script}`, `assets/${style}`));
}

function indexHtml(script: string, style: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>民生微实事 · 四公开</title>
<link rel="stylesheet" href="${style}">
<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><p class="loading">加载中… Loading…</p></div>
<noscript>请开启 JavaScript。Please enable JavaScript.</noscript>
</body>
</html>
`;
}

if (process.argv[1] === import.meta.filename) {
  const started = performance.now();
  const outdir = join(import.meta.dirname, "dist");
  await buildBoard(outdir);
  console.log(`board built in ${Math.round(performance.now() - started)} ms: ${outdir}`);
}
