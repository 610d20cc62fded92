import { isDomainError } from "@pencai/contracts/errors";

/**
 * Runs read-decide-commit again when it lost a race (409 `conflict`: a stale version or chain
 * head, or a DynamoDB TransactionConflict), a few times with jittered backoff; the last loss is
 * answered. The one retry loop of the HTTP runtime, the event consumer and the sweeps.
 */
export async function retrying<T>(attempt: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isDomainError(err, "conflict") || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i * (0.5 + Math.random())));
    }
  }
}
