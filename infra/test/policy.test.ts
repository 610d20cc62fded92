import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCityFile } from "@pencai/config/load";
import { App, RemovalPolicy, Stack, Tags, Validations } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sns from "aws-cdk-lib/aws-sns";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { VALIDATION_REPORT_FILE } from "aws-cdk-lib/cx-api";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../lib/app.js";
import { CDK_PROVIDED_TAG } from "../lib/board.js";
import { cityFile } from "../lib/paths.js";
import { controlTowerPlugin, pencaiGuardRules, pencaiPolicyPlugin } from "../lib/policy.js";
import { cityIds, ownFunctions, resourcesOf, synthCity } from "./support.js";

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
}
const report = (dir: string) =>
  JSON.parse(readFileSync(join(dir, VALIDATION_REPORT_FILE), "utf8")) as Report;
const ruleNames = (dir: string, plugin: string) =>
  report(dir)
    .pluginReports.filter((p) => p.pluginName === plugin)
    .flatMap((p) => p.violations.map((v) => v.ruleName));

/** The rule names of infra/policy/*.guard. */
const ourRules = pencaiGuardRules().flatMap((f) =>
  [...f.content.matchAll(/^rule (\w+)/gm)].map((m) => m[1] as string),
);

/** A bare stack whose resources keep every promise; `breakIt` then breaks one. */
function synthWithGuard(breakIt: (stack: Stack) => void): { threw: boolean; rules: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), "pencai-guard-"));
  const app = new App({
    outdir,
    analyticsReporting: false,
    context: { "@aws-cdk/core:validateAgainstDefaultRules": true },
  });
  const stack = new Stack(app, "Policy");
  new dynamodb.Table(stack, "Table", {
    partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const dlq = new sqs.Queue(stack, "Dlq", { encryption: sqs.QueueEncryption.SQS_MANAGED });
  stack.tags.setTag("pencai:city", "test");
  new sqs.Queue(stack, "Inbox", {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
  });
  (dlq.node.defaultChild as sqs.CfnQueue).tags.setTag("pencai:dlq", "test/inbox");
  new sns.Topic(stack, "Topic", {
    masterKey: new kms.Key(stack, "Key", { enableKeyRotation: true }),
  });
  new s3.Bucket(stack, "Bucket", { enforceSSL: true, encryption: s3.BucketEncryption.S3_MANAGED });
  new logs.LogGroup(stack, "Logs", { retention: logs.RetentionDays.ONE_MONTH });
  breakIt(stack);
  Validations.of(app).addPlugins(pencaiPolicyPlugin());
  let threw = false;
  try {
    app.synth();
  } catch {
    threw = true;
  }
  return { threw, rules: ruleNames(outdir, "CloudFormation Validate") };
}

const fn = (stack: Stack, props: Partial<lambda.FunctionProps>) =>
  new lambda.Function(stack, "Fn", {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: "index.handler",
    code: lambda.Code.fromInline("export const handler = async () => 1;"),
    logGroup: new logs.LogGroup(stack, "FnLogs", { retention: logs.RetentionDays.ONE_MONTH }),
    ...props,
  });

describe("Guard rules of infra/policy (CloudFormationValidatePlugin at synth)", () => {
  it("has one rule per promise", () => {
    expect(ourRules.sort()).toEqual([
      "pencai_buckets_encrypted",
      "pencai_buckets_tls_only",
      "pencai_dynamodb_pitr",
      "pencai_lambda_arm64",
      "pencai_lambda_node22",
      "pencai_log_retention",
      "pencai_no_data_wildcards",
      "pencai_queues_encrypted",
      "pencai_queues_have_dlq",
      "pencai_topics_encrypted",
    ]);
  });

  it("a stack keeping every promise passes", () => {
    expect(synthWithGuard((s) => void fn(s, {}))).toEqual({ threw: false, rules: [] });
  });

  it.each<[string, (s: Stack) => void]>([
    ["pencai_lambda_arm64", (s) => void fn(s, { architecture: lambda.Architecture.X86_64 })],
    ["pencai_lambda_node22", (s) => void fn(s, { runtime: lambda.Runtime.NODEJS_20_X })],
    [
      "pencai_dynamodb_pitr",
      (s) =>
        void new dynamodb.Table(s, "NoPitr", {
          partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
        }),
    ],
    [
      "pencai_queues_have_dlq",
      (s) => void new sqs.Queue(s, "NoDlq", { encryption: sqs.QueueEncryption.SQS_MANAGED }),
    ],
    [
      "pencai_queues_encrypted",
      (s) =>
        void new sqs.Queue(s, "Clear", {
          encryption: sqs.QueueEncryption.UNENCRYPTED,
          deadLetterQueue: { queue: new sqs.Queue(s, "D2"), maxReceiveCount: 1 },
        }),
    ],
    ["pencai_topics_encrypted", (s) => void new sns.Topic(s, "ClearTopic")],
    [
      "pencai_buckets_tls_only",
      (s) => void new s3.Bucket(s, "NoTls", { encryption: s3.BucketEncryption.S3_MANAGED }),
    ],
    [
      "pencai_log_retention",
      (s) => void new logs.LogGroup(s, "Forever", { retention: logs.RetentionDays.INFINITE }),
    ],
    [
      "pencai_no_data_wildcards",
      (s) =>
        void fn(s, {
          initialPolicy: [
            new iam.PolicyStatement({
              actions: ["dynamodb:*"],
              resources: ["arn:aws:dynamodb:ap-east-1:111111111111:table/x"],
            }),
          ],
        }),
    ],
    [
      "pencai_no_data_wildcards",
      (s) =>
        void fn(s, {
          initialPolicy: [new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: ["*"] })],
        }),
    ],
  ])("fails the synth naming %s", (rule, breakIt) => {
    const { threw, rules } = synthWithGuard(breakIt);
    expect(threw).toBe(true);
    expect(rules).toContain(rule);
  });

  it("skips only a function CDK provides itself (tag pencai:cdk-provided: BucketDeployment's Python handler)", () => {
    const python = {
      runtime: lambda.Runtime.PYTHON_3_13,
      architecture: lambda.Architecture.X86_64,
    };
    const tagged = synthWithGuard((s) =>
      Tags.of(fn(s, python)).add(CDK_PROVIDED_TAG, "BucketDeployment"),
    );
    expect(tagged).toEqual({ threw: false, rules: [] });
    const untagged = synthWithGuard((s) => Tags.of(fn(s, python)).add("pencai:other", "x"));
    expect(untagged.rules.sort()).toEqual(["pencai_lambda_arm64", "pencai_lambda_node22"]);
  });

  it("fails a city's synth (with its acknowledgements) naming the rule: demo with one function on x86_64", () => {
    const outdir = mkdtempSync(join(tmpdir(), "pencai-guard-city-"));
    const { app, stack } = buildApp({
      city: loadCityFile(cityFile("demo")),
      bundling: false,
      outdir,
    });
    const cfn = stack.node
      .findAll()
      .find((c) => c instanceof lambda.CfnFunction) as lambda.CfnFunction;
    cfn.architectures = ["x86_64"];
    expect(() => app.synth()).toThrow(/runs on arm64/);
    expect(ruleNames(outdir, "CloudFormation Validate")).toEqual(["pencai_lambda_arm64"]);
  }, 60_000);
});

