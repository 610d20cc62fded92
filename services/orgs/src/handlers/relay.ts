import { outboxRelay } from "@pencai/runtime/outbox";

// Publishes the registry's outbox (OrgRegistered, OrgStatusChanged): on the table's stream at once, and on the schedule as a sweep.
export const handler = outboxRelay();
