import type { City } from "@pencai/config";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/**
 * A topic CloudWatch alarms publish to, for people to subscribe to (`<id>` and its key
 * `<id>Key`). CloudWatch cannot publish to a topic under the AWS-managed SNS key, hence a
 * customer-managed key that lets CloudWatch use it.
 */
export function alarmTopic(
  scope: Construct,
  id: string,
  props: { city: City; purpose: string; displayName: string },
): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, {
    description: `Pencai ${props.city.id}: encrypts the ${props.purpose} alarm topic`,
    enableKeyRotation: true,
  });
  key.grant(
    new iam.ServicePrincipal("cloudwatch.amazonaws.com"),
    "kms:Decrypt",
    "kms:GenerateDataKey*",
  );
  return new sns.Topic(scope, id, {
    displayName: props.displayName,
    enforceSSL: true,
    masterKey: key,
  });
}
