/**
 * Reads the synthesized CloudFormation template into the plain topology the local
 * cloud runs: functions, routes, CORS, throttling, event source mappings, schedules.
 * No hand-written lists: everything comes from the template.
 */

export interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON
  Properties?: Record<string, any>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
}

export const T = {
  table: "AWS::DynamoDB::Table",
  globalTable: "AWS::DynamoDB::GlobalTable",
  topic: "AWS::SNS::Topic",
  queue: "AWS::SQS::Queue",
  subscription: "AWS::SNS::Subscription",
  bucket: "AWS::S3::Bucket",
  fn: "AWS::Lambda::Function",
  esm: "AWS::Lambda::EventSourceMapping",
  rule: "AWS::Events::Rule",
  api: "AWS::ApiGatewayV2::Api",
  stage: "AWS::ApiGatewayV2::Stage",
  route: "AWS::ApiGatewayV2::Route",
  integration: "AWS::ApiGatewayV2::Integration",
  authorizer: "AWS::ApiGatewayV2::Authorizer",
} as const;

export function resourcesOfType(t: CfnTemplate, ...types: string[]): [string, CfnResource][] {
  return Object.entries(t.Resources ?? {}).filter(([, r]) => types.includes(r.Type));
}

/** Logical ids that `value` points at with `Ref`, `Fn::GetAtt` or `${X}`/`${X.Attr}` in `Fn::Sub`. */
export function referencedIds(value: unknown): { id: string; attr?: string }[] {
  const out: { id: string; attr?: string }[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (v === null || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "Ref" && typeof x === "string") out.push({ id: x });
      else if (k === "Fn::GetAtt") {
        const [id, attr] = typeof x === "string" ? x.split(".") : (x as string[]);
        if (typeof id === "string")
          out.push(attr === undefined ? { id } : { id, attr: String(attr) });
      } else if (k === "Fn::Sub") {
        const s = Array.isArray(x) ? x[0] : x;
        if (typeof s === "string") {
          for (const m of s.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const [id, attr] = (m[1] as string).split(".");
            out.push(attr === undefined ? { id: id as string } : { id: id as string, attr });
          }
        }
        visit(Array.isArray(x) ? x[1] : undefined);
      } else visit(x);
    }
  };
  visit(value);
  return out;
}

/** The first resource of one of `types` that `value` references. */
export function referencedResource(t: CfnTemplate, value: unknown, ...types: string[]) {
  for (const ref of referencedIds(value)) {
    const r = t.Resources[ref.id];
    if (r && types.includes(r.Type)) return { ...ref, resource: r };
  }
  return undefined;
}

export interface FunctionDef {
  id: string;
  entry: string;
  handler: string;
  job?: string;
  /** unresolved `Environment.Variables` */
  environment: Record<string, unknown>;
  timeoutSeconds: number;
  memoryMb: number;
}

export function functionsOf(t: CfnTemplate): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const [id, r] of resourcesOfType(t, T.fn)) {
    const md = r.Metadata ?? {};
    const entry = md["pencai:entry"];
    if (typeof entry !== "string") continue; // CDK's own helper functions (custom resources)
    const job = md["pencai:job"];
    out.push({
      id,
      entry,
      handler:
        typeof md["pencai:handler"] === "string" ? (md["pencai:handler"] as string) : "handler",
      ...(typeof job === "string" ? { job } : {}),
      environment: (r.Properties?.Environment?.Variables as Record<string, unknown>) ?? {},
      timeoutSeconds: Number(r.Properties?.Timeout ?? 3),
      memoryMb: Number(r.Properties?.MemorySize ?? 128),
    });
  }
  return out;
}

/** Follow an integration / ESM / rule target to the Lambda function it invokes. */
export function functionIdOf(t: CfnTemplate, value: unknown): string | undefined {
  return referencedResource(t, value, T.fn)?.id;
}

export interface RouteDef {
  routeKey: string;
  method: string;
  path: string;
  functionId: string;
  /** NONE | JWT | AWS_IAM | CUSTOM */
  authorizationType: string;
}

export function routesOf(t: CfnTemplate): RouteDef[] {
  const out: RouteDef[] = [];
  for (const [id, r] of resourcesOfType(t, T.route)) {
    const p = r.Properties ?? {};
    const routeKey = String(p.RouteKey);
    const integration = referencedResource(t, p.Target, T.integration);
    const functionId =
      integration && functionIdOf(t, integration.resource.Properties?.IntegrationUri);
    if (!functionId) throw new Error(`route ${id} (${routeKey}): no Lambda integration found`);
    const [method, path] = routeKey === "$default" ? ["ANY", "/{proxy+}"] : routeKey.split(" ");
    out.push({
      routeKey,
      method: String(method),
      path: String(path),
      functionId,
      authorizationType: String(p.AuthorizationType ?? "NONE"),
    });
  }
  return out;
}

