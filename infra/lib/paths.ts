import { existsSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (infra/lib/ is two levels down). */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Absolute path of a repo-relative path. */
export const fromRoot = (repoPath: string) => join(repoRoot, repoPath);

/** Repo-relative path with forward slashes, for metadata that must not leak machine paths. */
export function repoRelative(path: string): string {
  const rel = isAbsolute(path) ? relative(repoRoot, path) : path;
  if (rel.startsWith("..")) throw new Error(`${path} is outside the repository`);
  return rel.split(sep).join("/");
}

export const cityFile = (id: string) => fromRoot(`infra/cities/${id}.json`);
export const cityFileExists = (id: string) => existsSync(cityFile(id));
