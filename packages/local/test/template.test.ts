import { describe, expect, it } from "vitest";
import { Registry } from "../src/resources.js";
import {
  corsOf,
  functionsOf,
  mappingsOf,
  routesOf,
  schedulesOf,
  throttleOf,
} from "../src/template.js";
import { fragment } from "./fragment.js";

describe("topology from a template", () => {
  const t = fragment();

  it("reads functions from their pencai metadata only", () => {
    expect(
      functionsOf(t).map((f) => [f.id, f.entry, f.handler, f.job ?? null, f.timeoutSeconds]),
    ).toEqual([
      ["ApiFn", "packages/local/test/fixtures/echo.ts", "handler", null, 10],
      ["RelayFn", "packages/local/test/fixtures/echo.ts", "noop", "outbox-relay", 60],
      ["InboxFn", "packages/local/test/fixtures/echo.ts", "noop", null, 30],
    ]);
  });

  it("follows routes through their integration to the function", () => {
    expect(routesOf(t)).toEqual([
      {
        routeKey: "POST /v1/things/{id}",
        method: "POST",
        path: "/v1/things/{id}",
        functionId: "ApiFn",
        authorizationType: "JWT",
      },
      {
        routeKey: "GET /v1/public",
        method: "GET",
        path: "/v1/public",
        functionId: "ApiFn",
        authorizationType: "NONE",
      },
    ]);
  });

  it("reads CORS, throttling, event source mappings and schedules", () => {
    expect(corsOf(t)).toMatchObject({
      allowOrigins: ["http://localhost:5173"],
      allowMethods: ["GET", "POST"],
      maxAge: 600,
    });
    expect(throttleOf(t)).toEqual({ default: { rateLimit: 5, burstLimit: 2 }, routes: {} });
    expect(mappingsOf(t)).toEqual([
      {
        kind: "sqs",
        id: "InboxMapping",
        functionId: "InboxFn",
        queueId: "Inbox",
        batchSize: 10,
        reportBatchItemFailures: true,
        enabled: true,
      },
      {
        kind: "stream",
        id: "StreamMapping",
        functionId: "RelayFn",
        tableId: "Table",
        batchSize: 100,
        startingPosition: "TRIM_HORIZON",
        filters: [
          {
            eventName: ["INSERT"],
            dynamodb: { NewImage: { outboxPending: { S: [{ exists: true }] } } },
          },
        ],
        reportBatchItemFailures: true,
        maximumRetryAttempts: 5,
        enabled: true,
      },
    ]);
    expect(schedulesOf(t)).toEqual([
      { id: "Sweep", expression: "rate(1 minute)", functionId: "RelayFn", enabled: true },
    ]);
  });

  it("gives every resource a local name, ARN or URL", () => {
    const reg = new Registry(t, {
      region: "ap-east-1",
      stackName: "Pencai-demo",
      apiUrl: "http://127.0.0.1:3000",
      fauxqsUrl: "http://127.0.0.1:4566",
      jwtIssuer: "http://127.0.0.1:3000",
      jwtAudience: "pencai-local",
    });
    expect(reg.ref("Table")).toBe("Table");
    expect(reg.ref("Topic")).toBe("arn:aws:sns:ap-east-1:000000000000:Topic");
    expect(reg.ref("Inbox")).toBe("http://sqs.ap-east-1.localhost:4566/000000000000/Inbox");
    expect(reg.getAtt("Inbox", "Arn")).toBe("arn:aws:sqs:ap-east-1:000000000000:Inbox");
    expect(reg.ref("Bucket")).toBe("bucket");
    expect(reg.ref("NamedQueue")).toBe(
      "http://sqs.ap-east-1.localhost:4566/000000000000/Pencai-demo-named",
    );
    expect(reg.ref("AWS::Region")).toBe("ap-east-1");
  });
});
