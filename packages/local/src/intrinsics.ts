/**
 * A small CloudFormation intrinsic-function resolver: turns `Ref`, `Fn::GetAtt`,
 * `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split` into the local values
 * (table names, queue URLs, topic ARNs ...) of the resources the local cloud created.
 * Anything else is an error that names the resource and the property being resolved.
 */

export interface ResolveContext {
  /** Value of `Ref` for a logical id or pseudo parameter; undefined when unknown. */
  ref(logicalId: string): string | undefined;
  /** Value of `Fn::GetAtt` (logical id, attribute); undefined when unknown. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

export class IntrinsicError extends Error {
  override name = "IntrinsicError";
}

const NO_VALUE = Symbol("AWS::NoValue");

/**
 * Resolve every intrinsic inside `value`. `where` names what is being resolved
 * (e.g. `IntakeApiFn Environment.Variables.TABLE_NAME`) and appears in errors.
 */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext, where: string): unknown {
  const out = walk(value, ctx, where);
  return out === NO_VALUE ? undefined : out;
}

/** Like {@link resolveIntrinsics} but the result must be a string. */
export function resolveString(value: unknown, ctx: ResolveContext, where: string): string {
  const out = resolveIntrinsics(value, ctx, where);
  if (typeof out === "string") return out;
  if (typeof out === "number" || typeof out === "boolean") return String(out);
  throw new IntrinsicError(`${where}: expected a string, got ${JSON.stringify(out)}`);
}

function walk(value: unknown, ctx: ResolveContext, where: string): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => walk(v, ctx, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first && isIntrinsicKey(first[0])) {
    return intrinsic(first[0], first[1], ctx, where);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const r = walk(v, ctx, `${where}.${k}`);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function isIntrinsicKey(key: string): boolean {
  return key === "Ref" || key === "Condition" || key.startsWith("Fn::");
}

function intrinsic(fn: string, arg: unknown, ctx: ResolveContext, where: string): unknown {
  switch (fn) {
    case "Ref": {
      if (typeof arg !== "string") throw new IntrinsicError(`${where}: Ref needs a logical id`);
      if (arg === "AWS::NoValue") return NO_VALUE;
      return refOf(arg, ctx, where);
    }
    case "Fn::GetAtt": {
      const [id, attr] = typeof arg === "string" ? splitOnce(arg, ".") : (arg as unknown[]);
      if (typeof id !== "string" || typeof attr !== "string") {
        throw new IntrinsicError(`${where}: Fn::GetAtt needs [logicalId, attribute]`);
      }
      const v = ctx.getAtt(id, attr);
      if (v === undefined) {
        throw new IntrinsicError(
          `${where}: cannot resolve Fn::GetAtt ${id}.${attr} locally (unknown resource or attribute)`,
        );
      }
      return v;
    }
    case "Fn::Join": {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== "string") {
        throw new IntrinsicError(`${where}: Fn::Join needs [delimiter, [values]]`);
      }
      const parts = walk(arg[1], ctx, `${where}(Fn::Join)`);
      if (!Array.isArray(parts))
        throw new IntrinsicError(`${where}: Fn::Join needs a list of values`);
      return parts.map((p) => scalar(p, where, "Fn::Join")).join(arg[0]);
    }
    case "Fn::Sub":
      return sub(arg, ctx, where);
    case "Fn::Select": {
      if (!Array.isArray(arg) || arg.length !== 2) {
        throw new IntrinsicError(`${where}: Fn::Select needs [index, list]`);
      }
      const index = Number(walk(arg[0], ctx, where));
      const list = walk(arg[1], ctx, where);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
        throw new IntrinsicError(`${where}: Fn::Select index ${index} out of range`);
      }
      return list[index];
    }
    case "Fn::Split": {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== "string") {
        throw new IntrinsicError(`${where}: Fn::Split needs [delimiter, string]`);
      }
      return scalar(walk(arg[1], ctx, where), where, "Fn::Split").split(arg[0]);
    }
    default:
      throw new IntrinsicError(`${where}: intrinsic ${fn} is not supported by the local cloud`);
  }
}

function refOf(id: string, ctx: ResolveContext, where: string): string {
  const v = ctx.ref(id);
  if (v === undefined) throw new IntrinsicError(`${where}: cannot resolve Ref ${id} locally`);
  return v;
}

function scalar(v: unknown, where: string, fn: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new IntrinsicError(`${where}: ${fn} got a non-scalar value ${JSON.stringify(v)}`);
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ""] : [s.slice(0, i), s.slice(i + 1)];
}

function sub(arg: unknown, ctx: ResolveContext, where: string): string {
  let template: unknown = arg;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(arg)) {
    [template, vars] = arg as [unknown, Record<string, unknown>];
    vars = (walk(vars ?? {}, ctx, `${where}(Fn::Sub vars)`) as Record<string, unknown>) ?? {};
  }
  if (typeof template !== "string") throw new IntrinsicError(`${where}: Fn::Sub needs a string`);
  return template.replace(/\$\{(!?)([^}]*)\}/g, (_m, bang: string, name: string) => {
    if (bang) return `\${${name}}`; // ${!Literal}
    if (name in vars) return scalar(vars[name], where, "Fn::Sub");
    const [id, attr] = splitOnce(name, ".");
    if (attr && !name.startsWith("AWS::")) {
      const v = ctx.getAtt(id, attr);
      if (v === undefined) {
        throw new IntrinsicError(`${where}: cannot resolve \${${name}} in Fn::Sub locally`);
      }
      return v;
    }
    return refOf(name, ctx, where);
  });
}
