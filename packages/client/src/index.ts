/**
 * A typed client of the Pencai API: openapi-fetch over the types openapi-typescript generated
 * from the API's OpenAPI document (src/api.ts). What is added here: a bearer token from a
 * provider (so a refreshed token is used) and error replies as a typed `ApiProblem`.
 */
import createFetchClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";
import type { components, paths } from "./api.js";

export type { components, operations, paths } from "./api.js";

/** An `application/problem+json` reply (RFC 9457) with the API's stable `code`. */
export type Problem = components["schemas"]["Problem"];

/** The current bearer token (a Cognito ID token), or `undefined` to send none. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface PencaiClientOptions {
  /** The stack's `ApiUrl` output, e.g. `https://abc123.execute-api.cn-north-1.amazonaws.com.cn`. */
  baseUrl: string;
  /** A token, or a function asked before every request (so a refreshed token is used). */
  token?: string | TokenProvider;
  /** Another fetch (tests, a proxy); defaults to the global one. */
  fetch?: ClientOptions["fetch"];
  /** Headers sent with every request. */
  headers?: ClientOptions["headers"];
}

export type PencaiClient = Client<paths>;

/**
 * `const { data, error } = await api.GET("/v1/proposals", { params: { query: { mine: true } } })`:
 * every path, parameter, body and reply typed from the API's schemas.
 */
export function createPencaiClient(options: PencaiClientOptions): PencaiClient {
  const client = createFetchClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  if (options.token !== undefined) client.use(bearerToken(options.token));
  return client;
}

/** Middleware that sends `Authorization: Bearer <token>` when there is a token. */
export function bearerToken(token: string | TokenProvider): Middleware {
  return {
    async onRequest({ request }) {
      const current = typeof token === "function" ? await token() : token;
      if (current) request.headers.set("authorization", `Bearer ${current}`);
      return request;
    },
  };
}

/** An error reply as an error: the API's problem, or one made up for a reply that is not one. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  readonly type: string;
  readonly title: string;
  readonly status: number;
  /** Stable machine-readable code: `validation_failed`, `forbidden`, `budget_cap_exceeded`... */
  readonly code: string;
  readonly detail: string;
  readonly errors: Problem["errors"];

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors;
  }

  /**
   * From any error reply. API Gateway answers some requests itself (`{"message":"Unauthorized"}`
   * when the JWT authorizer refuses a token, 429 when throttled, 503), so a body that is not a
   * problem still gives one: `unauthenticated` for 401, `forbidden` for 403, `internal` for 5xx,
   * `unexpected_response` otherwise.
   */
  static from(status: number, body: unknown): ApiProblem {
    const p = (typeof body === "object" && body !== null ? body : {}) as Partial<Problem>;
    const message =
      typeof (body as { message?: unknown } | null)?.message === "string"
        ? (body as { message: string }).message
        : typeof body === "string"
          ? body.slice(0, 200)
          : "";
    const code =
      typeof p.code === "string"
        ? p.code
        : status === 401
          ? "unauthenticated"
          : status === 403
            ? "forbidden"
            : status >= 500
              ? "internal"
              : "unexpected_response";
    return new ApiProblem({
      type: typeof p.type === "string" ? p.type : "about:blank",
      title: typeof p.title === "string" ? p.title : `HTTP ${status}`,
      status,
      code,
      detail: typeof p.detail === "string" ? p.detail : message,
      ...(Array.isArray(p.errors) ? { errors: p.errors } : {}),
    } as Problem);
  }
}

/**
 * The reply's data, or an `ApiProblem` thrown for an error reply:
 * `const page = await data(api.GET("/v1/proposals", { params: { query: { mine: true } } }))`.
 */
export async function data<T>(
  reply: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data: value, error, response } = await reply;
  if (!response.ok) throw ApiProblem.from(response.status, error);
  return value as T;
}
