import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, Context, SQSEvent } from "aws-lambda";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

// Test helpers for handler tests (never imported by a handler): a JWKS server with RS256 tokens,
// API Gateway v2 and SQS events, a Lambda context.

/** One SQS record per envelope as the Lambda event source delivers them (message ids m0, m1, ...). */
export const sqsEvent = (envelopes: readonly unknown[], queue = "inbox"): SQSEvent => ({
  Records: envelopes.map((e, i) => ({
    messageId: `m${i}`,
    body: JSON.stringify(e),
    receiptHandle: `rh-m${i}`,
    attributes: {} as SQSEvent["Records"][number]["attributes"],
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:ap-east-1:000000000000:${queue}`,
    awsRegion: "ap-east-1",
  })),
});

export const ISSUER = "https://issuer.test";
export const AUDIENCE = "pencai-test";

/**
 * A local JWKS server, so tests go through the same `createRemoteJWKSet` path as production.
 * Counts requests to show the key set is fetched once.
 */
export async function startJwks() {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const other = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let requests = 0;
  let served = [jwk];
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  process.env.JWKS_URL = url;
  process.env.JWT_ISSUER = ISSUER;
  process.env.JWT_AUDIENCE = AUDIENCE;

  /**
   * An RS256 ID token (`token_use: "id"`, like Cognito's) with `iat` and `exp`; `null` leaves a
   * claim out, `tokenUse: "access"` makes an access token.
   */
  const sign = (
    claims: JWTPayload & Record<string, unknown>,
    opts: {
      key?: "good" | "other";
      expiresIn?: string | number | null;
      issuedAt?: number | null;
      issuer?: string;
      audience?: string | null;
      tokenUse?: string | null;
    } = {},
  ) => {
    const tokenUse = opts.tokenUse === undefined ? "id" : opts.tokenUse;
    let jwt = new SignJWT({ ...(tokenUse !== null && { token_use: tokenUse }), ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(opts.issuer ?? ISSUER);
    if (opts.issuedAt !== null) jwt = jwt.setIssuedAt(opts.issuedAt);
    if (opts.expiresIn !== null) jwt = jwt.setExpirationTime(opts.expiresIn ?? "1h");
    if (opts.audience !== null) jwt = jwt.setAudience(opts.audience ?? AUDIENCE);
    return jwt.sign(opts.key === "other" ? other.privateKey : privateKey);
  };
  return {
    url,
    sign,
    requests: () => requests,
    /** Stop (or resume) publishing the signing key, as an identity provider removes a leaked key. */
    publishKey: (on: boolean) => {
      served = on ? [jwk] : [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const context = {
  awsRequestId: "req-ctx",
  functionName: "test",
  functionVersion: "1",
  invokedFunctionArn: "arn:aws:lambda:ap-east-1:123456789012:function:test",
  memoryLimitInMB: "256",
  logGroupName: "/aws/lambda/test",
  logStreamName: "s",
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as Context;

/** An API Gateway v2 event as API Gateway sends it (lower-case headers, matched routeKey). */
export function httpEvent(
  routeKey: string,
  init: {
    path?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
    isBase64Encoded?: boolean;
    token?: string;
  } = {},
): APIGatewayProxyEventV2 {
  const [method, template] = routeKey.split(" ") as [string, string];
  const path =
    init.path ??
    template.replace(/\{(\w+)\}/g, (_, name: string) => init.pathParameters?.[name] ?? name);
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(init.query ?? {}).toString(),
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.query ? { queryStringParameters: init.query } : {}),
    ...(init.pathParameters ? { pathParameters: init.pathParameters } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.test",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "vitest" },
      requestId: "req-1",
      routeKey,
      stage: "$default",
      time: "01/Jan/2026:00:00:00 +0000",
      timeEpoch: 0,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}
