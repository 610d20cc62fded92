import type { FieldError } from "@pencai/contracts/errors";
import type * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini ships no messages ("Invalid input"); the English locale alone is ~3 KB minified. It is
// passed to each parse rather than set globally with z.config() at import: a side effect at import
// would be dropped by bundlers under `"sideEffects": false` (and would change every zod user).
const english = { error: en().localeError };

/** Parses `value`; on failure, the issues as `{path, message}` with English messages. */
export function parse<T = unknown>(
  schema: z.ZodMiniType<T>,
  value: unknown,
): { ok: true; value: T } | { ok: false; issues: FieldError[] } {
  const result = schema.safeParse(value, english);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({
      path: i.path.map(String).join("."),
      message: i.message,
    })),
  };
}

type Def = { type: string; innerType?: Schema; in?: Schema; element?: Schema; options?: Schema[] };
type Schema = { _zod: { def: Def } };

const NUMBER = /^-?(?:\d+|\d*\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Path and query values arrive as strings: turn each into what its schema expects (number,
 * boolean, or a comma-separated array) so route authors write plain `z.int()` schemas. Values
 * that do not look right are left as strings and fail validation with a clear message.
 */
export function coerceStrings(
  schema: z.ZodMiniObject,
  raw: Record<string, string | undefined> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!raw) return out;
  const shape = schema.shape as Record<string, Schema>;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const field = shape[name];
    out[name] = field ? coerce(field, value) : value;
  }
  return out;
}

function coerce(schema: Schema, value: string): unknown {
  const def = schema._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return coerce(def.innerType!, value);
    case "pipe":
      return coerce(def.in!, value);
    case "number":
      return NUMBER.test(value) ? Number(value) : value;
    case "bigint":
      return /^-?\d+$/.test(value) ? BigInt(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array":
      return value === "" ? [] : value.split(",").map((v) => coerce(def.element!, v));
    case "union": {
      for (const option of def.options ?? []) {
        const v = coerce(option, value);
        if (v !== value) return v;
      }
      return value;
    }
    default:
      return value;
  }
}

/** Validates `value`; issues are collected as `{path, message}` under `where` (body, query, params). */
export function validate(
  where: string,
  schema: z.ZodMiniType,
  value: unknown,
  errors: FieldError[],
): unknown {
  const result = parse(schema, value);
  if (result.ok) return result.value;
  for (const issue of result.issues) {
    errors.push({ path: issue.path ? `${where}.${issue.path}` : where, message: issue.message });
  }
  return undefined;
}
