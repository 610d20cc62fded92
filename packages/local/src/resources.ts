/**
 * Local physical names for every template resource (the values `Ref` and
 * `Fn::GetAtt` resolve to) and creation of the stateful ones: DynamoDB tables
 * in DynamoDB Local; topics, queues, subscriptions and buckets in fauxqs.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
} from "@aws-sdk/client-dynamodb";
import type { FauxqsServer } from "./fauxqs.js";
import {
  IntrinsicError,
  type ResolveContext,
  resolveIntrinsics,
  resolveString,
} from "./intrinsics.js";
import { type CfnResource, type CfnTemplate, resourcesOfType, T } from "./template.js";

export const LOCAL_ACCOUNT = "000000000000"; // fauxqs' account id: ARNs must match

export interface RegistryEnv {
  region: string;
  stackName: string;
  /** base URL of the local HTTP gateway */
  apiUrl: string;
  /** base URL of fauxqs (its port is part of queue URLs) */
  fauxqsUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
}

interface Physical {
  ref: string;
  attrs: Record<string, string>;
}

/** Local physical ids of a template's resources; implements `Ref`/`Fn::GetAtt` for the resolver. */
export class Registry implements ResolveContext {
  private readonly physical = new Map<string, Physical>();
  private readonly pseudo: Record<string, string>;

  constructor(
    readonly template: CfnTemplate,
    readonly env: RegistryEnv,
  ) {
    this.pseudo = {
      "AWS::Region": env.region,
      "AWS::AccountId": LOCAL_ACCOUNT,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": env.stackName,
      "AWS::StackId": `arn:aws:cloudformation:${env.region}:${LOCAL_ACCOUNT}:stack/${env.stackName}/local`,
    };
    // Names first (they may be referenced by other resources' name properties only through literals).
    for (const [id, r] of Object.entries(template.Resources ?? {})) {
      this.physical.set(id, this.plan(id, r));
    }
  }

  ref(id: string): string | undefined {
    if (id in this.pseudo) return this.pseudo[id];
    const p = this.physical.get(id);
    if (p) return p.ref;
    const param = this.template.Parameters?.[id];
    return param?.Default === undefined ? undefined : String(param.Default);
  }

  getAtt(id: string, attr: string): string | undefined {
    return this.physical.get(id)?.attrs[attr];
  }

  /** Record an attribute only known after creation (e.g. a table's `StreamArn`). */
  setAtt(id: string, attr: string, value: string): void {
    const p = this.physical.get(id);
    if (p) p.attrs[attr] = value;
  }

  /** The physical name of a table, queue, topic, bucket or function. */
  name(id: string): string {
    const p = this.physical.get(id);
    if (!p) throw new Error(`unknown resource ${id}`);
    return p.attrs.Name ?? p.ref;
  }

  private literalName(id: string, r: CfnResource, prop: string): string | undefined {
    const v = r.Properties?.[prop];
    if (v === undefined) return undefined;
    if (typeof v === "string") return v;
    // Names built from pseudo parameters only (e.g. Fn::Sub "${AWS::StackName}-x").
    try {
      return resolveString(
        v,
        { ref: (x) => this.pseudo[x], getAtt: () => undefined },
        `${id}.${prop}`,
      );
    } catch (e) {
      if (e instanceof IntrinsicError) return undefined;
      throw e;
    }
  }

