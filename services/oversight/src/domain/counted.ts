/**
 * What one counted thing (a project, a need, a meeting) adds to the aggregates: the places and
 * year it counts in and its counters. The store keeps the contribution last written on the
 * item; a change writes `after - before` to every aggregate in the same transaction, so the
 * aggregates always equal the sum of the items' contributions, whatever the order or the number
 * of deliveries of the events that changed them.
 */

export type Level = "community" | "street" | "district";

export interface AggKey {
  level: Level;
  id: string;
  year: number;
}

export interface Place {
  communityId: string;
  streetId: string;
  districtId: string;
}

export type Counters = Record<string, number>;

export interface Contribution {
  place: Place;
  year: number;
  counters: Counters;
}

export const aggKeysOf = (place: Place, year: number): AggKey[] => [
  { level: "community", id: place.communityId, year },
  { level: "street", id: place.streetId, year },
  { level: "district", id: place.districtId, year },
];

export const aggId = (k: AggKey) => `${k.level}#${k.id}#${k.year}`;

/** Counter deltas by aggregate id (`aggId`), merged into `into`; zero deltas are left out. */
export function addDelta(
  into: Map<string, { key: AggKey; counters: Counters }>,
  before: Contribution | undefined,
  after: Contribution | undefined,
): void {
  const add = (c: Contribution | undefined, sign: 1 | -1) => {
    if (!c) return;
    for (const key of aggKeysOf(c.place, c.year)) {
      const id = aggId(key);
      const entry = into.get(id) ?? { key, counters: {} };
      for (const [name, v] of Object.entries(c.counters)) {
        entry.counters[name] = (entry.counters[name] ?? 0) + sign * v;
      }
      into.set(id, entry);
    }
  };
  add(before, -1);
  add(after, 1);
  for (const [id, entry] of into) {
    for (const [name, v] of Object.entries(entry.counters))
      if (v === 0) delete entry.counters[name];
    if (Object.keys(entry.counters).length === 0) into.delete(id);
  }
}
