import { addWorkingDays, type Calendars } from "@pencai/calendar";
import { invalidState, rule } from "@pencai/contracts/errors";
import type {
  FindingBody,
  InspectionBody,
  InspectionDrawnData,
  InspectionFindingData,
  InspectionView,
  RectificationCompletedData,
} from "@pencai/contracts/oversight";
import { draw, type Member } from "./draw.js";
import type { FindingRecord, InspectionRecord } from "./types.js";

/** A drawn inspection and its InspectionDrawn data. */
export function drawInspection(
  id: string,
  body: InspectionBody,
  population: readonly (Member & { communityId: string })[],
  by: string,
  now: Date,
): { record: InspectionRecord; event: InspectionDrawnData } {
  const d = draw(population, body.sampleSize, body.seed);
  const community = new Map(population.map((m) => [m.proposalId, m.communityId]));
  const record: InspectionRecord = {
    id,
    districtId: body.districtId,
    year: body.year,
    seed: body.seed,
    sampleSize: body.sampleSize,
    population: { count: d.populationCount, hash: d.populationHash },
    items: d.items.map((m) => ({ ...m, communityId: community.get(m.proposalId)! })),
    drawnAt: now.toISOString(),
    drawnBy: by,
  };
  return {
    record,
    event: {
      inspectionId: id,
      districtId: body.districtId,
      year: body.year,
      seed: body.seed,
      populationCount: d.populationCount,
      populationHash: d.populationHash,
      sampleSize: body.sampleSize,
      items: d.items.map(({ proposalId, streetId }) => ({ proposalId, streetId })),
      drawnAt: record.drawnAt,
    },
  };
}

/**
 * The finding on a sampled project (422 `not_sampled` otherwise). A failed one must be rectified
 * by 24:00 Asia/Shanghai of the n-th working day after the finding's day (n: the inspector's
 * `rectifyWorkingDays`, else the city's `sla.rectificationWorkingDays`).
 */
export function recordFinding(
  inspection: InspectionRecord,
  body: FindingBody,
  defaultWorkingDays: number,
  calendars: Calendars,
  by: string,
  now: Date,
): { record: FindingRecord; event: InspectionFindingData } {
  const item = inspection.items.find((i) => i.proposalId === body.proposalId);
  if (!item) {
    throw rule("not_sampled", `project ${body.proposalId} is not in this inspection's sample`, [
      { path: "body.proposalId", message: "not in the sample" },
    ]);
  }
  const recordedAt = now.toISOString();
  const deadline = body.passed
    ? undefined
    : (() => {
        const n = body.rectifyWorkingDays ?? defaultWorkingDays;
        const due = addWorkingDays(now, n, calendars);
        return {
          rectifyWorkingDays: n,
          rectifyDueAt: due.dueAt.toISOString(),
          ...(due.provisional ? { provisional: true } : {}),
        };
      })();
  const record: FindingRecord = {
    inspectionId: inspection.id,
    proposalId: item.proposalId,
    communityId: item.communityId,
    streetId: item.streetId,
    districtId: inspection.districtId,
    year: inspection.year,
    passed: body.passed,
    issues: body.issues ?? [],
    recordedAt,
    recordedBy: by,
    ...deadline,
  };
  const { recordedBy: _, issues, ...facts } = record;
  return { record, event: { ...facts, issues: issues.length } };
}

/** The street reports a failed finding rectified (once; a passed finding has nothing to rectify). */
export function rectification(f: FindingRecord, now: Date): RectificationCompletedData {
  if (f.passed) throw invalidState("a passed finding has nothing to rectify");
  if (f.rectifiedAt) throw invalidState(`already reported rectified at ${f.rectifiedAt}`);
  return {
    inspectionId: f.inspectionId,
    proposalId: f.proposalId,
    communityId: f.communityId,
    districtId: f.districtId,
    completedAt: now.toISOString(),
  };
}

/** The inspection as GET shows it: passRate = passed / findings recorded (null before any). */
export function inspectionView(
  r: InspectionRecord,
  findings: readonly FindingRecord[],
): InspectionView {
  const { drawnBy: _, items, ...rest } = r;
  const passed = findings.filter((f) => f.passed).length;
  return {
    ...rest,
    items: items.map(({ proposalId, streetId }) => ({ proposalId, streetId })),
    findings: findings.map(({ recordedBy: _b, districtId: _d, year: _y, ...f }) => f),
    passRate: findings.length ? passed / findings.length : null,
  };
}
