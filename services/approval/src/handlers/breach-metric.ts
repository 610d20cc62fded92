import { metrics } from "@pencai/runtime/metrics";
import type { DomainEvent } from "../domain/types.js";

// Its own module so the inbox bundle gets the metric without the calendar.

/** CloudWatch `SlaBreached` (dimension kind; city is a default dimension), one per breach. */
export function countBreaches(events: readonly DomainEvent[]): void {
  for (const e of events) {
    if (e.type !== "SlaBreached") continue;
    const m = metrics.singleMetric();
    m.addDimension("kind", e.data.kind);
    m.addMetric("SlaBreached", "Count", 1);
  }
}
