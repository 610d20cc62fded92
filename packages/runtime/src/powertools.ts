import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

// One logger and one metrics instance per container (Powertools' own advice). Service name,
// namespace and log level come from POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and
// POWERTOOLS_LOG_LEVEL; the city is a default dimension so dashboards can split by city.
export const logger = new Logger();

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Pencai",
  ...(process.env.CITY_ID ? { defaultDimensions: { city: process.env.CITY_ID } } : {}),
});