describe("encryption.customerManagedKeys (luohu.json sets it)", () => {
  beforeAll(() => void synthCity("luohu"), 180_000);

  it("encrypts tables, log groups, the evidence bucket and the event topic with one rotated city key", () => {
    const { json, template } = synthCity("luohu");
    const keys = resourcesOf(json, "AWS::KMS::Key").filter(([id]) => id.startsWith("CityKey"));
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0] as (typeof keys)[number];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const keyArn = { "Fn::GetAtt": [keyId, "Arn"] };
    for (const [, t] of resourcesOf(json, "AWS::DynamoDB::Table")) {
      expect(t.Properties.SSESpecification).toEqual({
        KMSMasterKeyId: keyArn,
        SSEEnabled: true,
        SSEType: "KMS",
      });
    }
    const logGroups = resourcesOf(json, "AWS::Logs::LogGroup");
    expect(logGroups.length).toBeGreaterThan(20);
    for (const [, g] of logGroups) expect(g.Properties.KmsKeyId).toEqual(keyArn);
    template.hasResourceProperties("AWS::SNS::Topic", {
      DisplayName: "Pencai luohu domain events",
      KmsMasterKeyId: keyArn,
    });
    template.hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockEnabled: true,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyArn },
          },
        ],
      },
    });
  });

  it("lets CloudWatch Logs use the key for the city's log groups, and every function use it", () => {
    const { json, template } = synthCity("luohu");
    const [keyId] = resourcesOf(json, "AWS::KMS::Key").find(([id]) => id.startsWith("CityKey")) as [
      string,
      unknown,
    ];
    template.hasResourceProperties("AWS::KMS::Key", {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: "logs.ap-east-1.amazonaws.com" },
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": Match.anyValue() } },
          }),
        ]),
      },
    });
    // our functions; CDK's BucketDeployment handler gets CDK's own grant for the board bucket
    const functions = ownFunctions(json);
    const policies = resourcesOf(json, "AWS::IAM::Policy");
    for (const [, f] of functions) {
      const roleId = (f.Properties.Role as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0];
      const statements = policies
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
      expect(statements).toContainEqual({
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
        Resource: { "Fn::GetAtt": [keyId, "Arn"] },
      });
    }
  });

  it("is off by default: demo has no city key and AWS-owned or AWS-managed keys", () => {
    const { json } = synthCity("demo");
    expect(resourcesOf(json, "AWS::KMS::Key").map(([id]) => id)).not.toContainEqual(
      expect.stringMatching(/^CityKey/),
    );
    for (const [, g] of resourcesOf(json, "AWS::Logs::LogGroup")) {
      expect(g.Properties.KmsKeyId).toBeUndefined();
    }
  });

  it("limits KMS grants to AWS services on every key (Control Tower CT.KMS.PR.3)", () => {
    for (const id of ["demo", "luohu"]) {
      for (const [, k] of resourcesOf(synthCity(id).json, "AWS::KMS::Key")) {
        expect((k.Properties.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual(
          expect.objectContaining({
            Sid: "GrantsOnlyForAwsServices",
            Effect: "Deny",
            Action: "kms:CreateGrant",
          }),
        );
      }
    }
  });
});

