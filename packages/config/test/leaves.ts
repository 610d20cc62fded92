import type * as z from "zod/mini";

interface Def {
  type: string;
  shape?: Record<string, z.ZodMiniType>;
  innerType?: z.ZodMiniType;
  element?: z.ZodMiniType;
  valueType?: z.ZodMiniType;
  in?: z.ZodMiniType;
}
const defOf = (s: z.ZodMiniType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every leaf field of a zod schema, as a path: objects by key, array elements as `[]`, record
 * values as `*`; optional, default and nullable wrappers are looked through.
 */
export function leafFields(schema: z.ZodMiniType, prefix = ""): string[] {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
      return leafFields(def.innerType!, prefix);
    case "pipe":
      return leafFields(def.in!, prefix);
    case "object":
      return Object.entries(def.shape!).flatMap(([k, v]) =>
        leafFields(v, prefix ? `${prefix}.${k}` : k),
      );
    case "array": {
      const inner = leafFields(def.element!, `${prefix}[]`);
      return inner.length === 1 && inner[0] === `${prefix}[]` ? [prefix] : inner;
    }
    case "record":
      return leafFields(def.valueType!, `${prefix}.*`);
    default:
      return [prefix];
  }
}
