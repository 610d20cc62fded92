import { type LocalCloud, startLocalCloud } from "@pencai/local";
import { type CallOptions, type Claims, callAt, tokenAt } from "./http.js";

/**
 * A local cloud of its own for one city file (`infra/cities/<city>.json`), on a free port, for a
 * test file whose city's rules differ from the shared demo cloud's; no schedules, no demo data.
 */
export async function startCityCloud(city: string) {
  const cloud: LocalCloud = await startLocalCloud({
    city,
    port: 0,
    schedules: false,
    demoData: false,
    quiet: true,
    throttling: false,
  });
  return {
    cloud,
    // biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
    call: <T = any>(method: string, path: string, opts?: CallOptions) =>
      callAt<T>(cloud.url, method, path, opts),
    token: (claims: Claims) => tokenAt(cloud.url, claims),
  };
}
