import { exportEntities, exportEntityNames } from "@pencai/contracts/exports";
import { proposalStatuses } from "@pencai/contracts/intake";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch, patchesOf, type Row } from "../src/domain/rows.js";
import { pseudonym } from "../src/pseudonym.js";
import { envelope, lifecycle } from "./fixtures.js";

const pseudo = (sub: string) => pseudonym("test-secret", sub);

/** Applies events in the given order, each possibly twice, as the inbox does. */
function project(events: ReturnType<typeof lifecycle>, redeliver = false): Map<string, Row> {
  const rows = new Map<string, Row>();
  const deliveries = redeliver ? events.flatMap((e) => [e, e]) : events;
  for (const e of deliveries) {
    for (const patch of patchesOf(e, pseudo)) {
      const k = `${patch.entity}#${patch.id}`;
      const after = applyPatch(rows.get(k), patch, e.occurredAt, e.id);
      if (after) rows.set(k, after);
    }
  }
  return rows;
}
/** A failed finding of P1 (c1, s1, d1) in inspection `inspectionId`. */
const failedFinding = (inspectionId: string, at: string, due: string) =>
  envelope("InspectionFinding", at, {
    inspectionId,
    proposalId: "P1",
    communityId: "c1",
    streetId: "s1",
    districtId: "d1",
    year: 2026,
    passed: false,
    issues: 1,
    rectifyWorkingDays: 10,
    rectifyDueAt: due,
    recordedAt: at,
  });
const columnsOf = (rows: Map<string, Row>) =>
  Object.fromEntries([...rows].map(([k, r]) => [k, r.columns]).sort());

describe("the column table", () => {
  it("names every entity's key among its columns, columns once each, snake_case, changed_at last", () => {
    for (const name of exportEntityNames) {
      const { key, columns } = exportEntities[name];
      const names = columns.map((c) => c.name);
      expect(names, name).toContain(key);
      expect(new Set(names).size, name).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(names.at(-1)).toBe("changed_at");
    }
  });

  it("has a column for every value a patch writes (nothing is silently dropped)", () => {
    for (const e of lifecycle()) {
      for (const patch of patchesOf(e, pseudo)) {
        const names = exportEntities[patch.entity].columns.map((c) => c.name);
        for (const k of Object.keys(patch.values))
          expect(names, `${patch.entity}.${k}`).toContain(k);
      }
    }
  });
});

describe("row projection", () => {
  it("builds the proposal, its timers, budget, disbursement and payment rows", () => {
    const rows = project(lifecycle());
    expect(rows.get("proposals#P1")?.columns).toMatchObject({
      proposal_id: "P1",
      street_id: "s1",
      status: "funded",
      budget_fen: 10_000_00,
      approved_fen: 9_000_00,
      beneficiaries: 300,
      funded_at: "2026-03-20T01:00:00Z",
      changed_at: "2026-03-20T01:00:00Z",
    });
    expect(rows.get("sla_timers#P1#review#1")?.columns).toMatchObject({
      state: "met",
      started_at: "2026-03-05T01:00:00Z",
      stopped_at: "2026-03-09T01:00:00Z",
    });
    expect(rows.get("sla_timers#P1#disbursement#1")?.columns.state).toBe("met");
    expect(rows.get("budgets#c1#2026")?.columns.committed_fen).toBe(9_000_00);
    expect(rows.get("payments#PAY-P1")?.columns).not.toHaveProperty("payee");
    expect(rows.get("payments#PAY-P1")?.columns.amount_fen).toBe(4_000_00);
  });

  it("uses intake's proposal statuses only, after every event of the life", () => {
    const events = lifecycle();
    for (let n = 1; n <= events.length; n++) {
      const status = project(events.slice(0, n)).get("proposals#P1")?.columns.status;
      expect(proposalStatuses, `after ${events[n - 1]!.type}`).toContain(status);
    }
  });

  it("pseudonymises the actor in the timeline, the same way every time, never the account id", () => {
    const rows = project(lifecycle());
    const timeline = [...rows.values()].filter((r) => r.entity === "events");
    expect(timeline).toHaveLength(7);
    for (const r of timeline) {
      expect(r.columns.actor).toBe(pseudo("user-1"));
      expect(r.columns.actor).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(r.columns)).not.toContain("user-1");
    }
    expect(pseudonym("another-secret", "user-1")).not.toBe(pseudo("user-1"));
  });

  it("gives exactly the same rows under redelivery and in any arrival order", () => {
    const events = lifecycle();
    const expected = columnsOf(project(events));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length }),
        fc.boolean(),
        (order, twice) => {
          expect(columnsOf(project(order, twice))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps the newest version of a budget whatever arrives last", () => {
    const [, , , , approved] = lifecycle("P1");
    const later = envelope(
      "ProposalApproved",
      "2026-05-01T00:00:00Z",
      { ...approved!.data, proposalId: "P2", committedFen: 15_000_00 } as never,
      { proposalId: "P2" },
    );
    const rows = project([later, approved!] as never);
    expect(rows.get("budgets#c1#2026")?.columns.committed_fen).toBe(15_000_00);
  });

  it("keeps a proposal's rectifications of two inspections apart, with approval's breach on the right one", () => {
    const breached = envelope("SlaBreached", "2026-06-16T00:00:00Z", {
      proposalId: "P1",
      communityId: "c1",
      districtId: "d1",
      kind: "rectification",
      round: 1,
      startedAt: "2026-06-01T00:00:00Z",
      dueAt: "2026-06-15T16:00:00Z",
      provisional: false,
      inspectionId: "I1",
      breachedAt: "2026-06-16T00:00:00Z",
    });
    const rows = project([
      failedFinding("I2", "2026-09-01T00:00:00Z", "2026-09-15T16:00:00Z"),
      breached,
      failedFinding("I1", "2026-06-01T00:00:00Z", "2026-06-15T16:00:00Z"),
    ] as never);
    expect(rows.get("sla_timers#P1#rectification#I1")?.columns).toMatchObject({
      state: "breached",
      round: 1,
      due_at: "2026-06-15T16:00:00Z",
    });
    expect(rows.get("sla_timers#P1#rectification#I2")?.columns).toMatchObject({
      state: "open",
      due_at: "2026-09-15T16:00:00Z",
    });
  });

  it("settles a rectification timer met or breached by its deadline", () => {
    const finding = failedFinding("I1", "2026-06-01T00:00:00Z", "2026-06-15T16:00:00Z");
    const done = (at: string) =>
      envelope("RectificationCompleted", at, {
        inspectionId: "I1",
        proposalId: "P1",
        communityId: "c1",
        districtId: "d1",
        completedAt: at,
      });
    const late = project([done("2026-06-20T00:00:00Z"), finding] as never);
    expect(late.get("sla_timers#P1#rectification#I1")?.columns.state).toBe("breached");
    const onTime = project([finding, done("2026-06-10T00:00:00Z")] as never);
    expect(onTime.get("sla_timers#P1#rectification#I1")?.columns.state).toBe("met");
    expect(onTime.get("inspection_findings#I1#P1")?.columns.rectified_at).toBe(
      "2026-06-10T00:00:00Z",
    );
  });
});
