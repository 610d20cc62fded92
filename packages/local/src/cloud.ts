/**
 * The local cloud: DynamoDB Local + fauxqs + the synthesized template's topology,
 * the same handlers in worker threads, an API Gateway-like HTTP gateway, event source
 * pollers and schedules. `startLocalCloud()` is what `npm start` and the integration
 * tests' global setup call.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { formatErrors, idTokenClaimsOf, parseUsersCsv } from "@pencai/admin/users-csv";
import type { City } from "@pencai/config";
import { loadCityFile } from "@pencai/config/load";
import { type BoardSite, buildBoardSite, serveBoard } from "./board.js";
import { handleLocal } from "./dev-routes.js";
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from "./dynamodb-local.js";
import { startFauxqs } from "./fauxqs.js";
import { FunctionPool, type FunctionSpec } from "./functions.js";
import { createGateway } from "./gateway.js";
import { resolveString } from "./intrinsics.js";
import { createLocalIssuer, type LocalIssuer } from "./keys.js";
import { onLoopback } from "./loopback.js";
import { servedOpenApi } from "./openapi-local.js";
import { type Poller, SqsPoller, StreamPoller, streamsClient } from "./pollers.js";
import { createMessagingAndBuckets, createTables, LOCAL_ACCOUNT, Registry } from "./resources.js";
import { Scheduler } from "./scheduler.js";
import { synthesize } from "./synth.js";
import {
  type CfnTemplate,
  corsOf,
  functionsOf,
  mappingsOf,
  routesOf,
  type ScheduleDef,
  schedulesOf,
  throttleOf,
} from "./template.js";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface LocalCloudOptions {
  /** gateway port (default env PENCAI_PORT or 3000; 0 = any free port) */
  port?: number;
  host?: string;
  /** city id: `infra/cities/<city>.json` (default env PENCAI_CITY or "demo") */
  city?: string;
  /** run `AWS::Events::Rule` schedules (default true; tests drive jobs via /dev/run) */
  schedules?: boolean;
  /** load the demo data set through the API (default true) */
  demoData?: boolean;
  /** no access log, handlers log errors only */
  quiet?: boolean;
  /** handlers log at INFO with Powertools dev formatting */
  verbose?: boolean;
  /** API Gateway stage throttling (default true; env PENCAI_THROTTLING=off disables) */
  throttling?: boolean;
  /** a template to run instead of synthesizing infra/ (tests) */
  template?: CfnTemplate;
  /** build the public board and serve it at `/` (default true) */
  board?: boolean;
  /** a users CSV (`npm run users` format): `/dev/token {"user": "<username>"}` mints theirs */
  users?: string;
  /** the resolved city to use with `template` */
  cityConfig?: City;
  log?: (line: string) => void;
}

export interface LocalCloud {
  url: string;
  city: City;
  stackName: string;
  template: CfnTemplate;
  registry: Registry;
  dynamodbEndpoint: string;
  fauxqsEndpoint: string;
  functions: FunctionPool;
  /** table names by logical id */
  tables: Record<string, string>;
  issuer: LocalIssuer;
  /** ID-token claims by username, from the `users` CSV */
  users?: ReadonlyMap<string, Record<string, unknown> & { sub: string }>;
  /** ms per start-up phase */
  timings: Record<string, number>;
  /** the public board at `url` + `/`, and how long its build took (ms) */
  board?: { builtInMs: number };
  demo?: unknown;
  /** mint a token like `POST /dev/token` */
  token(claims: Record<string, unknown> & { sub: string }): Promise<string>;
  invoke(functionId: string, event: unknown): Promise<unknown>;
  runJob(job: string): ReturnType<typeof runJobImpl>;
  setClockOffset(offsetMs: number): Promise<void>;
  setPollersPaused(paused: boolean): void;
  /** stream pollers read and discard records (a relay that dies after the commit) */
  setStreamRecordsDropped(drop: boolean): void;
  stop(): Promise<void>;
}

