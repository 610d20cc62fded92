import type { EventType } from "@pencai/contracts";
import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as sns from "aws-cdk-lib/aws-sns";
import { SqsSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ctAck } from "./policy.js";

export interface ServiceInboxProps {
  topic: sns.ITopic;
  /** Event types this service consumes (the subscription's filter on attribute `type`). */
  eventTypes: readonly EventType[];
  consumer: lambda.IFunction;
  /** The consumer's timeout; the queue's visibility timeout is six times it (AWS guidance). */
  consumerTimeout: Duration;
  production: boolean;
}

/**
 * A service's SQS inbox: subscribed to the city topic by event type, with a
 * DLQ after 5 receives. The same DLQ catches what SNS cannot deliver.
 */
export class ServiceInbox extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ServiceInboxProps) {
    super(scope, id);
    const removalPolicy = props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.deadLetterQueue = new sqs.Queue(this, "Dlq", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.queue = new sqs.Queue(this, "Queue", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy,
    });
    props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.deadLetterQueue,
        filterPolicy: {
          type: sns.SubscriptionFilter.stringFilter({ allowlist: [...props.eventTypes] }),
        },
      }),
    );
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "Serverless-SQSRedrivePolicy",
      reason:
        "This is the dead-letter queue; its messages wait here for an operator, there is nowhere further to redrive them.",
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: ctAck("sqs_dlq_check"),
      reason:
        "This is the dead-letter queue; its messages wait here for an operator (alarm Dlq-<service>, npm run redrive).",
    });
    Validations.of(props.consumer).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "Messages that keep failing go to the inbox's DLQ through the queue's redrive policy (maxReceiveCount 5).",
    });
  }
}
