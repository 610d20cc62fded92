import type { City } from "@pencai/config";
import { type CfnResource, Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { cityKey, grantCityKey } from "./city-key.js";
import { fromRoot, repoRelative } from "./paths.js";
import { ackShortLogRetention } from "./policy.js";

export interface ServiceFunctionProps {
  city: City;
  /** Repo-relative TypeScript entry, e.g. `services/intake/src/handlers/api.ts`. */
  entry: string;
  /** Exported function name. */
  handler?: string;
  /** Powertools service name (`intake`). */
  service: string;
  /** Job name for `POST /dev/run/{job}` on scheduled functions. */
  job?: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
}

/** The Lambda runtime every function runs on; the tests check they run on its Node major. */
const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Node major of {@link LAMBDA_RUNTIME} (`nodejs22.x` -> 22). */
export const LAMBDA_NODE_MAJOR = nodeMajorOf(LAMBDA_RUNTIME);

export function nodeMajorOf(runtime: lambda.Runtime): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  if (!match) throw new Error(`not a Node.js runtime: ${runtime.name}`);
  return Number(match[1]);
}

/** Banner that turns the ESM bundle into a working Lambda module and hands it the city. */
export function bundleBanner(city: City): string {
  return [
    'import { createRequire as __pencaiCreateRequire } from "node:module";',
    "const require = __pencaiCreateRequire(import.meta.url);",
    `globalThis.__PENCAI_CITY__ = ${JSON.stringify(city)};`,
  ].join("");
}

/**
 * A Lambda function with the project's defaults: Node.js 22 on arm64, one
 * minified ESM bundle (AWS SDK included, so the SDK version is the lockfile's),
 * X-Ray tracing, a JSON log group of its own, and the metadata the local
 * cloud uses to run the same entry in-process.
 */
export class ServiceFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { city } = props;
    const handler = props.handler ?? "handler";

    const key = cityKey(this, city);
    this.logGroup = new logs.LogGroup(this, "Logs", {
      encryptionKey: key,
      retention: city.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: city.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    if (!city.production) ackShortLogRetention(this.logGroup);

    // Own role instead of AWSLambdaBasicExecutionRole: writes to its own log group only.
    const role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.description} (Pencai ${city.id})`,
    });
    this.logGroup.grantWrite(role);
    grantCityKey(key, role);

    this.fn = new NodejsFunction(this, "Fn", {
      entry: fromRoot(props.entry),
      handler,
      projectRoot: fromRoot("."),
      depsLockFilePath: fromRoot("package-lock.json"),
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      awsSdkConnectionReuse: false,
      environment: {
        CITY_ID: city.id,
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: "Pencai",
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: `node${LAMBDA_NODE_MAJOR}`,
        platform: "node",
        mainFields: ["module", "main"],
        minify: true,
        sourceMap: false,
        externalModules: [],
        bundleAwsSDK: true,
        banner: bundleBanner(city),
      },
    });

    const cfn = this.fn.node.defaultChild as CfnResource;
    cfn.addMetadata("pencai:entry", repoRelative(props.entry));
    cfn.addMetadata("pencai:handler", handler);
    if (props.job) cfn.addMetadata("pencai:job", props.job);

    const policy = role.node.tryFindChild("DefaultPolicy");
    if (policy) {
      Validations.of(policy).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "Only actions that accept no resource ARN get '*': X-Ray PutTraceSegments/PutTelemetryRecords (tracing) and, on stream consumers, dynamodb:ListStreams.",
      });
    }
    const runtimeReason =
      "Node.js 22 is the runtime the whole project builds and tests for (docs/design.md); upgrades happen project-wide, not per function.";
    Validations.of(this.fn).acknowledge({ id: "AwsSolutions-L1", reason: runtimeReason });
    Validations.of(this.fn).acknowledge({
      id: "Serverless-LambdaLatestVersion",
      reason: runtimeReason,
    });
    Validations.of(this.fn).acknowledge({
      id: "Serverless-LambdaDLQ",
      reason: props.job
        ? "Only the schedule invokes it asynchronously, and a failed run is simply repeated by the next scheduled run."
        : "Never invoked asynchronously: API Gateway calls it synchronously and event source mappings keep failures in their own queue or stream.",
    });
  }
}
