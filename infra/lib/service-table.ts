import type { City } from "@pencai/config";
import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { cityKey } from "./city-key.js";

const indexNames = ["gsi1", "gsi2", "gsi3", "outbox"] as const;

const itemRead = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];
/**
 * No service deletes an item: proposals, decisions, ballots, timers and ledgers are the audit
 * trail, and what expires goes by TTL (which needs no grant). infra/test/city-stack.test.ts
 * fails if a service's code starts deleting, before IAM would on AWS (the local cloud does not
 * enforce IAM).
 */
const itemWrite = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"];

/** One service's table, in the one shape every service uses (docs/design.md "Tables"). */
export class ServiceTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: { city: City }) {
    super(scope, id);
    const { production } = props.city;
    const S = dynamodb.AttributeType.STRING;
    const key = cityKey(this, props.city);
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: "pk", type: S },
      sortKey: { name: "sk", type: S },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : {}),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: "ttl",
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      deletionProtection: production,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const n of [1, 2, 3]) {
      this.table.addGlobalSecondaryIndex({
        indexName: `gsi${n}`,
        partitionKey: { name: `gsi${n}pk`, type: S },
        sortKey: { name: `gsi${n}sk`, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.table.addGlobalSecondaryIndex({
      indexName: "outbox",
      partitionKey: { name: "outboxPending", type: S },
      sortKey: { name: "outboxAt", type: S },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /** Read by key and through the indexes; no Scan, index ARNs listed one by one (no `index/*`). */
  grantItemRead(grantee: iam.IGrantable): void {
    const { tableArn } = this.table;
    iam.Grant.addToPrincipal({
      grantee,
      actions: itemRead,
      resourceArns: [tableArn, ...indexNames.map((n) => `${tableArn}/index/${n}`)],
    });
  }

  /** Item writes (also inside TransactWriteItems, which IAM authorises per item action). */
  grantItemWrite(grantee: iam.IGrantable, actions: readonly string[] = itemWrite): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.table.tableArn],
    });
  }
}
