import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

// SDK clients are created once per container. Endpoints come from the SDK's own
// AWS_ENDPOINT_URL_<SERVICE> variables (set by the local cloud), region from AWS_REGION.

/** The DynamoDB document client; `undefined` attributes are dropped, not rejected. */
export const ddb: DynamoDBDocumentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

let snsClient: SNSClient | undefined;
export function sns(): SNSClient {
  snsClient ??= new SNSClient({});
  return snsClient;
}

/** A required environment variable, read when first needed (the local cloud sets them per call). */
export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
