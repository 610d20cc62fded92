/**
 * Endpoints the local gateway serves itself (never in the template, never deployed):
 * `/health`, `/openapi.json`, `/.well-known/jwks.json` and the `/dev/` helpers.
 */
import { roles, SUBJECT_PATTERN } from "@pencai/contracts/roles";
import type { HttpResult } from "./apigw.js";
import type { LocalIssuer, SignOptions } from "./keys.js";

export interface DevContext {
  issuer: LocalIssuer;
  openapi(): object;
  clock: { offsetMs(): number; set(offsetMs: number): Promise<void> };
  jobs: {
    names(): string[];
    /** run every function of the job; undefined when no function has that job */
    run(
      job: string,
    ): Promise<
      | { ran: string[]; results: unknown[]; errors: { functionId: string; message: string }[] }
      | undefined
    >;
  };
  pollers: {
    paused(): boolean;
    setPaused(paused: boolean): void;
    dropping(): boolean;
    setDropping(drop: boolean): void;
  };
  /** exact item count of every table (Scan COUNT) */
  tables(): Promise<Record<string, { logicalId: string; itemCount: number }>>;
  /** ID-token claims by user name, from `npm start -- --users <file.csv>` */
  users?: ReadonlyMap<string, Record<string, unknown> & { sub: string }>;
  /** where the emulators listen (npm run query finds the exports there) */
  endpoints: { dynamodb: string; fauxqs: string };
}

const ok = (body: unknown, status = 200): HttpResult => ({
  status,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(body)),
});

type Issue = { path: string; message: string };

function invalid(detail: string, errors: Issue[] = []): HttpResult {
  return {
    status: 400,
    headers: { "content-type": "application/problem+json" },
    body: Buffer.from(
      JSON.stringify({
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        code: "validation_failed",
        detail,
        ...(errors.length ? { errors } : {}),
      }),
    ),
  };
}

function parseJson(body: Buffer): { value: unknown } | { error: HttpResult } {
  try {
    return { value: body.length ? JSON.parse(body.toString("utf8")) : undefined };
  } catch {
    return { error: invalid("request body is not valid JSON") };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const CLAIMS = ["districtId", "streetId", "communityId", "householdId", "orgId"] as const;

/**
 * Validate a `/dev/token` body; returns the claims to sign (and how) or the issues. Besides the
 * claims, `tokenUse: "access"` mints an access token and `raw` adds claims signed exactly as
 * given (`exp: null` / `iat: null` leave them out): tests use both to see the API refuse them.
 */
export function validateTokenRequest(
  v: unknown,
):
  | { claims: Record<string, unknown> & { sub: string }; options: SignOptions }
  | { issues: Issue[] } {
  if (!isObject(v)) return { issues: [{ path: "", message: "expected a JSON object" }] };
  const issues: Issue[] = [];
  const known = new Set<string>(["sub", "roles", "cityWide", "tokenUse", "raw", ...CLAIMS]);
  for (const k of Object.keys(v))
    if (!known.has(k)) issues.push({ path: k, message: "unknown field" });
  if (typeof v.sub !== "string" || !SUBJECT_PATTERN.test(v.sub)) {
    issues.push({
      path: "sub",
      message: "must be a user id: letters, digits and . _ : @ - (≤ 128 chars)",
    });
  }
  const roleList = roles as readonly string[];
  if (!Array.isArray(v.roles) || v.roles.length === 0) {
    issues.push({ path: "roles", message: `must be a non-empty array of: ${roleList.join(", ")}` });
  } else {
    v.roles.forEach((r, i) => {
      if (typeof r !== "string" || !roleList.includes(r)) {
        issues.push({ path: `roles.${i}`, message: `unknown role ${JSON.stringify(r)}` });
      }
    });
  }
  for (const c of CLAIMS) {
    const x = v[c];
    if (x !== undefined && (typeof x !== "string" || x === "" || x.length > 64)) {
      issues.push({ path: c, message: "must be a non-empty string (≤ 64 chars)" });
    }
  }
  if (v.cityWide !== undefined && typeof v.cityWide !== "boolean") {
    issues.push({ path: "cityWide", message: "must be true or false" });
  }
  if (v.tokenUse !== undefined && v.tokenUse !== "id" && v.tokenUse !== "access") {
    issues.push({ path: "tokenUse", message: "must be id or access" });
  }
  if (v.raw !== undefined && !isObject(v.raw)) {
    issues.push({ path: "raw", message: "must be an object of claims" });
  }
  if (issues.length) return { issues };
  const claims: Record<string, unknown> & { sub: string } = {
    sub: v.sub as string,
    roles: [...new Set(v.roles as string[])],
  };
  for (const c of CLAIMS) if (v[c] !== undefined) claims[c] = v[c];
  if (v.cityWide !== undefined) claims.cityWide = v.cityWide;
  const options: SignOptions = {
    ...(v.tokenUse !== undefined && { tokenUse: v.tokenUse as "id" | "access" }),
    ...(v.raw !== undefined && { raw: v.raw as Record<string, unknown> }),
  };
  return { claims, options };
}

/**
 * A `/dev/token` body naming a user of the `--users` file: `{"user": "<username>"}` mints the
 * ID token Cognito would issue that person (groups and `custom:` claims as the file gives them).
 */
export function userTokenRequest(
  v: Record<string, unknown>,
  users: DevContext["users"],
): { claims: Record<string, unknown> & { sub: string } } | { issues: Issue[] } {
  const extra = Object.keys(v).filter((k) => k !== "user");
  if (extra.length)
    return { issues: extra.map((path) => ({ path, message: "not allowed with user" })) };
  if (!users?.size)
    return {
      issues: [{ path: "user", message: "no users loaded: npm start -- --users <file.csv>" }],
    };
  const claims = typeof v.user === "string" ? users.get(v.user) : undefined;
  if (!claims)
    return {
      issues: [{ path: "user", message: `unknown user; known: ${[...users.keys()].join(", ")}` }],
    };
  return { claims: { ...claims } };
}

/** New clock offset from a `/dev/clock` body, or the issues. */
export function clockOffsetFrom(
  v: unknown,
  current: number,
  realNow = Date.now(),
): { offsetMs: number } | { issues: Issue[] } {
  if (!isObject(v)) return { issues: [{ path: "", message: "expected {now} or {advanceDays}" }] };
  const hasNow = v.now !== undefined;
  const hasAdvance = v.advanceDays !== undefined;
  if (hasNow === hasAdvance)
    return { issues: [{ path: "", message: "give exactly one of now, advanceDays" }] };
  if (hasNow) {
    const t =
      typeof v.now === "string" && /^\d{4}-\d{2}-\d{2}/.test(v.now)
        ? Date.parse(v.now)
        : Number.NaN;
    if (Number.isNaN(t))
      return { issues: [{ path: "now", message: "must be an ISO-8601 date-time" }] };
    return { offsetMs: t - realNow };
  }
  const d = v.advanceDays;
  if (typeof d !== "number" || !Number.isFinite(d) || Math.abs(d) > 3650) {
    return {
      issues: [{ path: "advanceDays", message: "must be a number of days (|days| ≤ 3650)" }],
    };
  }
  return { offsetMs: current + Math.round(d * 86_400_000) };
}

export const LOCAL_PATHS = ["/health", "/openapi.json", "/.well-known/jwks.json", "/dev/"];

export function isLocalPath(path: string): boolean {
  return LOCAL_PATHS.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p));
}

