import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { digestRetentionDays } from "../lib/digest.js";
import { resourcesOf, synthCity } from "./support.js";

// The daily digest's bucket, schedule and grants (services/intake/README.md, "Proving a
// timeline has not been altered"): what makes a digest impossible to rewrite is here.

/** The bucket with a default Object Lock retention (the evidence bucket has none). */
function digestBucket(id: string) {
  const found = resourcesOf(synthCity(id).json, "AWS::S3::Bucket").filter(
    ([, b]) => b.Properties.ObjectLockConfiguration !== undefined,
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("the timeline digest", () => {
  // a synth each: the demo city, and luohu (production, with the city key)
  beforeAll(() => {
    synthCity("demo");
    synthCity("luohu");
  }, 120_000);

  it("locks every digest in COMPLIANCE mode, 1 day for a test city, 10 years in production", () => {
    expect(digestRetentionDays({ production: false })).toBe(1);
    expect(digestRetentionDays({ production: true })).toBe(3650);
    for (const [id, days] of [
      ["demo", 1],
      ["luohu", 3650],
    ] as const) {
      const [, bucket] = digestBucket(id);
      expect(bucket.Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: "Enabled",
          Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: days } },
        },
        VersioningConfiguration: { Status: "Enabled" },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { LogFilePrefix: "digests/" },
      });
      // no rule ever expires a current digest
      const rules = (bucket.Properties.LifecycleConfiguration as { Rules: object[] }).Rules;
      for (const rule of rules) expect(rule).not.toHaveProperty("ExpirationInDays");
      expect((bucket as { DeletionPolicy?: string }).DeletionPolicy).toBe("Retain");
    }
  });

  it("encrypts with the city key when the city file turns customer-managed keys on", () => {
    const sse = (id: string) =>
      (
        digestBucket(id)[1].Properties.BucketEncryption as {
          ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: unknown }[];
        }
      ).ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault;
    expect(sse("demo")).toEqual({ SSEAlgorithm: "AES256" });
    expect(sse("luohu")).toEqual({
      SSEAlgorithm: "aws:kms",
      KMSMasterKeyID: { "Fn::GetAtt": [expect.stringMatching(/^CityKey/), "Arn"] },
    });
  });

  it("refuses plain HTTP and any PutObject without If-None-Match: *", () => {
    const [bucketId] = digestBucket("demo");
    const policy = resourcesOf(synthCity("demo").json, "AWS::S3::BucketPolicy").find(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )!;
    const statements = (policy[1].Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: "Deny",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
        expect.objectContaining({
          Sid: "DigestsAreWrittenOnce",
          Effect: "Deny",
          Action: "s3:PutObject",
          Condition: { Null: { "s3:if-none-match": "true" } },
        }),
      ]),
    );
  });

  it("runs once a day at 00:30 Asia/Shanghai as the `digest` job", () => {
    const { template, json } = synthCity("demo");
    const [runId, run] = resourcesOf(json, "AWS::Lambda::Function").find(
      ([, f]) => f.Metadata["pencai:entry"] === "services/intake/src/handlers/digest.ts",
    )!;
    expect(run.Metadata["pencai:job"]).toBe("digest");
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "cron(30 16 * * ? *)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [runId, "Arn"] } })],
    });
  });

  it("lets the run write digests/ and the public routes only read it; nobody deletes", () => {
    const { json } = synthCity("demo");
    const [bucketId] = digestBucket("demo");
    const actionsOn = (entry: string) => {
      const [, fn] = resourcesOf(json, "AWS::Lambda::Function").find(
        ([, f]) => f.Metadata["pencai:entry"] === entry,
      )!;
      const role = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      return resourcesOf(json, "AWS::IAM::Policy")
        .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: unknown[] }).Statement)
        .map((s) => s as { Action: string | string[]; Resource: unknown })
        .filter((s) => JSON.stringify(s.Resource).includes(bucketId))
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
        .sort();
    };
    expect(actionsOn("services/intake/src/handlers/digest.ts")).toEqual([
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
    ]);
    expect(actionsOn("services/intake/src/handlers/proofs.ts")).toEqual([
      "s3:GetObject",
      "s3:ListBucket",
    ]);
  });
});
