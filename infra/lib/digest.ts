import type { City } from "@pencai/config";
import { intakeDigestRoutes } from "@pencai/contracts";
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { CityApi } from "./city-api.js";
import { cityKey } from "./city-key.js";
import { noEvents, privateBucket } from "./evidence-bucket.js";
import { ctAck } from "./policy.js";
import { ServiceFunction } from "./service-function.js";
import { apiFunction } from "./service-parts.js";
import type { ServiceTable } from "./service-table.js";

export interface TimelineDigestProps {
  city: City;
  api: CityApi;
  /** intake's table: the heads are read from it, the digest records written to it */
  table: ServiceTable;
  /** the city's S3 access-log bucket */
  accessLogs: s3.IBucket;
}

/** 00:30 Asia/Shanghai (16:30 UTC): the heads as the day before ended, dated by the new day. */
const DAILY_DIGEST_CRON = "cron(30 16 * * ? *)";

/**
 * How long each digest is locked in COMPLIANCE mode (nobody, root included, can delete or
 * replace a version before then). Production: 10 years, two terms of a residents' committee
 * and beyond the 5-year look-back of a government audit of project spending, at the price of
 * ~100 bytes per proposal per day kept. Elsewhere: 1 day, so a test city's stack can be removed.
 */
export const digestRetentionDays = (city: Pick<City, "production">) => (city.production ? 3650 : 1);

const handlers = "services/intake/src/handlers";

/**
 * The daily digest of timeline heads (issue 13: history the city cannot rewrite): a bucket with
 * Object Lock (COMPLIANCE default retention, versioned, TLS only, encrypted with the city key
 * when the city file turns customer-managed keys on), the daily run that writes
 * `digests/YYYY-MM-DD.json` to it once, and the public routes that read it.
 */
export class TimelineDigest extends Construct {
  readonly bucket: s3.Bucket;
  readonly runFunction: ServiceFunction;
  readonly apiFunction: ServiceFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: TimelineDigestProps) {
    super(scope, id);
    const { city, api, table } = props;
    const service = "intake";

    const key = cityKey(this, city);
    this.bucket = new s3.Bucket(this, "Bucket", {
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(digestRetentionDays(city)),
      ),
      ...privateBucket(key),
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: "digests/",
      // housekeeping only: digests never expire (they are the public record, ~100 bytes a
      // proposal a day); a version can only become noncurrent by a write the policy refuses
      lifecycleRules: [
        {
          id: "housekeeping",
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: ctAck("s3_event_notifications_enabled_check"),
      reason: noEvents,
    });
    // A write must say `If-None-Match: *`: a second object for a day is refused (412), so not
    // even a new version of a day's digest can appear on top of the locked one.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "DigestsAreWrittenOnce",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["s3:PutObject"],
        resources: [this.bucket.arnForObjects("*")],
        conditions: { Null: { "s3:if-none-match": "true" } },
      }),
    );

    const environment = { DIGEST_BUCKET: this.bucket.bucketName };
    this.runFunction = new ServiceFunction(scope, "IntakeDigestRun", {
      city,
      service,
      entry: `${handlers}/digest.ts`,
      job: "digest",
      description: "intake: the daily Merkle digest of every public timeline head",
      timeout: Duration.minutes(5),
      environment: { TABLE_NAME: table.table.tableName, ...environment },
    });
    table.grantItemRead(this.runFunction.fn);
    table.grantItemWrite(this.runFunction.fn);
    this.schedule = new events.Rule(this, "DailySchedule", {
      description: "intake: the digest of timeline heads at 00:30 Asia/Shanghai",
      schedule: events.Schedule.expression(DAILY_DIGEST_CRON),
      targets: [new targets.LambdaFunction(this.runFunction.fn, { retryAttempts: 2 })],
    });
    Validations.of(this.schedule).acknowledge({
      id: "Serverless-EventBusDLQ",
      reason:
        "A missed day is a day without a digest (the next day's covers every head); the run is idempotent per day and can be started by hand.",
    });

    this.apiFunction = apiFunction(scope, "IntakeDigest", {
      city,
      service,
      table,
      api,
      entry: `${handlers}/proofs.ts`,
      description: "intake: the public digests of timeline heads and proofs against them",
      routes: intakeDigestRoutes,
      environment,
    });

    const digests = this.bucket.arnForObjects("digests/*");
    iam.Grant.addToPrincipal({
      grantee: this.runFunction.fn,
      actions: ["s3:PutObject", "s3:GetObject"],
      resourceArns: [digests],
    });
    iam.Grant.addToPrincipal({
      grantee: this.apiFunction.fn,
      actions: ["s3:GetObject"],
      resourceArns: [digests],
    });
    // lets GetObject answer 404 (not 403) for a day without a digest
    for (const fn of [this.runFunction.fn, this.apiFunction.fn]) {
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ["s3:ListBucket"],
        resourceArns: [this.bucket.bucketArn],
      });
    }
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const fn of [this.runFunction.fn, this.apiFunction.fn]) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/digests/*]`,
        reason: "One object per day under the digests/ prefix (digests/YYYY-MM-DD.json).",
      });
    }
  }
}
