import { Logger } from "@aws-lambda-powertools/logger";

// One logger per container (Powertools' own advice). Service name and log level come from
// POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL. Its own module (not with the metrics) so a
// function that only logs (the SQS consumer) does not carry Powertools metrics.
export const logger = new Logger();
