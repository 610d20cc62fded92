import { outboxRelay } from "@pencai/runtime/outbox";

// Publishes the oversight service's outbox: on the table's stream at once, and on the schedule as a sweep.
export const handler = outboxRelay();
