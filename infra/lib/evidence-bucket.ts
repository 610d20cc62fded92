import type { City } from "@pencai/config";
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { cityKey } from "./city-key.js";
import { ctAck } from "./policy.js";

/**
 * Evidence files (minutes, sign-in sheets, photos, invoices): versioned,
 * encrypted, private, TLS only, write-once for a retention period.
 *
 * Three prefixes (services/intake/src/domain/evidence.ts):
 * - `uploads/`: where presigned PUTs land. Nothing here is served, and a
 *   lifecycle rule removes it after 2 days (current and noncurrent versions),
 *   so uploads never confirmed, or rejected, cost nothing for long.
 * - `proposals/…/evidence/`: the verified copy, written by the service with
 *   object lock in governance mode until the city's `evidence.retentionDays`
 *   (default 365) from verification: long enough to cover a programme year,
 *   its sampling inspection (抽检) and the year-end street performance review,
 *   while an administrator holding s3:BypassGovernanceRetention can still
 *   remove a file that must not be kept (personal data uploaded by mistake).
 *   There is no default retention on the bucket: it would lock every junk
 *   upload for a year too.
 * - `quarantine/`: copies of rejected uploads, kept 30 days for review.
 *
 * Browsers upload with presigned PUTs that sign content-type, content-length
 * and x-amz-checksum-sha256. Both buckets are always retained: locked
 * versions cannot be deleted anyway.
 */
/** Why no bucket of a city sends S3 event notifications (Control Tower CT.S3.PR.4). */
export const noEvents =
  "Nothing reacts to object events: an upload counts once the API's confirm call has checked it, exports are written by the worker that records them. CDK configures notifications through a Python custom-resource function, which our own rules (arm64, Node.js 22) would refuse.";

/**
 * What every bucket of the city's own data is: private (block public access, owner-enforced
 * objects), TLS 1.2+ only, encrypted with the city key when there is one, else SSE-S3.
 */
export function privateBucket(key: kms.IKey | undefined): s3.BucketProps {
  return {
    ...(key
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  };
}

export class EvidenceBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: { city: City }) {
    super(scope, id);
    const { city } = props;

    this.accessLogs = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // versioned (Control Tower CT.S3.PR.11): an overwritten or deleted log object stays a day
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(city.production ? 730 : 90),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "This is the access-log bucket itself; logging it into another bucket would only move the question one bucket further.",
    });
    const accessLogAcks: Record<string, string> = {
      s3_bucket_logging_enabled_check:
        "This is the access-log bucket itself; logging it into another bucket would only move the question one bucket further.",
      s3_bucket_default_encryption_kms_check:
        "S3 server access logging delivers only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS.",
      s3_bucket_object_lock_enabled_check:
        "Access logs expire by lifecycle (90 days, 730 in production); object lock would hold every log object past it.",
      s3_event_notifications_enabled_check: noEvents,
    };
    for (const [rule, reason] of Object.entries(accessLogAcks)) {
      Validations.of(this.accessLogs).acknowledge({ id: ctAck(rule), reason });
    }

    const key = cityKey(this, city);
    this.bucket = new s3.Bucket(this, "Bucket", {
      versioned: true,
      objectLockEnabled: true,
      ...privateBucket(key),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "evidence/",
      lifecycleRules: [
        {
          id: "uploads-expire",
          prefix: "uploads/",
          expiration: Duration.days(2),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          id: "quarantine-expires",
          prefix: "quarantine/",
          expiration: Duration.days(30),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: "delete-markers", expiredObjectDeleteMarker: true },
      ],
      cors: city.cors.allowOrigins.length
        ? [
            {
              allowedOrigins: [...city.cors.allowOrigins],
              allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
              allowedHeaders: [
                "content-type",
                "content-length",
                "x-amz-checksum-sha256",
                "x-amz-sdk-checksum-algorithm",
              ],
              exposedHeaders: ["etag", "x-amz-version-id", "x-amz-checksum-sha256"],
              maxAge: 3600,
            },
          ]
        : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: ctAck("s3_event_notifications_enabled_check"),
      reason: noEvents,
    });
  }

  /**
   * What the evidence handler needs, prefix by prefix: presign uploads to
   * `uploads/` and read them back to measure them (a version); copy a verified
   * version to `proposals/` with its object-lock retention, and presign
   * downloads of that version; copy a rejected one to `quarantine/`. No delete,
   * no tagging, no bypass of governance retention.
   */
  grantEvidenceAccess(grantee: iam.IGrantable): void {
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);
    const grant = (actions: string[], resourceArns: string[]) =>
      iam.Grant.addToPrincipal({ grantee, actions, resourceArns });
    grant(["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"], [objects("uploads/")]);
    grant(
      ["s3:PutObject", "s3:PutObjectRetention", "s3:GetObject", "s3:GetObjectVersion"],
      [objects("proposals/")],
    );
    grant(["s3:PutObject"], [objects("quarantine/")]);
    // lets GetObject answer 404 (not 403) for an upload that never arrived
    grant(["s3:ListBucket"], [this.bucket.bucketArn]);
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const principal = grantee.grantPrincipal;
    if (principal instanceof Construct) {
      for (const prefix of ["uploads/", "proposals/", "quarantine/"]) {
        Validations.of(principal).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
          reason:
            "Evidence object keys are minted per upload (proposal/evidence ids), so object actions apply to keys under one prefix of the evidence bucket only.",
        });
      }
    }
  }
}
