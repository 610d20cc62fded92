/**
 * The subset of EventBridge / Lambda event-filtering patterns the local cloud needs to
 * honour `FilterCriteria` on event source mappings: nested objects, literal values,
 * `exists`, `prefix`, `suffix`, `anything-but`, `numeric` and `equals-ignore-case`.
 * A record is delivered when it matches any of the mapping's patterns.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

export function matchesAny(patterns: readonly unknown[], event: unknown): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, event));
}

export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObj(pattern))
    throw new Error(`filter pattern must be an object, got ${JSON.stringify(pattern)}`);
  for (const [key, p] of Object.entries(pattern)) {
    const v = isObj(event) ? event[key] : undefined;
    if (Array.isArray(p)) {
      if (!matchesValue(p, v)) return false;
    } else if (isObj(p)) {
      if (!matchesPattern(p, v)) return false;
    } else {
      throw new Error(`filter pattern value for "${key}" must be an array or object`);
    }
  }
  return true;
}

function matchesValue(conditions: unknown[], v: unknown): boolean {
  if (Array.isArray(v)) return v.some((x) => matchesValue(conditions, x));
  return conditions.some((c) => matchesCondition(c, v));
}

function matchesCondition(c: unknown, v: unknown): boolean {
  if (!isObj(c)) {
    if (v === undefined) return false;
    if (typeof c === "number") return typeof v === "number" ? v === c : Number(v) === c && v !== "";
    return v === c;
  }
  if ("exists" in c) return c.exists ? v !== undefined : v === undefined;
  if (v === undefined) return false;
  if ("prefix" in c) return typeof v === "string" && v.startsWith(String(c.prefix));
  if ("suffix" in c) return typeof v === "string" && v.endsWith(String(c.suffix));
  if ("equals-ignore-case" in c) {
    return (
      typeof v === "string" && v.toLowerCase() === String(c["equals-ignore-case"]).toLowerCase()
    );
  }
  if ("anything-but" in c) {
    const but = c["anything-but"];
    if (isObj(but)) return !matchesCondition(but, v);
    return !(Array.isArray(but) ? but : [but]).some((b) => matchesCondition(b, v));
  }
  if ("numeric" in c) {
    const n = typeof v === "number" ? v : Number(v);
    if (Number.isNaN(n)) return false;
    const ops = c.numeric as unknown[];
    for (let i = 0; i < ops.length; i += 2) {
      const op = ops[i];
      const x = Number(ops[i + 1]);
      const ok =
        op === "="
          ? n === x
          : op === "<"
            ? n < x
            : op === "<="
              ? n <= x
              : op === ">"
                ? n > x
                : op === ">="
                  ? n >= x
                  : false;
      if (!ok) return false;
    }
    return true;
  }
  throw new Error(`unsupported filter operator ${JSON.stringify(c)}`);
}
