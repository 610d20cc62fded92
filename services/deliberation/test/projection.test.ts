import { describe, expect, it } from "vitest";
import { onScreened, onWithdrawn } from "../src/domain/projection.js";
import { P1, projection, screenedData } from "./fixtures.js";

const at = "2026-04-01T00:00:00.000Z";

describe("proposal projection from intake's events", () => {
  it("adds an accepted screening with its facts", () => {
    expect(onScreened(undefined, screenedData, at)).toEqual({
      kind: "add",
      proposal: projection({ screenedAt: at }),
    });
  });

  it("keeps a phased or cross-community project's shares for approval (event-carried state)", () => {
    const phasing = [
      { year: 2026, programmeFen: 500_000 },
      { year: 2027, programmeFen: 400_000 },
    ];
    const phased = onScreened(undefined, { ...screenedData, phasing }, at);
    expect(phased.kind === "add" && phased.proposal.phasing).toEqual(phasing);
    const communities = [
      { communityId: "c1", programmeFen: 600_000 },
      { communityId: "c2", programmeFen: 300_000 },
    ];
    const shared = onScreened(undefined, { ...screenedData, communities }, at);
    expect(shared.kind === "add" && shared.proposal.communities).toEqual(communities);
  });

  it("keeps no head count when the proposal described its beneficiaries in words", () => {
    const { beneficiaries: _, ...words } = screenedData;
    const out = onScreened(undefined, words, at);
    expect(out.kind === "add" && "beneficiaries" in out.proposal).toBe(false);
  });

  it("keeps the courtyards a proposal serves (its consent area), none for a community-wide one", () => {
    const out = onScreened(undefined, { ...screenedData, courtyardIds: ["y1", "y2"] }, at);
    expect(out.kind === "add" && out.proposal.courtyardIds).toEqual(["y1", "y2"]);
    const wide = onScreened(undefined, { ...screenedData, courtyardIds: [] }, at);
    expect(wide.kind === "add" && "courtyardIds" in wide.proposal).toBe(false);
  });

  // events without the facts, or with facts out of range, never get here: the consumer's edge
  // parses each event's data against its contract (inbox.test.ts sends them to the DLQ)
  it("ignores rejections, duplicates and tombstones", () => {
    expect(onScreened(undefined, { ...screenedData, decision: "reject" }, at).kind).toBe("ignore");
    expect(onScreened(projection(), screenedData, at).kind).toBe("ignore");
    const tomb = { id: P1, tombstone: true as const, version: 1, withdrawnAt: at };
    expect(onScreened(tomb, screenedData, at).kind).toBe("ignore");
  });

  it("withdrawal is final: marks a known proposal, tombstones an unknown one, ignores repeats", () => {
    const before = projection();
    expect(onWithdrawn(before, P1, at)).toEqual({
      kind: "withdraw",
      before,
      after: { ...before, status: "withdrawn", withdrawnAt: at, version: 2 },
    });
    expect(onWithdrawn(undefined, P1, at)).toEqual({
      kind: "tombstone",
      tombstone: { id: P1, tombstone: true, version: 1, withdrawnAt: at },
    });
    expect(onWithdrawn(projection({ status: "withdrawn" }), P1, at).kind).toBe("ignore");
    expect(onWithdrawn({ id: P1, tombstone: true, version: 1, withdrawnAt: at }, P1, at).kind).toBe(
      "ignore",
    );
  });
});
