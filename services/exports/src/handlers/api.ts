import { localDay } from "@pencai/calendar/days";
import { forbidden, notFound } from "@pencai/contracts/errors";
import { exportEntityNames, getExport, startExport } from "@pencai/contracts/exports";
import { httpApi, route } from "@pencai/runtime/http";
import { type Principal, reachOf } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import { downloadUrl } from "../files.js";
import * as store from "../store.js";

// The exports service's routes (exportsApiRoutes). POST records a `queued` export; the table
// stream starts the worker on it (handlers/worker.ts). Exports are city-wide: a
// district-scoped analyst would otherwise receive other districts' rows, so only an analyst
// acting for the whole city (`cityWide`, no district claim) may start or read one.

function requireCityWideAnalyst(p: Principal | null): Principal {
  if (!p || reachOf(p, "analyst")?.level !== "city") {
    throw forbidden("exports hold the whole city: only a city-wide analyst may use them");
  }
  return p;
}

export const handler = httpApi({
  service: "exports",
  routes: [
    route(startExport, async (req) => {
      const principal = requireCityWideAnalyst(req.principal);
      const exportId = ulid(req.now.getTime());
      const { entities, from, to, pabulib } = req.body;
      const tx = store.putExport(store.newTx(), {
        exportId,
        status: "queued",
        entities: entities ?? exportEntityNames,
        ...(from && to ? { from, to } : {}),
        ...(pabulib ? { pabulib } : {}),
        day: to ?? localDay(req.now),
        requestedAt: req.now.toISOString(),
        requestedBy: principal.sub,
        files: [],
      });
      return { status: 202, body: { exportId }, tx };
    }),

    route(getExport, async (req) => {
      requireCityWideAnalyst(req.principal);
      const record = await store.getExport(req.params.id);
      if (!record) throw notFound(`export ${req.params.id}`);
      const files = await Promise.all(
        record.files.map(async (f) => ({ ...f, url: await downloadUrl(f.key) })),
      );
      return {
        body: {
          exportId: record.exportId,
          status: record.status,
          entities: record.entities,
          ...(record.from ? { from: record.from } : {}),
          ...(record.to ? { to: record.to } : {}),
          ...(record.pabulib ? { pabulib: true } : {}),
          requestedAt: record.requestedAt,
          ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}),
          ...(record.error ? { error: record.error } : {}),
          files,
        },
      };
    }),
  ],
});