export function loadCity(id: string): City {
  const dir = join(repoRoot, "infra", "cities");
  const known = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
  // only a file of infra/cities by its id: a typo names the cities there, never a path outside
  if (!known.includes(id)) {
    throw new Error(`no city "${id}": pick one of ${known.join(", ")} (files in infra/cities/)`);
  }
  return loadCityFile(join(dir, `${id}.json`));
}

function scheduledEvent(region: string, ruleArn: string | undefined, offsetMs: number) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: LOCAL_ACCOUNT,
    time: new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: ruleArn ? [ruleArn] : [],
    detail: {},
  };
}

async function runJobImpl(
  pool: FunctionPool,
  schedules: ScheduleDef[],
  registry: Registry,
  job: string,
): Promise<
  | { ran: string[]; results: unknown[]; errors: { functionId: string; message: string }[] }
  | undefined
> {
  const fns = pool.byJob(job);
  if (!fns.length) return undefined;
  const ran = fns.map((f) => f.spec.id);
  const errors: { functionId: string; message: string }[] = [];
  const results = await Promise.all(
    fns.map(async (f) => {
      const rule = schedules.find((s) => s.functionId === f.spec.id);
      const event =
        rule?.input ??
        scheduledEvent(
          registry.env.region,
          rule ? registry.getAtt(rule.id, "Arn") : undefined,
          pool.clockOffsetMs,
        );
      try {
        return await f.invoke(event);
      } catch (e) {
        errors.push({ functionId: f.spec.id, message: (e as Error).message });
        return null;
      }
    }),
  );
  return { ran, results, errors };
}

async function countItems(ddb: DynamoDBClient, tables: Record<string, string>) {
  const out: Record<string, { logicalId: string; itemCount: number }> = {};
  for (const [logicalId, name] of Object.entries(tables)) {
    let itemCount = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const r = await ddb.send(
        new ScanCommand({ TableName: name, Select: "COUNT", ExclusiveStartKey: start }),
      );
      itemCount += r.Count ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
    out[name] = { logicalId, itemCount };
  }
  return out;
}

const AWS_ENV = /^(AWS_|POWERTOOLS_|_X_AMZN|LAMBDA_)/;

