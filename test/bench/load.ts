/**
 * `npm run bench -- --only load [--users 40] [--seconds 30] [--think-ms 250]`: the event path
 * under load. A local cloud (schedules on, so the outbox sweep runs every minute as in
 * production; no demo data; gateway throttling off so the users are not turned away) and N
 * simulated users, each taking proposals through the lifecycle over HTTP with `/dev/token`
 * tokens: a need and its endorsements, a proposal (works or service), screening, a council
 * meeting with its ballots, the street's expert review, report to the district, district
 * review, approval and a disbursement, with reads in between; a few proposals are withdrawn or
 * rejected at screening. Steps that depend on an event poll the read that proves it arrived,
 * as a person refreshing the page would.
 *
 * After the fixed duration it waits for the system to drain (nothing pending in any outbox,
 * every inbox queue empty), reads every service table (Scan: bench only) and prints:
 * - events produced/s (outbox items by `occurredAt`) vs relayed/s (by `publishedAt`);
 * - commit-to-consumer lag: each inbox record's `processedAt` minus its event's `occurredAt`,
 *   joined by event id across every table (p50/p95/p99/max), split at the moment SNS first
 *   received the event (relay part, delivery part);
 * - SNS PublishBatch calls vs events (counted inside fauxqs, in this process);
 * - a timeline in 5 s buckets and the HTTP side (requests, statuses, latency).
 * Prints figures and ratios beside their goals; asserts nothing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  paginateScan,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { creditCodeOf } from "@pencai/contracts/orgs";
import { type LocalCloud, startLocalCloud } from "@pencai/local/cloud";
import { resourcesOfType, T } from "@pencai/local/template";
import { percentile } from "./bundles.js";

export interface LoadBenchOptions {
  users?: number;
  seconds?: number;
  /** mean pause between a user's steps (uniform in 0..2x) */
  thinkMs?: number;
  /** API Gateway stage throttling (default off) */
  throttling?: boolean;
  log?: (line: string) => void;
}

/** The issue's target for the commit-to-consumer lag. */
const GOAL_P99_MS = 2_000;
/** How long a user waits for an event's effect before giving the proposal up. */
const WAIT_MS = 90_000;
/** How long the bench waits for the system to drain after the load. */
const DRAIN_MS = 180_000;
const BUCKET_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const sec = (ms: number) => `${fmt(ms / 1000, 2)} s`;

// ---------------------------------------------------------------- SNS, seen inside fauxqs

interface SnsCounter {
  publishBatchCalls: number;
  publishBatchEntries: number;
  /** entries per PublishBatch call -> calls */
  sizes: Map<number, number>;
  publishCalls: number;
  /** event id -> when SNS first accepted it, and how many times */
  first: Map<string, number>;
  times: Map<string, number>;
  reset(): void;
}

/**
 * Counts SNS publishes where fauxqs routes them: the relays run in worker threads with their own
 * SDK clients, but fauxqs runs in this process, so its router sees every call. Bench only.
 */
async function watchSns(): Promise<SnsCounter> {
  const url = new URL("./sns/snsRouter.js", import.meta.resolve("fauxqs"));
  const { SnsRouter } = (await import(url.href)) as {
    SnsRouter: { prototype: { handle(req: { body?: unknown }, reply: unknown): Promise<unknown> } };
  };
  const counter: SnsCounter = {
    publishBatchCalls: 0,
    publishBatchEntries: 0,
    sizes: new Map(),
    publishCalls: 0,
    first: new Map(),
    times: new Map(),
    reset() {
      this.publishBatchCalls = 0;
      this.publishBatchEntries = 0;
      this.sizes.clear();
      this.publishCalls = 0;
      this.first.clear();
      this.times.clear();
    },
  };
  const seen = (message: string | undefined, at: number) => {
    let id: unknown;
    try {
      id = (JSON.parse(message ?? "") as { id?: unknown }).id;
    } catch {
      return;
    }
    if (typeof id !== "string") return;
    if (!counter.first.has(id)) counter.first.set(id, at);
    counter.times.set(id, (counter.times.get(id) ?? 0) + 1);
  };
  const handle = SnsRouter.prototype.handle;
  SnsRouter.prototype.handle = async function (req, reply) {
    const result = await handle.call(this, req, reply);
    const body = (req.body ?? {}) as Record<string, string>;
    const at = Date.now();
    if (body.Action === "PublishBatch") {
      const messages = Object.entries(body).filter(([k]) =>
        /^PublishBatchRequestEntries\.member\.\d+\.Message$/.test(k),
      );
      counter.publishBatchCalls++;
      counter.publishBatchEntries += messages.length;
      counter.sizes.set(messages.length, (counter.sizes.get(messages.length) ?? 0) + 1);
      for (const [, m] of messages) seen(m, at);
    } else if (body.Action === "Publish") {
      counter.publishCalls++;
      seen(body.Message, at);
    }
    return result;
  };
  return counter;
}

