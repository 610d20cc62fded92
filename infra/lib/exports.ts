import type { City } from "@pencai/config";
import {
  type ColumnType,
  exportEntities,
  exportsApiRoutes,
  exportsInboxEventTypes,
} from "@pencai/contracts";
import { MAX_YEAR, MIN_YEAR } from "@pencai/contracts/limits";
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from "aws-cdk-lib";
import * as athena from "aws-cdk-lib/aws-athena";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as glue from "aws-cdk-lib/aws-glue";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as secrets from "aws-cdk-lib/aws-secretsmanager";
import type * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import { noEvents } from "./evidence-bucket.js";
import type { ServiceInbox } from "./inbox.js";
import { ctAck } from "./policy.js";
import { ServiceFunction } from "./service-function.js";
import { apiFunction, inboxFunction } from "./service-parts.js";
import { ServiceTable } from "./service-table.js";

export interface ExportsServiceProps {
  city: City;
  api: CityApi;
  topic: sns.ITopic;
  /** the city's S3 access-log bucket (the evidence bucket's) */
  accessLogs: s3.IBucket;
}

const handlers = "services/exports/src/handlers";

/** Glue type of each column type of the column table (packages/contracts/src/exports.ts). */
const glueTypes: Record<ColumnType, string> = {
  string: "string",
  bigint: "bigint",
  double: "double",
  boolean: "boolean",
  timestamp: "timestamp",
};

/** The daily export: 01:00 Asia/Shanghai (17:00 UTC the day before), the day before's changes. */
const DAILY_EXPORT_CRON = "cron(0 17 * * ? *)";

/**
 * Exports and analytics: the exports service (its table of entity rows fed by every event, its
 * API, a worker started by the table stream and by a daily schedule), the exports bucket
 * (KMS-encrypted, TLS only, private, versioned, with lifecycle rules), the per-city pseudonym
 * secret, and what analysts query with: a Glue database with one table per entity (partition
 * projection over year and export day: no crawler, no MSCK) and an Athena workgroup whose
 * results are encrypted and whose settings clients cannot override.
 */
