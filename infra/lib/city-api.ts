import type { City } from "@pencai/config";
import { type RouteDef, roles } from "@pencai/contracts";
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as cognito from "aws-cdk-lib/aws-cognito";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { RegionInfo } from "aws-cdk-lib/region-info";
import { Construct } from "constructs";
import { cityKey } from "./city-key.js";
import { ackShortLogRetention, ctAck } from "./policy.js";

/**
 * Jurisdiction and membership claims, set by administrators (never by the user). `cityWide`
 * ("true") marks an admin or analyst who acts for the whole city; every other official needs the
 * place claim of its role's level (a missing claim never widens reach).
 */
const customAttributes = [
  "districtId",
  "streetId",
  "communityId",
  "householdId",
  "orgId",
  "cityWide",
] as const;

/**
 * Headers browsers may send; `idempotency-key` per API.md, the rest standard (`if-none-match`:
 * a front-end revalidating a public GET itself). Exposed: `etag`, so such a front-end can read it.
 */
const corsAllowHeaders = [
  "authorization",
  "content-type",
  "idempotency-key",
  "if-none-match",
  "x-correlation-id",
];
const corsExposeHeaders = ["etag", "idempotent-replayed", "x-correlation-id"];

/**
 * The city's HTTP API and its users: a Cognito user pool whose groups are the
 * 12 roles of API.md and whose custom attributes carry the jurisdiction, an
 * app client, and an HTTP API whose JWT authorizer trusts that pool.
 */
