import type { City } from "@pencai/config";
import { Aspects, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { ApprovalService } from "./approval.js";
import { Board } from "./board.js";
import { CityApi } from "./city-api.js";
import { cityKey, GrantsOnlyForAwsServices } from "./city-key.js";
import { DeliberationService } from "./deliberation.js";
import { EvaluationService } from "./evaluation.js";
import { EvidenceBucket } from "./evidence-bucket.js";
import { ExportsService } from "./exports.js";
import { IntakeService } from "./intake.js";
import { Operations } from "./operations.js";
import { OrgsService } from "./orgs.js";
import { OversightService } from "./oversight.js";

export interface CityStackProps extends StackProps {
  city: City;
}

export const stackIdOf = (city: Pick<City, "id">) => `Pencai-${city.id}`;

/** Everything one city runs on: one API, one user pool, one event topic, one stack per service. */
export class CityStack extends Stack {
  readonly city: City;
  readonly api: CityApi;
  readonly topic: sns.Topic;
  readonly evidence: EvidenceBucket;
  readonly intake: IntakeService;
  readonly deliberation: DeliberationService;
  readonly approval: ApprovalService;
  readonly evaluation: EvaluationService;
  readonly oversight: OversightService;
  readonly exports: ExportsService;
  readonly orgs: OrgsService;
  readonly operations: Operations;
  readonly board: Board;

  constructor(scope: Construct, id: string, props: CityStackProps) {
    super(scope, id, {
      description: `Pencai (盆菜) livelihood micro-projects for ${props.city.name} (${props.city.id})`,
      terminationProtection: props.city.production,
      ...props,
      env: { region: props.city.region, ...props.env },
    });
    const { city } = props;
    this.city = city;
    this.tags.setTag("pencai:city", city.id);
    Aspects.of(this).add(new GrantsOnlyForAwsServices());

    this.api = new CityApi(this, "Api", { city });

    // The AWS-managed SNS key: publishers need no key grants, and SQS-managed inbox encryption works with it.
    this.topic = new sns.Topic(this, "Events", {
      displayName: `Pencai ${city.id} domain events`,
      enforceSSL: true,
      masterKey: cityKey(this, city) ?? kms.Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
    });
    this.evidence = new EvidenceBucket(this, "Evidence", { city });

    this.intake = new IntakeService(this, "Intake", {
      city,
      api: this.api,
      topic: this.topic,
      evidence: this.evidence,
    });
    this.deliberation = new DeliberationService(this, "Deliberation", {
      city,
      api: this.api,
      topic: this.topic,
    });
    this.approval = new ApprovalService(this, "Approval", {
      city,
      api: this.api,
      topic: this.topic,
    });
    this.evaluation = new EvaluationService(this, "Evaluation", {
      city,
      api: this.api,
      topic: this.topic,
    });
    this.oversight = new OversightService(this, "Oversight", {
      city,
      api: this.api,
      topic: this.topic,
    });

    this.exports = new ExportsService(this, "Exports", {
      city,
      api: this.api,
      topic: this.topic,
      accessLogs: this.evidence.accessLogs,
    });

    this.orgs = new OrgsService(this, "Orgs", {
      city,
      api: this.api,
      topic: this.topic,
    });

    const withRelay = {
      intake: this.intake,
      deliberation: this.deliberation,
      approval: this.approval,
      evaluation: this.evaluation,
      oversight: this.oversight,
      orgs: this.orgs,
    };
    this.operations = new Operations(this, "Operations", {
      city,
      httpApi: this.api.httpApi,
      inboxes: Object.fromEntries(
        Object.entries({ ...withRelay, exports: this.exports }).map(([s, svc]) => [s, svc.inbox]),
      ),
      relays: Object.keys(withRelay),
    });

    this.board = new Board(this, "Board", {
      city,
      httpApi: this.api.httpApi,
      accessLogs: this.evidence.accessLogs,
    });

    new CfnOutput(this, "TopicArn", { value: this.topic.topicArn });
    new CfnOutput(this, "EvidenceBucketName", { value: this.evidence.bucket.bucketName });
    new CfnOutput(this, "SlaAlarmTopicArn", { value: this.approval.alarmTopic.topicArn });
    new CfnOutput(this, "OpsAlarmTopicArn", { value: this.operations.alarmTopic.topicArn });
    new CfnOutput(this, "DashboardName", { value: this.operations.dashboard.dashboardName });
  }
}