interface FnStats {
  invocations: number;
  records: number;
  failedRecords: number;
  ms: number[];
  inFlight: number;
  maxInFlight: number;
  /** stream records: their commit (`outboxAt`) to the invocation that carries them */
  toInvoke: number[];
}

/**
 * Invocations of the event functions (relays, inboxes, schedules): the pollers call
 * `cloud.functions.get(id).invoke`, so wrapping each instance's `invoke` sees them. Bench only.
 */
function watchFunctions(cloud: LocalCloud): Map<string, FnStats> {
  const stats = new Map<string, FnStats>();
  for (const [id, f] of cloud.functions.byId) {
    if (/Api|Evidence/.test(id)) continue;
    const s: FnStats = {
      invocations: 0,
      records: 0,
      failedRecords: 0,
      ms: [],
      inFlight: 0,
      maxInFlight: 0,
      toInvoke: [],
    };
    stats.set(id, s);
    const invoke = f.invoke.bind(f);
    f.invoke = async (event, opts) => {
      const records = (event as { Records?: unknown[] } | null)?.Records;
      s.invocations++;
      s.records += Array.isArray(records) ? records.length : 0;
      s.inFlight++;
      s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
      const at = Date.now();
      for (const r of Array.isArray(records) ? records : []) {
        const outboxAt = (r as { dynamodb?: { NewImage?: { outboxAt?: { S?: string } } } }).dynamodb
          ?.NewImage?.outboxAt?.S;
        if (outboxAt) s.toInvoke.push(at - Date.parse(outboxAt));
      }
      const t = performance.now();
      try {
        const out = await invoke(event, opts);
        const failed = (out as { batchItemFailures?: unknown[] } | null)?.batchItemFailures;
        if (Array.isArray(failed)) s.failedRecords += failed.length;
        return out;
      } finally {
        s.ms.push(performance.now() - t);
        s.inFlight--;
      }
    };
  }
  return stats;
}

// ---------------------------------------------------------------- HTTP client and users

interface Principal {
  sub: string;
  roles: string[];
  districtId?: string;
  streetId?: string;
  communityId?: string;
  householdId?: string;
  orgId?: string;
}
interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}
interface Rules {
  categoryList: { mode: "negative" | "positive"; categories: string[] };
  categories: { id: string }[];
  thresholds?: { householdConsent?: { required?: boolean } };
  process?: { expertReview?: "all" | "works" | "none" };
}

class Stopped extends Error {}

class HttpStats {
  /** when the reply to a successful request arrived, by the correlation id it was sent with */
  replied = new Map<string, number>();
  requests = 0;
  byStatus = new Map<string, number>();
  ms: number[] = [];
  /** route -> status -> count, for replies that were not expected */
  unexpected = new Map<string, number>();
  waits: number[] = [];
  gaveUp = 0;
}

class Api {
  private readonly tokens = new Map<string, Promise<string>>();
  private sent = 0;
  constructor(
    readonly base: string,
    readonly stats: HttpStats,
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }> {
    const t = performance.now();
    // events carry the request's correlation id: the reply time bounds their commit
    const correlationId = `load-${++this.sent}`;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        "x-correlation-id": correlationId,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.ok && method !== "GET") this.stats.replied.set(correlationId, Date.now());
    this.stats.ms.push(performance.now() - t);
    this.stats.requests++;
    const cls = `${String(res.status).slice(0, 1)}xx`;
    this.stats.byStatus.set(cls, (this.stats.byStatus.get(cls) ?? 0) + 1);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T };
  }

  /** A request that must succeed; lost races (409 `conflict`) and 429s are retried. */
  async call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.request<T>(method, path, body, token);
      if (r.status >= 200 && r.status < 300) return r.body;
      const code = (r.body as { code?: string } | undefined)?.code;
      const retry = r.status === 429 || (r.status === 409 && code === "conflict");
      if (!retry || attempt >= 6) {
        const route = `${method} ${path.replace(/[0-9A-HJKMNP-TV-Z]{26}/g, "{id}")} -> ${r.status} ${code ?? ""}`;
        this.stats.unexpected.set(route, (this.stats.unexpected.get(route) ?? 0) + 1);
        throw new Error(`${route}: ${JSON.stringify(r.body).slice(0, 300)}`);
      }
      await sleep(20 * attempt + Math.random() * 20);
    }
  }

  as(p: Principal): Promise<string> {
    const key = JSON.stringify(p);
    let t = this.tokens.get(key);
    if (!t) {
      t = this.call<{ token: string }>("POST", "/dev/token", p).then((r) => r.token);
      this.tokens.set(key, t);
    }
    return t;
  }
}

