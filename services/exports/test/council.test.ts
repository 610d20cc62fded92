import { describe, expect, it } from "vitest";
import { type CouncilBallots, pabulibInstance } from "../src/domain/council.js";
import { renderPabulib } from "../src/domain/pabulib.js";

const proposal = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  proposal_id: id,
  community_id: "c1",
  year: 2026,
  title: `项目 ${id}`,
  category: "greening",
  programme_fen: 5_000_000,
  status,
  ...extra,
});

const meeting: CouncilBallots = {
  meetingId: "M1",
  communityId: "c1",
  closedAt: "2026-03-01T00:00:00Z",
  proposalIds: ["P1", "P2"],
  ballots: [
    { voter: "a".repeat(32), proposalId: "P1", choice: "yes" },
    { voter: "a".repeat(32), proposalId: "P2", choice: "no" },
    { voter: "b".repeat(32), proposalId: "P1", choice: "yes" },
    { voter: "b".repeat(32), proposalId: "P2", choice: "yes" },
    { voter: "c".repeat(32), proposalId: "P2", choice: "abstain" },
    { voter: "c".repeat(32), proposalId: "P9", choice: "yes" },
  ],
};

const args = {
  cityName: "Demo",
  communityId: "c1",
  unitName: "莲花北",
  subunit: "华富, 福田",
  year: 2026,
  budgetFen: 200_000_000,
};

describe("a community-year for pabulib", () => {
  it("lists the agenda's and the selected projects of the year, yes votes as approvals", () => {
    const instance = pabulibInstance({
      ...args,
      proposals: [
        proposal("P1", "funded"),
        proposal("P2", "deliberated"),
        proposal("P3", "approved"),
        proposal("P4", "screened"),
        proposal("P5", "funded", { year: 2025 }),
        proposal("P6", "funded", { community_id: "c2" }),
      ],
      meetings: [meeting],
    })!;
    expect(instance.projects.map((p) => [p.id, p.selected])).toEqual([
      ["P1", true],
      ["P2", false],
      ["P3", true],
    ]);
    expect(Object.fromEntries(instance.approvals)).toEqual({
      ["a".repeat(32)]: ["P1"],
      ["b".repeat(32)]: ["P1", "P2"],
    });
    const pb = renderPabulib(instance);
    expect(pb).toContain("num_votes;2\n");
    expect(pb).toContain("P1;50000;2;项目 P1;greening;1\n");
    expect(pb).toContain("P2;50000;1;项目 P2;greening;0\n");
  });

  it("has no instance for a community-year without such projects", () => {
    expect(
      pabulibInstance({ ...args, proposals: [proposal("P4", "screened")], meetings: [] }),
    ).toBeUndefined();
  });
});
