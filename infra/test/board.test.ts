import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CDK_PROVIDED_TAG, cachedApiPaths, contentSecurityPolicy } from "../lib/board.js";
import { resourcesOf, synthCity } from "./support.js";

interface Behavior {
  PathPattern?: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  AllowedMethods?: string[];
}

// AWS's managed policies (CachingDisabled, CachingOptimized, AllViewerExceptHostHeader)
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

function distributionOf(id: string) {
  const [dist] = resourcesOf(synthCity(id).json, "AWS::CloudFront::Distribution");
  const config = dist?.[1].Properties.DistributionConfig as {
    DefaultCacheBehavior: Behavior;
    CacheBehaviors: Behavior[];
    Origins: { Id: string; S3OriginConfig?: unknown; OriginAccessControlId?: unknown }[];
    DefaultRootObject: string;
  };
  return config;
}

describe("the public board on CloudFront (issue 13)", () => {
  beforeAll(() => {
    synthCity("demo");
    synthCity("luohu");
  }, 180_000);

  it("keeps the board's build in a private, TLS-only, encrypted, access-logged bucket", () => {
    const t = synthCity("demo").template;
    t.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
        ],
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "board/" }),
    });
  });

  it("encrypts it with the city key when the city file turns KMS on, and lets CloudFront decrypt", () => {
    const { json, template } = synthCity("luohu");
    const keys = resourcesOf(json, "AWS::KMS::Key");
    const [keyId, key] = keys.find(([id]) => id.startsWith("CityKey")) ?? [];
    template.hasResourceProperties("AWS::S3::Bucket", {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: "board/" }),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: "aws:kms",
              KMSMasterKeyID: { "Fn::GetAtt": [keyId, "Arn"] },
            },
          }),
        ],
      },
    });
    expect(JSON.stringify(key?.Properties.KeyPolicy)).toContain("cloudfront.amazonaws.com");
  });

  it("reaches the bucket through origin access control, HTTPS only, with index.html at /", () => {
    const { json } = synthCity("demo");
    const config = distributionOf("demo");
    expect(config.DefaultRootObject).toBe("index.html");
    const s3Origin = config.Origins.find(
      (o) => o.Id === config.DefaultCacheBehavior.TargetOriginId,
    );
    expect(s3Origin?.OriginAccessControlId).toBeDefined();
    expect(resourcesOf(json, "AWS::CloudFront::OriginAccessControl")).toHaveLength(1);
    expect(resourcesOf(json, "AWS::CloudFront::CloudFrontOriginAccessIdentity")).toHaveLength(0);
    expect(config.DefaultCacheBehavior.CachePolicyId).toBe(CACHING_OPTIMIZED);
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.ViewerProtocolPolicy).toBe("redirect-to-https");
    }
  });

  it("caches the API's public GETs by path and query, passes every other /v1/ request through", () => {
    const { json } = synthCity("demo");
    const config = distributionOf("demo");
    const byPath = new Map(config.CacheBehaviors.map((b) => [b.PathPattern, b]));
    expect([...byPath.keys()]).toEqual([...cachedApiPaths, "/v1/*"]);
    const [cacheId, cache] = resourcesOf(json, "AWS::CloudFront::CachePolicy")[0] ?? [];
    for (const path of cachedApiPaths) {
      expect(byPath.get(path)?.CachePolicyId).toEqual({ Ref: cacheId });
      expect(byPath.get(path)?.AllowedMethods).toEqual(["GET", "HEAD"]);
      // only the key's path and query reach the API: no header can vary a shared copy
      expect(byPath.get(path)?.OriginRequestPolicyId).toBeUndefined();
    }
    expect(cache?.Properties.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 0,
      MaxTTL: 3600,
      ParametersInCacheKeyAndForwardedToOrigin: {
        QueryStringsConfig: { QueryStringBehavior: "all" },
        HeadersConfig: { HeaderBehavior: "none" },
        CookiesConfig: { CookieBehavior: "none" },
      },
    });
    const rest = byPath.get("/v1/*");
    expect(rest?.CachePolicyId).toBe(CACHING_DISABLED);
    expect(rest?.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST);
    expect(rest?.AllowedMethods).toContain("POST");
  });

  it("adds the security headers to every reply", () => {
    synthCity("demo").template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000 }),
          ContentSecurityPolicy: { ContentSecurityPolicy: contentSecurityPolicy, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: "no-referrer", Override: true },
        },
      }),
    });
    expect(contentSecurityPolicy).toContain("connect-src 'self'");
    expect(contentSecurityPolicy).not.toContain("unsafe");
  });

  it("deploys the build with BucketDeployment (index.html no-cache, hashed assets a year) and outputs BoardUrl", () => {
    const { json, template } = synthCity("demo");
    const deployments = resourcesOf(json, "Custom::CDKBucketDeployment");
    expect(deployments.map(([, d]) => d.Properties.SystemMetadata)).toEqual(
      expect.arrayContaining([
        { "cache-control": "public, max-age=31536000, immutable" },
        { "cache-control": "no-cache" },
      ]),
    );
    template.hasOutput("BoardUrl", Match.anyValue());
    // the copy function is CDK's (Python): tagged so our Guard rules for our own functions skip it
    const python = resourcesOf(json, "AWS::Lambda::Function").filter(([, f]) =>
      String(f.Properties.Runtime).startsWith("python"),
    );
    expect(python).toHaveLength(1);
    expect(python[0]?.[1].Properties.Tags).toEqual(
      expect.arrayContaining([{ Key: CDK_PROVIDED_TAG, Value: "BucketDeployment" }]),
    );
  });
});
