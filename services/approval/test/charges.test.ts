import { calendarsFrom } from "@pencai/calendar";
import { approvalEventDataSchemas } from "@pencai/contracts/approval-events";
import type { Role } from "@pencai/contracts/roles";
import { describe, expect, it } from "vitest";
import { chargesOf, disbursementShares, ledgerView } from "../src/domain/ledger.js";
import { type EndorsedFacts, fromEndorsed } from "../src/domain/projection.js";
import type { Actor, ApprovalProposal } from "../src/domain/types.js";
import { approve, disburse } from "../src/domain/workflow.js";

// Luohu: a phased works project commits each year's share against THAT year's cap; a
// cross-community project charges each community's cap its share; all in one approval.

const official = calendarsFrom();
const rules = { reviewWorkingDays: 5, disbursementWorkingDays: 15 };
const CAP = 200_000_000;
const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
const day = new Date("2025-10-20T02:00:00.000Z");
const actor = (role: Role): Actor => ({ sub: `${role}-1`, roles: [role], districtId: "d1" });

const base: EndorsedFacts = {
  proposalId: P1,
  communityId: "c1",
  streetId: "s1",
  districtId: "d1",
  kind: "works",
  title: "雨污分流",
  budgetFen: 80_000_000,
  programmeFen: 80_000_000,
  year: 2025,
};
const phased: EndorsedFacts = {
  ...base,
  phasing: [
    { year: 2025, programmeFen: 50_000_000 },
    { year: 2026, programmeFen: 30_000_000 },
  ],
};
const shared: EndorsedFacts = {
  ...base,
  communities: [
    { communityId: "c1", programmeFen: 50_000_000 },
    { communityId: "c2", programmeFen: 30_000_000 },
  ],
};
const forwarded = (f: EndorsedFacts): ApprovalProposal => ({
  ...fromEndorsed(f, "2025-09-01T00:00:00.000Z"),
  status: "forwarded",
  round: 1,
});
const ledger = (communityId: string, year: number, committedFen = 0) =>
  ledgerView(communityId, year, { communityId, year, committedFen, disbursedFen: 0 }, CAP);

const capExceeded = expect.objectContaining({ code: "community_cap_exceeded" });

describe("the ledgers an approval charges", () => {
  it("is the proposal's own community-year, or each year's or community's share", () => {
    expect(chargesOf(forwarded(base))).toEqual([
      { communityId: "c1", year: 2025, programmeFen: 80_000_000 },
    ]);
    expect(chargesOf(forwarded(phased))).toEqual([
      { communityId: "c1", year: 2025, programmeFen: 50_000_000 },
      { communityId: "c1", year: 2026, programmeFen: 30_000_000 },
    ]);
    expect(chargesOf(forwarded(shared))).toEqual([
      { communityId: "c1", year: 2025, programmeFen: 50_000_000 },
      { communityId: "c2", year: 2025, programmeFen: 30_000_000 },
    ]);
  });
});

describe("approving a phased project", () => {
  const go = (ledgers: ReturnType<typeof ledger>[]) =>
    approve(
      forwarded(phased),
      actor("district_group"),
      { decision: "approve" },
      day,
      ledgers,
      rules,
      official,
    );

  it("commits each year's share against that year's ledger and says so in ProposalApproved", () => {
    const t = go([ledger("c1", 2025, 100_000_000), ledger("c1", 2026, 0)]);
    expect(t.commits).toEqual([
      {
        communityId: "c1",
        year: 2025,
        amountFen: 50_000_000,
        committedFen: 150_000_000,
        committedLimitFen: 150_000_000,
      },
      {
        communityId: "c1",
        year: 2026,
        amountFen: 30_000_000,
        committedFen: 30_000_000,
        committedLimitFen: 170_000_000,
      },
    ]);
    const data = t.events[0]!.data;
    expect(approvalEventDataSchemas.ProposalApproved.safeParse(data).success).toBe(true);
    expect(data).toMatchObject({
      programmeFen: 80_000_000,
      charges: [
        { communityId: "c1", year: 2025, programmeFen: 50_000_000, committedFen: 150_000_000 },
        { communityId: "c1", year: 2026, programmeFen: 30_000_000, committedFen: 30_000_000 },
      ],
    });
  });

  it("refuses when any one year's cap would be passed: all or nothing", () => {
    expect(() => go([ledger("c1", 2025, 0), ledger("c1", 2026, CAP - 29_999_999)])).toThrow(
      capExceeded,
    );
    expect(() => go([ledger("c1", 2025, 0), ledger("c1", 2026, CAP - 30_000_000)])).not.toThrow();
  });
});

describe("approving a cross-community project", () => {
  it("charges each community's ledger its share, refusing if one is full", () => {
    const go = (c2: number) =>
      approve(
        forwarded(shared),
        actor("district_group"),
        { decision: "approve" },
        day,
        [ledger("c1", 2025), ledger("c2", 2025, c2)],
        rules,
        official,
      );
    expect(go(0).commits?.map((c) => [c.communityId, c.amountFen])).toEqual([
      ["c1", 50_000_000],
      ["c2", 30_000_000],
    ]);
    expect(() => go(CAP - 29_999_999)).toThrow(capExceeded);
  });
});

describe("disbursing a project that charged several ledgers", () => {
  it("fills the charges in order, never past a ledger's share", () => {
    const charges = chargesOf(forwarded(phased));
    expect(disbursementShares(charges, 0, 20_000_000)).toEqual([
      { communityId: "c1", year: 2025, amountFen: 20_000_000 },
    ]);
    expect(disbursementShares(charges, 40_000_000, 20_000_000)).toEqual([
      { communityId: "c1", year: 2025, amountFen: 10_000_000 },
      { communityId: "c1", year: 2026, amountFen: 10_000_000 },
    ]);
    expect(disbursementShares(charges, 60_000_000, 20_000_000)).toEqual([
      { communityId: "c1", year: 2026, amountFen: 20_000_000 },
    ]);
  });

  it("records the disbursement on the ledgers it lands on", () => {
    const approved = approve(
      forwarded(shared),
      actor("district_group"),
      { decision: "approve" },
      day,
      [ledger("c1", 2025), ledger("c2", 2025)],
      rules,
      official,
    ).proposal;
    const t = disburse(
      approved,
      actor("district_finance"),
      { id: "01JDISBURSEMENTAAAAAAAAAAAA", amountFen: 80_000_000, reference: "PZ-1" },
      day,
      undefined,
    );
    expect(t.disbursement?.ledgers).toEqual([
      { communityId: "c1", year: 2025, amountFen: 50_000_000 },
      { communityId: "c2", year: 2025, amountFen: 30_000_000 },
    ]);
    expect(t.proposal.status).toBe("funded");
  });
});
