import { Metrics } from "@aws-lambda-powertools/metrics";

// One metrics instance per container. Namespace from POWERTOOLS_METRICS_NAMESPACE; the city is a
// default dimension so dashboards can split by city.
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Pencai",
  ...(process.env.CITY_ID ? { defaultDimensions: { city: process.env.CITY_ID } } : {}),
});
