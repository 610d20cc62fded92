import {
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  paginateListQueues,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { dlqTag } from "./operations.js";

export interface RedriveOptions {
  city: string;
  /** The service whose inbox DLQ to redrive: `intake`, `approval`, ... */
  queue: string;
  /** Show what would move, start nothing. */
  dryRun?: boolean;
  /** Messages per second (SQS's default: as fast as it can, up to 500). */
  rate?: number;
}

export type RedriveResult =
  | { action: "empty"; dlqArn: string }
  | { action: "running"; dlqArn: string; taskHandle: string | undefined; moved: number }
  | {
      action: "would-move" | "started";
      dlqArn: string;
      inboxArn: string;
      messages: number;
      taskHandle?: string;
    };

/** The DLQ tagged `pencai:dlq = <city>/<queue>` (operations.ts tags each inbox DLQ so). */
async function findDlq(sqs: SQSClient, city: string, queue: string): Promise<string> {
  const want = `${city}/${queue}`;
  const seen: string[] = [];
  for await (const page of paginateListQueues({ client: sqs }, { MaxResults: 1000 })) {
    for (const url of page.QueueUrls ?? []) {
      const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
      const tag = Tags?.[dlqTag];
      if (tag === want) return url;
      if (tag?.startsWith(`${city}/`)) seen.push(tag.slice(city.length + 1));
    }
  }
  throw new Error(
    seen.length
      ? `no DLQ for queue "${queue}" in city ${city}; its DLQs: ${seen.sort().join(", ")}`
      : `no DLQ tagged ${dlqTag} for city ${city} in this account and region (is the stack deployed?)`,
  );
}

async function attributes(sqs: SQSClient, url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["QueueArn", "ApproximateNumberOfMessages"],
    }),
  );
  return {
    arn: Attributes.QueueArn!,
    messages: Number(Attributes.ApproximateNumberOfMessages ?? 0),
  };
}

/**
 * Moves what waits in a service's inbox DLQ back into its inbox (SQS StartMessageMoveTask, done
 * by SQS in the background). Safe to run twice: an empty DLQ or a move under way starts nothing.
 */
export async function redrive(sqs: SQSClient, opts: RedriveOptions): Promise<RedriveResult> {
  const dlqUrl = await findDlq(sqs, opts.city, opts.queue);
  const dlq = await attributes(sqs, dlqUrl);
  const { Results = [] } = await sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 }),
  );
  const running = Results.find((t) => t.Status === "RUNNING");
  if (running) {
    return {
      action: "running",
      dlqArn: dlq.arn,
      taskHandle: running.TaskHandle,
      moved: running.ApproximateNumberOfMessagesMoved ?? 0,
    };
  }
  if (dlq.messages === 0) return { action: "empty", dlqArn: dlq.arn };
  // The inbox is the queue whose redrive policy names this DLQ; messages SNS could not deliver
  // land here too and have no source queue of their own, so the destination is always named.
  const { queueUrls = [] } = await sqs.send(
    new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }),
  );
  if (queueUrls.length !== 1) {
    throw new Error(`expected one inbox feeding ${dlq.arn}, found ${queueUrls.length}`);
  }
  const inbox = await attributes(sqs, queueUrls[0]!);
  const base = { dlqArn: dlq.arn, inboxArn: inbox.arn, messages: dlq.messages };
  if (opts.dryRun) return { action: "would-move", ...base };
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: dlq.arn,
      DestinationArn: inbox.arn,
      ...(opts.rate ? { MaxNumberOfMessagesPerSecond: opts.rate } : {}),
    }),
  );
  return { action: "started", ...base, ...(TaskHandle ? { taskHandle: TaskHandle } : {}) };
}