export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => {
    timings[name] = Math.round(performance.now() - t0);
  };
  // the SDK's "Node 20 support ends" notice, once per client package, is noise here
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const log = opts.log ?? ((line: string) => console.error(`[local] ${line}`));
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? Number(process.env.PENCAI_PORT ?? 3000);
  const cityId = opts.city ?? process.env.PENCAI_CITY ?? "demo";
  const throttling =
    opts.throttling ?? !/^(0|off|false)$/i.test(process.env.PENCAI_THROTTLING ?? "");

  const stoppers: (() => Promise<unknown> | unknown)[] = [];
  let accessLog = false;
  const stopAll = async () => {
    for (const s of stoppers.splice(0).reverse()) {
      try {
        await s();
      } catch (e) {
        log(`stop: ${(e as Error).message}`);
      }
    }
  };

  let ddbStarting: Promise<DynamoDbLocal> | undefined;
  try {
    const city = opts.cityConfig ?? loadCity(cityId);
    globalThis.__PENCAI_CITY__ = city;
    const users = opts.users === undefined ? undefined : loadUsers(opts.users, city);
    globalThis.__PENCAI_CLOCK_OFFSET_MS__ = 0;
    const region = city.region;

    // Slow things in parallel: java start, synth (aws-cdk-lib import), fauxqs.
    // The port is chosen up front so the functions' env (and workers) need not wait for java.
    const ddbEndpoint = `http://127.0.0.1:${await freePort()}`;
    const ddbP = startDynamoDbLocal({ port: Number(new URL(ddbEndpoint).port) }).then((d) => {
      stoppers.push(() => d.stop());
      mark("dynamodb");
      return d;
    });
    ddbP.catch(() => {});
    ddbStarting = ddbP;
    const synthP = opts.template
      ? Promise.resolve({ template: opts.template, stackName: `Pencai-${city.id}` })
      : synthesize(repoRoot, city);
    const boardP: Promise<BoardSite | undefined> =
      opts.board === false
        ? Promise.resolve(undefined)
        : buildBoardSite().then((b) => {
            stoppers.push(() => b.remove());
            mark("board");
            return b;
          });
    boardP.catch(() => {});
    const fauxqs = await onLoopback(() =>
      startFauxqs({ port: 0, logger: false, defaultRegion: region }),
    );
    stoppers.push(() => fauxqs.stop());
    const fauxqsUrl = `http://127.0.0.1:${fauxqs.port}`;
    mark("fauxqs");
    const { template, stackName } = await synthP;
    mark("synth");
    const board = await boardP;

    // Gateway first: its URL is the token issuer and JWKS location the functions need.
    let ready = false;
    let issuer: LocalIssuer | undefined;
    let pool: FunctionPool | undefined;
    const pollers: Poller[] = [];
    let pollersPaused = false;
    let streamRecordsDropped = false;
    const schedules = schedulesOf(template);
    let registry: Registry | undefined;
    let ddbClientRef: DynamoDBClient | undefined;
    const openapi = (() => {
      let doc: object | undefined;
      return () => {
        doc ??= servedOpenApi({ title: `Pencai API (${city.name})`, version: "1" });
        return doc;
      };
    })();

    const gateway = createGateway({
      routes: routesOf(template),
      ...(corsOf(template) ? { cors: corsOf(template) } : {}),
      throttle: throttleOf(template),
      throttling,
      invoke: (functionId, event, requestId) =>
        (pool as FunctionPool).get(functionId).invoke(event, { requestId }),
      local: async (req) => {
        if (req.path === "/.well-known/jwks.json" && issuer)
          return {
            status: 200,
            headers: { "content-type": "application/json" },
            body: Buffer.from(JSON.stringify(issuer.jwks)),
          };
        const page = board && serveBoard(board.dir, req);
        if (page) return page;
        if (!ready) {
          return {
            status: 503,
            headers: { "content-type": "application/json" },
            body: Buffer.from('{"message":"Service Unavailable: starting"}'),
          };
        }
        return handleLocal(
          {
            issuer: issuer as LocalIssuer,
            openapi,
            clock: {
              offsetMs: () => (pool as FunctionPool).clockOffsetMs,
              set: (ms) => cloud.setClockOffset(ms),
            },
            jobs: {
              names: () => (pool as FunctionPool).jobs(),
              run: (job) => runJobImpl(pool as FunctionPool, schedules, registry as Registry, job),
            },
            pollers: {
              paused: () => pollersPaused,
              setPaused: (p) => cloud.setPollersPaused(p),
              dropping: () => streamRecordsDropped,
              setDropping: (d) => cloud.setStreamRecordsDropped(d),
            },
            tables: () => countItems(ddbClientRef as DynamoDBClient, cloud.tables),
            endpoints: { dynamodb: ddbEndpoint, fauxqs: fauxqsUrl },
            ...(users ? { users } : {}),
          },
          req,
        );
      },
      verify: async (token) => (await issuer?.verify(token)) as Record<string, unknown> | undefined,
      log,
      // the demo data's own requests (~280) would bury the start-up: logged from then on
      ...(opts.quiet ? {} : { access: (line: string) => accessLog && log(line) }),
    });
    const url = await gateway.listen(port, host);
    stoppers.push(() => gateway.close());
    mark("gateway");

    issuer = await createLocalIssuer({ issuer: url, audience: "pencai-local" });
    registry = new Registry(template, {
      region,
      stackName,
      apiUrl: url,
      fauxqsUrl,
      jwtIssuer: issuer.issuer,
      jwtAudience: issuer.audience,
    });
    const reg = registry;
    const messaging = createMessagingAndBuckets(reg, fauxqs);

    const local = {
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUrl: `${url}/.well-known/jwks.json`,
    };
    const overridden: Record<string, string> = {
      JWT_ISSUER: local.issuer,
      JWT_AUDIENCE: local.audience,
      JWKS_URL: local.jwksUrl,
      PENCAI_S3_PATH_STYLE: "1",
      // the exports' pseudonym key (Secrets Manager on AWS; not emulated locally)
      PENCAI_PSEUDONYM_SECRET: process.env.PENCAI_PSEUDONYM_SECRET ?? "local-only-pseudonym-key",
      POWERTOOLS_LOG_LEVEL: opts.verbose ? "INFO" : opts.quiet ? "ERROR" : "WARN",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_TRACE_DISABLED: "true",
      ...(opts.verbose ? { POWERTOOLS_DEV: "true" } : {}),
    };
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !AWS_ENV.test(k)) base[k] = v;

    const specs: FunctionSpec[] = functionsOf(template).map((f) => {
      const resolved: Record<string, string> = {};
      for (const [k, v] of Object.entries(f.environment)) {
        if (k in overridden) continue;
        resolved[k] = resolveString(v, reg, `${f.id} Environment.Variables.${k}`);
      }
      const name = reg.name(f.id);
      return {
        id: f.id,
        name,
        arn: reg.getAtt(f.id, "Arn") as string,
        entry: join(repoRoot, f.entry),
        handler: f.handler,
        ...(f.job ? { job: f.job } : {}),
        timeoutMs: f.timeoutSeconds * 1000,
        memoryMb: f.memoryMb,
        env: {
          ...base,
          AWS_REGION: region,
          AWS_DEFAULT_REGION: region,
          AWS_ACCESS_KEY_ID: "local",
          AWS_SECRET_ACCESS_KEY: "local",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint,
          AWS_ENDPOINT_URL_SNS: fauxqsUrl,
          AWS_ENDPOINT_URL_SQS: fauxqsUrl,
          AWS_ENDPOINT_URL_S3: fauxqsUrl,
          AWS_LAMBDA_FUNCTION_NAME: name,
          AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.memoryMb),
          POWERTOOLS_METRICS_NAMESPACE: "Pencai",
          ...resolved,
          ...overridden,
        },
      };
    });
    pool = new FunctionPool(specs, { city, root: repoRoot });
    const functions = pool;
    stoppers.push(() => functions.stop());
    // every worker pipes its stdout and stderr into ours, a listener per event each: make room
    // for this cloud's workers (a test may run two clouds in one process)
    for (const stream of [process.stdout, process.stderr]) {
      stream.setMaxListeners(stream.getMaxListeners() + specs.length);
      stoppers.push(() => stream.setMaxListeners(stream.getMaxListeners() - specs.length));
    }
    // every bundle is built once the workers run: let go of esbuild's child process (a later
    // build, e.g. of a crashed worker's entry, starts it again)
    const workersP = pool
      .startAll()
      .then(() => mark("functions"))
      .then(() => import("esbuild"))
      .then((esbuild) => esbuild.stop());
    workersP.catch(() => {});
    const ddb: DynamoDbLocal = await ddbP;

    const ddbClient = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    ddbClientRef = ddbClient;
    const tables = await createTables(reg, ddbClient);
    mark("tables");

    // Event source mappings.
    const invoke = (functionId: string, event: unknown) => functions.get(functionId).invoke(event);
    const sqs = new SQSClient({
      endpoint: fauxqsUrl,
      region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const streams = streamsClient(ddb.endpoint, region);
    stoppers.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
      streams.destroy();
      ddbClient.destroy();
    });
    for (const m of mappingsOf(template)) {
      if (!m.enabled) continue;
      if (m.kind === "sqs") {
        const q = {
          url: reg.ref(m.queueId) as string,
          arn: reg.getAtt(m.queueId, "Arn") as string,
          region,
        };
        pollers.push(new SqsPoller(m, q, sqs, invoke, log));
      } else {
        const arn = reg.getAtt(m.tableId, "StreamArn");
        if (!arn) throw new Error(`event source mapping ${m.id}: table ${m.tableId} has no stream`);
        pollers.push(new StreamPoller(m, { arn, region }, streams, invoke, log));
      }
    }
    await Promise.all(pollers.map((p) => p.start()));
    mark("pollers");
    await workersP;

    const cloud: LocalCloud = {
      url,
      city,
      stackName,
      template,
      registry: reg,
      dynamodbEndpoint: ddb.endpoint,
      fauxqsEndpoint: fauxqsUrl,
      ...(users ? { users } : {}),
      functions,
      tables: Object.fromEntries(
        Object.entries(template.Resources)
          .filter(
            ([, r]) => r.Type === "AWS::DynamoDB::Table" || r.Type === "AWS::DynamoDB::GlobalTable",
          )
          .map(([id]) => [id, reg.name(id)]),
      ),
      issuer,
      timings,
      ...(board ? { board: { builtInMs: board.builtInMs } } : {}),
      token: (claims) => (issuer as LocalIssuer).sign(claims, Date.now() + functions.clockOffsetMs),
      invoke,
      runJob: (job) => runJobImpl(functions, schedules, reg, job),
      async setClockOffset(offsetMs) {
        globalThis.__PENCAI_CLOCK_OFFSET_MS__ = offsetMs;
        await functions.setClock(offsetMs);
      },
      setStreamRecordsDropped(drop) {
        streamRecordsDropped = drop;
        for (const p of pollers) if (p instanceof StreamPoller) p.dropping = drop;
      },
      setPollersPaused(paused) {
        pollersPaused = paused;
        for (const p of pollers) p.paused = paused;
      },
      stop: stopAll,
    };

    if (opts.schedules !== false && schedules.length) {
      const scale = Number(process.env.PENCAI_SCHEDULE_SCALE ?? 1) || 1;
      const scheduler = new Scheduler(
        schedules
          .filter((s) => s.enabled)
          .map((s) => ({
            id: `${s.id}:${s.functionId}`,
            expression: s.expression,
            run: () =>
              functions
                .get(s.functionId)
                .invoke(
                  s.input ??
                    scheduledEvent(region, reg.getAtt(s.id, "Arn"), functions.clockOffsetMs),
                ),
          })),
        { scale, onError: (id, e) => log(`schedule ${id}: ${(e as Error).message}`) },
      );
      scheduler.start();
      stoppers.push(() => scheduler.stop());
    }

    ready = true;
    mark("ready");
    if (opts.demoData !== false) {
      const { loadDemoData } = await import("./demo-data.js");
      if (!opts.quiet) log("loading the demo data through the API…");
      try {
        cloud.demo = await loadDemoData(url, { log: opts.quiet ? () => {} : log });
      } catch (e) {
        log(`demo data not loaded (the cloud keeps running): ${(e as Error).message}`);
      }
      mark("demo");
    }
    accessLog = true;
    if (!opts.quiet) {
      log(
        `tables ${tables.length}, queues ${messaging.queues.length}, topics ${messaging.topics.length}, subscriptions ${messaging.subscriptions}, buckets ${messaging.buckets.length}, functions ${specs.length}, routes ${routesOf(template).length}, pollers ${pollers.length}, schedules ${opts.schedules === false ? "off" : schedules.length}`,
      );
    }
    return cloud;
  } catch (e) {
    await stopAll();
    // java may still be starting: stop it once it is up
    await ddbStarting?.then((d) => d.stop()).catch(() => {});
    throw e;
  }
}

/** The users of a `--users` CSV as ID-token claims by username; any bad line stops the start. */
export function loadUsers(
  file: string,
  city: City,
): Map<string, Record<string, unknown> & { sub: string }> {
  const parsed = parseUsersCsv(readFileSync(file, "utf8"), city);
  if ("errors" in parsed) throw new Error(`--users:\n${formatErrors(file, parsed.errors)}`);
  return new Map(parsed.users.map((u) => [u.username, idTokenClaimsOf(u)]));
}
