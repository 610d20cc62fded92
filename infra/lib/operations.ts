import type { City } from "@pencai/config";
import { slaKinds } from "@pencai/contracts";
import { Duration, Tags } from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { alarmTopic } from "./alarm-topic.js";
import { slaBreachedMetric } from "./approval.js";
import type { ServiceInbox } from "./inbox.js";

/** The tag naming a DLQ `<city>/<service>`, for `npm run redrive` to find it. */
export const dlqTag = "pencai:dlq";
// Alarms take the metrics without a label: a labelled metric renders as a metric-math query.

/** A DLQ alarms when it holds at least this many messages. */
const dlqAlarmThreshold = 1;
/** The outbox alarms when its oldest pending event is this old (seconds). */
const outboxAgeAlarmSeconds = 300;

const period = Duration.minutes(5);

/**
 * What each relay's sweep reports every minute (packages/runtime outbox.ts), 0 when nothing is
 * pending: `OutboxOldestAge` (seconds since the oldest pending event was written) and
 * `OutboxBacklog` (pending events older than 30 s it found). Maximum over 5 minutes.
 */
const outboxMetric = (city: City, service: string, name: "OutboxOldestAge" | "OutboxBacklog") =>
  new cloudwatch.Metric({
    namespace: "Pencai",
    metricName: name,
    dimensionsMap: { city: city.id, service },
    statistic: cloudwatch.Stats.MAXIMUM,
    period,
  });

export interface OperationsProps {
  city: City;
  httpApi: apigw.HttpApi;
  /** Each service's inbox, by service name. */
  inboxes: Record<string, ServiceInbox>;
  /** The services with an outbox relay. */
  relays: readonly string[];
}

/**
 * What the city's operators watch: one dashboard (`Pencai-<city>`: API errors and latency, DLQ
 * depth per inbox, SLA breaches, outbox backlog and age) and alarms on each DLQ and each outbox,
 * published to the operators' topic.
 */
export class Operations extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly dlqAlarms: cloudwatch.Alarm[];
  readonly outboxAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { city, httpApi, inboxes, relays } = props;

    this.alarmTopic = alarmTopic(this, "Alarms", {
      city,
      purpose: "operations",
      displayName: `Pencai ${city.id} operations`,
    });
    const notify = new actions.SnsAction(this.alarmTopic);

    const dlqDepth = Object.entries(inboxes).map(([service, inbox]) => {
      Tags.of(inbox.deadLetterQueue).add(dlqTag, `${city.id}/${service}`);
      return {
        service,
        metric: inbox.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: cloudwatch.Stats.MAXIMUM,
          period,
        }),
      };
    });
    /** Fires at `threshold` or more within 5 minutes; tells the topic when it fires and clears. */
    const alarm = (
      id: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
    ) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: `${city.id}: ${description}`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      return a;
    };
    this.dlqAlarms = dlqDepth.map(({ service, metric }) =>
      alarm(
        `Dlq-${service}`,
        `the ${service} inbox's DLQ holds messages it could not process (npm run redrive -- --city ${city.id} --queue ${service})`,
        metric,
        dlqAlarmThreshold,
      ),
    );
    this.outboxAlarms = relays.map((service) =>
      alarm(
        `OutboxAge-${service}`,
        `${service} has had an event waiting to be published for ${outboxAgeAlarmSeconds / 60} minutes`,
        outboxMetric(city, service, "OutboxOldestAge"),
        outboxAgeAlarmSeconds,
      ),
    );

    const api = (metric: cloudwatch.Metric, label: string) =>
      metric.with({ period, label, statistic: cloudwatch.Stats.SUM });
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `Pencai-${city.id}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: "API requests and errors",
            left: [
              api(httpApi.metricCount(), "requests"),
              api(httpApi.metricClientError(), "4xx"),
              api(httpApi.metricServerError(), "5xx"),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: "API latency (ms)",
            left: ["p50", "p90", "p99"].map((p) =>
              httpApi.metricLatency({ statistic: p, period, label: p }),
            ),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "DLQ depth per inbox (messages)",
            left: dlqDepth.map((d) => d.metric.with({ label: d.service })),
            leftAnnotations: [{ value: dlqAlarmThreshold, label: "alarm" }],
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({
            title: "Alarms",
            alarms: [...this.dlqAlarms, ...this.outboxAlarms],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "SLA breaches",
            left: slaKinds.map((kind) => slaBreachedMetric(city, kind).with({ label: kind })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: "Outbox backlog (pending events older than 30 s)",
            left: relays.map((service) =>
              outboxMetric(city, service, "OutboxBacklog").with({ label: service }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: "Outbox oldest pending event (s)",
            left: relays.map((service) =>
              outboxMetric(city, service, "OutboxOldestAge").with({ label: service }),
            ),
            leftAnnotations: [{ value: outboxAgeAlarmSeconds, label: "alarm" }],
            width: 8,
          }),
        ],
      ],
    });
  }
}
