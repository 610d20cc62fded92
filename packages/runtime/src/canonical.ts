import canonicalizeModule from "canonicalize";

// `canonicalize` is CommonJS (`module.exports = fn`) while its typings declare an ES default
// export, so under NodeNext TypeScript types the default import wrongly; at runtime it is the function.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON of a JSON value. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? "";
}
