/**
 * The client must describe the API the handlers serve. Two checks:
 * - the committed openapi.json and src/api.ts are what the contracts generate today (a contract
 *   changed without `npm run generate -w @pencai/client` fails here);
 * - at the type level (`npm run typecheck`), for every route of `allRoutes`, the client's body,
 *   query, path parameters and success reply are the zod schemas' input and output types,
 *   each assignable to the other.
 */
import { readFileSync } from "node:fs";
import type { allRoutes } from "@pencai/contracts";
import type { In, Out } from "@pencai/contracts/http";
import { describe, expect, expectTypeOf, it } from "vitest";
import { generate, generatedFiles } from "../scripts/generate.js";
import type { paths } from "../src/api.js";

describe("generated files", () => {
  it("are what the contracts generate now (else: npm run generate -w @pencai/client)", async () => {
    const fresh = await generate();
    // one assertion per file, so a failure names the file that is stale
    expect(readFileSync(generatedFiles.openapi, "utf8") === fresh.openapi, "openapi.json").toBe(
      true,
    );
    expect(readFileSync(generatedFiles.types, "utf8") === fresh.types, "src/api.ts").toBe(true);
  });

  it("document every route of the contracts, and no local /dev/ helper", () => {
    const doc = JSON.parse(readFileSync(generatedFiles.openapi, "utf8")) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const documented = Object.values(doc.paths).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    expect(documented.length).toBeGreaterThan(60);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/dev"))).toEqual([]);
  });
});

// ------------------------------------------------------------------ type level

type Route = (typeof allRoutes)[number];
type Operation<R extends Route> = paths[R["path"]][Lowercase<R["method"]> & keyof paths[R["path"]]];
type Schema<R, K extends string> = R extends { [P in K]: infer S } ? S : undefined;

type Json<T> = T extends { content: { "application/json": infer B } } ? B : undefined;
type Present<T> = [NonNullable<T>] extends [never] ? undefined : NonNullable<T>;
type Body<O> = O extends { requestBody: infer B }
  ? Json<B>
  : O extends { requestBody?: infer B }
    ? Json<B> | undefined
    : undefined;
type Query<O> = O extends { parameters: { query?: infer Q } } ? Present<Q> : undefined;
type PathParams<O> = O extends { parameters: { path?: infer P } } ? Present<P> : undefined;
type Reply<O, S extends number> = O extends {
  responses: { [K in S]: { content: { "application/json": infer B } } };
}
  ? B
  : undefined;

/** `never` when each is assignable to the other; otherwise which way fails. */
type Differ<Client, Server, Name extends string> = [Client] extends [Server]
  ? [Server] extends [Client]
    ? never
    : `${Name}: the server's type is wider`
  : `${Name}: the client's type is wider`;

type Drift<R extends Route> =
  | Differ<Body<Operation<R>>, In<Schema<R, "body">>, `${R["operationId"]} body`>
  | Differ<Query<Operation<R>>, In<Schema<R, "query">>, `${R["operationId"]} query`>
  | Differ<PathParams<Operation<R>>, In<Schema<R, "params">>, `${R["operationId"]} params`>
  | Differ<Reply<Operation<R>, R["status"]>, Out<R["response"]>, `${R["operationId"]} reply`>;

type AllDrift = Route extends infer R ? (R extends Route ? Drift<R> : never) : never;

/**
 * openapi-typescript ignores JSON Schema's `propertyNames`, so a zod record keyed by an enum
 * (`byStatus`, `sla` of the stats) becomes a string index: wider than the server's type, and
 * still safe to read (an index may be absent). Nothing else may differ.
 */
type Known =
  | "getStats reply: the client's type is wider"
  | "getPublicStats reply: the client's type is wider";

/** Compiles only when `T` is `never`; the error names what `T` is. */
const none = <T extends never>(): T[] => [];

describe("client types against the contracts' zod types", () => {
  it("agree for every route's body, query, path parameters and reply", () => {
    // a drift fails the typecheck with its name: '"createNeed body: the server's type is wider"'
    // does not satisfy the constraint 'never'
    none<Exclude<AllDrift, Known>>();
    // a known difference that went away is taken off the list
    expectTypeOf<Extract<AllDrift, Known>>().toEqualTypeOf<Known>();
  });

  it("would notice a difference (the check itself can fail)", () => {
    expectTypeOf<
      Differ<{ title: string }, { title: string; budgetFen: number }, "x body">
    >().toEqualTypeOf<"x body: the client's type is wider">();
    expectTypeOf<
      Differ<{ status: "a" }, { status: "a" | "b" }, "x reply">
    >().toEqualTypeOf<"x reply: the server's type is wider">();
  });
});
