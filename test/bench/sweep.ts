/**
 * `npm run bench -- --only sweep`: the SLA sweep over 100,000 open timers of which 100 are due.
 *
 * Own DynamoDB Local (in-memory, `-sharedDb`, `@pencai/local`'s launcher), the approval table
 * created from the city stack's template (or, until the stack has one, from `ServiceTable` alone:
 * the same construct), loaded with timer items built by the domain (`startTimer`) and mapped by
 * the store (`timerItem`), so every key and index attribute is the real one.
 *
 * Measured (read-only, so every run sees the same 100 due; medians of runs in rotating order):
 * - the sweep's read path: `getWatermark`, `bucketsToSweep(watermark, now)`, `dueTimers` per
 *   bucket (steady state: the watermark a sweep a minute earlier left; and a first sweep without
 *   a watermark, which looks back 7 days);
 * - the floor: the 100 due items by key in one BatchGetItem;
 * - a naive sweep: Scan of the table with a filter; one run, since DynamoDB Local spends time in
 *   proportion to the table on every Scan request (~3 s at 100k items even with `Limit: 100`),
 *   so a full Scan takes minutes there (on AWS a Scan page costs what it reads; the items-read
 *   ratio is the figure that carries over).
 * Then the real handler runs once (it reminds or breaches the 100, writing outbox items).
 * Prints figures and ratios; asserts nothing.
 *
 * The scenario has a fixed clock (30 s after the end of a working day, when that day's
 * reminders and deadlines fall due), so the number of buckets and items does not depend on when
 * the bench runs; the handler sees it through the runtime clock offset.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { calendarsFrom, localDay, officialYears } from "@pencai/calendar";
import { type City, setCurrentCity } from "@pencai/config";
import { loadCity, repoRoot } from "@pencai/local/cloud";
import { startDynamoDbLocal } from "@pencai/local/dynamodb-local";
import { createTableInput, Registry } from "@pencai/local/resources";
import { synthesize } from "@pencai/local/synth";
import { type CfnTemplate, resourcesOfType, T } from "@pencai/local/template";
import { monotonicFactory } from "ulid";
import {
  breachAt,
  dueBucket,
  nextActionAt,
  startTimer,
} from "../../services/approval/src/domain/timers.js";
import type { SlaKind, Timer } from "../../services/approval/src/domain/types.js";
import { median } from "./bundles.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Wednesday 2026-09-16 24:00 Asia/Shanghai (a working day) + 30 s. */
const NOW = new Date("2026-09-16T16:00:30.000Z");

export interface SweepBenchOptions {
  timers?: number;
  due?: number;
  runs?: number;
  log?: (line: string) => void;
}

type Store = typeof import("../../services/approval/src/store.js");
type Runtime = typeof import("@pencai/runtime/clients");

/** DynamoDB calls seen through the runtime client while metering is on. */
class Meter {
  on = false;
  requests = 0;
  itemsRead = 0;
  capacity = 0;
  capacityReported = false;
  writes: Record<string, number> = {};
  reset() {
    this.requests = 0;
    this.itemsRead = 0;
    this.capacity = 0;
    this.capacityReported = false;
    this.writes = {};
  }
  wrote(item: Record<string, unknown> | undefined) {
    const pk = String(item?.pk ?? "?");
    const kind = pk.startsWith("PROPOSAL#")
      ? "timer"
      : pk.startsWith("OUTBOX#")
        ? "outbox"
        : pk === "SWEEPER"
          ? `sweeper ${String(item?.sk).toLowerCase()}`
          : pk.split("#")[0]!;
    this.writes[kind] = (this.writes[kind] ?? 0) + 1;
  }
}

// the client command names (the document client's commands run as these)
const READS = new Set(["QueryCommand", "ScanCommand", "GetItemCommand", "BatchGetItemCommand"]);