describe("controlTower (luohu.json sets it): AWS Control Tower's proactive controls at synth", () => {
  it.each(cityIds.filter((id) => loadCityFile(cityFile(id)).controlTower))(
    "%s passes every control: each fixed or acknowledged",
    (id) => {
      const { assembly } = synthCity(id, { controlTower: true });
      expect(report(assembly.directory).pluginReports.map((p) => p.pluginName)).toContain(
        "cdk-validator-cfnguard",
      );
      expect(ruleNames(assembly.directory, "cdk-validator-cfnguard")).toEqual([]);
    },
    // a whole city's synth plus every Control Tower control: ~30 s alone, far more on a busy machine
    240_000,
  );

  it("is off by default: demo's synth does not run them", () => {
    // had they run, the controls acknowledged on demo's resources would be listed as suppressed
    const outdir = mkdtempSync(join(tmpdir(), "pencai-no-ct-"));
    buildApp({ city: loadCityFile(cityFile("demo")), bundling: false, outdir }).app.synth();
    expect(report(outdir).pluginReports.map((p) => p.pluginName)).not.toContain(
      "cdk-validator-cfnguard",
    );
  }, 60_000);

  it("fails the synth naming the control: a table without a customer-managed key (CT.DYNAMODB.PR.2)", () => {
    const outdir = mkdtempSync(join(tmpdir(), "pencai-ct-"));
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new Stack(app, "ControlTower");
    const key = new kms.Key(stack, "Key", { enableKeyRotation: true });
    const table = (id: string, encryptionKey?: kms.Key) =>
      new dynamodb.Table(stack, id, {
        partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        ...(encryptionKey
          ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey }
          : {}),
      });
    table("WithKey", key);
    table("WithoutKey");
    Validations.of(app).addPlugins(controlTowerPlugin());
    expect(() => app.synth()).toThrow(/CT\.DYNAMODB\.PR\.2/);
    const violations = report(outdir).pluginReports.flatMap((p) => p.violations) as {
      ruleName: string;
      violatingConstructs?: { constructPath: string }[];
    }[];
    const kmsCheck = violations.find((v) => v.ruleName === "dynamodb_table_encrypted_kms_check");
    expect(kmsCheck?.violatingConstructs?.map((c) => c.constructPath)).toEqual([
      "ControlTower/WithoutKey/Resource",
    ]);
  }, 60_000);
});
