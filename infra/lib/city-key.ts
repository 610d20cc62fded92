import type { City } from "@pencai/config";
import { type IAspect, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type { IConstruct } from "constructs";

const keyId = "CityKey";

/**
 * The city's own KMS key, when its city file sets `encryption.customerManagedKeys`: one key per
 * city, rotated yearly, for its tables, log groups, evidence bucket and event topic (created on
 * first use, once per stack). Undefined otherwise: AWS-owned or AWS-managed keys.
 *
 * One key, not one per purpose: everything under it belongs to the same city and the same
 * operators, the functions that may use it are the city's own (each still needs its table,
 * bucket or topic grant to reach any data), and each key costs $1 a month plus requests.
 * Retained with the stack like the buckets it encrypts: a deleted key would make the retained
 * evidence unreadable.
 */
export function cityKey(scope: IConstruct, city: City): kms.Key | undefined {
  if (!city.encryption.customerManagedKeys) return undefined;
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(keyId);
  if (existing) return existing as kms.Key;
  const key = new kms.Key(stack, keyId, {
    description: `Pencai ${city.id}: encrypts the city's tables, log groups, evidence and events`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // CloudWatch Logs encrypts and decrypts for the city's log groups only (encryption context).
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  return key;
}

/**
 * What a city function needs of the city key (when there is one): DynamoDB and the table's stream
 * decrypt and encrypt with it on the caller's behalf, S3 asks for a data key for each evidence
 * object, SNS for each published event. Named actions, no wildcards.
 */
export function grantCityKey(key: kms.IKey | undefined, grantee: iam.IGrantable): void {
  key?.grant(grantee, "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey");
}

/**
 * AWS Control Tower's CT.KMS.PR.3 (and good practice): on every key of the stack, nobody creates
 * KMS grants except for AWS resources (DynamoDB, CloudWatch Logs and S3 create their own grants
 * through AWS services, which this still allows).
 */
export class GrantsOnlyForAwsServices implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof kms.Key)) return;
    node.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "GrantsOnlyForAwsServices",
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: {
          BoolIfExists: {
            "kms:GrantIsForAWSResource": "false",
            "aws:PrincipalIsAWSService": "false",
          },
        },
      }),
    );
  }
}
