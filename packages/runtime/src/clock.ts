declare global {
  /** Set only by the local cloud's `POST /dev/clock`. */
  var __PENCAI_CLOCK_OFFSET_MS__: number | undefined;
}

/** The time every handler and sweeper sees: wall clock plus the local cloud's offset. */
export function now(): Date {
  return new Date(Date.now() + (globalThis.__PENCAI_CLOCK_OFFSET_MS__ ?? 0));
}
