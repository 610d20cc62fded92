import { type Calendars, calendarsFrom, localDay } from "@pencai/calendar";
import { currentCity } from "@pencai/config/current";
import { logger } from "@pencai/runtime/logger";
import { metrics } from "@pencai/runtime/metrics";
import type { Timer } from "../domain/types.js";
import * as store from "../store.js";

export { countBreaches } from "./breach-metric.js";

/** The effective calendars (official + city file + runtime additions) of the years given. */
export async function calendarsFor(years: readonly number[]): Promise<Calendars> {
  const runtime = await store.calendarLayer(years);
  return calendarsFrom(currentCity().calendar, runtime);
}

/** Years a deadline started at `now` can touch (≤ 90 working days: this year and the next). */
export const yearsFrom = (now: Date) => {
  const y = Number(localDay(now).slice(0, 4));
  return [y, y + 1];
};

/** A deadline that depends on a year without official data: a warning and a metric. */
export function flagProvisional(timers: readonly Timer[]): void {
  for (const t of timers) {
    if (!t.provisional || t.state !== "open") continue;
    logger.warn("provisional SLA deadline (no official calendar for a year it touches)", {
      proposalId: t.proposalId,
      kind: t.kind,
      round: t.round,
      dueAt: t.dueAt,
      years: t.years,
    });
    const m = metrics.singleMetric();
    m.addDimension("kind", t.kind);
    m.addMetric("ProvisionalDeadline", "Count", 1);
  }
}
