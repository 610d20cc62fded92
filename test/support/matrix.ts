import { expect, it } from "vitest";
import { call, countsBeforeCase, tableCounts } from "./http.js";

/**
 * One case of a bad-input matrix: the request (built lazily, after setup), the status and
 * problem `code` it must get, and that it writes nothing (`/dev/tables` counts unchanged).
 */
export interface BadInputCase {
  name: string;
  method: string;
  path: () => string;
  token?: () => string | undefined;
  body?: () => unknown;
  raw?: string;
  headers?: () => Record<string, string>;
  status: number;
  code?: string;
  /** the local gateway's own 401 (API Gateway style `{message}`, not problem+json) */
  gateway?: boolean;
  /** a field error the problem's `errors[]` must name */
  errorPath?: string;
  /** only where the city's rules make this case an error */
  when?: () => boolean;
  /** extra read-only check after the request */
  also?: () => Promise<void>;
}

/** Sends a case and checks the reply; returns a description for assertion messages. */
export async function sendCase(c: BadInputCase): Promise<string> {
  const r = await call(c.method, c.path(), {
    token: c.token?.(),
    body: c.body?.(),
    raw: c.raw,
    headers: c.headers?.(),
  });
  const what = `${c.method} ${c.path().slice(0, 120)}: ${JSON.stringify(r.body).slice(0, 400)}`;
  expect(r.status, what).toBe(c.status);
  if (c.gateway) {
    // the gateway's JWT check (API Gateway's own body, not problem+json)
    expect(r.body, what).toEqual({ message: "Unauthorized" });
  } else {
    expect(r.headers.get("content-type"), what).toContain("application/problem+json");
    expect(r.body.status, what).toBe(c.status);
    expect(typeof r.body.title, what).toBe("string");
    expect(r.body.code, what).toBe(c.code);
  }
  if (c.errorPath) {
    expect(r.body.errors, what).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: c.errorPath })]),
    );
  }
  return what;
}

/** One test per case: the reply as the case says, and nothing written. */
export function badInputTests(cases: readonly BadInputCase[]): void {
  for (const c of cases) {
    it(`${c.name} -> ${c.status} ${c.code ?? "(gateway)"}, nothing written`, async ({ skip }) => {
      if (c.when && !c.when()) skip("not an error under this city's rules");
      const before = await countsBeforeCase();
      const what = await sendCase(c);
      await c.also?.();
      expect(await tableCounts(), what).toEqual(before);
    });
  }
}
