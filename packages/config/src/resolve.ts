import { CityConfigError, describeIssue } from "./errors.js";
import { presets } from "./presets.js";
import { type City, cityFileSchema, citySchema, type Rules, rulesSchema } from "./schema.js";

/**
 * Validate a city file and merge its preset's rules under the file's own
 * `rules` (objects merge key by key, arrays and scalars from the file win).
 * Throws CityConfigError naming every failing field.
 */
export function resolveCity(raw: unknown): City {
  const file = cityFileSchema.safeParse(raw);
  if (!file.success) throw new CityConfigError(file.error.issues.map((i) => describeIssue(i)));

  const { rules: overrides, ...city } = file.data;
  const merged = mergeDeep(structuredClone(presets[city.preset]), overrides ?? {});
  const rules = rulesSchema.safeParse(merged);
  if (!rules.success) {
    throw new CityConfigError(rules.error.issues.map((i) => describeIssue(i, ["rules"])));
  }
  return { ...city, rules: rules.data };
}

/** Check an already resolved city (e.g. one handed over by the local cloud). */
export function parseResolvedCity(raw: unknown): City {
  const city = citySchema.safeParse(raw);
  if (!city.success) throw new CityConfigError(city.error.issues.map((i) => describeIssue(i)));
  return city.data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeDeep(base: Rules, over: object): Rules;
function mergeDeep(base: Record<string, unknown>, over: object): Record<string, unknown>;
function mergeDeep(base: Record<string, unknown> | Rules, over: object): unknown {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(v) && isPlainObject(prev) ? mergeDeep(prev, v) : v;
  }
  return out;
}