export class ExportsService extends Construct {
  readonly table: ServiceTable;
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;
  readonly secret: secrets.Secret;
  readonly apiFunction: ServiceFunction;
  readonly inboxFunction: ServiceFunction;
  readonly workerFunction: ServiceFunction;
  readonly inbox: ServiceInbox;
  readonly database: glue.CfnDatabase;
  readonly workGroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: ExportsServiceProps) {
    super(scope, id);
    const { city, api, topic } = props;
    const service = "exports";
    const stack = Stack.of(this);

    this.table = new ServiceTable(this, "Table", { city });
    const parts = { city, service, table: this.table };

    this.key = new kms.Key(this, "Key", {
      description: `Pencai ${city.id}: encrypts exports and Athena results`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: "exports/",
      lifecycleRules: [
        {
          id: "exports-age",
          prefix: "exports/",
          // a daily file is small; infrequent access after a quarter, kept for audits
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
          ],
          expiration: Duration.days(city.production ? 5 * 365 : 90),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          id: "athena-results-expire",
          prefix: "athena-results/",
          expiration: Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: "delete-markers", expiredObjectDeleteMarker: true },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: ctAck("s3_bucket_object_lock_enabled_check"),
      reason:
        "Exports are derived data, rewritten from the tables by the daily run and pseudonymised; the tables (PITR) are the record, and a lock would keep every superseded file.",
    });
    Validations.of(this.bucket).acknowledge({
      id: ctAck("s3_event_notifications_enabled_check"),
      reason: noEvents,
    });

    this.secret = new secrets.Secret(this, "PseudonymSecret", {
      description: `Pencai ${city.id}: HMAC key of the pseudonyms in exports`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Rotating the HMAC key would give every account a new pseudonym and break linking rows across exports; it is replaced only deliberately (documented in services/exports/README.md).",
    });

    const bucketEnv = { EXPORTS_BUCKET: this.bucket.bucketName };
    // Functions sit at stack level so their names read ExportsApi, ... in the console.
    this.apiFunction = apiFunction(scope, "ExportsApi", {
      ...parts,
      entry: `${handlers}/api.ts`,
      description: "exports: start an export, read its status and download links",
      api,
      routes: exportsApiRoutes,
      environment: bucketEnv,
    });
    const inbox = inboxFunction(scope, this, "ExportsInbox", {
      ...parts,
      entry: `${handlers}/inbox.ts`,
      description: "exports: entity rows for analytics from every domain event",
      topic,
      eventTypes: exportsInboxEventTypes,
      environment: { PSEUDONYM_SECRET_ARN: this.secret.secretArn },
    });
    this.inboxFunction = inbox.fn;
    this.inbox = inbox.inbox;
    this.secret.grantRead(this.inboxFunction.fn);

    this.workerFunction = new ServiceFunction(scope, "ExportsWorker", {
      city,
      service,
      entry: `${handlers}/worker.ts`,
      job: "exports",
      description: "exports: write entity rows as Parquet to the exports bucket",
      timeout: Duration.minutes(15),
      memorySize: 1024,
      environment: { TABLE_NAME: this.table.table.tableName, ...bucketEnv },
    });
    const worker = this.workerFunction.fn;
    this.table.grantItemRead(worker);
    this.table.grantItemWrite(worker);
    worker.addEventSource(
      new DynamoEventSource(this.table.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 1,
        retryAttempts: 2,
        bisectBatchOnError: false,
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.isEqual("INSERT"),
            dynamodb: {
              NewImage: {
                sk: { S: lambda.FilterRule.isEqual("EXPORT") },
                status: { S: lambda.FilterRule.isEqual("queued") },
              },
            },
          }),
        ],
      }),
    );
    Validations.of(worker).acknowledge({
      id: "Serverless-LambdaEventSourceMappingDestination",
      reason:
        "A failed export is recorded as `failed` on its own record (GET /v1/exports/{id}); the analyst requests it again.",
    });
    const schedule = new events.Rule(this, "DailySchedule", {
      description: "exports: yesterday's changes at 01:00 Asia/Shanghai",
      schedule: events.Schedule.expression(DAILY_EXPORT_CRON),
      targets: [new targets.LambdaFunction(worker, { retryAttempts: 2 })],
    });
    Validations.of(schedule).acknowledge({
      id: "Serverless-EventBusDLQ",
      reason:
        "A missed daily run is run again by hand (`POST /v1/exports` with from/to of that day); the rows stay in the table.",
    });

    // Objects: the worker writes exports/, the API presigns reads of exports/.
    const exportObjects = this.bucket.arnForObjects("exports/*");
    iam.Grant.addToPrincipal({
      grantee: worker,
      actions: ["s3:PutObject"],
      resourceArns: [exportObjects],
    });
    iam.Grant.addToPrincipal({
      grantee: this.apiFunction.fn,
      actions: ["s3:GetObject"],
      resourceArns: [exportObjects],
    });
    this.key.grant(worker, "kms:GenerateDataKey", "kms:Encrypt");
    this.key.grantDecrypt(this.apiFunction.fn);
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const fn of [worker, this.apiFunction.fn]) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/exports/*]`,
        reason:
          "Export object keys are minted per export (entity, day, export id) under the exports/ prefix only.",
      });
    }

    // Analysts: Glue tables with partition projection, an Athena workgroup.
    const databaseName = `pencai_${city.id.replace(/[^a-z0-9]/g, "_")}`;
    this.database = new glue.CfnDatabase(this, "Database", {
      catalogId: stack.account,
      databaseInput: {
        name: databaseName,
        description: `Pencai ${city.id}: exported entities (Parquet), one table each`,
      },
    });
    for (const [entity, def] of Object.entries(exportEntities)) {
      const location = `s3://${this.bucket.bucketName}/exports/${entity}/`;
      const table = new glue.CfnTable(this, `Table-${entity}`, {
        catalogId: stack.account,
        databaseName,
        tableInput: {
          name: entity,
          description: def.doc,
          tableType: "EXTERNAL_TABLE",
          parameters: {
            classification: "parquet",
            "parquet.compression": "SNAPPY",
            "projection.enabled": "true",
            "projection.year.type": "integer",
            "projection.year.range": `${MIN_YEAR},${MAX_YEAR}`,
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": `${MIN_YEAR}-01-01,NOW`,
            "projection.dt.interval": "1",
            "projection.dt.interval.unit": "DAYS",
            "storage.location.template": `${location}year=\${year}/dt=\${dt}/`,
          },
          partitionKeys: [
            { name: "year", type: "int", comment: "year of the export day" },
            { name: "dt", type: "string", comment: "export day, yyyy-mm-dd (Asia/Shanghai)" },
          ],
          storageDescriptor: {
            location,
            inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            serdeInfo: {
              serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            },
            columns: def.columns.map((col) => ({
              name: col.name,
              type: glueTypes[col.type],
              comment: col.doc,
            })),
          },
        },
      });
      table.node.addDependency(this.database);
    }

    this.workGroup = new athena.CfnWorkGroup(this, "WorkGroup", {
      name: `pencai-${city.id}`,
      description: `Pencai ${city.id}: analysts' queries over the exports`,
      state: "ENABLED",
      recursiveDeleteOption: !city.production,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/athena-results/`,
          encryptionConfiguration: {
            encryptionOption: "SSE_KMS",
            kmsKey: this.key.keyArn,
          },
        },
      },
    });

    // what analysts and auditors look for after a deploy (docs/deploy.md, docs/analytics.md)
    new CfnOutput(stack, "ExportsBucketName", { value: this.bucket.bucketName });
    new CfnOutput(stack, "AthenaWorkGroupName", { value: this.workGroup.ref });
  }
}