  private plan(id: string, r: CfnResource): Physical {
    const { region } = this.env;
    const acct = LOCAL_ACCOUNT;
    const props = r.Properties ?? {};
    switch (r.Type) {
      case T.table:
      case T.globalTable: {
        const name = this.literalName(id, r, "TableName") ?? id;
        const arn = `arn:aws:dynamodb:${region}:${acct}:table/${name}`;
        return { ref: name, attrs: { Name: name, Arn: arn } };
      }
      case T.queue: {
        const fifo = props.FifoQueue === true || props.FifoQueue === "true";
        let name = this.literalName(id, r, "QueueName") ?? id.slice(0, fifo ? 75 : 80);
        if (fifo && !name.endsWith(".fifo")) name += ".fifo";
        // fauxqs' own queue URL format (its store looks queues up by exact URL)
        const url = `http://sqs.${region}.localhost:${new URL(this.env.fauxqsUrl).port}/${acct}/${name}`;
        return {
          ref: url,
          attrs: {
            Name: name,
            QueueName: name,
            QueueUrl: url,
            Arn: `arn:aws:sqs:${region}:${acct}:${name}`,
          },
        };
      }
      case T.topic: {
        const fifo = props.FifoTopic === true || props.FifoTopic === "true";
        let name = this.literalName(id, r, "TopicName") ?? id;
        if (fifo && !name.endsWith(".fifo")) name += ".fifo";
        const arn = `arn:aws:sns:${region}:${acct}:${name}`;
        return { ref: arn, attrs: { Name: name, TopicName: name, TopicArn: arn } };
      }
      case T.bucket: {
        const name =
          this.literalName(id, r, "BucketName") ??
          id
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, "-")
            .slice(0, 63);
        return {
          ref: name,
          attrs: {
            Name: name,
            Arn: `arn:aws:s3:::${name}`,
            DomainName: `${name}.s3.amazonaws.com`,
            RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
            WebsiteURL: `http://${name}.s3-website.${region}.amazonaws.com`,
          },
        };
      }
      case T.fn: {
        const name = this.literalName(id, r, "FunctionName") ?? id;
        return {
          ref: name,
          attrs: { Name: name, Arn: `arn:aws:lambda:${region}:${acct}:function:${name}` },
        };
      }
      case T.rule: {
        const name = this.literalName(id, r, "Name") ?? id;
        return { ref: name, attrs: { Arn: `arn:aws:events:${region}:${acct}:rule/${name}` } };
      }
      case T.api: {
        const apiId = "local";
        return { ref: apiId, attrs: { ApiId: apiId, ApiEndpoint: this.env.apiUrl } };
      }
      case "AWS::Cognito::UserPool": {
        const poolId = `${region}_local`;
        return {
          ref: poolId,
          attrs: {
            UserPoolId: poolId,
            Arn: `arn:aws:cognito-idp:${region}:${acct}:userpool/${poolId}`,
            ProviderName: this.env.jwtIssuer.replace(/^https?:\/\//, ""),
            ProviderURL: this.env.jwtIssuer,
          },
        };
      }
      case "AWS::Cognito::UserPoolClient":
        return { ref: this.env.jwtAudience, attrs: { ClientId: this.env.jwtAudience } };
      case "AWS::IAM::Role": {
        const name = this.literalName(id, r, "RoleName") ?? id;
        return {
          ref: name,
          attrs: { Arn: `arn:aws:iam::${acct}:role/${name}`, RoleId: `AROA${id}` },
        };
      }
      case "AWS::Logs::LogGroup": {
        const name = this.literalName(id, r, "LogGroupName") ?? id;
        return { ref: name, attrs: { Arn: `arn:aws:logs:${region}:${acct}:log-group:${name}:*` } };
      }
      default: {
        // Not emulated: a stable placeholder for Ref; only `Arn` is offered for GetAtt.
        const service = r.Type.split("::")[1]?.toLowerCase() ?? "unknown";
        return { ref: id, attrs: { Arn: `arn:aws:${service}:${region}:${acct}:${id}` } };
      }
    }
  }
}

/** What {@link createResources} made, for logging. */
export interface CreatedResources {
  tables: string[];
  queues: string[];
  topics: string[];
  subscriptions: number;
  buckets: string[];
}

