import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The runtime's modules import each other without a cycle (http -> idempotency -> tx -> http
// once was one): a record object is handed to the transaction instead of the request.

const src = join(import.meta.dirname, "../src");
const modules = readdirSync(src).filter((f) => f.endsWith(".ts"));
const importsOf = (file: string) =>
  [...readFileSync(join(src, file), "utf8").matchAll(/from "\.\/([\w-]+)\.js"/g)].map(
    (m) => `${m[1]}.ts`,
  );

describe("runtime module graph", () => {
  it("has no import cycle", () => {
    const graph = new Map(modules.map((m) => [m, importsOf(m)]));
    const cycles: string[] = [];
    const visit = (m: string, path: string[]) => {
      if (path.includes(m)) {
        cycles.push([...path.slice(path.indexOf(m)), m].join(" -> "));
        return;
      }
      for (const next of graph.get(m) ?? []) visit(next, [...path, m]);
    };
    for (const m of modules) visit(m, []);
    expect(cycles).toEqual([]);
  });

  it("keeps the pieces that handlers and domain code import free of the AWS SDK", () => {
    const reach = [...readFileSync(join(src, "reach.ts"), "utf8").matchAll(/from "([^"]+)"/g)];
    expect(reach.map((m) => m[1]).filter((s) => s!.startsWith("@aws-sdk"))).toEqual([]);
  });
});
