import { calendarsFrom } from "@pencai/calendar";
import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import { notFound } from "@pencai/contracts/errors";
import {
  drawInspection,
  getInspection,
  getPublicStats,
  getScores,
  getStats,
  recordAwarenessSurvey,
  recordFinding,
  reportRectification,
  type Stats,
} from "@pencai/contracts/oversight";
import { newEvent } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import { placeOfQuery, scopeOfDistrict, scopeOfStreet } from "@pencai/runtime/places";
import type { Principal } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import {
  requireInspector,
  requireRectifier,
  requireScoreReader,
  requireStatsReader,
} from "../domain/access.js";
import { statsOf, streetScore } from "../domain/figures.js";
import * as inspection from "../domain/inspection.js";
import * as store from "../store.js";

// The oversight service's routes (oversightApiRoutes). Figures come from the aggregates the
// inbox keeps (../domain/figures.ts); the draw and findings are ../domain/inspection.ts and
// draw.ts. Stats and scores read a handful of items by key: never a scan.

const rules = () => currentCity().rules;

async function statsFor(q: {
  districtId?: string;
  streetId?: string;
  communityId?: string;
  year: number;
}): Promise<{ stats: Stats; scope: ReturnType<typeof placeOfQuery>["scope"] }> {
  const place = placeOfQuery(q);
  const key = { level: place.by, id: place.id, year: q.year };
  return { stats: statsOf(key, await store.getCounters(key)), scope: place.scope };
}

async function inspectionOf(id: string) {
  const r = await store.getInspection(id);
  if (!r) throw notFound(`inspection ${id}`);
  return r;
}

const event = (
  type: "InspectionDrawn" | "InspectionFinding" | "RectificationCompleted",
  data: unknown,
  meta: { principal: Principal; correlationId: string; now: Date },
  project?: { proposalId: string; communityId: string },
) =>
  newEvent({
    type,
    data,
    ...(project ?? {}),
    actor: meta.principal,
    correlationId: meta.correlationId,
    now: meta.now,
  });

export const handler = httpApi({
  service: "oversight",
  routes: [
    route(getStats, async (req) => {
      const { stats, scope } = await statsFor(req.query);
      requireStatsReader(req.principal!, scope);
      return { body: stats };
    }),

    route(getPublicStats, async (req) => ({ body: (await statsFor(req.query)).stats })),

    route(drawInspection, async (req) => {
      const principal = req.principal!;
      scopeOfDistrict(req.body.districtId);
      requireInspector(principal, req.body.districtId);
      const id = ulid(req.now.getTime());
      const population = await store.population(req.body.districtId, req.body.year);
      const { record, event: data } = inspection.drawInspection(
        id,
        req.body,
        population,
        principal.sub,
        req.now,
      );
      const tx = store.addInspection(store.newTx(), record);
      tx.event(event("InspectionDrawn", data, { ...req, principal }));
      const { findings: _f, passRate: _p, ...body } = inspection.inspectionView(record, []);
      return { status: 201, body, tx };
    }),

    route(recordFinding, async (req) => {
      const principal = req.principal!;
      const r = await inspectionOf(req.params.id);
      requireInspector(principal, r.districtId);
      const { record, event: data } = inspection.recordFinding(
        r,
        req.body,
        rules().sla.rectificationWorkingDays,
        calendarsFrom(currentCity().calendar),
        principal.sub,
        req.now,
      );
      const tx = store.addFinding(store.newTx(), record);
      tx.event(event("InspectionFinding", data, { ...req, principal }, record));
      const { recordedBy: _, districtId: _d, year: _y, ...body } = record;
      return { status: 201, body, tx };
    }),

    route(getInspection, async (req) => {
      const r = await inspectionOf(req.params.id);
      requireInspector(req.principal!, r.districtId);
      return { body: inspection.inspectionView(r, await store.findingsOf(r.id)) };
    }),

    route(reportRectification, async (req) => {
      const principal = req.principal!;
      const f = await store.getFinding(req.params.id, req.params.proposalId);
      if (!f) throw notFound(`finding of ${req.params.proposalId} in inspection ${req.params.id}`);
      requireRectifier(principal, { districtId: f.districtId, streetId: f.streetId });
      const data = inspection.rectification(f, req.now);
      const tx = store.rectify(store.newTx(), f, data.completedAt);
      tx.event(event("RectificationCompleted", data, { ...req, principal }, f));
      return {
        body: {
          inspectionId: f.inspectionId,
          proposalId: f.proposalId,
          rectifiedAt: data.completedAt,
        },
        tx,
      };
    }),

    route(getScores, async (req) => {
      const { districtId, year } = req.query;
      scopeOfDistrict(districtId);
      requireScoreReader(req.principal!, districtId);
      const streets = geoIndex(currentCity())
        .districtById(districtId)!
        .streets.map((s) => s.id);
      const [counters, surveys] = await Promise.all([
        store.getCountersOf(streets.map((id) => ({ level: "street" as const, id, year }))),
        store.surveysOf(streets, year),
      ]);
      const weights = rules().scores.weights;
      return {
        body: {
          districtId,
          year,
          weights,
          streets: streets.map((s, i) => streetScore(s, counters[i]!, surveys.get(s), weights)),
        },
      };
    }),

    route(recordAwarenessSurvey, async (req) => {
      const principal = req.principal!;
      const scope = scopeOfStreet(req.body.streetId);
      requireInspector(principal, scope.districtId);
      const record = {
        ...req.body,
        districtId: scope.districtId,
        recordedAt: req.now.toISOString(),
        recordedBy: principal.sub,
      };
      const { recordedBy: _, ...body } = record;
      return {
        status: 201,
        body: { ...body, awareness: body.aware / body.respondents },
        tx: store.putSurvey(store.newTx(), record),
      };
    }),
  ],
});
