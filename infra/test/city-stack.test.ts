import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveCity } from "@pencai/config";
import {
  approvalApiRoutes,
  approvalInboxEventTypes,
  defineRoute,
  deliberationApiRoutes,
  deliberationInboxEventTypes,
  evaluationApiRoutes,
  evaluationInboxEventTypes,
  exportsApiRoutes,
  exportsInboxEventTypes,
  intakeApiRoutes,
  intakeDigestRoutes,
  intakeEvidenceRoutes,
  intakeInboxEventTypes,
  orgsApiRoutes,
  oversightApiRoutes,
  oversightInboxEventTypes,
  roles,
  routeKey,
} from "@pencai/contracts";
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { CityApi } from "../lib/city-api.js";
import { fromRoot } from "../lib/paths.js";
import { envOf, ownFunctions, resourcesOf, synthCity } from "./support.js";

const demo = () => synthCity("demo");
/** Every TypeScript file under a repo-relative folder. */
const sourceFiles = (dir: string): string[] =>
  readdirSync(fromRoot(dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(fromRoot(dir), f));
const intakeRoutes = [...intakeApiRoutes, ...intakeEvidenceRoutes, ...intakeDigestRoutes];
const allServiceRoutes = [
  ...intakeRoutes,
  ...deliberationApiRoutes,
  ...approvalApiRoutes,
  ...evaluationApiRoutes,
  ...oversightApiRoutes,
  ...exportsApiRoutes,
  ...orgsApiRoutes,
];
/** Every service of the stack (each with its table, api, inbox and relay). */
const services = ["intake", "deliberation", "approval", "evaluation", "oversight", "orgs"] as const;
/** Services with a table and an inbox; exports publishes no events, so it has no relay. */
const inboxServices = [...services, "exports"] as const;
/** `services/<service>/src/handlers/<name>.ts` -> `<service>/<name>` */
const handlerOf = (fn: { Metadata: Record<string, unknown> }) =>
  (fn.Metadata["pencai:entry"] as string).replace(
    /^services\/([a-z]+)\/src\/handlers\/([a-z]+)\.ts$/,
    "$1/$2",
  );

/** The IAM statements of the role of the function whose handler is `handler` (`intake/api`). */
function statementsOf(
  json: Record<string, unknown>,
  handler: string,
): { actions: string[]; resource: string }[] {
  const fn = ownFunctions(json).find(([, f]) => handlerOf(f) === handler)![1];
  const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return resourcesOf(json, "AWS::IAM::Policy")
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(
      ([, p]) =>
        (
          p.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    )
    .map((st) => ({
      actions: Array.isArray(st.Action) ? st.Action : [st.Action],
      resource: JSON.stringify(st.Resource),
    }));
}

describe("CityStack (demo city)", () => {
  beforeAll(() => void synthCity("demo"), 180_000);

  it("is named after the city and readable the way the local cloud reads it", () => {
    const { stack, assembly } = demo();
    expect(stack.stackName).toBe("Pencai-demo");
    expect(stack.region).toBe("ap-east-1");
    expect(assembly.getStackByName("Pencai-demo").template.Resources).toBeDefined();
  });

  it("runs every function on Node.js 22, arm64, traced, with repo-relative metadata", () => {
    const functions = ownFunctions(demo().json);
    expect(functions).toHaveLength(25);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        MemorySize: 1024,
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogFormat: "JSON" },
      });
      const entry = fn.Metadata["pencai:entry"] as string;
      const service =
        /^services\/(intake|deliberation|approval|evaluation|oversight|exports|orgs)\/src\/handlers\/[a-z]+\.ts$/.exec(
          entry,
        )?.[1];
      expect(service, entry).toBeDefined();
      expect(existsSync(fromRoot(entry))).toBe(true);
      expect(fn.Metadata["pencai:handler"]).toBe("handler");
      const env = envOf(fn);
      expect(env).toMatchObject({
        CITY_ID: "demo",
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: "Pencai",
        TABLE_NAME: expect.anything(),
      });
    }
    expect(functions.map(([, fn]) => handlerOf(fn)).sort()).toEqual([
      "approval/api",
      "approval/inbox",
      "approval/relay",
      "approval/sweep",
      "deliberation/api",
      "deliberation/inbox",
      "deliberation/relay",
      "evaluation/api",
      "evaluation/inbox",
      "evaluation/relay",
      "exports/api",
      "exports/inbox",
      "exports/worker",
      "intake/api",
      "intake/digest",
      "intake/evidence",
      "intake/inbox",
      "intake/proofs",
      "intake/relay",
      "orgs/api",
      "orgs/inbox",
      "orgs/relay",
      "oversight/api",
      "oversight/inbox",
      "oversight/relay",
    ]);
    const jobs = functions
      .filter(([, fn]) => fn.Metadata["pencai:job"])
      .map(([, fn]) => [handlerOf(fn), fn.Metadata["pencai:job"]]);
    expect(jobs.sort()).toEqual([
      ["approval/relay", "outbox-relay"],
      ["approval/sweep", "sla-sweep"],
      ["deliberation/relay", "outbox-relay"],
      ["evaluation/relay", "outbox-relay"],
      ["exports/worker", "exports"],
      ["intake/digest", "digest"],
      ["intake/relay", "outbox-relay"],
      ["orgs/relay", "outbox-relay"],
      ["oversight/relay", "outbox-relay"],
    ]);
  });

  it("gives the functions only the environment they need", () => {
    const byEntry = Object.fromEntries(
      ownFunctions(demo().json).map(([, fn]) => [handlerOf(fn), envOf(fn)]),
    );
    for (const h of [
      "intake/api",
      "intake/evidence",
      "deliberation/api",
      "approval/api",
      "evaluation/api",
    ]) {
      expect(Object.keys(byEntry[h]!)).toEqual(
        expect.arrayContaining(["JWT_ISSUER", "JWT_AUDIENCE", "JWKS_URL"]),
      );
    }
    expect(byEntry["intake/evidence"]).toHaveProperty("EVIDENCE_BUCKET");
    for (const h of [
      "intake/api",
      "deliberation/api",
      "deliberation/inbox",
      "deliberation/relay",
      "approval/api",
      "approval/sweep",
      "evaluation/api",
      "evaluation/inbox",
    ]) {
      expect(byEntry[h], h).not.toHaveProperty("EVIDENCE_BUCKET");
    }
    expect(byEntry["approval/sweep"]).not.toHaveProperty("TOPIC_ARN");
    expect(byEntry["approval/sweep"]).not.toHaveProperty("JWKS_URL");
    for (const service of services) {
      expect(byEntry[`${service}/relay`]).toHaveProperty("TOPIC_ARN");
      expect(byEntry[`${service}/inbox`]).not.toHaveProperty("TOPIC_ARN");
      expect(byEntry[`${service}/api`]).not.toHaveProperty("TOPIC_ARN");
      expect(byEntry[`${service}/inbox`]).not.toHaveProperty("JWKS_URL");
    }
    const issuer = JSON.stringify(byEntry["intake/api"]!.JWT_ISSUER);
    expect(issuer).toContain("https://cognito-idp.ap-east-1.amazonaws.com/");
    expect(JSON.stringify(byEntry["intake/api"]!.JWKS_URL)).toContain("/.well-known/jwks.json");
    expect(byEntry["deliberation/api"]!.JWT_ISSUER).toEqual(byEntry["intake/api"]!.JWT_ISSUER);
  });

  it("gives each service its own table, each function only its own service's table", () => {
    const { json } = demo();
    const tables = resourcesOf(json, "AWS::DynamoDB::Table").map(([id]) => id);
    expect(tables).toHaveLength(inboxServices.length);
    const tableOf = (service: string) => tables.find((id) => id.toLowerCase().startsWith(service));
    const serviceTables = inboxServices.map((s) => tableOf(s)!);
    for (const t of serviceTables) expect(t).toBeDefined();

    // each function's TABLE_NAME is its own service's table
    for (const [, fn] of ownFunctions(json)) {
      const [service] = handlerOf(fn).split("/");
      expect(envOf(fn).TABLE_NAME, handlerOf(fn)).toEqual({ Ref: tableOf(service!) });
    }

    // and the role policies name no other service's table
    const roleOf = (fn: { Properties: Record<string, unknown> }) =>
      (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const policies = resourcesOf(json, "AWS::IAM::Policy");
    for (const [, fn] of ownFunctions(json)) {
      const [service] = handlerOf(fn).split("/");
      const role = roleOf(fn);
      const own = policies.filter(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
      );
      expect(own.length, handlerOf(fn)).toBeGreaterThan(0);
      const text = JSON.stringify(own);
      expect(text, handlerOf(fn)).toContain(tableOf(service!));
      for (const other of serviceTables) {
        if (other !== tableOf(service!)) expect(text, handlerOf(fn)).not.toContain(other);
      }
    }
  });

  it.each(services)(
    "gives %s least privilege: item access to its table, publish only from the relay, no deletes, S3 for evidence only",
    (service) => {
      const { json } = demo();
      const policyOf = (handler: string) => statementsOf(json, handler).flatMap((st) => st.actions);
      const fns = [`${service}/api`, `${service}/inbox`, `${service}/relay`];
      if (service === "approval") fns.push("approval/sweep");
      if (service === "intake") fns.push("intake/evidence");
      const api = policyOf(`${service}/api`);
      expect(api).toEqual(
        expect.arrayContaining([
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:ConditionCheckItem",
        ]),
      );
      for (const h of fns.filter((f) => f !== "intake/evidence")) {
        const actions = policyOf(h);
        expect(
          actions.filter((a) => a.startsWith("s3:")),
          h,
        ).toEqual([]);
        expect(
          actions.filter((a) => a.startsWith("kms:")),
          h,
        ).toEqual([]);
        if (h === `${service}/relay`) expect(actions).toContain("sns:Publish");
        else expect(actions, h).not.toContain("sns:Publish");
      }
      // no deletes: nothing is ever removed (ServiceTable's item writes)
      for (const h of fns) {
        expect(policyOf(h), h).not.toContain("dynamodb:DeleteItem");
      }
      const deletes = sourceFiles(`services/${service}/src`).filter((f) =>
        /DeleteCommand|DeleteItem|\.delete\(\s*(keys\.|\{\s*pk)/.test(readFileSync(f, "utf8")),
      );
      expect(deletes, `${service} deletes items now: grant dynamodb:DeleteItem in infra`).toEqual(
        [],
      );
      // the relay may only mark outbox items published (BatchWriteItem, see the relay test);
      // the inbox consumes its queue only
      expect(policyOf(`${service}/relay`)).not.toContain("dynamodb:PutItem");
      expect(policyOf(`${service}/relay`)).not.toContain("dynamodb:UpdateItem");
      expect(policyOf(`${service}/inbox`)).toEqual(
        expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]),
      );
    },
  );

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

  it("has an encrypted, TLS-only inbox per service with a DLQ after 5 receives", () => {
    const { template } = demo();
    template.resourceCountIs("AWS::SQS::Queue", 2 * inboxServices.length);
    for (const service of ["Intake", "Deliberation", "Approval"]) {
      template.hasResourceProperties("AWS::SQS::Queue", {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 180,
        RedrivePolicy: {
          deadLetterTargetArn: {
            "Fn::GetAtt": [Match.stringLikeRegexp(`^${service}InboxDlq`), "Arn"],
          },
          maxReceiveCount: 5,
        },
      });
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp(`^${service}InboxQueue`), "Arn"] },
        FunctionName: { Ref: Match.stringLikeRegexp(`^${service}InboxFn`) },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    }
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

  it("subscribes each inbox to the topic with raw delivery and a filter on type", () => {
    const { template, json } = demo();
    template.resourceCountIs("AWS::SNS::Subscription", inboxServices.length);
    for (const [service, types] of [
      ["Intake", intakeInboxEventTypes],
      ["Deliberation", deliberationInboxEventTypes],
      ["Approval", approvalInboxEventTypes],
      ["Evaluation", evaluationInboxEventTypes],
      ["Oversight", oversightInboxEventTypes],
      ["Exports", exportsInboxEventTypes],
    ] as const) {
      template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "sqs",
        RawMessageDelivery: true,
        Endpoint: { "Fn::GetAtt": [Match.stringLikeRegexp(`^${service}InboxQueue`), "Arn"] },
        FilterPolicy: { type: [...types] },
        RedrivePolicy: {
          deadLetterTargetArn: {
            "Fn::GetAtt": [Match.stringLikeRegexp(`^${service}InboxDlq`), "Arn"],
          },
        },
      });
    }
    expect([...deliberationInboxEventTypes].sort()).toEqual([
      "ProposalScreened",
      "ProposalWithdrawn",
    ]);
    // deliberation hears nothing of its own: no loop through the topic
    const filters = resourcesOf(json, "AWS::SNS::Subscription").map(
      ([, s]) => (s.Properties.FilterPolicy as { type: string[] }).type,
    );
    // deliberation and oversight (which counts every lifecycle step), and exports, which hears everything
    expect(filters.flat().filter((t) => t === "ProposalScreened")).toHaveLength(3);
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
  });

  it("relays each service's outbox from its own stream (INSERTs with outboxPending) and every minute", () => {
    const { template, json } = demo();
    const mappings = resourcesOf(json, "AWS::Lambda::EventSourceMapping").filter(
      ([, m]) =>
        m.Properties.StartingPosition &&
        JSON.stringify(m.Properties.FunctionName).includes("OutboxRelay"),
    );
    expect(mappings).toHaveLength(services.length);
    for (const service of ["Intake", "Deliberation", "Approval", "Evaluation", "Oversight"]) {
      const mapping = mappings.find(([, m]) =>
        JSON.stringify(m.Properties.FunctionName).includes(`${service}OutboxRelay`),
      );
      expect(mapping, service).toBeDefined();
      const props = mapping![1].Properties as {
        EventSourceArn: { "Fn::GetAtt": [string, string] };
        FilterCriteria: { Filters: { Pattern: string }[] };
        MaximumBatchingWindowInSeconds?: number;
      };
      // a batching window would hold every event back before it is published
      expect(props.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
      expect(props.EventSourceArn["Fn::GetAtt"]).toEqual([
        expect.stringMatching(new RegExp(`^${service}Table`)),
        "StreamArn",
      ]);
      expect(JSON.parse(props.FilterCriteria.Filters[0]!.Pattern)).toEqual({
        eventName: ["INSERT"],
        dynamodb: { NewImage: { outboxPending: { S: [{ exists: true }] } } },
      });
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: "rate(1 minute)",
        State: "ENABLED",
        Targets: [
          Match.objectLike({
            Arn: { "Fn::GetAtt": [Match.stringLikeRegexp(`${service}OutboxRelay`), "Arn"] },
          }),
        ],
      });
    }
    // the relays, the SLA sweeper, the daily export and the daily digest
    template.resourceCountIs("AWS::Events::Rule", services.length + 3);
  });

  it("lets each relay read only the outbox index and only re-put outbox items, in batches", () => {
    const { json } = demo();
    for (const service of ["intake", "deliberation", "approval"]) {
      const fn = ownFunctions(json).find(([, f]) => handlerOf(f) === `${service}/relay`)![1];
      const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const statements = resourcesOf(json, "AWS::IAM::Policy")
        .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap(
          ([, p]) =>
            (
              p.Properties.PolicyDocument as {
                Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
              }
            ).Statement,
        )
        .filter((st) => JSON.stringify(st.Action).includes("dynamodb:"))
        // the stream's own grants (event source mapping) aside
        .filter((st) => !/Stream|GetRecords|GetShardIterator/.test(JSON.stringify(st.Action)));
      const table = resourcesOf(json, "AWS::DynamoDB::Table").find(([id]) =>
        id.toLowerCase().startsWith(service),
      )![0];
      expect(statements, service).toEqual([
        {
          Action: "dynamodb:Query",
          Effect: "Allow",
          Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [table, "Arn"] }, "/index/outbox"]] },
        },
        {
          Action: "dynamodb:BatchWriteItem",
          Effect: "Allow",
          Resource: { "Fn::GetAtt": [table, "Arn"] },
          Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["OUTBOX#*"] } },
        },
      ]);
    }
  });

  it("keeps evidence versioned, locked, private, encrypted, logged and TLS-only", () => {
    const { template } = demo();
    template.hasResourceProperties("AWS::S3::Bucket", {
      VersioningConfiguration: { Status: "Enabled" },
      ObjectLockEnabled: true,
      // no default retention: it would lock every junk upload for a year (the service locks each
      // verified copy itself)
      ObjectLockConfiguration: Match.absent(),
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

  it("expires what was never confirmed (uploads/) and quarantined copies, never kept evidence", () => {
    const { template } = demo();
    template.hasResourceProperties("AWS::S3::Bucket", {
      ObjectLockEnabled: true,
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: "uploads/",
            Status: "Enabled",
            ExpirationInDays: 2,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
          Match.objectLike({ Prefix: "quarantine/", ExpirationInDays: 30 }),
        ]),
      },
    });
    const rules = resourcesOf(demo().json, "AWS::S3::Bucket")
      .flatMap(
        ([, b]) => (b.Properties.LifecycleConfiguration as { Rules?: unknown[] })?.Rules ?? [],
      )
      .map((r) => r as { Prefix?: string; ExpirationInDays?: number });
    expect(rules.filter((r) => r.Prefix?.startsWith("proposals/"))).toEqual([]);
  });

  it("gives the evidence function exactly the S3 actions its paths need, per prefix", () => {
    const { json } = demo();
    const statements = statementsOf(json, "intake/evidence")
      .map((st) => ({ ...st, actions: st.actions.filter((a) => a.startsWith("s3:")) }))
      .filter((st) => st.actions.length > 0);
    const on = (prefix: string) =>
      statements
        .filter((st) => st.resource.includes(`"/${prefix}*"`))
        .flatMap((st) => st.actions)
        .sort();
    // presigned PUTs land in uploads/; confirm reads them (a version) to measure them
    expect(on("uploads/")).toEqual(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]);
    // the verified copy: written with its object-lock retention, downloads name its version
    expect(on("proposals/")).toEqual([
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:PutObjectRetention",
    ]);
    // the quarantine path: a copy of the rejected upload, nothing deleted
    expect(on("quarantine/")).toEqual(["s3:PutObject"]);
    const all = statements.flatMap((st) => st.actions);
    for (const never of [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:BypassGovernanceRetention",
      "s3:*",
    ]) {
      expect(all).not.toContain(never);
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

  it("lets a browser app sign in: a web client with no secret, SRP and refresh tokens", () => {
    // packages/client/README.md signs in with Amplify, which uses exactly these flows
    demo().template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
  });

  it("creates every service's route, with the authorizer exactly on the non-public ones", () => {
    const routes = resourcesOf(demo().json, "AWS::ApiGatewayV2::Route").map(
      ([, r]) => r.Properties,
    );
    const byKey = new Map(routes.map((r) => [r.RouteKey as string, r]));
    expect(routes).toHaveLength(allServiceRoutes.length);
    expect(byKey.size).toBe(allServiceRoutes.length);
    for (const def of allServiceRoutes) {
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

  it("sends the deliberation routes to the deliberation function, the intake routes to intake's", () => {
    const { json } = demo();
    const integrationTarget = new Map(
      resourcesOf(json, "AWS::ApiGatewayV2::Integration").map(([id, i]) => [
        id,
        JSON.stringify(i.Properties.IntegrationUri),
      ]),
    );
    const targetOf = (key: string) => {
      const route = resourcesOf(json, "AWS::ApiGatewayV2::Route").find(
        ([, r]) => r.Properties.RouteKey === key,
      )![1];
      const target = route.Properties.Target as { "Fn::Join": [string, unknown[]] };
      const integrationId = (target["Fn::Join"][1][1] as { Ref: string }).Ref;
      return integrationTarget.get(integrationId)!;
    };
    for (const def of deliberationApiRoutes) {
      expect(targetOf(routeKey(def)), routeKey(def)).toMatch(/DeliberationApiFn/);
    }
    for (const def of intakeApiRoutes) {
      expect(targetOf(routeKey(def)), routeKey(def)).toMatch(/IntakeApiFn/);
    }
    for (const def of approvalApiRoutes) {
      expect(targetOf(routeKey(def)), routeKey(def)).toMatch(/ApprovalApiFn/);
    }
    for (const def of evaluationApiRoutes) {
      expect(targetOf(routeKey(def)), routeKey(def)).toMatch(/EvaluationApiFn/);
    }
    for (const def of oversightApiRoutes) {
      expect(targetOf(routeKey(def)), routeKey(def)).toMatch(/OversightApiFn/);
    }
  });

  it("sweeps SLA timers every minute and alarms on breaches per kind through an encrypted topic", () => {
    const { template, json } = demo();
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("^ApprovalSlaSweep"), "Arn"] },
        }),
      ],
    });
    const alarms = resourcesOf(json, "AWS::CloudWatch::Alarm")
      .map(([, a]) => a.Properties)
      .filter((a) => a.MetricName === "SlaBreached");
    const dims = alarms.map((a) => a.Dimensions as { Name: string; Value: string }[]);
    // Powertools adds `service` (POWERTOOLS_SERVICE_NAME) to every metric it emits
    const of = (kind: string) => [
      { Name: "city", Value: "demo" },
      { Name: "kind", Value: kind },
      { Name: "service", Value: "approval" },
    ];
    expect(
      dims
        .map((d) => [...d].sort((x, y) => x.Name.localeCompare(y.Name)))
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    ).toEqual([of("disbursement"), of("rectification"), of("review")]);
    for (const fn of ownFunctions(json).filter(([, f]) => handlerOf(f).startsWith("approval/"))) {
      expect(envOf(fn[1]).POWERTOOLS_SERVICE_NAME).toBe("approval");
    }
    for (const a of alarms) {
      expect(a).toMatchObject({
        Namespace: "Pencai",
        MetricName: "SlaBreached",
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [{ Ref: expect.stringMatching(/^ApprovalSlaAlarms/) }],
      });
    }
    // the metric the alarms watch is the one the code emits (namespace, name, dimension)
    const common = readFileSync(
      fromRoot("services/approval/src/handlers/breach-metric.ts"),
      "utf8",
    );
    expect(common).toMatch(/addDimension\("kind"/);
    expect(common).toMatch(/addMetric\("SlaBreached"/);
    // CloudWatch can only publish to a topic whose key lets it: a customer key, rotated
    const topic = resourcesOf(json, "AWS::SNS::Topic").find(([id]) =>
      id.startsWith("ApprovalSlaAlarms"),
    )!;
    const keyRef = (topic[1].Properties.KmsMasterKeyId as { "Fn::GetAtt": [string, string] })[
      "Fn::GetAtt"
    ][0];
    const key = resourcesOf(json, "AWS::KMS::Key").find(([id]) => id === keyRef)![1];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain("cloudwatch.amazonaws.com");
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
        "SlaAlarmTopicArn",
        "ExportsBucketName",
        "AthenaWorkGroupName",
      ]),
    );
  });

  it("names the exports bucket and the Athena workgroup in its outputs", () => {
    const { stack, template } = demo();
    const bucketId = stack.getLogicalId(stack.exports.bucket.node.defaultChild as CfnElement);
    template.hasOutput("ExportsBucketName", { Value: { Ref: bucketId } });
    template.hasOutput("AthenaWorkGroupName", {
      Value: { Ref: stack.getLogicalId(stack.exports.workGroup) },
    });
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
