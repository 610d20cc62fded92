import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { City } from "@pencai/config";
import {
  Annotations,
  type CfnElement,
  CfnOutput,
  DockerImage,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
  Stack,
  Tags,
  Token,
  Validations,
} from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { cityKey } from "./city-key.js";
import { noEvents, privateBucket } from "./evidence-bucket.js";
import { fromRoot } from "./paths.js";
import { ackShortLogRetention, ctAck } from "./policy.js";

/** Tag on a Lambda function CDK itself provides (Python, x86_64); infra/policy/pencai.guard skips it. */
export const CDK_PROVIDED_TAG = "pencai:cdk-provided";

/** The public GET paths CloudFront caches (everything else under /v1/ passes through uncached). */
export const cachedApiPaths = ["/v1/public/*", "/v1/geo", "/v1/rules"] as const;

/**
 * What the board's page may load: its own scripts, styles and images, and the API on its own
 * origin (`/v1/...`); nothing inline, nothing from elsewhere, never framed.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "upgrade-insecure-requests",
].join("; ");

/**
 * The public board (四公开) where residents are: its build in a private bucket (block public
 * access, TLS only, encrypted with the city key when the city has one, access-logged) behind a
 * CloudFront distribution that reaches the bucket with origin access control, and serves the
 * city's HTTP API on the same origin: public GETs cached as the API's `Cache-Control` says, every
 * other `/v1/` request passed through uncached. HTTPS only, security headers on every reply.
 */
export class Board extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(
    scope: Construct,
    id: string,
    props: { city: City; httpApi: apigw.IHttpApi; accessLogs: s3.IBucket },
  ) {
    super(scope, id);
    const { city } = props;
    const stack = Stack.of(this);
    const key = cityKey(this, city);

    this.bucket = new s3.Bucket(this, "Bucket", {
      ...privateBucket(key),
      // versioned (Control Tower CT.S3.PR.11): a bad deploy can be rolled back by version
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: "board/",
      // a build output, rebuilt by every deploy; retained like the city's other buckets, so a
      // stack deletion never fails on a non-empty bucket (and needs no clean-up function)
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucketAcks: Record<string, string> = {
      s3_bucket_object_lock_enabled_check:
        "The bucket holds the board's build output, replaced by every deploy; the record is in the tables and the evidence bucket.",
      s3_event_notifications_enabled_check: noEvents,
    };
    for (const [rule, reason] of Object.entries(bucketAcks)) {
      Validations.of(this.bucket).acknowledge({ id: ctAck(rule), reason });
    }

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, "SecurityHeaders", {
      responseHeadersPolicyName: `pencai-${city.id}-board`,
      comment: "Pencai board: HSTS, CSP, nosniff, no framing, no referrer",
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
    });

    // The API's public GETs: keyed on path and query string only (no cookies, no headers), so
    // every phone shares one cached copy; TTLs follow the API's Cache-Control (60 s for lists,
    // an hour for geography and rules), capped at an hour. CloudFront answers a viewer's
    // If-None-Match from its copy (304) and revalidates with the origin by its cached ETag. No
    // origin request policy: a header the origin saw but the key lacks (Origin, and with it the
    // CORS headers) would be cached and served to everyone.
    const publicApi = new cloudfront.CachePolicy(this, "PublicApiCache", {
      cachePolicyName: `pencai-${city.id}-public-api`,
      comment: "Pencai public GETs: path + query string, TTL from the API's Cache-Control",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.hours(1),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const api = new origins.HttpOrigin(
      `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    const toApi = {
      origin: api,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      responseHeadersPolicy: securityHeaders,
      compress: true,
    };
    const cached: cloudfront.BehaviorOptions = {
      ...toApi,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: publicApi,
    };
    // the token (Authorization), Idempotency-Key and body reach the API; nothing is kept
    const passThrough: cloudfront.BehaviorOptions = {
      ...toApi,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: `Pencai ${city.id}: the public board and its API`,
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      additionalBehaviors: {
        ...Object.fromEntries(cachedApiPaths.map((p) => [p, cached])),
        "/v1/*": passThrough,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Asia, Europe and North America edges: residents are in China's mainland, whose nearest
      // edges (Hong Kong, Taipei, Singapore) are in this class; South America, Australia and
      // India would only cost more
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
    });
    const distributionAcks: Record<string, string> = {
      "AwsSolutions-CFR1":
        "A public board for every resident of the city; a geo restriction would only lock out residents travelling or working abroad.",
      "AwsSolutions-CFR2":
        "No WAF yet: the board is static and the API behind it is throttled per route by API Gateway; a web ACL (~$6 a month plus requests) is the step when abuse shows in the access log.",
      "AwsSolutions-CFR3":
        "No CloudFront access log: it would hold every resident's IP address, personal data kept for no purpose; API calls are already logged by API Gateway's access log.",
      "AwsSolutions-CFR4":
        "No custom domain or certificate yet: the default *.cloudfront.net certificate allows only CloudFront's default TLS policy; a city's own domain and ACM certificate then set TLSv1.2_2021.",
    };
    const noDomain =
      "No custom domain or certificate yet: the default *.cloudfront.net certificate fixes SNI and CloudFront's default TLS policy; a city's own domain and ACM certificate then set SNI and TLSv1.2_2021.";
    const controlTowerAcks: Record<string, string> = {
      cloudfront_access_logs_enabled_check: distributionAcks["AwsSolutions-CFR3"] as string,
      cloudfront_custom_ssl_certificate_check: noDomain,
      cloudfront_sni_enabled_check: noDomain,
      cloudfront_security_policy_check: noDomain,
      cloudfront_origin_failover_enabled_check:
        "One city, one region: a failover origin would need a replica bucket and API in a second region for a page every deploy rebuilds; CloudFront keeps serving what it cached while the origin is down.",
    };
    for (const [rule, reason] of Object.entries(distributionAcks)) {
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    }
    for (const [rule, reason] of Object.entries(controlTowerAcks)) {
      Validations.of(this.distribution).acknowledge({ id: ctAck(rule), reason });
    }
    if (key) {
      // CDK cannot name the distribution in the key policy (the key would depend on it, and it
      // on the bucket the key encrypts), so CloudFront may decrypt for this account's distributions
      Annotations.of(stack).acknowledgeWarning(
        "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
        "The city key lets CloudFront decrypt only for distributions of this account (AWS:SourceArn distribution/*); naming this distribution would be a circular dependency.",
      );
    }

    const source = boardSource();
    const logGroup = new logs.LogGroup(this, "DeployLogs", {
      encryptionKey: key,
      retention: city.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: city.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (!city.production) ackShortLogRetention(logGroup);
    const deploy = (
      id: string,
      files: { include?: string[]; exclude?: string[] },
      cacheControl: string,
    ) =>
      new s3deploy.BucketDeployment(this, id, {
        sources: [source],
        destinationBucket: this.bucket,
        ...files,
        // both deployments write into one bucket: pruning would delete each other's files, and
        // the hashed assets of the previous build stay for phones still holding its index.html
        prune: false,
        cacheControl: [s3deploy.CacheControl.fromString(cacheControl)],
        memoryLimit: 512,
        logGroup,
      });
    // hashed file names change with their content: kept a year; index.html revalidated each time
    const assets = deploy(
      "Assets",
      { exclude: ["index.html"] },
      "public, max-age=31536000, immutable",
    );
    const page = deploy("Page", { exclude: ["*"], include: ["index.html"] }, "no-cache");
    page.node.addDependency(assets);
    acknowledgeDeployHandler(stack, this.bucket);

    new CfnOutput(stack, "BoardUrl", {
      value: `https://${this.distribution.distributionDomainName}/`,
      description: "The public board (四公开) and the API on one origin",
    });
  }
}

/**
 * The board's files: built by `buildBoard(outdir)` of packages/board/build.ts while the app
 * synthesizes (local bundling, no Docker), or, where that package is not in this checkout, a
 * placeholder page. Bundling is skipped when the synth skips it (tests, the local cloud).
 */
function boardSource(): s3deploy.ISource {
  const board = fromRoot("packages/board");
  const build = `${board}/build.ts`;
  if (!existsSync(build)) return s3deploy.Source.asset(fromRoot("infra/board-placeholder"));
  const local: ILocalBundling = {
    tryBundle(outputDir) {
      const script = `import(${JSON.stringify(pathToFileURL(build).href)}).then((m) => m.buildBoard(${JSON.stringify(outputDir)}))`;
      const run = spawnSync(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script],
        {
          cwd: fromRoot("."),
          stdio: "inherit",
        },
      );
      if (run.status !== 0) throw new Error(`building the board failed (exit ${run.status})`);
      return true;
    },
  };
  return s3deploy.Source.asset(board, {
    exclude: ["node_modules", "dist", "test"],
    // local bundling always builds or throws, so CDK never falls back to this Docker image
    bundling: { image: DockerImage.fromRegistry("unused"), local },
  });
}