interface World {
  api: Api;
  places: Place[];
  /** each community's admitted organisation (service proposals need an active one) */
  orgs: Map<string, string>;
  rules: Rules;
  thinkMs: number;
  /** no new write after this instant */
  until: () => number;
  rounds: { done: number; withdrawn: number; rejected: number; failed: number };
  errors: Map<string, number>;
}

/** One simulated user: a community champion who takes proposal after proposal through. */
async function user(w: World, u: number): Promise<void> {
  const place = w.places[u % w.places.length]!;
  const c = place.communityId;
  // a programme year of its own: ledgers and caps are per community-year
  const year = 2016 + (u % 80);
  const resident = (n: number): Principal => ({
    sub: `load-res-${u}-${n}`,
    roles: ["resident"],
    communityId: c,
    householdId: `hh-load-${u}-${n}`,
  });
  const staff: Principal = { sub: `load-staff-${c}`, roles: ["community_staff"], communityId: c };
  const org: Principal = {
    sub: `load-org-${u}`,
    roles: ["org"],
    communityId: c,
    orgId: w.orgs.get(c),
  };
  const street = (role: "street_staff" | "expert", n = 1): Principal => ({
    sub: `load-${role}-${place.streetId}-${n}`,
    roles: [role],
    districtId: place.districtId,
    streetId: place.streetId,
  });
  const district = (role: string): Principal => ({
    sub: `load-${role}-${place.districtId}`,
    roles: [role],
    districtId: place.districtId,
  });
  const { api, rules } = w;
  const allowed = (id: string) =>
    rules.categories.some((x) => x.id === id) &&
    (rules.categoryList.mode === "negative"
      ? !rules.categoryList.categories.includes(id)
      : rules.categoryList.categories.includes(id));
  const pick = (...prefs: string[]) =>
    prefs.find(allowed) ?? rules.categories.map((x) => x.id).find(allowed)!;
  const expertMode = rules.process?.expertReview ?? "all";
  const consent = rules.thresholds?.householdConsent?.required === true;

  const step = async () => {
    if (Date.now() >= w.until()) throw new Stopped();
    await sleep(Math.random() * 2 * w.thinkMs);
  };
  /** Polls until `probe` answers; a person refreshing the page every half second. */
  const until = async (probe: () => Promise<boolean>) => {
    const t = Date.now();
    for (;;) {
      if (await probe()) {
        api.stats.waits.push(Date.now() - t);
        return;
      }
      if (Date.now() - t > WAIT_MS) {
        api.stats.gaveUp++;
        throw new Error("gave up waiting for an event's effect");
      }
      await sleep(500);
    }
  };

  for (let round = 0; ; round++) {
    try {
      await step();
      const need = await api.call<{ id: string }>(
        "POST",
        "/v1/needs",
        {
          communityId: c,
          title: `负载需求 ${u}-${round}`,
          description: "居民反映",
          category: pick("safety"),
        },
        await api.as(resident(1)),
      );
      for (let n = 2; n < 2 + (round % 3); n++) {
        await step();
        await api.call(
          "POST",
          `/v1/needs/${need.id}/endorsements`,
          undefined,
          await api.as(resident(n)),
        );
      }
      await api.call("GET", `/v1/needs?communityId=${c}`, undefined, await api.as(resident(2)));

      await step();
      const service = round % 3 === 2;
      const budgetFen = 200_000 + Math.floor(Math.random() * 1_800_000);
      const proposal = await api.call<{ id: string }>(
        "POST",
        "/v1/proposals",
        {
          communityId: c,
          kind: service ? "service" : "works",
          category: service ? pick("elderly_care") : pick("safety", "old_estate_renovation"),
          title: `负载项目 ${u}-${round}`,
          summary: service ? "长者助餐服务" : "楼道照明改造",
          beneficiaries: 100,
          budgetFen,
          needIds: [need.id],
          year,
          ...(service ? { applicantOrgId: org.orgId } : {}),
        },
        await api.as(service ? org : resident(1)),
      );
      const id = proposal.id;
      const staffToken = await api.as(staff);
      if (round % 10 === 7) {
        await step();
        await api.call(
          "POST",
          `/v1/proposals/${id}/withdraw`,
          { reason: "与物业协商后自行整改" },
          await api.as(service ? org : resident(1)),
        );
        w.rounds.withdrawn++;
        continue;
      }
      await step();
      if (round % 10 === 3) {
        await api.call(
          "POST",
          `/v1/proposals/${id}/screening`,
          { decision: "reject", reason: "不属于民生微实事范围" },
          staffToken,
        );
        w.rounds.rejected++;
        continue;
      }
      await api.call(
        "POST",
        `/v1/proposals/${id}/screening`,
        { decision: "accept", needFit: 80 },
        staffToken,
      );
      await api.call("GET", `/v1/proposals/${id}`, undefined, staffToken);

      // deliberation knows the proposal once its inbox consumed ProposalScreened
      await until(async () => {
        const r = await api.request(
          "GET",
          `/v1/proposals/${id}/deliberation`,
          undefined,
          staffToken,
        );
        return r.status === 200;
      });
      await step();
      const members = [1, 2, 3].map((i) => ({
        sub: `load-council-${u}-${round}-${i}`,
        roles: ["council_member"],
        ...place,
      }));
      const meeting = await api.call<{ id: string }>(
        "POST",
        "/v1/meetings",
        {
          communityId: c,
          scheduledAt: new Date().toISOString(),
          memberIds: members.map((m) => m.sub),
          proposalIds: [id],
          proposalDetails: [
            {
              proposalId: id,
              urgency: 70,
              replicability: 60,
              ...(consent ? { affectedHouseholds: 3 } : {}),
            },
          ],
        },
        staffToken,
      );
      if (consent) {
        for (const n of [1, 2, 3]) {
          await step();
          await api.call(
            "POST",
            `/v1/proposals/${id}/consents`,
            { agree: true },
            await api.as(resident(n)),
          );
        }
      }
      await step();
      await api.call(
        "POST",
        `/v1/meetings/${meeting.id}/attendance`,
        { present: members.map((m) => m.sub) },
        staffToken,
      );
      // the members vote at the same time, as in the room
      await step();
      await Promise.all(
        members.map(async (m) =>
          api.call(
            "POST",
            `/v1/meetings/${meeting.id}/ballots`,
            { proposalId: id, choice: "yes" },
            await api.as(m),
          ),
        ),
      );
      await step();
      await api.call("POST", `/v1/meetings/${meeting.id}/close`, undefined, staffToken);

      if (expertMode === "all" || (expertMode === "works" && !service)) {
        for (const n of [1, 2]) {
          await step();
          await api.call(
            "POST",
            `/v1/proposals/${id}/expert-reviews`,
            { feasible: true, lawful: true, score: 80 + n, comment: "方案可行" },
            await api.as(street("expert", n)),
          );
        }
        await step();
        await api.call(
          "POST",
          `/v1/proposals/${id}/expert-decision`,
          { decision: "pass" },
          await api.as(street("street_staff")),
        );
      }

      // approval knows the proposal once its inbox consumed ProposalEndorsed (404 until then)
      await step();
      const streetToken = await api.as(street("street_staff"));
      await until(async () => {
        const r = await api.request("POST", `/v1/proposals/${id}/report`, undefined, streetToken);
        if (r.status === 404) return false;
        if (r.status !== 200) throw new Error(`report -> ${r.status} ${JSON.stringify(r.body)}`);
        return true;
      });
      await step();
      await api.call(
        "POST",
        `/v1/proposals/${id}/district-review`,
        { decision: "forward" },
        await api.as(district("district_civil")),
      );
      await step();
      await api.call(
        "POST",
        `/v1/proposals/${id}/approval`,
        { decision: "approve" },
        await api.as(district("district_group")),
      );
      await step();
      await api.call(
        "POST",
        `/v1/proposals/${id}/disbursements`,
        {
          amountFen: round % 2 ? budgetFen : Math.round(budgetFen * 0.4),
          reference: `财拨〔${year}〕${u}-${round}号`,
        },
        await api.as(district("district_finance")),
      );
      await api.call("GET", `/v1/proposals/${id}/timeline`, undefined, staffToken);
      await api.call("GET", `/v1/public/proposals?communityId=${c}`);
      w.rounds.done++;
    } catch (e) {
      if (e instanceof Stopped) return;
      w.rounds.failed++;
      const m = (e as Error).message.split(":")[0]!;
      w.errors.set(m, (w.errors.get(m) ?? 0) + 1);
      if (Date.now() >= w.until()) return;
      await sleep(500);
    }
  }
}

