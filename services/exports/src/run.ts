import { addDays } from "@pencai/calendar/days";
import type { ExportEntityName } from "@pencai/contracts/exports";
import { logger } from "@pencai/runtime/logger";
import type { Values } from "./domain/rows.js";
import { exportEntity } from "./files.js";
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