/**
 * BucketDeployment copies the files with a Lambda function CDK provides (Python with the AWS CLI,
 * x86_64, one per stack): it runs only during a deploy, never on a request. Tag it so our Guard
 * rules for our own functions (arm64, Node.js 22) skip it, and acknowledge what cdk-nag says
 * about code that is not ours to change.
 */
function acknowledgeDeployHandler(stack: Stack, bucket: s3.Bucket): void {
  const handler = stack.node.children.find((c) =>
    c.node.id.startsWith("Custom::CDKBucketDeployment"),
  );
  if (!handler) throw new Error("BucketDeployment's handler not found");
  Tags.of(handler).add(CDK_PROVIDED_TAG, "BucketDeployment");
  const why =
    "CDK's BucketDeployment handler (Python, AWS CLI layer) runs only during a deploy to copy the board's files; its runtime, architecture and settings are CDK's.";
  for (const id of [
    "AwsSolutions-L1",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "Serverless-LambdaDLQ",
    "Serverless-LambdaLatestVersion",
    "Serverless-LambdaTracing",
  ]) {
    Validations.of(handler).acknowledge({ id, reason: why });
  }
  // CDK's grants: read the build's asset from the bootstrap bucket, read-write the board bucket
  const board = stack.getLogicalId(bucket.node.defaultChild as CfnElement);
  // a literal with cdk.json's enablePartitionLiterals, as cdk-nag prints it; a token otherwise
  const partition = Token.isUnresolved(stack.partition) ? "<AWS::Partition>" : stack.partition;
  for (const finding of [
    "Action::s3:Abort*",
    "Action::s3:DeleteObject*",
    "Action::s3:GetBucket*",
    "Action::s3:GetObject*",
    "Action::s3:List*",
    `Resource::<${board}.Arn>/*`,
    `Resource::arn:${partition}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*`,
    // with the city key: CDK's grant to write encrypted objects
    ...(bucket.encryptionKey ? ["Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"] : []),
  ]) {
    Validations.of(handler).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason:
        "CDK grants BucketDeployment's handler read of the build's asset (CDK's bootstrap bucket) and read-write of the board bucket's objects, which hold nothing but the build it copies.",
    });
  }
}
