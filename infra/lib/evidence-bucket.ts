import type { City } from "@pencai/config";
import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

/**
 * Evidence files (minutes, sign-in sheets, photos, invoices): versioned,
 * encrypted, private, TLS only, write-once for a retention period.
 *
 * Object lock runs in governance mode with the city's `evidence.retentionDays`
 * (default 365): long enough to cover a programme year, its sampling
 * inspection (抽检) and the year-end street performance review, while an
 * administrator holding s3:BypassGovernanceRetention can still remove a file
 * that must not be kept (personal data uploaded by mistake); compliance mode
 * would make that impossible.
 *
 * Browsers upload with presigned PUTs that sign content-type, content-length
 * and x-amz-checksum-sha256; object lock makes S3 require that checksum too.
 * Both buckets are always retained: locked versions cannot be deleted anyway.
 */
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
      lifecycleRules: [{ expiration: Duration.days(city.production ? 730 : 90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "This is the access-log bucket itself; logging it into another bucket would only move the question one bucket further.",
    });

    this.bucket = new s3.Bucket(this, "Bucket", {
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(
        Duration.days(city.evidence.retentionDays),
      ),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: "evidence/",
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
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
  }

  /**
   * What the evidence handler needs: presign uploads and downloads, read the
   * stored object to verify it, tag or copy it (quarantine). No delete.
   */
  grantEvidenceAccess(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        "s3:PutObject",
        "s3:PutObjectTagging",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectAttributes",
        "s3:GetObjectTagging",
      ],
      resourceArns: [this.bucket.arnForObjects("*")],
    });
    // lets HeadObject answer 404 (not 403) for an upload that never arrived
    iam.Grant.addToPrincipal({
      grantee,
      actions: ["s3:ListBucket"],
      resourceArns: [this.bucket.bucketArn],
    });
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
    const principal = grantee.grantPrincipal;
    if (principal instanceof Construct) {
      Validations.of(principal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        reason:
          "Evidence object keys are minted per upload (proposal/evidence ids), so object actions apply to keys under the evidence bucket only.",
      });
    }
  }
}
