import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { inject } from "vitest";

// The test recomputes JCS with the reference library itself, independent of our runtime.
const canonicalize = createRequire(import.meta.url)("canonicalize") as (v: unknown) => string;

/** Small helpers the end-to-end tests share: plain fetch against the local cloud. */
const baseUrl = () => inject("baseUrl");

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

/** A request to the shared local cloud (`inject("baseUrl")`). */
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
export function call<T = any>(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply<T>> {
  return callAt<T>(baseUrl(), method, path, opts);
}

/** A request to any local cloud, e.g. one a test file starts itself for another city. */
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
export async function callAt<T = any>(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface Claims {
  sub: string;
  roles: string[];
  districtId?: string;
  streetId?: string;
  communityId?: string;
  householdId?: string;
  orgId?: string;
  /** an admin or analyst acting for the whole city */
  cityWide?: boolean;
  /** `access` mints an access token (the API must refuse it) */
  tokenUse?: "id" | "access";
  /** claims signed exactly as given, to see the API refuse malformed tokens */
  raw?: Record<string, unknown>;
}

export function token(claims: Claims): Promise<string> {
  return tokenAt(baseUrl(), claims);
}

/** A token from any local cloud's `POST /dev/token`. */
export async function tokenAt(base: string, claims: Claims): Promise<string> {
  const r = await callAt<{ token: string }>(base, "POST", "/dev/token", { body: claims });
  if (r.status !== 200 && r.status !== 201) throw new Error(`dev token: ${r.status}`);
  return r.body.token;
}

export interface Geo {
  cityId: string;
  districts: {
    id: string;
    streets: { id: string; communities: { id: string; name: string }[] }[];
  }[];
}

/** Two communities of one street and one of another district, from GET /v1/geo. */
export async function places() {
  const geo = (await call<Geo>("GET", "/v1/geo")).body;
  const d0 = geo.districts[0]!;
  const d1 = geo.districts[1]!;
  const s0 = d0.streets[0]!;
  const c0 = s0.communities[0]!;
  const c1 = s0.communities[1] ?? d0.streets[1]!.communities[0]!;
  const far = d1.streets[0]!.communities[0]!;
  return {
    geo,
    home: { districtId: d0.id, streetId: s0.id, communityId: c0.id },
    neighbour: { districtId: d0.id, streetId: s0.id, communityId: c1.id },
    far: { districtId: d1.id, streetId: d1.streets[0]!.id, communityId: far.id },
  };
}

/** A category the city's list allows (negative list: any not listed; positive: a listed one). */
export async function allowedCategory(): Promise<string> {
  const rules = (await call("GET", "/v1/rules")).body;
  const listed: string[] = rules.categoryList.categories;
  const all: string[] = rules.categories.map((c: { id: string } | string) =>
    typeof c === "string" ? c : c.id,
  );
  const pick =
    rules.categoryList.mode === "positive" ? listed[0] : all.find((c) => !listed.includes(c));
  if (!pick) throw new Error("no allowed category in this city");
  return pick;
}

export async function forbiddenCategory(): Promise<string> {
  const rules = (await call("GET", "/v1/rules")).body;
  const listed: string[] = rules.categoryList.categories;
  const all: string[] = rules.categories.map((c: { id: string } | string) =>
    typeof c === "string" ? c : c.id,
  );
  const pick =
    rules.categoryList.mode === "negative" ? listed[0] : all.find((c) => !listed.includes(c));
  if (!pick) throw new Error("no forbidden category in this city");
  return pick;
}

/** Item counts of every local table (local-only `/dev/tables`). */
export async function tableCounts(): Promise<Record<string, number>> {
  const r = await call<{ tables: Record<string, { itemCount: number }> }>("GET", "/dev/tables");
  return Object.fromEntries(Object.entries(r.body.tables).map(([k, v]) => [k, v.itemCount]));
}

/**
 * Table counts once asynchronous event delivery has settled: unchanged for a full second
 * (polled every 200 ms, for at most 30 s).
 */
export async function quietTableCounts(): Promise<Record<string, number>> {
  let last = JSON.stringify(await tableCounts());
  let stableSince = Date.now();
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    const next = JSON.stringify(await tableCounts());
    if (next !== last) {
      last = next;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1_000) break;
  }
  return JSON.parse(last) as Record<string, number>;
}

let settled = false;

/**
 * Counts before one case of a bad-input matrix. The first case waits for the setup's events to
 * settle; after that nothing is in flight, since every case is meant to write nothing (a case
 * that does write fails its own assertion first).
 */
export async function countsBeforeCase(): Promise<Record<string, number>> {
  if (settled) return tableCounts();
  settled = true;
  return quietTableCounts();
}

/** A setup step wrote (events may be in flight): the next case waits for them to settle. */
export function tablesTouched(): void {
  settled = false;
}

/** Recomputes the timeline hash chain exactly as API.md defines it; returns the first broken seq. */
export function verifyChain(items: Record<string, unknown>[]): number | null {
  let prev: string | null = null;
  for (const [i, item] of items.entries()) {
    const { hash, ...rest } = item;
    if (rest.prevHash !== prev) return i;
    const expected = createHash("sha256")
      .update(`${prev ?? ""}${canonicalize(rest)}`, "utf8")
      .digest("hex");
    if (hash !== expected) return i;
    prev = hash as string;
  }
  return null;
}

export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  let last = await probe();
  while (!ok(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

export const currentYear = () =>
  Number(
    new Intl.DateTimeFormat("en", { year: "numeric", timeZone: "Asia/Shanghai" }).format(
      new Date(),
    ),
  );

export const sha256Hex = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/**
 * Years that one test file has to itself, for the files that check a whole district-year's
 * totals (stats, a sample's population, export sums). Every other file picks a year in
 * 2050–2094 from the clock, and two of those can meet; these never meet anything.
 */
export const ownYears = { oversight: 2095, oversightBadInput: 2096, exports: 2097 } as const;
