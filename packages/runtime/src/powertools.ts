// The `logger` and `metrics` singletons, each in its own module (logger.ts, metrics.ts) so a
// bundle only carries what it uses.
export { logger } from "./logger.js";
export { metrics } from "./metrics.js";
