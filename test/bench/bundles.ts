import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

/** esbuild options matching the ServiceFunction bundling (ESM, node22, minified, SDK bundled). */
function bundleOptions(banner: string) {
  return {
    bundle: true,
    minify: true,
    platform: "node" as const,
    format: "esm" as const,
    target: "node22",
    mainFields: ["module", "main"],
    banner: { js: banner },
    logLevel: "silent" as const,
  };
}

export interface Bundled {
  size: number;
  /** Copies of @aws-lambda-powertools/commons inside (more than 1: Powertools versions differ). */
  commonsCopies: number;
}

export async function bundle(entry: string, outfile: string, banner: string): Promise<Bundled> {
  const { metafile } = await build({
    ...bundleOptions(banner),
    entryPoints: [entry],
    outfile,
    metafile: true,
  });
  return {
    size: statSync(outfile).size,
    commonsCopies: commonsCopies(Object.keys(metafile.inputs)),
  };
}

/** Distinct installed copies of @aws-lambda-powertools/commons among a bundle's input paths. */
export function commonsCopies(inputs: string[]): number {
  const marker = "node_modules/@aws-lambda-powertools/commons/";
  const roots = inputs.filter((i) => i.includes(marker)).map((i) => i.slice(0, i.indexOf(marker)));
  return new Set(roots).size;
}

/** The irreducible part every handler has: a DynamoDB client. */
export async function bundleFloor(
  dir: string,
  banner: string,
): Promise<{ file: string; size: number }> {
  mkdirSync(dir, { recursive: true });
  const src = join(dir, "floor-entry.mjs");
  writeFileSync(
    src,
    [
      'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";',
      "const client = new DynamoDBClient({});",
      "export const handler = async () => client.config.region;",
      "",
    ].join("\n"),
  );
  const file = join(dir, "floor.mjs");
  return { file, size: (await bundle(src, file, banner)).size };
}

/** Wall time of one `await import(file)` in a fresh Node process. */
function importOnceMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(performance.now()-t))`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, AWS_REGION: "cn-north-1" },
  });
  return Number(out.toString());
}

/**
 * Median cold import of a bundle and of the floor, measured in alternation so
 * that machine noise (the other core, CPU frequency) hits both alike.
 */
export function coldImportPairMs(file: string, floor: string, runs = 15) {
  const bundleMs: number[] = [];
  const floorMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    floorMs.push(importOnceMs(floor));
    bundleMs.push(importOnceMs(file));
  }
  return { bundle: median(bundleMs), floor: median(floorMs) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
