import type { City } from "@pencai/config";
import { Duration, Validations } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { ServiceFunction } from "./service-function.js";
import type { ServiceTable } from "./service-table.js";

export interface OutboxRelayProps {
  city: City;
  service: string;
  entry: string;
  table: ServiceTable;
  topic: sns.ITopic;
}

/**
 * Publishes a service's outbox: at once from the table stream (INSERTs that
 * carry `outboxPending`), and every minute as a sweep over the `outbox` index
 * for anything the stream path left behind (items older than 30 s).
 */
export class OutboxRelay extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const { table, topic } = props;
    this.function = new ServiceFunction(this, "Function", {
      city: props.city,
      entry: props.entry,
      service: props.service,
      job: "outbox-relay",
      description: `${props.service}: publish outbox events to the city topic`,
      timeout: Duration.seconds(60),
      environment: { TABLE_NAME: table.table.tableName, TOPIC_ARN: topic.topicArn },
    });
    const fn = this.function.fn;
    const { tableArn } = table.table;
    // The sweep reads the outbox index only; marking re-puts outbox items in BatchWriteItem,
    // and only items whose key says they are outbox items.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ["dynamodb:Query"],
      resourceArns: [`${tableArn}/index/outbox`],
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:BatchWriteItem"],
        resources: [tableArn],
        conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["OUTBOX#*"] } },
      }),
    );
    // sns:Publish only: the topic's key is AWS-managed (alias/aws/sns), whose key policy already
    // lets the account use it through SNS, so grantPublish's kms:* on key/* would be pure excess.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ["sns:Publish"],
      resourceArns: [topic.topicArn],
    });

    fn.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // no batching window: it would hold every event up to a second before publishing
        bisectBatchOnError: true,
        retryAttempts: 5,
        // records that still fail are republished by the sweep
        maxRecordAge: Duration.hours(1),
        reportBatchItemFailures: true,
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual("INSERT"),
            dynamodb: { NewImage: { outboxPending: { S: lambda.FilterRule.exists() } } },
          }),
        ],
      }),
    );

    Validations.of(fn).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "Stream records that keep failing stay in the table with outboxPending set, and the sweep republishes them.",
    });

    const sweep = new events.Rule(this, "Sweep", {
      description: `${props.service}: republish unpublished outbox events`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })],
    });
    Validations.of(sweep).acknowledge({
      id: "Serverless-EventBusDLQ",
      reason:
        "A sweep that cannot be delivered is replaced by the next one a minute later; there is nothing to keep.",
    });
  }
}