/** Answer a local endpoint; undefined when `path` is not one. */
export async function handleLocal(
  ctx: DevContext,
  req: { method: string; path: string; body: Buffer },
): Promise<HttpResult | undefined> {
  const { method, path } = req;
  const route = `${method} ${path}`;
  if (route === "GET /health") return ok({ status: "ok" });
  if (route === "GET /openapi.json") return ok(ctx.openapi());
  if (route === "GET /.well-known/jwks.json") return ok(ctx.issuer.jwks);

  if (route === "POST /dev/token") {
    const parsed = parseJson(req.body);
    if ("error" in parsed) return parsed.error;
    if (isObject(parsed.value) && "user" in parsed.value) {
      const u = userTokenRequest(parsed.value, ctx.users);
      if ("issues" in u) return invalid("invalid token request", u.issues);
      return ok({ token: await ctx.issuer.sign(u.claims, Date.now() + ctx.clock.offsetMs()) });
    }
    const r = validateTokenRequest(parsed.value);
    if ("issues" in r) return invalid("invalid token request", r.issues);
    return ok({
      token: await ctx.issuer.sign(r.claims, Date.now() + ctx.clock.offsetMs(), r.options),
    });
  }

  if (route === "POST /dev/clock") {
    const parsed = parseJson(req.body);
    if ("error" in parsed) return parsed.error;
    const r = clockOffsetFrom(parsed.value, ctx.clock.offsetMs());
    if ("issues" in r) return invalid("invalid clock request", r.issues);
    await ctx.clock.set(r.offsetMs);
    return ok({ now: new Date(Date.now() + r.offsetMs).toISOString(), offsetMs: r.offsetMs });
  }
  if (route === "GET /dev/clock") {
    return ok({
      now: new Date(Date.now() + ctx.clock.offsetMs()).toISOString(),
      offsetMs: ctx.clock.offsetMs(),
    });
  }

  const run = /^\/dev\/run\/([^/]+)$/.exec(path);
  if (run && method === "POST") {
    const job = decodeURIComponent(run[1] as string);
    const out = await ctx.jobs.run(job);
    if (!out) {
      return ok({ message: `unknown job ${JSON.stringify(job)}`, jobs: ctx.jobs.names() }, 404);
    }
    return ok({ job, ...out }, out.errors.length ? 500 : 200);
  }

  if (route === "POST /dev/pollers") {
    const parsed = parseJson(req.body);
    if ("error" in parsed) return parsed.error;
    const v = parsed.value;
    const flags = ["paused", "dropStreamRecords"] as const;
    if (
      !isObject(v) ||
      !flags.some((f) => v[f] !== undefined) ||
      flags.some((f) => v[f] !== undefined && typeof v[f] !== "boolean") ||
      Object.keys(v).some((k) => !(flags as readonly string[]).includes(k))
    ) {
      return invalid("expected {paused?: boolean, dropStreamRecords?: boolean}", [
        { path: "", message: "give paused and/or dropStreamRecords as booleans" },
      ]);
    }
    if (typeof v.paused === "boolean") ctx.pollers.setPaused(v.paused);
    if (typeof v.dropStreamRecords === "boolean") ctx.pollers.setDropping(v.dropStreamRecords);
    return ok({ paused: ctx.pollers.paused(), dropStreamRecords: ctx.pollers.dropping() });
  }
  if (route === "GET /dev/pollers") {
    return ok({ paused: ctx.pollers.paused(), dropStreamRecords: ctx.pollers.dropping() });
  }
  if (route === "GET /dev/tables") return ok({ tables: await ctx.tables() });
  if (route === "GET /dev/endpoints") return ok(ctx.endpoints);

  if (isLocalPath(path)) return ok({ message: "Not Found" }, 404);
  return undefined;
}
