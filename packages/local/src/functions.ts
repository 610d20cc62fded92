/**
 * Lambda functions of the template, each in its own worker thread.
 *
 * Why workers: every service reads the same env var names (`TABLE_NAME`, ...) with
 * different values, usually at module load. One process-wide `process.env` cannot hold
 * two functions' values at once, so each function gets a Worker with its own `env`
 * and its own module instance. An invoke is one `postMessage` each way (~0.1-0.3 ms).
 * Entries are bundled first (bundle.ts), like NodejsFunction does for Lambda.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { bundleEntry } from "./bundle.js";

export interface FunctionSpec {
  /** logical id in the template */
  id: string;
  /** local function name (= `Ref`) */
  name: string;
  arn: string;
  /** absolute path of the TypeScript entry */
  entry: string;
  handler: string;
  job?: string;
  /** the complete environment of the function (resolved template vars + local overrides) */
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
}

export interface WorkerData {
  entry: string;
  handler: string;
  functionName: string;
  functionArn: string;
  memoryMb: number;
  city: unknown;
  clockOffsetMs: number;
}

export type WorkerRequest =
  | { t: "invoke"; id: number; event: unknown; requestId: string; deadline: number }
  | { t: "clock"; id: number; offsetMs: number };

export type SerializedError = { name: string; message: string; stack: string };

export type WorkerReply =
  | { t: "ready" }
  | { t: "init-error"; error: SerializedError }
  | { t: "clock-ack"; id: number }
  | { t: "result"; id: number; ok: true; value: unknown }
  | { t: "result"; id: number; ok: false; error: SerializedError };

/** An error thrown by the handler (or a timeout), re-created in the parent. */
export class FunctionError extends Error {
  constructor(
    readonly functionId: string,
    err: SerializedError,
    readonly kind: "handler" | "timeout" | "init" | "crash" = "handler",
  ) {
    super(`${functionId}: ${err.message}`);
    this.name = err.name;
    if (err.stack) this.stack = `${err.stack}\n    at (function ${functionId})`;
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer?: NodeJS.Timeout;
}

const workerSource = new URL("./worker.ts", import.meta.url);

export class LocalFunction {
  private worker?: Worker;
  private ready?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly shared: { city: unknown; clockOffsetMs: () => number; root: string },
  ) {}

