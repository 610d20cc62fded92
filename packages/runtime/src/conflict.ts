import { ProblemError } from "./errors.js";

/** A concurrent writer changed what this request read; the handler re-reads and retries. */
export const stale = (what: string) =>
  new ProblemError("conflict", `${what} changed meanwhile; retry`);

/**
 * Runs read-decide-commit again when it lost a race (409 `conflict`: a stale version or a
 * DynamoDB TransactionConflict), a few times with jittered backoff; the last loss is answered.
 */
export async function retrying<T>(attempt: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ProblemError && err.code === "conflict") || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i * (0.5 + Math.random())));
    }
  }
}