/** Topics, queues, subscriptions and buckets in fauxqs (in-process, no network). */
export function createMessagingAndBuckets(
  reg: Registry,
  fauxqs: FauxqsServer,
): Omit<CreatedResources, "tables"> {
  const t = reg.template;
  const region = reg.env.region;
  const created = {
    queues: [] as string[],
    topics: [] as string[],
    subscriptions: 0,
    buckets: [] as string[],
  };

  for (const [id, r] of resourcesOfType(t, T.topic)) {
    const p = r.Properties ?? {};
    const attributes: Record<string, string> = {};
    if (p.FifoTopic) attributes.FifoTopic = "true";
    if (p.ContentBasedDeduplication) attributes.ContentBasedDeduplication = "true";
    fauxqs.createTopic(reg.name(id), { region, attributes });
    created.topics.push(reg.name(id));
  }

  // Queues without a redrive policy (the DLQs) first.
  const queues = resourcesOfType(t, T.queue).sort(
    ([, a], [, b]) => Number(!!a.Properties?.RedrivePolicy) - Number(!!b.Properties?.RedrivePolicy),
  );
  for (const [id, r] of queues) {
    const p = r.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const key of [
      "VisibilityTimeout",
      "MessageRetentionPeriod",
      "DelaySeconds",
      "ReceiveMessageWaitTimeSeconds",
      "MaximumMessageSize",
      "FifoQueue",
      "ContentBasedDeduplication",
    ]) {
      if (p[key] !== undefined)
        attributes[key] = String(resolveIntrinsics(p[key], reg, `${id}.${key}`));
    }
    if (p.RedrivePolicy !== undefined) {
      const rp = resolveIntrinsics(p.RedrivePolicy, reg, `${id}.RedrivePolicy`);
      attributes.RedrivePolicy = typeof rp === "string" ? rp : JSON.stringify(rp);
    }
    const q = fauxqs.createQueue(reg.name(id), { region, attributes });
    if (q.queueUrl !== reg.ref(id) || q.queueArn !== reg.getAtt(id, "Arn")) {
      throw new Error(
        `queue ${id}: fauxqs answered ${q.queueUrl} / ${q.queueArn}, expected ${reg.ref(id)}`,
      );
    }
    created.queues.push(reg.name(id));
  }

  for (const [id, r] of resourcesOfType(t, T.subscription)) {
    const p = r.Properties ?? {};
    const protocol = String(p.Protocol ?? "").toLowerCase();
    if (protocol !== "sqs") {
      throw new Error(
        `subscription ${id}: protocol ${protocol} is not emulated locally (only sqs)`,
      );
    }
    const topicArn = resolveString(p.TopicArn, reg, `${id}.TopicArn`);
    const queueArn = resolveString(p.Endpoint, reg, `${id}.Endpoint`);
    const attributes: Record<string, string> = {};
    if (p.RawMessageDelivery === true || p.RawMessageDelivery === "true")
      attributes.RawMessageDelivery = "true";
    if (p.FilterPolicy !== undefined) {
      const fp = resolveIntrinsics(p.FilterPolicy, reg, `${id}.FilterPolicy`);
      attributes.FilterPolicy = typeof fp === "string" ? fp : JSON.stringify(fp);
    }
    if (p.FilterPolicyScope !== undefined)
      attributes.FilterPolicyScope = String(p.FilterPolicyScope);
    fauxqs.subscribe({
      topic: lastArnPart(topicArn),
      queue: lastArnPart(queueArn),
      region: arnRegion(topicArn) ?? region,
      attributes,
    });
    created.subscriptions++;
  }

  for (const [id] of resourcesOfType(t, T.bucket)) {
    fauxqs.createBucket(reg.name(id));
    created.buckets.push(reg.name(id));
  }
  return created;
}

function lastArnPart(arn: string): string {
  return arn.split(":").pop() as string;
}
function arnRegion(arn: string): string | undefined {
  return arn.split(":")[3] || undefined;
}

/** The `CreateTable` input for a table resource (TTL, PITR, SSE, tags and capacity are irrelevant locally). */
export function createTableInput(
  reg: Registry,
  id: string,
  r: CfnResource,
): CreateTableCommandInput {
  const p = resolveIntrinsics(r.Properties ?? {}, reg, id) as Record<string, unknown> &
    Record<string, never>;
  const gsis = (p.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map(
    (g): GlobalSecondaryIndex => ({
      IndexName: g.IndexName as string,
      KeySchema: g.KeySchema as GlobalSecondaryIndex["KeySchema"],
      Projection: g.Projection as GlobalSecondaryIndex["Projection"],
    }),
  );
  const lsis = p.LocalSecondaryIndexes as CreateTableCommandInput["LocalSecondaryIndexes"];
  const stream = p.StreamSpecification as { StreamViewType?: string } | undefined;
  return {
    TableName: reg.name(id),
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: "PAY_PER_REQUEST",
    ...(gsis?.length ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis?.length
      ? {
          LocalSecondaryIndexes: lsis.map((l) => ({
            IndexName: l.IndexName,
            KeySchema: l.KeySchema,
            Projection: l.Projection,
          })),
        }
      : {}),
    ...(stream?.StreamViewType
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: stream.StreamViewType as "NEW_IMAGE",
          },
        }
      : {}),
  };
}

/** Every table of the template in DynamoDB Local; records each table's `StreamArn`. */
export async function createTables(reg: Registry, ddb: DynamoDBClient): Promise<string[]> {
  const tables = resourcesOfType(reg.template, T.table, T.globalTable);
  await Promise.all(
    tables.map(async ([id, r]) => {
      const out = await ddb.send(new CreateTableCommand(createTableInput(reg, id, r)));
      const d = out.TableDescription;
      if (d?.LatestStreamArn) reg.setAtt(id, "StreamArn", d.LatestStreamArn);
    }),
  );
  return tables.map(([id]) => reg.name(id));
}
