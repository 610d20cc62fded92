import type { City } from "@pencai/config";
import { approvalApiRoutes, approvalInboxEventTypes, slaKinds } from "@pencai/contracts";
import { Duration, Validations } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { alarmTopic } from "./alarm-topic.js";
import type { CityApi } from "./city-api.js";
import type { ServiceInbox } from "./inbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface ApprovalServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
}

const handlers = "services/approval/src/handlers";

/**
 * The CloudWatch metric the SLA sweep (and late stops) emit once per breach. Powertools adds the
 * `service` dimension to every metric, so the alarm must name it too or it watches nothing.
 */
export const slaBreachedMetric = (city: City, kind: (typeof slaKinds)[number]) =>
  new cloudwatch.Metric({
    namespace: "Pencai",
    metricName: "SlaBreached",
    dimensionsMap: { city: city.id, service: "approval", kind },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });

/**
 * Approval (区级审核、审批、拨付): district review, the district group's approval, finance's
 * disbursements, the community-year budget ledger, the working-day calendar additions and the
 * SLA timers. Its own table (gsi1 = timers by due hour, gsi2 = SLA list by district), its own
 * inbox (endorsed and withdrawn proposals), outbox relay, and a sweeper every minute.
 */
export class ApprovalService extends Construct {
  readonly table: ServiceTable;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly sweepFunction: ServiceFunction;
  readonly relay: OutboxRelay;
  readonly inbox: ServiceInbox;
  readonly alarmTopic: sns.Topic;
  readonly breachAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ApprovalServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "approval";

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table };
    // Functions sit at stack level so their names read ApprovalApi, ... in the console.
    this.apiFunction = apiFunction(scope, "ApprovalApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description:
        "approval: report, district review, approval, disbursements, SLA, budgets, calendar",
      api,
      routes: approvalApiRoutes,
      // PUT /v1/calendar/{year} recomputes the open timers of the year
      timeout: Duration.seconds(29),
    });
    const inbox = inboxFunction(scope, this, "ApprovalInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description: "approval: project endorsed and withdrawn proposals from domain events",
      topic,
      eventTypes: approvalInboxEventTypes,
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;

    this.sweepFunction = new ServiceFunction(scope, "ApprovalSlaSweep", {
      city,
      service,
      entry: `${handlers}/sweep.ts`,
      job: "sla-sweep",
      description: "approval: SLA reminders and breaches for the timers that are due",
      timeout: Duration.seconds(60),
      environment: { TABLE_NAME: this.table.table.tableName },
    });
    this.table.grantItemRead(this.sweepFunction.fn);
    this.table.grantItemWrite(this.sweepFunction.fn);
    const schedule = new events.Rule(this, "SlaSweepSchedule", {
      description: "approval: sweep due SLA timers",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.sweepFunction.fn, { retryAttempts: 2 })],
    });
    Validations.of(schedule).acknowledge({
      id: "Serverless-EventBusDLQ",
      reason:
        "A missed sweep loses nothing: due timers stay in the due index until a later sweep (a minute on) acts on them.",
    });

    this.relay = new OutboxRelay(scope, "ApprovalOutboxRelay", {
      city,
      service,
      entry: `${handlers}/relay.ts`,
      table: this.table,
      topic,
    });

    // Breaches are also events (SlaBreached, for the timeline and the public view); the alarm is
    // for the people who run the city: subscribe the district's duty address to this topic.
    this.alarmTopic = alarmTopic(this, "SlaAlarms", {
      city,
      purpose: "SLA",
      displayName: `Pencai ${city.id} SLA breaches`,
    });
    this.breachAlarms = slaKinds.map((kind) => {
      const alarm = new cloudwatch.Alarm(this, `SlaBreached-${kind}`, {
        alarmDescription: `${city.id}: a ${kind} deadline was missed (SlaBreached)`,
        metric: slaBreachedMetric(city, kind),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      return alarm;
    });
  }
}
