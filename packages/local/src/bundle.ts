/**
 * Each function entry is bundled with esbuild the way NodejsFunction bundles it for
 * Lambda (one ESM file, dependencies inlined, `require` shim banner), but unminified
 * and with a source map. Bundles load ~3x faster in a worker than the same graph
 * through a TypeScript loader, and the result is cached in
 * `node_modules/.cache/pencai-local/` until one of its input files changes
 * (size or mtime). `PENCAI_LOCAL_CACHE=off` disables the cache.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";

const FORMAT_VERSION = "1";

export function cacheDir(repoRoot: string): string {
  const dir = join(repoRoot, "node_modules", ".cache", "pencai-local");
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const cacheEnabled = () => !/^(0|off|false)$/i.test(process.env.PENCAI_LOCAL_CACHE ?? "");

interface Manifest {
  version: string;
  esbuild: string;
  inputs: Record<string, [size: number, mtimeMs: number]>;
}

function fingerprint(absPath: string): [number, number] | undefined {
  try {
    const s = statSync(absPath);
    return [s.size, s.mtimeMs];
  } catch {
    return undefined;
  }
}

function manifestValid(m: Manifest, root: string, esbuildVersion: string): boolean {
  if (m.version !== FORMAT_VERSION || m.esbuild !== esbuildVersion) return false;
  for (const [p, [size, mtime]] of Object.entries(m.inputs)) {
    const f = fingerprint(resolve(root, p));
    if (!f || f[0] !== size || f[1] !== mtime) return false;
  }
  return true;
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Bundle `entry` (absolute path) to an ESM file in the cache; returns its path.
 * Rebuilds only when an input changed.
 */
export function bundleEntry(entry: string, root: string): Promise<string> {
  let p = inflight.get(entry);
  if (!p) {
    p = build1(entry, root).finally(() => inflight.delete(entry));
    inflight.set(entry, p);
  }
  return p;
}

const inflight = new Map<string, Promise<string>>();

async function build1(entry: string, root: string): Promise<string> {
  const { version: esbuildVersion } = await import("esbuild");
  const dir = cacheDir(root);
  const key = createHash("sha256")
    .update(`${FORMAT_VERSION}\0${relative(root, entry)}`)
    .digest("hex")
    .slice(0, 16);
  const stem = `${basename(entry).replace(/\.[cm]?tsx?$/, "")}-${key}`;
  const outfile = join(dir, `${stem}.mjs`);
  const manifestFile = join(dir, `${stem}.json`);
  if (cacheEnabled()) {
    try {
      const m = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
      if (manifestValid(m, root, esbuildVersion) && fingerprint(outfile)) return outfile;
    } catch {
      // no or unreadable manifest: build
    }
  }
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node.split(".")[0]}`,
    mainFields: ["module", "main"],
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: "silent",
    banner: {
      js: 'import { createRequire as __pencaiCreateRequire } from "node:module";const require = __pencaiCreateRequire(import.meta.url);',
    },
  });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeAtomic(f.path, f.contents);
  }
  const inputs: Manifest["inputs"] = {};
  for (const p of Object.keys(result.metafile.inputs)) {
    const f = fingerprint(resolve(root, p));
    if (f) inputs[p] = f;
  }
  writeAtomic(
    manifestFile,
    JSON.stringify({ version: FORMAT_VERSION, esbuild: esbuildVersion, inputs } satisfies Manifest),
  );
  return outfile;
}
