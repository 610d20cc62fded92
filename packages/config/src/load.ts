import { readFileSync } from "node:fs";
import { CityConfigError } from "./errors.js";
import { resolveCity } from "./resolve.js";
import type { City } from "./schema.js";

/** Read and resolve a city file (Node only; never part of a Lambda bundle). */
export function loadCityFile(path: string): City {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const reason =
      err instanceof SyntaxError
        ? `not valid JSON: ${err.message}`
        : String((err as Error).message);
    throw new CityConfigError([{ path: "", message: reason }], path);
  }
  try {
    return resolveCity(raw);
  } catch (err) {
    if (err instanceof CityConfigError) throw err.withSource(path);
    throw err;
  }
}
