/**
 * fauxqs 2 loads `node:sqlite` (for its optional persistence, which the local cloud does not
 * use), and Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" for it on
 * every start. This module, imported before fauxqs, drops that one warning; every other warning
 * still reaches the 'warning' event and stderr.
 */
const original = process.emitWarning;

export function isSqliteExperimentalWarning(warning: unknown, typeOrOptions: unknown): boolean {
  const type =
    typeof typeOrOptions === "string"
      ? typeOrOptions
      : (typeOrOptions as { type?: unknown } | undefined)?.type;
  const text = warning instanceof Error ? warning.message : String(warning);
  const name = warning instanceof Error ? warning.name : type;
  return name === "ExperimentalWarning" && text.startsWith("SQLite is an experimental feature");
}

process.emitWarning = function emitWarning(
  this: NodeJS.Process,
  warning: string | Error,
  ...rest: unknown[]
): void {
  if (isSqliteExperimentalWarning(warning, rest[0])) return;
  (original as (w: string | Error, ...r: unknown[]) => void).call(this, warning, ...rest);
} as typeof process.emitWarning;