// ---------------------------------------------------------------- draining and reading

interface Outbox {
  id: string;
  type: string;
  correlationId: string;
  occurredAt: number;
  publishedAt?: number;
  pending: boolean;
  table: string;
}
interface Inbox {
  eventId: string;
  processedAt: number;
  table: string;
}

function dynamo(cloud: LocalCloud) {
  return new DynamoDBClient({
    endpoint: cloud.dynamodbEndpoint,
    region: cloud.city.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

function queueUrls(cloud: LocalCloud): { inboxes: string[]; dlqs: string[] } {
  const all = resourcesOfType(cloud.template, T.queue).map(([id]) => ({
    id,
    url: cloud.registry.ref(id) as string,
  }));
  return {
    inboxes: all.filter((q) => !/Dlq/i.test(q.id)).map((q) => q.url),
    dlqs: all.filter((q) => /Dlq/i.test(q.id)).map((q) => q.url),
  };
}

async function queued(sqs: SQSClient, urls: string[]): Promise<number> {
  let n = 0;
  for (const QueueUrl of urls) {
    const a = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    n +=
      Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }
  return n;
}

async function pendingOutbox(ddb: DynamoDBClient, tables: string[]): Promise<number> {
  let n = 0;
  for (const TableName of tables) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const r = await ddb.send(
        new QueryCommand({
          TableName,
          IndexName: "outbox",
          KeyConditionExpression: "outboxPending = :p",
          ExpressionAttributeValues: { ":p": { S: "PENDING" } },
          Select: "COUNT",
          ExclusiveStartKey: start,
        }),
      );
      n += r.Count ?? 0;
      start = r.LastEvaluatedKey;
    } while (start);
  }
  return n;
}

/** Waits until no outbox item is pending and every inbox queue is empty (or DRAIN_MS passed). */
async function drain(cloud: LocalCloud, ddb: DynamoDBClient, sqs: SQSClient) {
  const tables = Object.values(cloud.tables);
  const { inboxes } = queueUrls(cloud);
  const t = Date.now();
  let quietSince = 0;
  for (;;) {
    const pending = await pendingOutbox(ddb, tables);
    const inQueues = await queued(sqs, inboxes);
    if (pending === 0 && inQueues === 0) {
      quietSince ||= Date.now();
      // a consumer may still be committing the last batch it received
      if (Date.now() - quietSince >= 1_000) return { ms: Date.now() - t, pending, inQueues };
    } else quietSince = 0;
    if (Date.now() - t > DRAIN_MS) return { ms: Date.now() - t, pending, inQueues };
    await sleep(250);
  }
}

async function readTables(cloud: LocalCloud, ddb: DynamoDBClient) {
  const outbox = new Map<string, Outbox>();
  const inbox: Inbox[] = [];
  for (const [logicalId, TableName] of Object.entries(cloud.tables)) {
    const table = logicalId.replace(/Table.*$/, "");
    for await (const page of paginateScan(
      { client: ddb },
      {
        TableName,
        FilterExpression: "sk IN (:o, :i)",
        ExpressionAttributeValues: { ":o": { S: "OUTBOX" }, ":i": { S: "INBOX" } },
      },
    )) {
      for (const raw of page.Items ?? []) {
        const item = unmarshall(raw);
        if (item.sk === "OUTBOX") {
          const e = item.event as {
            id: string;
            type: string;
            occurredAt: string;
            correlationId: string;
          };
          outbox.set(e.id, {
            id: e.id,
            type: e.type,
            correlationId: e.correlationId,
            occurredAt: Date.parse(e.occurredAt),
            ...(item.publishedAt ? { publishedAt: Date.parse(item.publishedAt as string) } : {}),
            pending: item.outboxPending !== undefined,
            table,
          });
        } else {
          inbox.push({
            eventId: String(item.pk).slice("INBOX#".length),
            processedAt: Date.parse(item.processedAt as string),
            table,
          });
        }
      }
    }
  }
  return { outbox, inbox };
}

const dist = (xs: number[]) =>
  xs.length
    ? `p50 ${sec(percentile(xs, 50))}  p95 ${sec(percentile(xs, 95))}  p99 ${sec(percentile(xs, 99))}  max ${sec(Math.max(...xs))}  (n=${xs.length})`
    : "no samples";

/**
 * CPU time in clock ticks (Linux /proc; undefined elsewhere): the whole machine, this process
 * (gateway, fauxqs, pollers, function workers, users) and the cloud's DynamoDB Local. What is
 * left of the machine's busy time is someone else's: the figures are only comparable between
 * runs on an otherwise idle machine.
 */
function cpuTicks(
  dynamoPort: string,
): { busy: number; total: number; own: number; java: number } | undefined {
  const procTicks = (pid: string) => {
    try {
      // fields after the ")" closing the command name: utime and stime are the 12th and 13th
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  try {
    const n = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.reduce((a, b) => a + b, 0);
    let java = 0;
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (cmd.includes("DynamoDBLocal.jar") && cmd.includes(`-port\0${dynamoPort}\0`))
        java += procTicks(pid);
    }
    return { busy: total - idle, total, own: procTicks(String(process.pid)), java };
  } catch {
    return undefined;
  }
}

/** A GetItem every 200 ms during the load: how long DynamoDB Local takes to answer anything. */
function probeDynamo(ddb: DynamoDBClient, table: string) {
  const ms: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t = performance.now();
      await ddb.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: "PROBE" }, sk: { S: "PROBE" } } }),
      );
      ms.push(performance.now() - t);
      await sleep(200);
    }
  })();
  return {
    ms,
    stop: async () => {
      on = false;
      await loop;
    },
  };
}

