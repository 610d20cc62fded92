import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PublishCommand, paginateListTopics, SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import { ulid } from "ulid";
import { inject } from "vitest";

// Publishing domain events on the local cloud's city topic, the way a service's outbox relay
// does (raw envelope, `type` message attribute for the subscriptions' filter policies). Used to
// stand in for another service's event where a test is about the consumer.

export interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}

const topics = new Map<string, Promise<{ sns: SNSClient; arn: string }>>();

/**
 * The city's event topic (the stack's only one named `...Events...`), on the shared test cloud
 * or on a cloud a test file started itself (its `fauxqsEndpoint`).
 */
function cityTopic(
  endpoint: string = inject("fauxqsEndpoint"),
): Promise<{ sns: SNSClient; arn: string }> {
  let topic = topics.get(endpoint);
  topic ??= (async () => {
    const sns = new SNSClient({
      endpoint,
      region: "ap-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const arns: string[] = [];
    for await (const page of paginateListTopics({ client: sns }, {})) {
      arns.push(...(page.Topics ?? []).flatMap((x) => (x.TopicArn ? [x.TopicArn] : [])));
    }
    const arn = arns.find((a) => a.includes("Events")) ?? arns[0];
    if (!arn) throw new Error("no SNS topic in the local cloud");
    return { sns, arn };
  })();
  topics.set(endpoint, topic);
  return topic;
}

/** Publishes one envelope on the city topic (of the shared cloud unless `endpoint` says). */
export async function publishOn(
  envelope: { type: string } & Record<string, unknown>,
  endpoint?: string,
): Promise<void> {
  const { sns, arn } = await cityTopic(endpoint);
  await sns.send(
    new PublishCommand({
      TopicArn: arn,
      Message: JSON.stringify(envelope),
      MessageAttributes: { type: { DataType: "String", StringValue: envelope.type } },
    }),
  );
}

/** Publishes one envelope on the shared cloud's city topic. */
export const publish = (envelope: { type: string } & Record<string, unknown>) =>
  publishOn(envelope);

/**
 * Publishes `ProposalEndorsed` for a new proposal id as deliberation's outbox would (with the
 * proposal's facts, event-carried state); returns the id.
 */
export async function publishEndorsed(args: {
  cityId: string;
  place: Place;
  budgetFen: number;
  /** the programme's part (default: the whole budget) */
  programmeFen?: number;
  year: number;
  title: string;
  correlationId: string;
}): Promise<string> {
  const proposalId = ulid();
  await publish({
    id: ulid(),
    type: "ProposalEndorsed",
    version: 1,
    occurredAt: new Date().toISOString(),
    cityId: args.cityId,
    proposalId,
    communityId: args.place.communityId,
    actor: { sub: "system:deliberation", roles: [] },
    correlationId: args.correlationId,
    data: {
      proposalId,
      meetingId: ulid(),
      communityId: args.place.communityId,
      streetId: args.place.streetId,
      districtId: args.place.districtId,
      kind: "works",
      title: args.title,
      budgetFen: args.budgetFen,
      programmeFen: args.programmeFen ?? args.budgetFen,
      year: args.year,
    },
  });
  return proposalId;
}

/**
 * Publishes, for a new proposal id, what evaluation learns a funded project from: intake's
 * `ProposalSubmitted` (by `proposerSub`), approval's `ProposalApproved` and a full
 * `FundsDisbursed` of the programme's part. Intake and approval do not know the id (they
 * acknowledge and ignore it); returns the id.
 */
export async function publishFunded(args: {
  cityId: string;
  place: Place;
  budgetFen: number;
  selfRaisedFen?: number;
  year: number;
  title: string;
  proposerSub: string;
  correlationId: string;
  applicantOrgId?: string;
  sponsorFen?: number;
  /** a cloud the test file started itself (default: the shared one) */
  fauxqsEndpoint?: string;
}): Promise<string> {
  const proposalId = ulid();
  const selfRaisedFen = args.selfRaisedFen ?? 0;
  const sponsorFen = args.sponsorFen ?? 0;
  const programmeFen = args.budgetFen - selfRaisedFen - sponsorFen;
  const publish = (e: { type: string } & Record<string, unknown>) =>
    publishOn(e, args.fauxqsEndpoint);
  const now = new Date().toISOString();
  const envelope = (type: string, sub: string, data: Record<string, unknown>) => ({
    id: ulid(),
    type,
    version: 1,
    occurredAt: now,
    cityId: args.cityId,
    proposalId,
    communityId: args.place.communityId,
    actor: { sub, roles: [] },
    correlationId: args.correlationId,
    data: { proposalId, ...data },
  });
  await publish(
    envelope("ProposalSubmitted", args.proposerSub, {
      ...args.place,
      kind: "works",
      category: "old_estate_renovation",
      title: args.title,
      budgetFen: args.budgetFen,
      selfRaisedFen,
      sponsorFen,
      programmeFen,
      year: args.year,
      needIds: [],
      ...(args.applicantOrgId !== undefined && { applicantOrgId: args.applicantOrgId }),
    }),
  );
  await publish(
    envelope("ProposalApproved", "system:approval", {
      communityId: args.place.communityId,
      districtId: args.place.districtId,
      year: args.year,
      budgetFen: args.budgetFen,
      programmeFen,
      approvedAt: now,
      disbursementDueAt: now,
      disbursementWorkingDays: 15,
      provisional: false,
      committedFen: programmeFen,
      capFen: programmeFen,
    }),
  );
  await publish(
    envelope("FundsDisbursed", "system:approval", {
      communityId: args.place.communityId,
      year: args.year,
      disbursementId: ulid(),
      amountFen: programmeFen,
      totalDisbursedFen: programmeFen,
      approvedFen: programmeFen,
      fullyDisbursed: true,
      reference: `BK-${proposalId}`,
      disbursedAt: now,
    }),
  );
  return proposalId;
}

/**
 * The events a service's outbox holds (pending or published, until their TTL), read from its
 * table in the local DynamoDB: a test may scan, the services never do. `service` is the prefix
 * of the table's logical id, e.g. "Intake".
 */
export async function outboxEvents(
  service: string,
  keep: (e: Envelope) => boolean = () => true,
): Promise<Envelope[]> {
  const table = Object.entries(inject("tables")).find(([id]) =>
    id.startsWith(`${service}Table`),
  )?.[1];
  if (!table) throw new Error(`no ${service} table in the local cloud`);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: inject("dynamodbEndpoint"),
      region: "ap-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
  const events: Envelope[] = [];
  try {
    const pages = paginateScan(
      { client },
      {
        TableName: table,
        FilterExpression: "sk = :o",
        ExpressionAttributeValues: { ":o": "OUTBOX" },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) if (keep(item.event)) events.push(item.event);
    }
  } finally {
    client.destroy();
  }
  return events;
}