  /** Start the worker and import the handler (the cold start). */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    this.ready = this.spawn();
    // keep the promise from being reported as unhandled when nobody awaits a crash
    this.ready.catch(() => {});
    return this.ready;
  }

  private async spawn(): Promise<void> {
    const { spec } = this;
    const [script, bundle] = await Promise.all([
      bundleEntry(fileURLToPath(workerSource), this.shared.root),
      bundleEntry(spec.entry, this.shared.root),
    ]);
    if (this.stopped) throw new Error(`${spec.id} is stopped`);
    const data: WorkerData = {
      entry: bundle,
      handler: spec.handler,
      functionName: spec.name,
      functionArn: spec.arn,
      memoryMb: spec.memoryMb,
      city: this.shared.city,
      clockOffsetMs: this.shared.clockOffsetMs(),
    };
    const worker = new Worker(script, {
      env: spec.env,
      workerData: data,
      execArgv: [],
      name: spec.id,
    });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (msg: WorkerReply) => {
        if (msg.t === "ready") resolve();
        else if (msg.t === "init-error") reject(new FunctionError(spec.id, msg.error, "init"));
        else this.settle(msg);
      });
      worker.on("error", (e) => {
        reject(e);
        this.crashed(worker, e);
      });
      worker.on("exit", (code) => {
        reject(new Error(`${spec.id}: worker exited with code ${code} during init`));
        this.crashed(worker, new Error(`worker exited with code ${code}`));
      });
    });
  }

  private settle(msg: WorkerReply): void {
    if (msg.t !== "result" && msg.t !== "clock-ack") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    if (msg.t === "clock-ack") p.resolve(undefined);
    else if (msg.ok) p.resolve(msg.value);
    else p.reject(new FunctionError(this.spec.id, msg.error));
  }

  private crashed(worker: Worker, e: Error): void {
    if (this.worker !== worker) return;
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(
        new FunctionError(
          this.spec.id,
          { name: "Runtime.ExitError", message: e.message, stack: e.stack ?? "" },
          "crash",
        ),
      );
      this.pending.delete(id);
    }
    // the next invoke starts a fresh worker (like a new Lambda container)
    this.worker = undefined;
    this.ready = undefined;
  }

  /** Invoke the handler with `event`; resolves with its result, rejects with {@link FunctionError}. */
  async invoke(event: unknown, opts: { requestId?: string } = {}): Promise<unknown> {
    if (this.stopped) throw new Error(`${this.spec.id} is stopped`);
    await this.start();
    const worker = this.worker as Worker;
    const id = this.nextId++;
    const deadline = Date.now() + this.spec.timeoutMs;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      p.timer = setTimeout(() => {
        this.pending.delete(id);
        const secs = (this.spec.timeoutMs / 1000).toFixed(2);
        reject(
          new FunctionError(
            this.spec.id,
            {
              name: "Sandbox.Timedout",
              message: `Task timed out after ${secs} seconds`,
              stack: "",
            },
            "timeout",
          ),
        );
      }, this.spec.timeoutMs);
      this.pending.set(id, p);
      const msg: WorkerRequest = {
        t: "invoke",
        id,
        event,
        requestId: opts.requestId ?? randomUUID(),
        deadline,
      };
      worker.postMessage(msg);
    });
  }

  /** Set the clock offset in the worker; resolves once the worker has applied it. */
  async setClock(offsetMs: number): Promise<void> {
    if (!this.worker) return; // a fresh worker reads the current offset at start
    await this.ready;
    const id = this.nextId++;
    await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker?.postMessage({ t: "clock", id, offsetMs } satisfies WorkerRequest);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) {
      w.removeAllListeners("exit");
      w.removeAllListeners("error");
      w.on("error", () => {});
      await w.terminate();
    }
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new Error(`${this.spec.id} stopped`));
    }
    this.pending.clear();
  }
}

/** Every function of the stack, by logical id. */
export class FunctionPool {
  readonly byId = new Map<string, LocalFunction>();
  private offsetMs = 0;
  private readonly city: unknown;

  constructor(
    specs: FunctionSpec[],
    opts: { city: unknown; root: string; clockOffsetMs?: number },
  ) {
    this.city = opts.city;
    this.offsetMs = opts.clockOffsetMs ?? 0;
    for (const s of specs) {
      this.byId.set(
        s.id,
        new LocalFunction(s, {
          city: opts.city,
          root: opts.root,
          clockOffsetMs: () => this.offsetMs,
        }),
      );
    }
  }

  get(id: string): LocalFunction {
    const f = this.byId.get(id);
    if (!f) throw new Error(`unknown function ${id}`);
    return f;
  }

  byJob(job: string): LocalFunction[] {
    return [...this.byId.values()].filter((f) => f.spec.job === job);
  }

  jobs(): string[] {
    return [
      ...new Set([...this.byId.values()].flatMap((f) => (f.spec.job ? [f.spec.job] : []))),
    ].sort();
  }

  startAll(): Promise<void> {
    return Promise.all([...this.byId.values()].map((f) => f.start())).then(() => undefined);
  }

  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** Broadcast a new clock offset to every worker and wait until all have it. */
  async setClock(offsetMs: number): Promise<void> {
    this.offsetMs = offsetMs;
    await Promise.all([...this.byId.values()].map((f) => f.setClock(offsetMs)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byId.values()].map((f) => f.stop()));
  }

  get cityValue(): unknown {
    return this.city;
  }
}