// ---------------------------------------------------------------- the bench

/**
 * One active organisation per community, as the registry makes them: registered by the
 * community's staff, the public notice run out on the local clock (moved past it and back),
 * admitted by the district.
 */
async function admitOrgs(api: Api, places: Place[]): Promise<Map<string, string>> {
  const stamp = String(Date.now() % 1e7).padStart(7, "0");
  const registered = await Promise.all(
    places.map(async (p, i) => {
      const staff = await api.as({
        sub: `load-staff-${p.communityId}`,
        roles: ["community_staff"],
        communityId: p.communityId,
      });
      const r = await api.call<{ id: string; noticeEndsAt: string }>(
        "POST",
        "/v1/orgs",
        {
          name: `${p.communityId} 社工服务中心`,
          track: "registered",
          creditCode: creditCodeOf(`5244${stamp}${String(i).padStart(6, "0")}`),
          communityId: p.communityId,
          services: ["elderly_care"],
        },
        staff,
      );
      return { ...r, place: p };
    }),
  );
  const clock = await api.call<{ now: string }>("GET", "/dev/clock");
  const ends = Math.max(...registered.map((r) => Date.parse(r.noticeEndsAt)));
  const days = (ends - Date.parse(clock.now) + 60_000) / 86_400_000;
  await api.call("POST", "/dev/clock", { advanceDays: days });
  try {
    for (const r of registered) {
      const civil = await api.as({
        sub: `load-district_civil-${r.place.districtId}`,
        roles: ["district_civil"],
        districtId: r.place.districtId,
      });
      await api.call("POST", `/v1/orgs/${r.id}/review`, { decision: "admit" }, civil);
    }
  } finally {
    await api.call("POST", "/dev/clock", { advanceDays: -days });
  }
  return new Map(registered.map((r) => [r.place.communityId, r.id]));
}

