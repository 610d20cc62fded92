/**
 * A value built on first call, then kept. Schemas are built this way so that importing a route
 * costs nothing: a Lambda builds the schemas of the routes it serves when they are first
 * validated, and never the response schemas (only OpenAPI and the client read those).
 * Module-level `export const xSchema = /* @__PURE__ *\/ x()` copies keep the exported names for
 * tests and tools; bundlers drop them when unused.
 */
export function once<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
