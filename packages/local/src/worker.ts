/**
 * One Lambda function inside a `node:worker_threads` Worker (this file is bundled by
 * esbuild and runs as plain JavaScript; `data.entry` is the function's bundle): its own `process.env`
 * (the Worker `env` option), its own module instance, the city and clock offset as
 * globals. The parent sends `invoke` / `clock` messages; replies carry the result.
 */

import dns from "node:dns";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerData, WorkerReply, WorkerRequest } from "./functions.js";

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");

// fauxqs queue URLs are http://sqs.<region>.localhost:<port>/...; the SQS client sends
// requests to the QueueUrl host, so *.localhost must resolve (RFC 6761) in this thread.
const lookup = dns.lookup;
// biome-ignore lint/suspicious/noExplicitAny: dns.lookup has many overloads
(dns as any).lookup = (host: string, options: any, callback?: any) => {
  const cb = typeof options === "function" ? options : callback;
  const o = typeof options === "function" || typeof options === "number" ? {} : (options ?? {});
  if (typeof host === "string" && host.endsWith(".localhost")) {
    if (o.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
    else cb(null, "127.0.0.1", 4);
    return;
  }
  // biome-ignore lint/suspicious/noExplicitAny: pass through
  return (lookup as any)(host, options, callback);
};
process.setSourceMapsEnabled(true);

const g = globalThis as Record<string, unknown>;
g.__PENCAI_CITY__ = data.city;
g.__PENCAI_CLOCK_OFFSET_MS__ = data.clockOffsetMs;

const serializeError = (e: unknown) =>
  e instanceof Error
    ? { name: e.name, message: e.message, stack: e.stack ?? "" }
    : { name: "Error", message: String(e), stack: "" };

function send(msg: WorkerReply): void {
  try {
    port?.postMessage(msg);
  } catch {
    // not structured-cloneable: fall back to what Lambda does (JSON)
    port?.postMessage(JSON.parse(JSON.stringify(msg)));
  }
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;
try {
  const mod = (await import(pathToFileURL(data.entry).href)) as Record<string, unknown>;
  const fn = mod[data.handler];
  if (typeof fn !== "function")
    throw new Error(`${data.entry} does not export a function "${data.handler}"`);
  handler = fn as Handler;
  send({ t: "ready" });
} catch (e) {
  send({ t: "init-error", error: serializeError(e) });
  process.exit(1);
}

function context(requestId: string, deadline: number) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: data.functionArn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: `local/[$LATEST]${data.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

port.on("message", async (msg: WorkerRequest) => {
  if (msg.t === "clock") {
    g.__PENCAI_CLOCK_OFFSET_MS__ = msg.offsetMs;
    send({ t: "clock-ack", id: msg.id });
    return;
  }
  try {
    const value = await handler(msg.event, context(msg.requestId, msg.deadline));
    send({ t: "result", id: msg.id, ok: true, value });
  } catch (e) {
    send({ t: "result", id: msg.id, ok: false, error: serializeError(e) });
  }
});