export async function benchLoad(opts: LoadBenchOptions = {}): Promise<void> {
  const users = opts.users ?? 40;
  const seconds = opts.seconds ?? 30;
  const thinkMs = opts.thinkMs ?? 250;
  const log = opts.log ?? ((line: string) => console.log(line));
  log(
    `\n== Event path under load: ${users} users for ${seconds} s (think ${thinkMs} ms), schedules on ==`,
  );
  const sns = await watchSns();
  const t0 = performance.now();
  const cloud = await startLocalCloud({
    port: 0,
    schedules: true,
    demoData: false,
    quiet: true,
    throttling: opts.throttling ?? false,
  });
  const ddb = dynamo(cloud);
  const sqs = new SQSClient({
    endpoint: cloud.fauxqsEndpoint,
    region: cloud.city.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    log(`local cloud up in ${sec(performance.now() - t0)}`);
    const fns = watchFunctions(cloud);
    const stats = new HttpStats();
    const api = new Api(cloud.url, stats);
    const [geo, rules] = await Promise.all([
      api.call<{
        districts: { id: string; streets: { id: string; communities: { id: string }[] }[] }[];
      }>("GET", "/v1/geo"),
      api.call<Rules>("GET", "/v1/rules"),
    ]);
    const places = geo.districts.flatMap((d) =>
      d.streets.flatMap((s) =>
        s.communities.map((c) => ({ districtId: d.id, streetId: s.id, communityId: c.id })),
      ),
    );
    const orgs = await admitOrgs(api, places);
    const world = (until: number, n: number): World => ({
      api,
      places,
      orgs,
      rules,
      thinkMs: n === 1 ? 0 : thinkMs,
      until: () => until,
      rounds: { done: 0, withdrawn: 0, rejected: 0, failed: 0 },
      errors: new Map(),
    });

    // warm-up, not measured: every function loads its code, the JWKS is fetched
    const warm = world(Date.now() + 3_000, 1);
    await Promise.all(places.slice(0, 4).map((_, i) => user(warm, 1000 + i)));
    await drain(cloud, ddb, sqs);
    sns.reset();
    stats.ms.length = 0;
    stats.requests = 0;
    stats.byStatus.clear();
    stats.waits.length = 0;
    for (const f of fns.values())
      Object.assign(f, {
        invocations: 0,
        records: 0,
        failedRecords: 0,
        ms: [],
        maxInFlight: 0,
        toInvoke: [],
      });

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const probe = probeDynamo(ddb, Object.values(cloud.tables)[0]!);
    const dynamoPort = new URL(cloud.dynamodbEndpoint).port;
    const cpu0 = cpuTicks(dynamoPort);
    const start = Date.now();
    const end = start + seconds * 1000;
    const w = world(end, users);
    await Promise.all(Array.from({ length: users }, (_, u) => user(w, u)));
    const usersDone = Date.now();
    const cpu1 = cpuTicks(dynamoPort);
    await probe.stop();
    const drained = await drain(cloud, ddb, sqs);
    loop.disable();
    const { dlqs } = queueUrls(cloud);
    const inDlqs = await queued(sqs, dlqs);
    const { outbox, inbox } = await readTables(cloud, ddb);

    // ------------------------------------------------------------ figures
    const win = (t: number | undefined) => t !== undefined && t >= start && t < end;
    // the registry's admissions ran before the warm-up on a clock moved past their notice:
    // their events are stamped days ahead and are no part of the load
    const events = [...outbox.values()].filter(
      (e) => e.occurredAt >= start && e.occurredAt < Date.now() + 60_000,
    );
    const produced = events.filter((e) => win(e.occurredAt)).length;
    const relayed = [...outbox.values()].filter((e) => win(e.publishedAt)).length;
    const stillPending = events.filter((e) => e.pending).length;
    const lastPublished = Math.max(...events.map((e) => e.publishedAt ?? 0));
    const byId = new Map(events.map((e) => [e.id, e]));
    const lags: number[] = [];
    /** from the reply to the request that committed the event: a lower bound of the lag */
    const fromReply: number[] = [];
    /** occurredAt (taken when the request started) to that reply */
    const stampToReply: number[] = [];
    const relayLags: number[] = [];
    const deliveryLags: number[] = [];
    const perConsumer = new Map<string, number[]>();
    for (const r of inbox) {
      const e = byId.get(r.eventId);
      if (!e) continue;
      const lag = r.processedAt - e.occurredAt;
      lags.push(lag);
      const replied = stats.replied.get(e.correlationId);
      if (replied !== undefined) fromReply.push(r.processedAt - replied);
      const list = perConsumer.get(r.table) ?? [];
      list.push(lag);
      perConsumer.set(r.table, list);
      const first = sns.first.get(e.id);
      if (first !== undefined) deliveryLags.push(r.processedAt - first);
    }
    for (const e of events) {
      const replied = stats.replied.get(e.correlationId);
      if (replied !== undefined) stampToReply.push(replied - e.occurredAt);
      const first = sns.first.get(e.id);
      if (first !== undefined) relayLags.push(first - e.occurredAt);
    }
    const consumed = new Set(inbox.map((r) => r.eventId));
    const published = events.filter((e) => sns.first.has(e.id)).length;
    const duplicates = [...sns.times.values()].reduce((n, k) => n + (k - 1), 0);

    log(
      `\nusers: ${w.rounds.done} proposals carried to disbursement, ${w.rounds.withdrawn} withdrawn, ${w.rounds.rejected} rejected at screening, ${w.rounds.failed} rounds failed${w.errors.size ? ` (${[...w.errors].map(([k, v]) => `${v}x ${k}`).join("; ")})` : ""}`,
    );
    log(
      `http: ${stats.requests} requests (${[...stats.byStatus].map(([k, v]) => `${v} ${k}`).join(", ")}), ${fmt(stats.requests / seconds)} req/s, latency p50 ${fmt(percentile(stats.ms, 50))} ms p99 ${fmt(percentile(stats.ms, 99))} ms; waits for an event's effect: ${dist(stats.waits)}${stats.gaveUp ? `, ${stats.gaveUp} gave up after ${WAIT_MS / 1000} s` : ""}`,
    );
    log(
      `drain: users stopped ${sec(usersDone - end)} after the window; drained ${sec(drained.ms)} later${drained.pending || drained.inQueues ? ` NOT DRAINED: ${drained.pending} outbox items pending, ${drained.inQueues} messages queued` : ""}; last event relayed ${sec(lastPublished - end)} after the window; ${inDlqs} messages in DLQs`,
    );
    const cores = cpus().length;
    const share = (k: "busy" | "own" | "java") =>
      cpu0 && cpu1 ? ((cpu1[k] - cpu0[k]) / (cpu1.total - cpu0.total)) * cores : Number.NaN;
    const others = share("busy") - share("own") - share("java");
    log(
      `during the load, in cores of ${cores}: this process (gateway, fauxqs, pollers, functions, users) ${fmt(share("own"), 2)}, its DynamoDB Local ${fmt(share("java"), 2)}, other processes ${fmt(others, 2)}${others > 0.2 ? " (the machine was not idle: figures are not comparable)" : ""}, idle ${fmt(cores - share("busy"), 2)}`,
    );
    log(`DynamoDB Local, a GetItem every 200 ms: ${dist(probe.ms)}`);
    log(
      `main thread event-loop delay: p50 ${fmt(loop.percentile(50) / 1e6)} ms  p99 ${fmt(loop.percentile(99) / 1e6)} ms  max ${fmt(loop.max / 1e6)} ms`,
    );
    log("");
    log(
      `events produced: ${fmt(produced / seconds)}/s (${produced} outbox items with occurredAt in the ${seconds} s window)`,
    );
    log(
      `events relayed:  ${fmt(relayed / seconds)}/s (${relayed} with publishedAt in the window)   ratio ${fmt(relayed / Math.max(1, produced), 2)}   (goal: keeps up, ratio ~1)`,
    );
    log(
      `commit-to-consumer lag (inbox processedAt - occurredAt): ${dist(lags)}   (goal: p99 <= ${sec(GOAL_P99_MS)})`,
    );
    log(
      `  from the producer's reply instead (a lower bound; occurredAt is stamped when its request starts, ${stampToReply.length ? sec(percentile(stampToReply, 50)) : "n/a"} before the reply at p50): ${dist(fromReply)}`,
    );
    log(`  commit -> SNS (relay):      ${dist(relayLags)}`);
    log(`  SNS -> inbox (delivery):    ${dist(deliveryLags)}`);
    for (const [table, xs] of perConsumer) log(`  consumer ${table.padEnd(12)} ${dist(xs)}`);
    log(
      `SNS: ${sns.publishBatchCalls} PublishBatch calls for ${sns.publishBatchEntries} entries (${fmt(sns.publishBatchEntries / Math.max(1, sns.publishBatchCalls), 2)} per call; goal: up to 10), ${sns.publishCalls} single Publish; ${published} of ${events.length} events published, ${duplicates} published more than once; batch sizes ${[
        ...sns.sizes,
      ]
        .sort((a, b) => a[0] - b[0])
        .map(([k, v]) => `${k}:${v}`)
        .join(" ")}`,
    );
    log(
      `outbox: ${events.length} events since the start, ${stillPending} still pending (goal: 0), ${events.filter((e) => consumed.has(e.id)).length} consumed by at least one service (${inbox.filter((r) => byId.has(r.eventId)).length} inbox records)`,
    );

    log(
      "\nfunction                                  invocations  records  failed  duration p50     p99  max in flight",
    );
    for (const [id, f] of fns) {
      if (!f.invocations) continue;
      log(
        `${id.slice(0, 40).padEnd(40)} ${String(f.invocations).padStart(12)} ${String(f.records).padStart(8)} ${String(f.failedRecords).padStart(7)} ${fmt(percentile(f.ms, 50), 0).padStart(12)} ms ${fmt(percentile(f.ms, 99), 0).padStart(5)} ms ${String(f.maxInFlight).padStart(6)}`,
      );
    }
    const toInvoke = [...fns.values()].flatMap((f) => f.toInvoke);
    if (toInvoke.length) log(`stream records, commit -> relay invoked: ${dist(toInvoke)}`);

    // timeline: what happened in each 5 s bucket (produced by occurredAt, first reached SNS,
    // processed by a consumer) and how many events were waiting for SNS at its end
    const lastAt = Math.max(end, ...inbox.map((r) => r.processedAt), lastPublished);
    const buckets = Math.ceil((lastAt - start) / BUCKET_MS);
    const count = (xs: number[], b: number) =>
      xs.filter((t) => t >= start + b * BUCKET_MS && t < start + (b + 1) * BUCKET_MS).length;
    const occurred = events.map((e) => e.occurredAt);
    const firsts = events.flatMap((e) => (sns.first.has(e.id) ? [sns.first.get(e.id)!] : []));
    const processed = inbox.filter((r) => byId.has(r.eventId)).map((r) => r.processedAt);
    log("\n   t (s)  produced  to SNS  consumed  waiting for SNS at end");
    let waiting = 0;
    let skipped = false;
    for (let b = 0; b < buckets; b++) {
      const p = count(occurred, b);
      const s = count(firsts, b);
      const c = count(processed, b);
      waiting += p - s;
      // quiet stretches (a late redelivery after the drain) as one line
      if (!p && !s && !c && !waiting) {
        if (!skipped) log("     ...");
        skipped = true;
        continue;
      }
      skipped = false;
      log(
        `${String(b * (BUCKET_MS / 1000)).padStart(8)}  ${String(p).padStart(8)}  ${String(s).padStart(6)}  ${String(c).padStart(8)}  ${String(waiting).padStart(6)}`,
      );
    }
  } finally {
    ddb.destroy();
    sqs.destroy();
    await cloud.stop();
  }
}
