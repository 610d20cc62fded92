import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CfnGuardValidator } from "@cdklabs/cdk-validator-cfnguard";
import {
  CloudFormationValidatePlugin,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { fromRoot } from "./paths.js";

/** Where our Guard rules live: every `*.guard` file there runs at synth. */
const policyDir = fromRoot("infra/policy");

/** The rule files of infra/policy, by name. */
export function pencaiGuardRules(dir = policyDir): { name: string; content: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".guard"))
    .sort()
    .map((f) => ({
      name: f.slice(0, -".guard".length),
      content: readFileSync(join(dir, f), "utf8"),
    }));
}

let shared: CloudFormationValidatePlugin | undefined;

/**
 * CloudFormation's own rules (what `builtinCloudFormationValidation` runs) plus our Guard rules,
 * in aws-cdk-lib's CloudFormationValidatePlugin. A violation names the rule (`pencai_lambda_arm64`)
 * and fails the synth (cdk.json sets `@aws-cdk/core:validateAgainstDefaultRules`). One instance
 * for the process: its engine (WASM) is costly to start, and rules do not change while it runs.
 */
export function pencaiPolicyPlugin(): CloudFormationValidatePlugin {
  shared ??= new CloudFormationValidatePlugin({ guardRules: pencaiGuardRules() });
  return shared;
}

/**
 * Control Tower proactive controls that are acknowledged for the whole stack, with why (the table
 * in infra/README.md says the same). Named by rule file, as the validator's `disabledRules` takes
 * them. Controls that only some resources are excused from are acknowledged on those resources
 * (`ctAck`), so the control still checks the rest.
 */
const controlTowerDisabled: Record<string, string> = {
  "ct-lambda-pr-3":
    "lambda_inside_vpc_check: the functions reach only AWS regional endpoints (DynamoDB, S3, SNS, SQS, KMS) over TLS with IAM; a VPC would add NAT or six interface endpoints per zone (~$150 a month per city) and protect nothing that runs inside it.",
};

/** AWS Control Tower's proactive controls (cfn-guard 3 and the Control Tower rule pack), at synth. */
export function controlTowerPlugin(): IPolicyValidationPluginBeta1 {
  return new FailOnViolations(
    new CfnGuardValidator({
      controlTowerRulesEnabled: true,
      disabledRules: Object.keys(controlTowerDisabled),
    }),
  );
}

/**
 * cdk-validator-cfnguard 0.0.62 leaves each violation's severity unset. Once the synth takes out
 * the acknowledged ones it recomputes success as "no violation of severity error", so unset
 * severities passed: the synth printed ERROR lines and went on. Here each is an error.
 */
class FailOnViolations implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  constructor(private readonly inner: IPolicyValidationPluginBeta1) {
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }
  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.inner.validate(context);
    return {
      ...report,
      success: report.success && report.violations.length === 0,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? "error" })),
    };
  }
}

/** The id that acknowledges a Control Tower control on one construct. */
export const ctAck = (rule: string) => `cdk-validator-cfnguard::${rule}`;

/** CT.CLOUDWATCH.PR.2 wants a year of logs; a test city keeps a month (production: a year, passing). */
export function ackShortLogRetention(logGroup: IConstruct): void {
  Validations.of(logGroup).acknowledge({
    id: ctAck("cloudwatch_log_group_retention_period_check"),
    reason:
      "A test city (production false) keeps logs a month: they hold user ids and serve debugging only. Production cities keep them a year.",
  });
}
