import { createHash } from "node:crypto";
import { byCodeUnits } from "@pencai/contracts/text";

/**
 * Sampling inspection (抽检): a sample of the district-year's approved-or-later projects,
 * stratified by street, that anyone can redraw from the published seed and population.
 *
 * 1. The population's hash: sha256 (hex) of its proposal ids, sorted, joined by "\n".
 * 2. Allocation (largest remainder, Hamilton): street s with N_s of N projects gets
 *    floor(n × N_s / N) items; the items left go one each to the streets with the largest
 *    remainders (n × N_s mod N), ties to the smaller street id. n = min(sampleSize, N).
 * 3. Within a street: projects ranked by sha256(seed + "\n" + proposalId) (hex, ascending), ties
 *    by id; the first quota are drawn.
 * Items are listed by street id, then rank. Integer arithmetic only: no float decides a draw.
 */

export interface Member {
  proposalId: string;
  streetId: string;
}

export interface Draw {
  populationCount: number;
  populationHash: string;
  items: Member[];
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export const populationHash = (ids: readonly string[]): string =>
  sha256([...ids].sort(byCodeUnits).join("\n"));

/** How many items each street gets (largest remainder); streets in id order. */
export function allocate(
  sizes: ReadonlyMap<string, number>,
  sampleSize: number,
): Map<string, number> {
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const n = Math.min(sampleSize, total);
  const streets = [...sizes.keys()].sort(byCodeUnits);
  const out = new Map<string, number>();
  if (total === 0) return out;
  let given = 0;
  for (const s of streets) {
    const q = Math.floor((n * sizes.get(s)!) / total);
    out.set(s, q);
    given += q;
  }
  const byRemainder = [...streets].sort(
    (a, b) => ((n * sizes.get(b)!) % total) - ((n * sizes.get(a)!) % total) || byCodeUnits(a, b),
  );
  for (const s of byRemainder.slice(0, n - given)) out.set(s, out.get(s)! + 1);
  return out;
}

export function draw(population: readonly Member[], sampleSize: number, seed: string): Draw {
  const strata = new Map<string, Member[]>();
  for (const m of population) {
    const list = strata.get(m.streetId) ?? [];
    list.push(m);
    strata.set(m.streetId, list);
  }
  const quotas = allocate(new Map([...strata].map(([s, ms]) => [s, ms.length])), sampleSize);
  const items: Member[] = [];
  for (const [streetId, quota] of quotas) {
    const ranked = strata
      .get(streetId)!
      .map((m) => ({ m, rank: sha256(`${seed}\n${m.proposalId}`) }))
      .sort((a, b) => byCodeUnits(a.rank, b.rank) || byCodeUnits(a.m.proposalId, b.m.proposalId));
    items.push(...ranked.slice(0, quota).map((r) => r.m));
  }
  return {
    populationCount: population.length,
    populationHash: populationHash(population.map((m) => m.proposalId)),
    items,
  };
}
