import { existsSync } from "node:fs";
import { resolveCity } from "@pencai/config";
import {
  defineRoute,
  intakeApiRoutes,
  intakeEvidenceRoutes,
  intakeInboxEventTypes,
  roles,
  routeKey,
} from "@pencai/contracts";
import { App, Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { CityApi } from "../lib/city-api.js";
import { fromRoot } from "../lib/paths.js";
import { envOf, resourcesOf, synthCity } from "./support.js";

const demo = () => synthCity("demo");
const intakeRoutes = [...intakeApiRoutes, ...intakeEvidenceRoutes];

describe("CityStack (demo city)", () => {
  beforeAll(() => void synthCity("demo"), 180_000);

  it("is named after the city and readable the way the local cloud reads it", () => {
    const { stack, assembly } = demo();
    expect(stack.stackName).toBe("Pencai-demo");
    expect(stack.region).toBe("ap-east-1");
    expect(assembly.getStackByName("Pencai-demo").template.Resources).toBeDefined();
  });

  it("runs every function on Node.js 22, arm64, traced, with repo-relative metadata", () => {
    const functions = resourcesOf(demo().json, "AWS::Lambda::Function");
    expect(functions).toHaveLength(4);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: 1024,
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogFormat: "JSON" },
      });
      const entry = fn.Metadata["pencai:entry"] as string;
      expect(entry).toMatch(/^services\/intake\/src\/handlers\/[a-z]+\.ts$/);
      expect(existsSync(fromRoot(entry))).toBe(true);
      expect(fn.Metadata["pencai:handler"]).toBe("handler");
      const env = envOf(fn);
      expect(env).toMatchObject({
        CITY_ID: "demo",
        POWERTOOLS_SERVICE_NAME: "intake",
        POWERTOOLS_METRICS_NAMESPACE: "Pencai",
        TABLE_NAME: expect.anything(),
      });
    }
    const entries = functions.map(([, fn]) => fn.Metadata["pencai:entry"]).sort();
    expect(entries).toEqual(
      ["api", "evidence", "inbox", "relay"].map((h) => `services/intake/src/handlers/${h}.ts`),
    );
    const jobs = functions
      .filter(([, fn]) => fn.Metadata["pencai:job"])
      .map(([, fn]) => fn.Metadata["pencai:job"]);
    expect(jobs).toEqual(["outbox-relay"]);
  });

  it("gives the functions only the environment they need", () => {
    const byEntry = Object.fromEntries(
      resourcesOf(demo().json, "AWS::Lambda::Function").map(([, fn]) => [
        (fn.Metadata["pencai:entry"] as string).split("/").pop(),
        envOf(fn),
      ]),
    );
    for (const h of ["api.ts", "evidence.ts"]) {
      expect(Object.keys(byEntry[h]!)).toEqual(
        expect.arrayContaining(["JWT_ISSUER", "JWT_AUDIENCE", "JWKS_URL"]),
      );
    }
    expect(byEntry["evidence.ts"]).toHaveProperty("EVIDENCE_BUCKET");
    expect(byEntry["api.ts"]).not.toHaveProperty("EVIDENCE_BUCKET");
    expect(byEntry["relay.ts"]).toHaveProperty("TOPIC_ARN");
    expect(byEntry["inbox.ts"]).not.toHaveProperty("TOPIC_ARN");
    const issuer = JSON.stringify(byEntry["api.ts"]!.JWT_ISSUER);
    expect(issuer).toContain("https://cognito-idp.ap-east-1.amazonaws.com/");
    expect(JSON.stringify(byEntry["api.ts"]!.JWKS_URL)).toContain("/.well-known/jwks.json");
  });

  it("has the service table shape from docs/design.md", () => {
    const gsi = (name: string, pk: string, sk: string) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: pk, KeyType: "HASH" },
        { AttributeName: sk, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    });
    demo().template.hasResource("AWS::DynamoDB::Table", {
      Properties: {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
        StreamSpecification: { StreamViewType: "NEW_IMAGE" },
        DeletionProtectionEnabled: false,
        GlobalSecondaryIndexes: [
          gsi("gsi1", "gsi1pk", "gsi1sk"),
          gsi("gsi2", "gsi2pk", "gsi2sk"),
          gsi("gsi3", "gsi3pk", "gsi3sk"),
          gsi("outbox", "outboxPending", "outboxAt"),
        ],
      },
      DeletionPolicy: "Delete",
    });
  });

  it("never grants Scan or index/* wildcards", () => {
    const policies = JSON.stringify(resourcesOf(demo().json, "AWS::IAM::Policy"));
    expect(policies).not.toContain("dynamodb:Scan");
    expect(policies).not.toContain("dynamodb:*");
    expect(policies).not.toContain("/index/*");
  });

  it("has an encrypted, TLS-only inbox with a DLQ after 5 receives", () => {
    const { template } = demo();
    template.resourceCountIs("AWS::SQS::Queue", 2);
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [Match.stringLikeRegexp("InboxDlq"), "Arn"] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp("InboxQueue"), "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("subscribes the inbox to the topic with raw delivery and a filter on type", () => {
    const { template } = demo();
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "sqs",
      RawMessageDelivery: true,
      FilterPolicy: { type: [...intakeInboxEventTypes] },
    });
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
  });

  it("relays the outbox from the stream (INSERTs with outboxPending) and every minute", () => {
    const { template, json } = demo();
    const mappings = resourcesOf(json, "AWS::Lambda::EventSourceMapping").filter(
      ([, m]) => m.Properties.StartingPosition,
    );
    expect(mappings).toHaveLength(1);
    const props = mappings[0]![1].Properties as {
      FilterCriteria: { Filters: { Pattern: string }[] };
    };
    expect(JSON.parse(props.FilterCriteria.Filters[0]!.Pattern)).toEqual({
      eventName: ["INSERT"],
      dynamodb: { NewImage: { outboxPending: { S: [{ exists: true }] } } },
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("IntakeOutboxRelay"), "Arn"] },
        }),
      ],
    });
  });

  it("keeps evidence versioned, locked, private, encrypted, logged and TLS-only", () => {
    const { template } = demo();
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 365 } },
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({
            AllowedOrigins: ["http://localhost:5173", "http://127.0.0.1:5173"],
            AllowedMethods: Match.arrayWith(["PUT"]),
            AllowedHeaders: Match.arrayWith(["content-type", "x-amz-checksum-sha256"]),
          }),
        ],
      },
    });
    for (const [, policy] of resourcesOf(demo().json, "AWS::S3::BucketPolicy")) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it("applies the city's CORS, throttling and access logging to the API", () => {
    const { template } = demo();
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ["http://localhost:5173", "http://127.0.0.1:5173"],
        AllowHeaders: Match.arrayWith(["authorization", "content-type", "idempotency-key"]),
      }),
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp("requestId"),
      },
    });
  });

  it("trusts the city's user pool and client in the JWT authorizer", () => {
    demo().template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp("ApiUsersWebClient") }],
        Issuer: Match.anyValue(),
      },
    });
  });

  it("has one Cognito group per role and admin-only jurisdiction attributes", () => {
    const { template, json } = demo();
    const groups = resourcesOf(json, "AWS::Cognito::UserPoolGroup").map(
      ([, g]) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...roles].sort());
    const client = resourcesOf(json, "AWS::Cognito::UserPoolClient")[0]![1].Properties as {
      WriteAttributes: string[];
    };
    expect(client.WriteAttributes.filter((a) => a.startsWith("custom:"))).toEqual([]);
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
    });
  });

  it("creates every intake route, with the authorizer exactly on the non-public ones", () => {
    const routes = resourcesOf(demo().json, "AWS::ApiGatewayV2::Route").map(
      ([, r]) => r.Properties,
    );
    const byKey = new Map(routes.map((r) => [r.RouteKey as string, r]));
    expect(byKey.size).toBe(intakeRoutes.length);
    for (const def of intakeRoutes) {
      const route = byKey.get(routeKey(def));
      expect(route, routeKey(def)).toBeDefined();
      if (def.auth === "public") {
        expect(route?.AuthorizationType ?? "NONE", routeKey(def)).toBe("NONE");
        expect(route?.AuthorizerId, routeKey(def)).toBeUndefined();
      } else {
        expect(route?.AuthorizationType, routeKey(def)).toBe("JWT");
        expect(route?.AuthorizerId, routeKey(def)).toBeDefined();
      }
    }
    expect(intakeRoutes.some((r) => r.auth === "public")).toBe(true);
  });

  it("never deploys a /dev/ route", () => {
    const keys = resourcesOf(demo().json, "AWS::ApiGatewayV2::Route").map(
      ([, r]) => r.Properties.RouteKey as string,
    );
    expect(keys.filter((k) => /\s\/dev(\/|$)/.test(k))).toEqual([]);

    const stack = new Stack(new App(), "Probe", { env: { region: "ap-east-1" } });
    const api = new CityApi(stack, "Api", { city: demo().city });
    const fn = new lambda.Function(stack, "Fn", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromInline("export const handler = async () => ({});"),
    });
    const devToken = defineRoute({
      operationId: "devToken",
      method: "POST",
      path: "/dev/token",
      summary: "mint a token",
      tags: ["dev"],
      auth: "public",
      response: z.object({ token: z.string() }),
      status: 200,
    });
    expect(() => api.addRoutes([devToken], fn)).toThrow(/\/dev\/ routes are local-only/);
  });

  it("exports what operators and front-ends need", () => {
    const outputs = Object.keys(demo().template.findOutputs("*"));
    expect(outputs).toEqual(
      expect.arrayContaining([
        "ApiUrl",
        "UserPoolId",
        "UserPoolClientId",
        "TopicArn",
        "EvidenceBucketName",
      ]),
    );
  });
});

describe("CityStack (production city)", () => {
  beforeAll(() => void synthCity("luohu"), 180_000);

  it("protects data: deletion protection, retained tables, termination protection", () => {
    const { template, stack } = synthCity("luohu");
    expect(stack.terminationProtection).toBe(true);
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: "Retain",
    });
    template.hasResourceProperties("AWS::Cognito::UserPool", { DeletionProtection: "ACTIVE" });
    template.hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockConfiguration: {
        ObjectLockEnabled: "Enabled",
        Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 1095 } },
      },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it("bakes the resolved city into the bundle banner", async () => {
    const { bundleBanner } = await import("../lib/service-function.js");
    const city = resolveCity({ ...synthCity("demo").city, rules: undefined });
    const banner = bundleBanner(city);
    expect(banner).toContain(
      'import { createRequire as __pencaiCreateRequire } from "node:module";',
    );
    const injected = banner.slice(banner.indexOf("globalThis.__PENCAI_CITY__ = ") + 29, -1);
    expect(JSON.parse(injected)).toEqual(city);
  });
});
