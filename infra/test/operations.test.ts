import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromRoot } from "../lib/paths.js";
import { resourcesOf, synthCity } from "./support.js";

const demo = () => synthCity("demo");
/** Services whose inbox has a DLQ, and those with an outbox relay (exports publishes nothing). */
const relays = ["intake", "deliberation", "approval", "evaluation", "oversight", "orgs"];
const inboxes = [...relays, "exports"];
const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);
type Dim = { Name: string; Value: unknown };
/** Every operations alarm: the maximum over one 5-minute period, at or over its threshold. */
const fiveMinuteMaximum = {
  Statistic: "Maximum",
  Period: 300,
  EvaluationPeriods: 1,
  ComparisonOperator: "GreaterThanOrEqualToThreshold",
  TreatMissingData: "notBreaching",
};

describe("operations: the city's dashboard and alarms", () => {
  it("has one dashboard named after the city, with API, DLQ, SLA and outbox widgets", () => {
    const { json } = demo();
    const dashboards = resourcesOf(json, "AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    const props = dashboards[0]![1].Properties;
    expect(props.DashboardName).toBe("Pencai-demo");
    const body = JSON.stringify(props.DashboardBody);
    for (const title of [
      "API requests and errors",
      "API latency (ms)",
      "DLQ depth per inbox (messages)",
      "SLA breaches",
      "Outbox backlog",
      "Outbox oldest pending event (s)",
    ]) {
      expect(body).toContain(title);
    }
    for (const metric of ["5xx", "Latency", "SlaBreached", "OutboxBacklog", "OutboxOldestAge"]) {
      expect(body).toContain(metric);
    }
    // a line per inbox DLQ, by its queue name
    for (const service of inboxes) {
      expect(body).toMatch(new RegExp(`"${capital(service)}InboxDlq[0-9A-F]{8}","QueueName"`));
    }
  });

  it("alarms on every inbox DLQ holding a message, to the operators' encrypted topic", () => {
    const { json } = demo();
    const topic = resourcesOf(json, "AWS::SNS::Topic").find(([id]) =>
      id.startsWith("OperationsAlarms"),
    )!;
    const keyRef = (topic[1].Properties.KmsMasterKeyId as { "Fn::GetAtt": [string] })[
      "Fn::GetAtt"
    ][0];
    const key = resourcesOf(json, "AWS::KMS::Key").find(([id]) => id === keyRef)![1];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain("cloudwatch.amazonaws.com");

    const alarms = resourcesOf(json, "AWS::CloudWatch::Alarm")
      .map(([, a]) => a.Properties)
      .filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible");
    const queues = alarms.map(
      (a) =>
        ((a.Dimensions as Dim[])[0]!.Value as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"],
    );
    expect(queues.map(([id]) => id.replace(/InboxDlq[0-9A-F]{8}$/, "")).sort()).toEqual(
      inboxes.map(capital).sort(),
    );
    for (const a of alarms) {
      expect(a).toMatchObject({
        ...fiveMinuteMaximum,
        Namespace: "AWS/SQS",
        Threshold: 1,
        AlarmActions: [{ Ref: topic[0] }],
        OKActions: [{ Ref: topic[0] }],
      });
    }
  });

  it("tags each DLQ with its service, for npm run redrive to find it", () => {
    const { json } = demo();
    const tagged = resourcesOf(json, "AWS::SQS::Queue").flatMap(([id, q]) => {
      const tag = (q.Properties.Tags as { Key: string; Value: string }[] | undefined)?.find(
        (t) => t.Key === "pencai:dlq",
      );
      return tag ? [[id.replace(/InboxDlq[0-9A-F]{8}$/, ""), tag.Value]] : [];
    });
    expect(Object.fromEntries(tagged)).toEqual(
      Object.fromEntries(inboxes.map((s) => [capital(s), `demo/${s}`])),
    );
  });

  it("alarms on each outbox whose oldest pending event is 5 minutes old, on the metric the relay emits", () => {
    const { json } = demo();
    const alarms = resourcesOf(json, "AWS::CloudWatch::Alarm")
      .map(([, a]) => a.Properties)
      .filter((a) => a.MetricName === "OutboxOldestAge");
    const services = alarms.map((a) => {
      const dims = Object.fromEntries((a.Dimensions as Dim[]).map((d) => [d.Name, d.Value]));
      expect(dims.city).toBe("demo");
      return dims.service;
    });
    expect(services.sort()).toEqual([...relays].sort());
    for (const a of alarms) {
      expect(a).toMatchObject({
        ...fiveMinuteMaximum,
        Namespace: "Pencai",
        Threshold: 300,
        AlarmActions: [{ Ref: expect.stringMatching(/^OperationsAlarms/) }],
      });
    }
    const relay = readFileSync(fromRoot("packages/runtime/src/outbox.ts"), "utf8");
    expect(relay).toMatch(/addMetric\("OutboxOldestAge", MetricUnit\.Seconds/);
    expect(relay).toMatch(/addMetric\("OutboxBacklog", MetricUnit\.Count/);
  });

  it("exports the dashboard's name and the operators' topic", () => {
    const outputs = demo().template.findOutputs("*");
    expect(outputs.DashboardName?.Value).toEqual({ Ref: expect.stringMatching(/^Operations/) });
    expect(outputs.OpsAlarmTopicArn?.Value).toEqual({
      Ref: expect.stringMatching(/^OperationsAlarms/),
    });
  });
});
