/**
 * The browser bundle of `@pencai/client`: what a front-end ships for it (esbuild, ESM, browser,
 * minified, gzipped), beside openapi-fetch alone, so the part this repo adds is visible.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Gzipped bytes a front-end may spend on the client: see packages/client/README.md#size. */
export const clientTargetGzipBytes = 5 * 1024;

/** The client's sources in this repository. */
const clientSource = join(import.meta.dirname, "../../packages/client/src/index.ts");

export interface BrowserBundle {
  name: string;
  minified: number;
  gzipped: number;
}

async function browserBundle(
  dir: string,
  file: string,
  name: string,
  source: { contents: string; resolveDir: string },
): Promise<BrowserBundle> {
  const outfile = join(dir, `${file}.mjs`);
  await build({
    stdin: { ...source, sourcefile: `${file}-entry.mjs` },
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  });
  const code = readFileSync(outfile);
  return { name, minified: code.length, gzipped: gzipSync(code).length };
}

/**
 * The client as an app uses it (client, token, errors), and openapi-fetch on its own; `client`
 * is the import specifier (the sources, or `@pencai/client` as installed), resolved from
 * `resolveDir`.
 */
export async function clientBundles(
  dir: string,
  from: { client: string; resolveDir: string } = {
    client: clientSource,
    resolveDir: import.meta.dirname,
  },
): Promise<BrowserBundle[]> {
  mkdirSync(dir, { recursive: true });
  const { resolveDir } = from;
  return [
    await browserBundle(dir, "client", "@pencai/client", {
      resolveDir,
      contents: [
        `import { ApiProblem, createPencaiClient, data } from ${JSON.stringify(from.client)};`,
        'const api = createPencaiClient({ baseUrl: "https://api.example", token: () => "t" });',
        'export const list = () => data(api.GET("/v1/public/proposals"));',
        "export const isProblem = (e) => e instanceof ApiProblem;",
      ].join("\n"),
    }),
    await browserBundle(dir, "openapi-fetch", "openapi-fetch alone", {
      resolveDir,
      contents: [
        'import createClient from "openapi-fetch";',
        'export const api = createClient({ baseUrl: "https://api.example" });',
      ].join("\n"),
    }),
  ];
}
