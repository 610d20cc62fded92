import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/cloud.js";
import { FunctionError, FunctionPool, type FunctionSpec } from "../src/functions.js";

const spec = (id: string, table: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
  id,
  name: `fn-${id}`,
  arn: `arn:aws:lambda:ap-east-1:000000000000:function:fn-${id}`,
  entry: join(repoRoot, "packages/local/test/fixtures/echo.ts"),
  handler: "handler",
  env: { ...(process.env as Record<string, string>), TABLE_NAME: table },
  timeoutMs: 2000,
  memoryMb: 256,
  ...extra,
});

describe("functions in worker threads", () => {
  let pool: FunctionPool;
  beforeAll(async () => {
    pool = new FunctionPool(
      [
        spec("A", "table-a"),
        spec("B", "table-b"),
        spec("Noop", "x", { handler: "noop", job: "sweep" }),
        spec("Slow", "x", { timeoutMs: 200 }),
      ],
      { city: { id: "demo" }, root: repoRoot },
    );
    await pool.startAll();
  }, 60_000);
  afterAll(() => pool.stop());

  it("gives each function its own env, city and Lambda context, even when called concurrently", async () => {
    const calls = Array.from({ length: 20 }, (_, i) => pool.get(i % 2 ? "B" : "A").invoke({}));
    const results = (await Promise.all(calls)) as {
      table: string;
      tableAtLoad: string;
      city: string;
      functionName: string;
      remainingMs: number;
    }[];
    results.forEach((r, i) => {
      const t = i % 2 ? "table-b" : "table-a";
      expect(r).toMatchObject({
        table: t,
        tableAtLoad: t,
        city: "demo",
        functionName: i % 2 ? "fn-B" : "fn-A",
      });
      expect(r.remainingMs).toBeGreaterThan(0);
    });
  });

  it("broadcasts the clock offset to every worker", async () => {
    await pool.setClock(86_400_000);
    expect(await pool.get("A").invoke({})).toMatchObject({ offsetMs: 86_400_000 });
    expect(await pool.get("B").invoke({})).toMatchObject({ offsetMs: 86_400_000 });
    await pool.setClock(0);
  });

  it("reports handler errors, timeouts and crashes, and restarts a crashed worker", async () => {
    await expect(pool.get("A").invoke({ fail: "boom" })).rejects.toThrow(/A: boom/);
    const timeout = await pool
      .get("Slow")
      .invoke({ sleepMs: 1000 })
      .catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(FunctionError);
    expect((timeout as FunctionError).kind).toBe("timeout");
    const crash = await pool
      .get("B")
      .invoke({ exit: true })
      .catch((e: unknown) => e);
    expect((crash as FunctionError).kind).toBe("crash");
    expect(await pool.get("B").invoke({})).toMatchObject({ table: "table-b" });
  });

  it("finds functions by job", () => {
    expect(pool.byJob("sweep").map((f) => f.spec.id)).toEqual(["Noop"]);
    expect(pool.jobs()).toEqual(["sweep"]);
  });

  it("adds well under a millisecond per invoke", async () => {
    const f = pool.get("Noop");
    const event = { body: "x".repeat(1000), headers: { a: "b" } };
    for (let i = 0; i < 200; i++) await f.invoke(event);
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f.invoke(event);
    const perCallUs = ((performance.now() - t0) / n) * 1000;
    console.log(
      `worker invoke round trip: ${perCallUs.toFixed(0)} µs per call (sequential, 1 KB event)`,
    );
    expect(perCallUs).toBeLessThan(1000);
  });
});
