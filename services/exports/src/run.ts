import { addDays } from "@pencai/calendar/days";
import { currentCity } from "@pencai/config/current";
import { communityById, districtById, scopeOfCommunity, streetById } from "@pencai/config/geo";
import { type ExportEntityName, pabulibFileKey } from "@pencai/contracts/exports";
import { byCodeUnits } from "@pencai/contracts/text";
import { logger } from "@pencai/runtime/logger";
import { type CouncilBallots, pabulibInstance } from "./domain/council.js";
import { renderPabulib } from "./domain/pabulib.js";
import type { Values } from "./domain/rows.js";
import { exportEntity, putText } from "./files.js";
import * as store from "./store.js";

// Running an export: every entity's rows (all of them, or those last changed from..to) to one
// Parquet file each, then the record is `done` with its files, or `failed` with the reason.

/** The rows of an entity an export covers. */
async function* rowsFor(entity: ExportEntityName, from?: string, to?: string) {
  if (!from || !to) {
    yield* store.rowsOf(entity);
    return;
  }
  for (let day = from; day <= to; day = addDays(day, 1)) yield* store.rowsOf(entity, day);
}

/**
 * One pabulib file per community and programme year with projects on a council agenda or
 * selected: whole instances (every proposal row, every meeting's ballots of the community),
 * whatever day range the export covers. The budget is the ledger's cap, else the city's.
 */
async function pabulibFiles(day: string): Promise<store.ExportFile[]> {
  const city = currentCity();
  const caps = new Map<string, number>();
  for await (const b of store.rowsOf("budgets")) caps.set(String(b.budget_id), Number(b.cap_fen));
  // the proposals of each community-year, read once
  const instances = new Map<string, { communityId: string; year: number; proposals: Values[] }>();
  for await (const p of store.rowsOf("proposals")) {
    if (p.community_id === undefined || p.year === undefined) continue;
    const k = `${p.community_id}#${p.year}`;
    const instance = instances.get(k) ?? {
      communityId: String(p.community_id),
      year: Number(p.year),
      proposals: [],
    };
    instance.proposals.push(p);
    instances.set(k, instance);
  }
  const meetingsOf = new Map<string, CouncilBallots[]>();
  const files: store.ExportFile[] = [];
  for (const [k, { communityId, year, proposals }] of [...instances].sort(([a], [b]) =>
    byCodeUnits(a, b),
  )) {
    if (!meetingsOf.has(communityId)) {
      const meetings: CouncilBallots[] = [];
      for await (const m of store.ballotsOf(communityId)) meetings.push(m);
      meetingsOf.set(communityId, meetings);
    }
    const scope = scopeOfCommunity(communityId, city);
    const instance = pabulibInstance({
      cityName: city.name,
      communityId,
      unitName: communityById(communityId, city)?.name ?? communityId,
      ...(scope
        ? {
            subunit: `${streetById(scope.streetId, city)?.name ?? scope.streetId}, ${districtById(scope.districtId, city)?.name ?? scope.districtId}`,
          }
        : {}),
      year,
      budgetFen: caps.get(k) ?? city.rules.caps.communityYearFen,
      proposals,
      meetings: meetingsOf.get(communityId) ?? [],
    });
    if (!instance) continue;
    const key = pabulibFileKey(year, day, communityId);
    const bytes = await putText(key, renderPabulib(instance));
    files.push({ entity: "pabulib", key, rows: instance.projects.length, bytes });
  }
  return files;
}

/** Claims a queued export (undefined: another delivery claimed it, or it is unknown). */
export async function claimExport(exportId: string): Promise<store.ExportRecord | undefined> {
  if (!(await store.moveExport(exportId, "queued", { status: "running" }))) return undefined;
  return store.getExport(exportId);
}

/** Runs a claimed (`running`) export: its files, then `done`, or `failed` with the reason. */
export async function runExport(record: store.ExportRecord, now: () => Date): Promise<void> {
  const { exportId } = record;
  try {
    const files = [];
    for (const entity of record.entities) {
      const rows: AsyncIterable<Values> = rowsFor(entity, record.from, record.to);
      const file = await exportEntity(entity, rows, exportId, record.day);
      if (file) files.push(file);
    }
    if (record.pabulib) files.push(...(await pabulibFiles(record.day)));
    await store.moveExport(exportId, "running", {
      status: "done",
      files,
      finishedAt: now().toISOString(),
    });
    logger.info("export done", { exportId, files: files.length });
  } catch (err) {
    logger.error("export failed", { exportId, reason: String(err) });
    await store.moveExport(exportId, "running", {
      status: "failed",
      error: "the export could not be written; request it again",
      finishedAt: now().toISOString(),
    });
  }
}
