/** A small template in the shape CDK synthesizes, for tests that need no infra/. */
import type { CfnTemplate } from "../src/template.js";

const fn = (handler: string, timeout: number, env: Record<string, unknown>, job?: string) => ({
  Type: "AWS::Lambda::Function",
  Properties: {
    Handler: "index.handler",
    Runtime: "nodejs22.x",
    Timeout: timeout,
    MemorySize: 1024,
    Environment: { Variables: env },
  },
  Metadata: {
    "pencai:entry": "packages/local/test/fixtures/echo.ts",
    "pencai:handler": handler,
    ...(job ? { "pencai:job": job } : {}),
  },
});

export function fragment(): CfnTemplate {
  return {
    Resources: {
      Table: {
        Type: "AWS::DynamoDB::Table",
        Properties: {
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk", "outboxPending", "outboxAt"].map(
            (n) => ({ AttributeName: n, AttributeType: "S" }),
          ),
          BillingMode: "PAY_PER_REQUEST",
          GlobalSecondaryIndexes: [
            {
              IndexName: "gsi1",
              KeySchema: [
                { AttributeName: "gsi1pk", KeyType: "HASH" },
                { AttributeName: "gsi1sk", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
            {
              IndexName: "outbox",
              KeySchema: [
                { AttributeName: "outboxPending", KeyType: "HASH" },
                { AttributeName: "outboxAt", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "KEYS_ONLY" },
            },
          ],
          StreamSpecification: { StreamViewType: "NEW_IMAGE" },
          TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
      Topic: { Type: "AWS::SNS::Topic", Properties: {} },
      InboxDlq: {
        Type: "AWS::SQS::Queue",
        Properties: { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true },
      },
      Inbox: {
        Type: "AWS::SQS::Queue",
        Properties: {
          VisibilityTimeout: 1,
          RedrivePolicy: {
            deadLetterTargetArn: { "Fn::GetAtt": ["InboxDlq", "Arn"] },
            maxReceiveCount: 2,
          },
        },
      },
      NamedQueue: {
        Type: "AWS::SQS::Queue",
        Properties: { QueueName: { "Fn::Join": ["-", [{ Ref: "AWS::StackName" }, "named"]] } },
      },
      Subscription: {
        Type: "AWS::SNS::Subscription",
        Properties: {
          Protocol: "sqs",
          TopicArn: { Ref: "Topic" },
          Endpoint: { "Fn::GetAtt": ["Inbox", "Arn"] },
          RawMessageDelivery: true,
          FilterPolicy: { type: ["ProposalSubmitted", "ProposalScreened"] },
        },
      },
      Bucket: {
        Type: "AWS::S3::Bucket",
        Properties: { VersioningConfiguration: { Status: "Enabled" } },
      },
      ApiFn: fn("handler", 10, {
        TABLE_NAME: { Ref: "Table" },
        TOPIC_ARN: { Ref: "Topic" },
        BUCKET: { Ref: "Bucket" },
      }),
      RelayFn: fn("noop", 60, { TABLE_NAME: { Ref: "Table" } }, "outbox-relay"),
      InboxFn: fn("noop", 30, { QUEUE_URL: { Ref: "Inbox" } }),
      HelperFn: { Type: "AWS::Lambda::Function", Properties: { Handler: "index.handler" } },
      Api: {
        Type: "AWS::ApiGatewayV2::Api",
        Properties: {
          ProtocolType: "HTTP",
          CorsConfiguration: {
            AllowOrigins: ["http://localhost:5173"],
            AllowMethods: ["GET", "POST"],
            AllowHeaders: ["authorization", "content-type"],
            MaxAge: 600,
          },
        },
      },
      Stage: {
        Type: "AWS::ApiGatewayV2::Stage",
        Properties: {
          ApiId: { Ref: "Api" },
          StageName: "$default",
          DefaultRouteSettings: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 5 },
        },
      },
      Integration: {
        Type: "AWS::ApiGatewayV2::Integration",
        Properties: {
          ApiId: { Ref: "Api" },
          IntegrationType: "AWS_PROXY",
          IntegrationUri: { "Fn::GetAtt": ["ApiFn", "Arn"] },
          PayloadFormatVersion: "2.0",
        },
      },
      Authorizer: { Type: "AWS::ApiGatewayV2::Authorizer", Properties: { AuthorizerType: "JWT" } },
      ThingRoute: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: { Ref: "Api" },
          RouteKey: "POST /v1/things/{id}",
          AuthorizationType: "JWT",
          AuthorizerId: { Ref: "Authorizer" },
          Target: { "Fn::Join": ["", ["integrations/", { Ref: "Integration" }]] },
        },
      },
      PublicRoute: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: { Ref: "Api" },
          RouteKey: "GET /v1/public",
          AuthorizationType: "NONE",
          Target: { "Fn::Join": ["", ["integrations/", { Ref: "Integration" }]] },
        },
      },
      InboxMapping: {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: {
          FunctionName: { Ref: "InboxFn" },
          EventSourceArn: { "Fn::GetAtt": ["Inbox", "Arn"] },
          BatchSize: 10,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
        },
      },
      StreamMapping: {
        Type: "AWS::Lambda::EventSourceMapping",
        Properties: {
          FunctionName: { Ref: "RelayFn" },
          EventSourceArn: { "Fn::GetAtt": ["Table", "StreamArn"] },
          BatchSize: 100,
          StartingPosition: "TRIM_HORIZON",
          MaximumRetryAttempts: 5,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          FilterCriteria: {
            Filters: [
              {
                Pattern:
                  '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"outboxPending":{"S":[{"exists":true}]}}}}',
              },
            ],
          },
        },
      },
      Sweep: {
        Type: "AWS::Events::Rule",
        Properties: {
          ScheduleExpression: "rate(1 minute)",
          State: "ENABLED",
          Targets: [{ Arn: { "Fn::GetAtt": ["RelayFn", "Arn"] }, Id: "Target0" }],
        },
      },
    },
  };
}
