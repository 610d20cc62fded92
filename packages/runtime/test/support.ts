import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setCurrentCity } from "@pencai/config/current";
import type { City } from "@pencai/config/schema";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";

/** A small city: two districts, three streets, four communities. Only the geography matters here. */
export const city = {
  id: "testcity",
  name: "Test City",
  districts: [
    {
      id: "d1",
      name: "District 1",
      streets: [
        {
          id: "s1",
          name: "Street 1",
          communities: [
            { id: "c1", name: "Community 1" },
            { id: "c2", name: "Community 2" },
          ],
        },
        { id: "s2", name: "Street 2", communities: [{ id: "c3", name: "Community 3" }] },
      ],
    },
    {
      id: "d2",
      name: "District 2",
      streets: [{ id: "s3", name: "Street 3", communities: [{ id: "c4", name: "Community 4" }] }],
    },
  ],
} as unknown as City;

export function useTestCity() {
  setCurrentCity(city);
}

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
  const server: Server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  process.env.JWKS_URL = url;
  process.env.JWT_ISSUER = ISSUER;
  process.env.JWT_AUDIENCE = AUDIENCE;

  const sign = (
    claims: JWTPayload & Record<string, unknown>,
    opts: {
      key?: "good" | "other";
      expiresIn?: string | number;
      issuer?: string;
      audience?: string | null;
    } = {},
  ) => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(opts.issuer ?? ISSUER)
      .setIssuedAt()
      .setExpirationTime(opts.expiresIn ?? "1h");
    if (opts.audience !== null) jwt = jwt.setAudience(opts.audience ?? AUDIENCE);
    return jwt.sign(opts.key === "other" ? other.privateKey : privateKey);
  };
  return {
    url,
    sign,
    requests: () => requests,
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

export function json(result: { body?: string | undefined }) {
  return result.body === undefined ? undefined : JSON.parse(result.body);
}
