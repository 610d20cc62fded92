/** Bounds shared by request bodies and event data. */

/** 10^11 fen = 1 billion CNY: far above any cap, rejects absurd amounts early. */
export const MAX_FEN = 100_000_000_000;

/** Programme years: the first city-wide year (Shenzhen, 2015) to a far horizon. */
export const MIN_YEAR = 2015;
export const MAX_YEAR = 2100;
