/**
 * The city stack's CloudFormation template, synthesized in-process with
 * `buildApp({city, bundling: false})` (no CLI, no esbuild, no cdk-nag), cached in
 * `node_modules/.cache/pencai-local/` keyed by the city and the size/mtime of every
 * file that can change it (infra/, packages/config, packages/contracts, cdk.json,
 * the lockfile). Importing aws-cdk-lib alone takes ~1.5 s, so a warm start skips it.
 */
import { createHash } from "node:crypto";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { City } from "@pencai/config";
import { cacheDir, cacheEnabled } from "./bundle.js";
import type { CfnTemplate } from "./template.js";

const SOURCES = [
  "infra",
  "packages/config/src",
  "packages/contracts/src",
  "cdk.json",
  "package-lock.json",
];

function walk(path: string, out: string[]): void {
  let s: ReturnType<typeof statSync>;
  try {
    s = statSync(path);
  } catch {
    return;
  }
  if (s.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (name === "node_modules" || name === "cdk.out" || name.startsWith(".")) continue;
      walk(join(path, name), out);
    }
  } else {
    out.push(`${path}\0${s.size}\0${s.mtimeMs}`);
  }
}

export function templateCacheKey(root: string, city: City): string {
  const files: string[] = [];
  for (const s of SOURCES) walk(join(root, s), files);
  return createHash("sha256")
    .update(JSON.stringify(city))
    .update(files.sort().join("\n"))
    .digest("hex")
    .slice(0, 20);
}

export async function synthesize(
  root: string,
  city: City,
): Promise<{ template: CfnTemplate; stackName: string }> {
  const cacheFile = cacheEnabled()
    ? join(cacheDir(root), `template-${city.id}-${templateCacheKey(root, city)}.json`)
    : undefined;
  if (cacheFile) {
    try {
      return JSON.parse(readFileSync(cacheFile, "utf8"));
    } catch {
      // not cached yet
    }
  }
  const { buildApp } = await import("../../../infra/lib/app.js");
  const outdir = mkdtempSync(join(tmpdir(), "pencai-synth-"));
  let out: { template: CfnTemplate; stackName: string };
  try {
    const { app, stack } = buildApp({ city, bundling: false, checks: false, outdir });
    const asm = app.synth();
    out = {
      template: asm.getStackByName(stack.stackName).template as CfnTemplate,
      stackName: stack.stackName,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (cacheFile) {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(out));
    renameSync(tmp, cacheFile);
    // keep only the newest template of this city
    const dir = cacheDir(root);
    for (const f of readdirSync(dir)) {
      if (
        f.startsWith(`template-${city.id}-`) &&
        f.endsWith(".json") &&
        join(dir, f) !== cacheFile
      ) {
        rmSync(join(dir, f), { force: true });
      }
    }
  }
  return out;
}
