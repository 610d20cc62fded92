import { createHmac } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/**
 * Pseudonyms of account ids: HMAC-SHA256 keyed by the city's secret (Secrets Manager,
 * `PSEUDONYM_SECRET_ARN`, created by the stack), the first 32 hex digits. The same account gets
 * the same pseudonym in every export of the city, and nobody without the secret can link one
 * back. Locally (and in tests) `PENCAI_PSEUDONYM_SECRET` is the secret itself.
 */
let key: Promise<string> | undefined;

async function loadKey(): Promise<string> {
  const local = process.env.PENCAI_PSEUDONYM_SECRET;
  if (local) return local;
  const arn = process.env.PSEUDONYM_SECRET_ARN;
  if (!arn) throw new Error("neither PSEUDONYM_SECRET_ARN nor PENCAI_PSEUDONYM_SECRET is set");
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new Error("the pseudonym secret has no value");
  return out.SecretString;
}

/** The pseudonym function of this city (the secret is read once per container). */
export async function pseudonymizer(): Promise<(sub: string) => string> {
  key ??= loadKey().catch((err) => {
    key = undefined;
    throw err;
  });
  const secret = await key;
  return (sub) => pseudonym(secret, sub);
}

export const pseudonym = (secret: string, sub: string): string =>
  createHmac("sha256", secret).update(sub).digest("hex").slice(0, 32);
