import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { City } from "@pencai/config";
import { loadCityFile } from "@pencai/config/load";
import { Template } from "aws-cdk-lib/assertions";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { buildApp } from "../lib/app.js";
import { CDK_PROVIDED_TAG } from "../lib/board.js";
import type { CityStack } from "../lib/city-stack.js";
import { cityFile, fromRoot } from "../lib/paths.js";

export const cityIds = readdirSync(fromRoot("infra/cities"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5))
  .sort();

export interface Synthesized {
  city: City;
  stack: CityStack;
  assembly: CloudAssembly;
  template: Template;
  json: Record<string, unknown>;
}

const cache = new Map<string, Synthesized>();

/**
 * Synthesize a city file in-process, with no bundling, and cdk-nag and our Guard rules on. Control
 * Tower's controls (~20 s a synth) only with `controlTower: true`: infra/test/policy.test.ts runs
 * them for the cities that ask for them.
 */
export function synthCity(id: string, opts: { controlTower?: boolean } = {}): Synthesized {
  const controlTower = opts.controlTower ?? false;
  const key = `${id}${controlTower ? "+controlTower" : ""}`;
  let hit = cache.get(key);
  if (!hit) {
    const city = loadCityFile(cityFile(id));
    const outdir = mkdtempSync(join(tmpdir(), `pencai-cdk-${id}-`));
    const { app, stack } = buildApp({ city, bundling: false, outdir, controlTower });
    const assembly = app.synth();
    const json = assembly.getStackByName(stack.stackName).template as Record<string, unknown>;
    hit = { city, stack, assembly, template: Template.fromJSON(json), json };
    cache.set(key, hit);
  }
  return hit;
}

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata: Record<string, unknown>;
}
type Resources = Record<string, Partial<Resource> & { Type: string }>;

/** Resources of one type, with Properties and Metadata defaulted to `{}`. */
export function resourcesOf(json: Record<string, unknown>, type: string): [string, Resource][] {
  return Object.entries(json.Resources as Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, { Properties: {}, Metadata: {}, ...r }]);
}

/**
 * The city's own functions: every Lambda function but the one CDK provides itself (its
 * BucketDeployment handler, tagged `pencai:cdk-provided`, infra/lib/board.ts).
 */
export const ownFunctions = (json: Record<string, unknown>): [string, Resource][] =>
  resourcesOf(json, "AWS::Lambda::Function").filter(
    ([, f]) => !JSON.stringify(f.Properties.Tags ?? []).includes(CDK_PROVIDED_TAG),
  );

/** A function's environment variables. */
export const envOf = (fn: Resource) =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ??
  {};
