import type { Problem } from "@pencai/contracts/errors";
import type { RouteDef, RoutesById } from "@pencai/contracts/http";
import type * as z from "zod/mini";

type Input<S> = S extends z.ZodMiniType ? z.input<S> : never;
type Output<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

// One field of the call arguments: absent when the route has no such schema, optional when
// the schema accepts `undefined` or an empty object, required otherwise.
type Part<Name extends string, S> = [S] extends [z.ZodMiniType]
  ? undefined extends Input<S>
    ? { [K in Name]?: Input<S> }
    : Partial<Input<S>> extends Input<S>
      ? { [K in Name]?: Input<S> }
      : { [K in Name]: Input<S> }
  : { [K in Name]?: never };

type SchemaOf<R, K extends string> = R extends { [P in K]: infer S } ? S : undefined;

/** Arguments of one call, typed from the route's zod schemas. */
export type CallArgs<R extends RouteDef> = Part<"params", SchemaOf<R, "params">> &
  Part<"query", SchemaOf<R, "query">> &
  Part<"body", SchemaOf<R, "body">> & {
    /** Sent as `Idempotency-Key` (idempotent routes); a retry with the same key replays the first reply. */
    idempotencyKey?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** The reply body of a route. */
export type CallResult<R extends RouteDef> = Output<R["response"]>;

type ArgsParam<R extends RouteDef> =
  Partial<CallArgs<R>> extends CallArgs<R> ? [args?: CallArgs<R>] : [args: CallArgs<R>];

export interface ClientOptions<Routes> {
  /** The route definitions, e.g. `allRoutes` from `@pencai/contracts` (a list or a map). */
  routes: Routes;
  /** `https://api.example.gov.cn` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A bearer token, or a function returning the current one (refreshed tokens). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  fetch?: typeof fetch;
}

export interface Client<ById> {
  call<Op extends keyof ById & string>(
    operationId: Op,
    ...args: ArgsOf<ById[Op]>
  ): Promise<ResultOf<ById[Op]>>;
}

type ArgsOf<R> = R extends RouteDef ? ArgsParam<R> : never;
type ResultOf<R> = R extends RouteDef ? CallResult<R> : never;

/** An `application/problem+json` reply (or any other error reply), as a typed error. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors?: Problem["errors"];

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    if (problem.errors) this.errors = problem.errors;
  }
}

/** A typed client: `client.call("createProposal", { body, idempotencyKey })`. */
export function createClient<const Routes extends readonly RouteDef[] | Record<string, RouteDef>>(
  opts: ClientOptions<Routes>,
): Client<RoutesById<Routes>> {
  const byId = new Map<string, RouteDef>(
    (Array.isArray(opts.routes) ? opts.routes : Object.values(opts.routes)).map((r: RouteDef) => [
      r.operationId,
      r,
    ]),
  );
  const doFetch = opts.fetch ?? globalThis.fetch;
  const base = opts.baseUrl.replace(/\/+$/, "");

  return {
    async call(operationId: string, args: CallArgs<RouteDef> = {}) {
      const route = byId.get(operationId);
      if (!route) throw new Error(`unknown operation ${operationId}`);
      const a = args as {
        params?: Record<string, unknown>;
        query?: Record<string, unknown>;
        body?: unknown;
      };
      const url = base + expandPath(route.path, a.params ?? {}) + queryString(a.query ?? {});
      const token = typeof opts.token === "function" ? await opts.token() : opts.token;
      const headers: Record<string, string> = { accept: "application/json", ...args.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      if (args.idempotencyKey) headers["idempotency-key"] = args.idempotencyKey;
      if (a.body !== undefined) headers["content-type"] = "application/json";

      const res = await doFetch(url, {
        method: route.method,
        headers,
        ...(a.body !== undefined ? { body: JSON.stringify(a.body) } : {}),
        ...(args.signal ? { signal: args.signal } : {}),
      });
      const text = await res.text();
      const json = text === "" ? undefined : parseJson(text);
      if (!res.ok) throw new ApiProblem(asProblem(res.status, json));
      return json as never;
    },
  } as Client<RoutesById<Routes>>;
}

function expandPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === "")
      throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

function queryString(query: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(name, Array.isArray(value) ? value.map(String).join(",") : String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function asProblem(status: number, body: unknown): Problem {
  const p = (typeof body === "object" && body !== null ? body : {}) as Partial<Problem>;
  const code =
    typeof p.code === "string" ? p.code : status >= 500 ? "internal" : "unexpected_response";
  return {
    type: typeof p.type === "string" ? p.type : "about:blank",
    title: typeof p.title === "string" ? p.title : `HTTP ${status}`,
    status,
    code,
    detail:
      typeof p.detail === "string" ? p.detail : typeof body === "string" ? body.slice(0, 200) : "",
    ...(Array.isArray(p.errors) ? { errors: p.errors } : {}),
  };
}
