import type { Context, SQSEvent } from "aws-lambda";

// Test helpers for the services' inbox handlers (not imported by any handler).

/** One SQS record per envelope as the Lambda event source delivers them (message ids m0, m1, ...). */
export const sqsEvent = (envelopes: readonly unknown[], queue = "inbox"): SQSEvent => ({
  Records: envelopes.map((e, i) => ({
    messageId: `m${i}`,
    body: JSON.stringify(e),
    receiptHandle: `rh-m${i}`,
    attributes: {} as SQSEvent["Records"][number]["attributes"],
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:ap-east-1:000000000000:${queue}`,
    awsRegion: "ap-east-1",
  })),
});

export const lambdaContext = { functionName: "inbox", awsRequestId: "req" } as Context;