export class CityApi extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly httpApi: apigw.HttpApi;
  readonly authorizer: HttpJwtAuthorizer;
  /** `https://cognito-idp.<region>.<suffix>/<poolId>` */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly accessLogs: logs.LogGroup;
  private readonly integrations = new Map<lambda.IFunction, HttpLambdaIntegration>();

  constructor(scope: Construct, id: string, props: { city: City }) {
    super(scope, id);
    const { city } = props;
    const stack = Stack.of(this);
    const removalPolicy = city.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Accounts are created by administrators (real-name registration), never self-service.
    this.userPool = new cognito.UserPool(this, "Users", {
      userPoolName: `pencai-${city.id}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: Object.fromEntries(
        customAttributes.map((a) => [
          a,
          new cognito.StringAttribute({ mutable: true, maxLen: 64 }),
        ]),
      ),
      deletionProtection: city.production,
      removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason:
        "Residents, many of them elderly, sign in on shared family phones, so TOTP MFA is offered to every account but cannot be mandatory pool-wide.",
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG8",
      reason:
        "Threat protection needs the Cognito Plus tier, billed per active user; a city turns it on when its budget allows, the pool works unchanged either way.",
    });

    roles.forEach((role, i) => {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Pencai role ${role}`,
        precedence: i,
      });
    });

    const standard = new cognito.ClientAttributes().withStandardAttributes({
      email: true,
      emailVerified: true,
      fullname: true,
      phoneNumber: true,
      phoneNumberVerified: true,
    });
    const oauth = city.auth.callbackUrls.length > 0;
    this.client = this.userPool.addClient("WebClient", {
      userPoolClientName: `pencai-${city.id}-web`,
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: standard.withCustomAttributes(...customAttributes),
      // jurisdiction claims must not be writable by the user they describe
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({
        fullname: true,
        phoneNumber: true,
      }),
      disableOAuth: !oauth,
      oAuth: oauth
        ? {
            flows: { authorizationCodeGrant: true },
            scopes: [
              cognito.OAuthScope.OPENID,
              cognito.OAuthScope.EMAIL,
              cognito.OAuthScope.PROFILE,
            ],
            callbackUrls: [...city.auth.callbackUrls],
            logoutUrls: [...city.auth.logoutUrls],
          }
        : undefined,
    });
    if (city.auth.domainPrefix) {
      this.userPool.addDomain("Domain", {
        cognitoDomain: { domainPrefix: city.auth.domainPrefix },
      });
    }

    const urlSuffix = RegionInfo.get(stack.region).domainSuffix ?? stack.urlSuffix;
    this.issuer = `https://cognito-idp.${stack.region}.${urlSuffix}/${this.userPool.userPoolId}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    // The authorizer checks signature, issuer, expiry and audience (`aud` of an ID token, or
    // `client_id` of an access token: API Gateway cannot tell the two kinds of the same app
    // client apart, and Cognito can only customise access tokens on its paid plans). Handlers
    // accept only ID tokens (`token_use: "id"`): an access token carries groups but none of the
    // jurisdiction claims, and must never act as a role with no place.
    this.authorizer = new HttpJwtAuthorizer("Cognito", this.issuer, {
      authorizerName: "cognito",
      jwtAudience: [this.client.userPoolClientId],
      identitySource: ["$request.header.Authorization"],
    });

    const origins = city.cors.allowOrigins;
    this.httpApi = new apigw.HttpApi(this, "Http", {
      apiName: `pencai-${city.id}`,
      description: `Pencai API for ${city.name} (${city.id})`,
      createDefaultStage: false,
      corsPreflight:
        origins.length > 0
          ? {
              allowOrigins: [...origins],
              allowMethods: [
                apigw.CorsHttpMethod.GET,
                apigw.CorsHttpMethod.POST,
                apigw.CorsHttpMethod.PUT,
                apigw.CorsHttpMethod.DELETE,
                apigw.CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: corsAllowHeaders,
              exposeHeaders: corsExposeHeaders,
              maxAge: Duration.hours(1),
            }
          : undefined,
    });

    this.accessLogs = new logs.LogGroup(this, "AccessLogs", {
      encryptionKey: cityKey(this, city),
      retention: city.production ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    if (!city.production) ackShortLogRetention(this.accessLogs);
    const stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: {
        rateLimit: city.api.throttle.rateLimit,
        burstLimit: city.api.throttle.burstLimit,
      },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTime",
            ip: "$context.identity.sourceIp",
            method: "$context.httpMethod",
            routeKey: "$context.routeKey",
            path: "$context.path",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            integrationLatencyMs: "$context.integrationLatency",
            responseLength: "$context.responseLength",
            sub: "$context.authorizer.claims.sub",
            authorizerError: "$context.authorizer.error",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });

    new CfnOutput(stack, "ApiUrl", { value: stage.url, description: "HTTP API base URL" });
    new CfnOutput(stack, "UserPoolId", { value: this.userPool.userPoolId });
    new CfnOutput(stack, "UserPoolClientId", { value: this.client.userPoolClientId });
  }

  /**
   * One API Gateway route per route definition, all served by `fn`. Public
   * routes get no authorizer; the handler re-checks roles and jurisdiction
   * either way.
   */
  addRoutes(routes: readonly RouteDef[], fn: lambda.IFunction): void {
    let integration = this.integrations.get(fn);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      });
      this.integrations.set(fn, integration);
    }
    for (const r of routes) {
      if (r.path === "/dev" || r.path.startsWith("/dev/")) {
        throw new Error(`${r.method} ${r.path}: /dev/ routes are local-only and never deployed`);
      }
      const route = new apigw.HttpRoute(this, `Route-${r.operationId}`, {
        httpApi: this.httpApi,
        routeKey: apigw.HttpRouteKey.with(r.path, apigw.HttpMethod[r.method]),
        integration,
        authorizer: r.auth === "public" ? undefined : this.authorizer,
      });
      // the integration's permission (a child of the route) names the API by an Fn::Join ARN
      Validations.of(route).acknowledge({
        id: ctAck("lambda_function_public_access_prohibited_check"),
        reason:
          "The permission lets only apigateway.amazonaws.com invoke, with SourceArn this API's execute-api ARN; the control reads SourceArn only as a literal or Ref, and CDK builds it with Fn::Join.",
      });
      if (r.auth === "public") {
        Validations.of(route).acknowledge({
          id: "AwsSolutions-APIG4",
          reason: `${r.method} ${r.path} is public by API.md (四公开 / forms need no account); it returns no personal data.`,
        });
        Validations.of(route).acknowledge({
          id: ctAck("api_gw_v2_authorization_type_configured_check"),
          reason: `${r.method} ${r.path} is public by API.md (四公开 / forms need no account); it returns no personal data.`,
        });
      }
    }
  }
}
