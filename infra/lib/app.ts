import { readFileSync } from "node:fs";
import type { City } from "@pencai/config";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { CityStack, stackIdOf } from "./city-stack.js";
import { fromRoot } from "./paths.js";
import { controlTowerPlugin, pencaiPolicyPlugin } from "./policy.js";

export interface BuildAppOptions {
  city: City;
  /** false: skip esbuild (tests, the local cloud). Default: what the CLI asks for. */
  bundling?: boolean;
  outdir?: string;
  /**
   * Validate during synth: CloudFormation's own rules, our Guard rules (infra/policy), cdk-nag's
   * AwsSolutions and Serverless packs and, for a city with `controlTower`, AWS Control Tower's
   * proactive controls; an unacknowledged finding fails the synth. Default true. Off, a synth takes ~0.2 s
   * instead of ~3-8 s (worth it where the template was already checked, e.g. local start-up).
   */
  checks?: boolean;
  /**
   * Run AWS Control Tower's proactive controls (~20 s a synth). Default: the city file's
   * `controlTower`. Tests turn them off where another test already checks that city's controls.
   */
  controlTower?: boolean;
}

/** cdk.json's context (feature flags), so an in-process synth builds what the CLI builds. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(fromRoot("cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Build the app for one city: one CityStack named `Pencai-<city id>`. */
export function buildApp(opts: BuildAppOptions): { app: App; stack: CityStack } {
  const checks = opts.checks !== false;
  const app = new App({
    outdir: opts.outdir,
    builtinCloudFormationValidation: checks,
    analyticsReporting: false,
    context: cdkJsonContext(),
    // after the CLI's context, so `bundling: false` wins over the CLI default
    postCliContext: opts.bundling === false ? { "aws:cdk:bundling-stacks": [] } : {},
  });
  const stack = new CityStack(app, stackIdOf(opts.city), { city: opts.city });
  if (checks) {
    Validations.of(app).addPlugins(
      pencaiPolicyPlugin(),
      new AwsSolutionsChecks(app),
      new ServerlessChecks(app),
      ...((opts.controlTower ?? opts.city.controlTower) ? [controlTowerPlugin()] : []),
    );
  }
  return { app, stack };
}
