export { currentCity, setCurrentCity } from "./current.js";
export { CityConfigError, type FieldProblem } from "./errors.js";
export {
  communityById,
  districtById,
  type GeoIndex,
  type GeoScope,
  geoIndex,
  scopeOfCommunity,
  scopeOfStreet,
  streetById,
} from "./geo.js";
export { type CategoryId, categoryCatalogue, presets } from "./presets.js";
export { parseResolvedCity, resolveCity } from "./resolve.js";
export * from "./schema.js";
export { type Step, stepOf } from "./steps.js";