export interface CorsConfig {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export function corsOf(t: CfnTemplate): CorsConfig | undefined {
  const [api] = resourcesOfType(t, T.api);
  const c = api?.[1].Properties?.CorsConfiguration;
  if (!c) return undefined;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    allowOrigins: list(c.AllowOrigins),
    allowMethods: list(c.AllowMethods),
    allowHeaders: list(c.AllowHeaders),
    exposeHeaders: list(c.ExposeHeaders),
    ...(c.MaxAge !== undefined ? { maxAge: Number(c.MaxAge) } : {}),
    allowCredentials: c.AllowCredentials === true || c.AllowCredentials === "true",
  };
}

export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

export interface ThrottleConfig {
  default?: ThrottleLimits;
  /** per route key overrides (`RouteSettings`) */
  routes: Record<string, ThrottleLimits>;
}

function limits(s: Record<string, unknown> | undefined): ThrottleLimits | undefined {
  if (!s || (s.ThrottlingRateLimit === undefined && s.ThrottlingBurstLimit === undefined))
    return undefined;
  return {
    rateLimit: Number(s.ThrottlingRateLimit ?? Number.POSITIVE_INFINITY),
    burstLimit: Number(s.ThrottlingBurstLimit ?? Number.POSITIVE_INFINITY),
  };
}

export function throttleOf(t: CfnTemplate): ThrottleConfig {
  const [stage] = resourcesOfType(t, T.stage);
  const p = stage?.[1].Properties ?? {};
  const routes: Record<string, ThrottleLimits> = {};
  for (const [key, s] of Object.entries(
    (p.RouteSettings as Record<string, Record<string, unknown>>) ?? {},
  )) {
    const l = limits(s);
    if (l) routes[key] = l;
  }
  const d = limits(p.DefaultRouteSettings);
  return d ? { default: d, routes } : { routes };
}

export interface SqsMappingDef {
  kind: "sqs";
  id: string;
  functionId: string;
  queueId: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

export interface StreamMappingDef {
  kind: "stream";
  id: string;
  functionId: string;
  tableId: string;
  batchSize: number;
  startingPosition: "LATEST" | "TRIM_HORIZON";
  /** parsed `FilterCriteria.Filters[].Pattern` */
  filters: unknown[];
  reportBatchItemFailures: boolean;
  maximumRetryAttempts: number;
  enabled: boolean;
}

export type MappingDef = SqsMappingDef | StreamMappingDef;

export function mappingsOf(t: CfnTemplate): MappingDef[] {
  const out: MappingDef[] = [];
  for (const [id, r] of resourcesOfType(t, T.esm)) {
    const p = r.Properties ?? {};
    const functionId = functionIdOf(t, p.FunctionName);
    if (!functionId)
      throw new Error(
        `event source mapping ${id}: FunctionName is not a function of this template`,
      );
    const source = referencedResource(t, p.EventSourceArn, T.queue, T.table, T.globalTable);
    if (!source)
      throw new Error(
        `event source mapping ${id}: EventSourceArn is not a queue or table of this template`,
      );
    const reportBatchItemFailures = Array.isArray(p.FunctionResponseTypes)
      ? p.FunctionResponseTypes.includes("ReportBatchItemFailures")
      : false;
    const enabled = p.Enabled !== false && p.Enabled !== "false";
    if (source.resource.Type === T.queue) {
      out.push({
        kind: "sqs",
        id,
        functionId,
        queueId: source.id,
        batchSize: Number(p.BatchSize ?? 10),
        reportBatchItemFailures,
        enabled,
      });
    } else {
      const filters = ((p.FilterCriteria?.Filters as { Pattern: string }[]) ?? []).map((f) =>
        typeof f.Pattern === "string" ? JSON.parse(f.Pattern) : f.Pattern,
      );
      out.push({
        kind: "stream",
        id,
        functionId,
        tableId: source.id,
        batchSize: Number(p.BatchSize ?? 100),
        startingPosition: p.StartingPosition === "TRIM_HORIZON" ? "TRIM_HORIZON" : "LATEST",
        filters,
        reportBatchItemFailures,
        maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? -1),
        enabled,
      });
    }
  }
  return out;
}

export interface ScheduleDef {
  id: string;
  expression: string;
  functionId: string;
  /** the target's constant `Input`, if any */
  input?: unknown;
  enabled: boolean;
}

export function schedulesOf(t: CfnTemplate): ScheduleDef[] {
  const out: ScheduleDef[] = [];
  for (const [id, r] of resourcesOfType(t, T.rule)) {
    const p = r.Properties ?? {};
    if (typeof p.ScheduleExpression !== "string") continue;
    for (const target of (p.Targets as Record<string, unknown>[]) ?? []) {
      const functionId = functionIdOf(t, target.Arn);
      if (!functionId) continue;
      out.push({
        id,
        expression: p.ScheduleExpression,
        functionId,
        ...(typeof target.Input === "string" ? { input: JSON.parse(target.Input) } : {}),
        enabled: p.State !== "DISABLED",
      });
    }
  }
  return out;
}