function instrument(ddb: Runtime["ddb"], meter: Meter) {
  ddb.middlewareStack.add(
    (next, ctx) => async (args) => {
      if (!meter.on) return next(args);
      const input = args.input as Record<string, unknown>;
      const read = READS.has(ctx.commandName ?? "");
      if (read) input.ReturnConsumedCapacity = "TOTAL";
      const res = await next(args);
      const out = res.output as Record<string, unknown>;
      meter.requests++;
      if (read) {
        if (ctx.commandName === "QueryCommand" || ctx.commandName === "ScanCommand")
          meter.itemsRead += Number(out.ScannedCount ?? out.Count ?? 0);
        else if (ctx.commandName === "GetItemCommand") meter.itemsRead += out.Item ? 1 : 0;
        else
          meter.itemsRead += Object.values(
            (out.Responses ?? {}) as Record<string, unknown[]>,
          ).reduce((n, items) => n + items.length, 0);
        const cc = out.ConsumedCapacity as
          | { CapacityUnits?: number }
          | { CapacityUnits?: number }[]
          | undefined;
        for (const c of Array.isArray(cc) ? cc : cc ? [cc] : []) {
          if (c.CapacityUnits !== undefined) {
            meter.capacity += c.CapacityUnits;
            meter.capacityReported = true;
          }
        }
      } else if (ctx.commandName === "TransactWriteItemsCommand") {
        const items = (input.TransactItems ?? []) as Record<
          string,
          { Item?: Record<string, unknown>; Key?: Record<string, unknown> }
        >[];
        for (const ti of items) {
          const op = Object.values(ti)[0];
          meter.wrote(op?.Item ?? op?.Key);
        }
      } else if (ctx.commandName === "PutItemCommand") {
        meter.wrote(input.Item as Record<string, unknown>);
      } else if (
        ctx.commandName === "UpdateItemCommand" ||
        ctx.commandName === "DeleteItemCommand"
      ) {
        meter.wrote(input.Key as Record<string, unknown>);
      }
      return res;
    },
    { step: "initialize", name: "benchSweepMeter" },
  );
}

/** The approval table's CreateTable input: from the city stack, else from ServiceTable alone. */
async function approvalTableInput(
  city: City,
): Promise<{ input: CreateTableCommandInput; source: string }> {
  const registryEnv = (stackName: string) => ({
    region: city.region,
    stackName,
    apiUrl: "http://127.0.0.1:9",
    fauxqsUrl: "http://127.0.0.1:9",
    jwtIssuer: "http://127.0.0.1:9",
    jwtAudience: "bench",
  });
  let why = "";
  try {
    const { template, stackName } = await synthesize(repoRoot, city);
    const found = resourcesOfType(template, T.table).find(([id]) => /^Approval/.test(id));
    if (found) {
      const reg = new Registry(template, registryEnv(stackName));
      return {
        input: createTableInput(reg, found[0], found[1]),
        source: `city stack template (${found[0]})`,
      };
    }
    why = "the city stack has no approval table yet";
  } catch (e) {
    why = `city stack synth failed: ${(e as Error).message.split("\n")[0]}`;
  }
  const { App, Stack } = await import("aws-cdk-lib");
  const { ServiceTable } = await import("../../infra/lib/service-table.js");
  const outdir = mkdtempSync(join(tmpdir(), "pencai-bench-synth-"));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new Stack(app, "SweepBench", { env: { region: city.region } });
    new ServiceTable(stack, "Approval", { city });
    const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
    const [id, r] = resourcesOfType(template, T.table)[0]!;
    const reg = new Registry(template, registryEnv(stack.stackName));
    return { input: createTableInput(reg, id, r), source: `ServiceTable construct (${why})` };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Population {
  timers: Timer[];
  due: Timer[];
  reminders: number;
  breaches: number;
}

/**
 * `n` open timers as the service would hold them at NOW: started over the last weeks (review
 * and disbursement, the city's working days), those whose reminder time passed already reminded
 * (a sweep a minute earlier did it); overdue ones are not open any more, so they are left out.
 * Exactly `due` have their next action in the last hour (60% reminders, 40% breaches).
 * `startTimer` runs once per kind and start day (its deadlines depend only on the Shanghai start
 * day; ~0.25 ms a call); each timer is that result with its own owner and start instant.
 */
function population(city: City, n: number, due: number): Population {
  const calendars = calendarsFrom(city.calendar);
  const communities = city.districts.flatMap((d) =>
    d.streets.flatMap((s) => s.communities.map((c) => ({ communityId: c.id, districtId: d.id }))),
  );
  const workingDays: Record<SlaKind, number> = {
    review: city.rules.sla.reviewWorkingDays,
    disbursement: city.rules.sla.disbursementWorkingDays,
    rectification: city.rules.sla.rectificationWorkingDays,
  };
  // start days back from today (Shanghai), enough to reach the oldest still-open timer
  const spanDays = (k: SlaKind) => Math.ceil((workingDays[k] + 4) * 1.5);
  const todayStart = Date.parse(`${localDay(NOW)}T00:00:00+08:00`);
  const byDay = new Map<string, Timer>();
  const newId = monotonicFactory();
  const wantReminders = Math.round(due * 0.6);
  const wantBreaches = due - wantReminders;
  const nowMs = NOW.getTime();
  const justNow = nowMs - HOUR;
  const timers: Timer[] = [];
  const dueTimers: Timer[] = [];
  let reminders = 0;
  let breaches = 0;
  let open = 0;
  let attempts = 0;
  while (open < n - due || reminders < wantReminders || breaches < wantBreaches) {
    if (++attempts > n * 50) throw new Error("cannot build the scenario (is NOW a working day?)");
    const kind: SlaKind = attempts % 3 === 0 ? "review" : "disbursement";
    const day = 1 + Math.floor(Math.random() * spanDays(kind));
    const dayStart = todayStart - day * DAY;
    let proto = byDay.get(`${kind}#${day}`);
    if (!proto) {
      proto = startTimer(
        { proposalId: "", communityId: "", districtId: "" },
        kind,
        new Date(dayStart + DAY / 2),
        workingDays[kind],
        calendars,
      );
      byDay.set(`${kind}#${day}`, proto);
    }
    const owner = communities[attempts % communities.length]!;
    let t: Timer = {
      ...proto,
      proposalId: newId(),
      ...owner,
      startedAt: new Date(dayStart + Math.floor(Math.random() * DAY)).toISOString(),
    };
    const reminderMs = Date.parse(t.reminderAt);
    if (reminderMs > nowMs) {
      if (open < n - due) {
        timers.push(t);
        open++;
      }
      continue;
    }
    if (reminderMs > justNow) {
      // the reminder fell due in the last hour (breach still ahead: the sweep reminds)
      if (Date.parse(breachAt(t)) > nowMs && reminders < wantReminders) {
        timers.push(t);
        dueTimers.push(t);
        reminders++;
      }
      continue;
    }
    // reminded by an earlier sweep, 30 s after its reminder time
    t = { ...t, remindedAt: new Date(reminderMs + 30_000).toISOString() };
    const breachMs = Date.parse(breachAt(t));
    if (breachMs > nowMs) {
      if (open < n - due) {
        timers.push(t);
        open++;
      }
    } else if (breachMs > justNow && breaches < wantBreaches) {
      timers.push(t);
      dueTimers.push(t);
      breaches++;
    }
    // else: overdue for more than an hour = breached by an earlier sweep, not open
  }
  return { timers, due: dueTimers, reminders, breaches };
}

/** Workers draining a queue of jobs. */
async function pool<T>(jobs: T[], workers: number, run: (job: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < jobs.length) await run(jobs[next++]!);
    }),
  );
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

export async function benchSweep(opts: SweepBenchOptions = {}): Promise<void> {
  const n = opts.timers ?? 100_000;
  const dueN = opts.due ?? 100;
  const runs = opts.runs ?? 15;
  const log = opts.log ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  log(`\n== SLA sweep: ${n.toLocaleString("en")} open timers, ${dueN} due ==`);

  const city = loadCity(process.env.PENCAI_CITY ?? "demo");
  setCurrentCity(city);
  const [ddbLocal, table] = await Promise.all([startDynamoDbLocal(), approvalTableInput(city)]);
  try {
    const tableName = table.input.TableName as string;
    Object.assign(process.env, {
      AWS_REGION: city.region,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      AWS_ENDPOINT_URL_DYNAMODB: ddbLocal.endpoint,
      TABLE_NAME: tableName,
      POWERTOOLS_SERVICE_NAME: "approval",
      POWERTOOLS_METRICS_NAMESPACE: "Pencai",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_TRACE_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
      CITY_ID: city.id,
    });
    // after the env: the runtime's client reads its endpoint from it
    const { ddb } = (await import("@pencai/runtime/clients")) as Runtime;
    const store = (await import("../../services/approval/src/store.js")) as Store;
    const { bucketsToSweep } = await import("../../services/approval/src/handlers/sweep.js");
    const meter = new Meter();
    instrument(ddb, meter);

    const admin = new DynamoDBClient({});
    await admin.send(new CreateTableCommand(table.input));
    admin.destroy();
    const gsis = (table.input.GlobalSecondaryIndexes ?? [])
      .map((g) => `${g.IndexName}(${g.KeySchema?.map((k) => k.AttributeName).join(",")})`)
      .join(" ");
    log(`table ${tableName} from the ${table.source}; GSIs ${gsis}`);
    log(
      `DynamoDB Local ${ddbLocal.endpoint} (in-memory, -sharedDb); started + table in ${fmt((performance.now() - t0) / 1000)} s`,
    );

    // ---------------------------------------------------------------- load (setup)
    let t = performance.now();
    const pop = population(city, n, dueN);
    const genS = (performance.now() - t) / 1000;
    const dueSet = new Set(pop.due);
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const x of pop.timers) {
      if (dueSet.has(x)) continue;
      const at = Date.parse(nextActionAt(x)!);
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
    const buckets = new Set(pop.timers.map((x) => dueBucket(nextActionAt(x)!)));
    log(
      `now = ${NOW.toISOString()} (fixed scenario clock); ${pop.reminders} reminders + ${pop.breaches} breaches due in bucket(s) ${[...new Set(pop.due.map((x) => dueBucket(nextActionAt(x)!)))].join(", ")}`,
    );
    log(
      `not due: next action ${fmt((first - NOW.getTime()) / DAY, 2)}..${fmt((last - NOW.getTime()) / DAY)} days ahead, ${buckets.size} hour buckets in gsi1 (timers fall due at 24:00 Shanghai of working days); built by startTimer in ${fmt(genS)} s`,
    );
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < pop.timers.length; i += 25)
      batches.push(pop.timers.slice(i, i + 25).map((x) => store.timerItem(x)));
    t = performance.now();
    let retries = 0;
    await pool(batches, 24, async (items) => {
      let requests = items.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length) {
        const out = await ddb.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (requests.length) retries++;
      }
    });
    // what the previous sweep (a minute ago, in the previous hour) left: its watermark and the
    // official calendar years it has seen (else the handler's first run checks every
    // provisional timer against every official year)
    const watermark = dueBucket(new Date(NOW.getTime() - HOUR));
    await store.advanceWatermark(store.newTx(), undefined, watermark).commit();
    await store.putOfficialYears(officialYears());
    const loadS = (performance.now() - t) / 1000;
    log(
      `load: ${pop.timers.length.toLocaleString("en")} items in ${batches.length} BatchWriteItem (24 in flight, ${retries} retries of unprocessed items) in ${fmt(loadS)} s = ${fmt(pop.timers.length / loadS, 0)} items/s (setup, not measured)`,
    );

    // ---------------------------------------------------------------- measured variants
    const dueKeys = pop.due.map((x) => store.keys.timer(x.proposalId, x.kind, x.round));
    const sweepRead = async (mark: { bucket: string } | undefined) => {
      const bs = bucketsToSweep(mark, NOW); // the handler's own rule
      let found = 0;
      for (const b of bs) found += (await store.dueTimers(b, NOW)).length;
      return found;
    };
    const iso = NOW.toISOString();
    const variants: {
      name: string;
      what: string;
      /** measured once (its metered run) instead of `runs` times */
      once?: boolean;
      run: () => Promise<number>;
    }[] = [
      {
        name: "a  sweep read path",
        what: `getWatermark + dueTimers over bucketsToSweep(watermark ${watermark}, now): ${bucketsToSweep({ bucket: watermark }, NOW).length} buckets`,
        run: async () => sweepRead(await store.getWatermark()),
      },
      {
        name: "a0 first sweep",
        what: `no watermark: dueTimers over ${bucketsToSweep(undefined, NOW).length} buckets (7-day lookback)`,
        run: () => sweepRead(undefined),
      },
      {
        name: "b  floor",
        what: `the ${dueN} due items by key, BatchGetItem`,
        run: async () => {
          let found = 0;
          for (let i = 0; i < dueKeys.length; i += 100) {
            let keys: Record<string, unknown>[] = dueKeys.slice(i, i + 100);
            while (keys.length) {
              const out = await ddb.send(
                new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }),
              );
              found += out.Responses?.[tableName]?.length ?? 0;
              keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
            }
          }
          return found;
        },
      },
      {
        name: "c  naive Scan",
        what: "Scan + FilterExpression (open, reminder or deadline passed)",
        once: true,
        run: async () => {
          let found = 0;
          let start: Record<string, unknown> | undefined;
          do {
            const out = await ddb.send(
              new ScanCommand({
                TableName: tableName,
                FilterExpression:
                  "entity = :timer AND #state = :open AND ((attribute_not_exists(remindedAt) AND reminderAt <= :now) OR dueAt < :now)",
                ExpressionAttributeNames: { "#state": "state" },
                ExpressionAttributeValues: { ":timer": "timer", ":open": "open", ":now": iso },
                ExclusiveStartKey: start,
              }),
            );
            found += out.Count ?? 0;
            start = out.LastEvaluatedKey;
          } while (start);
          return found;
        },
      },
    ];

    // one metered run each (items read, requests, capacity): the warm-up of the repeated
    // variants; the Scan's only run (DynamoDB Local spends O(table) on every Scan request, so
    // a full Scan of 100k items takes minutes there)
    const metered = new Map<
      string,
      { found: number; requests: number; read: number; rcu: string }
    >();
    const ms = new Map<string, number[]>(variants.map((v) => [v.name, []]));
    const meterRun = async (v: (typeof variants)[number]) => {
      meter.reset();
      meter.on = true;
      const s = performance.now();
      const found = await v.run();
      const took = performance.now() - s;
      meter.on = false;
      metered.set(v.name, {
        found,
        requests: meter.requests,
        read: meter.itemsRead,
        rcu: meter.capacityReported ? fmt(meter.capacity) : "n/a",
      });
      return took;
    };
    const repeated = variants.filter((v) => !v.once);
    for (const v of repeated) await meterRun(v);
    t = performance.now();
    for (let r = 0; r < runs; r++) {
      // rotate the order so drift and GC hit every variant alike
      for (let k = 0; k < repeated.length; k++) {
        const v = repeated[(r + k) % repeated.length]!;
        const s = performance.now();
        await v.run();
        ms.get(v.name)!.push(performance.now() - s);
      }
    }
    for (const v of variants.filter((x) => x.once)) {
      log(`${v.name.trim()}: one run (DynamoDB Local: ~3 min at 100k items)...`);
      ms.get(v.name)!.push(await meterRun(v));
    }
    const measureS = (performance.now() - t) / 1000;

    const floor = metered.get("b  floor")!;
    const floorMs = median(ms.get("b  floor")!);
    log(
      `\nvariant              found  requests  items read  ratio   RCU        median ms  ratio   runs`,
    );
    for (const v of variants) {
      const m = metered.get(v.name)!;
      const med = median(ms.get(v.name)!);
      log(
        `${v.name.padEnd(19)} ${String(m.found).padStart(6)}  ${String(m.requests).padStart(8)}  ${m.read.toLocaleString("en").padStart(10)}  ${fmt(m.read / floor.read, 2).padStart(7)}x  ${m.rcu.padStart(8)}  ${fmt(med, 2).padStart(10)}  ${fmt(med / floorMs, 2).padStart(7)}x  ${String(ms.get(v.name)!.length).padStart(4)}`,
      );
    }
    for (const v of variants) log(`  ${v.name}: ${v.what}`);
    log(
      `  items read = Query/Scan ScannedCount + items returned by Get/BatchGet (watermark included); RCU = ConsumedCapacity as DynamoDB Local reports it; measuring took ${fmt(measureS)} s`,
    );

    // ---------------------------------------------------------------- the real handler, once
    const { handler } = await import("../../services/approval/src/handlers/sweep.js");
    globalThis.__PENCAI_CLOCK_OFFSET_MS__ = NOW.getTime() - Date.now();
    meter.reset();
    meter.on = true;
    t = performance.now();
    const summary = await handler();
    const handlerMs = performance.now() - t;
    meter.on = false;
    globalThis.__PENCAI_CLOCK_OFFSET_MS__ = 0;
    const written = Object.entries(meter.writes)
      .map(([k, c]) => `${c} ${k}`)
      .join(" + ");
    const total = Object.values(meter.writes).reduce((a, b) => a + b, 0);
    log(
      `\nsweep handler, end to end: ${fmt(handlerMs, 0)} ms; ${JSON.stringify(summary)}; ${meter.requests} DynamoDB requests, ${meter.itemsRead} items read, ${total} items written (${written})`,
    );
    const pending = await ddb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: "outbox",
        KeyConditionExpression: "outboxPending = :p",
        ExpressionAttributeValues: { ":p": "PENDING" },
        Select: "COUNT",
      }),
    );
    const after = await sweepRead(await store.getWatermark());
    log(
      `after it: ${pending.Count} pending outbox items; a second sweep read path finds ${after} due (watermark ${(await store.getWatermark())?.bucket})`,
    );
    log(`sweep bench total ${fmt((performance.now() - t0) / 1000)} s`);
  } finally {
    await ddbLocal.stop();
  }
}
