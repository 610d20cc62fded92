import type { CreateProposalBody } from "@pencai/contracts/intake";
import { proposalScreenedDataSchema } from "@pencai/contracts/intake-events";
import { beforeAll, describe, expect, it } from "vitest";
import { checkCourtyards } from "../src/domain/funding-plan.js";
import { packageGroupView } from "../src/domain/package-group.js";
import { screenedEventData, submitProposal } from "../src/domain/proposal.js";
import type { ProposalRecord } from "../src/domain/types.js";
import {
  c1,
  c2,
  c3,
  code,
  proposalRecord,
  resident,
  staff,
  streetStaff,
  testCity,
  ULID_A,
  ULID_B,
  ULID_N,
  useTestCity,
} from "./fixtures.js";

// Luohu's money mechanisms (split packages, two-year phasing, cross-community projects) and
// courtyards: the pure rules of intake's domain/funding-plan.ts and domain/package-group.ts.

const longgang = testCity("longgang").rules;
const luohu = testCity("luohu").rules;
const now = new Date("2026-03-01T08:00:00.000Z");
const places: Record<string, typeof c1> = { c1, c2, c3 };

const body = (over: Partial<CreateProposalBody> = {}): CreateProposalBody => ({
  communityId: "c1",
  kind: "works",
  category: luohu.categoryList.categories[0]!,
  title: "老旧小区雨污分流",
  summary: "分两年实施",
  beneficiaries: 800,
  budgetFen: 80_000_000,
  needIds: [ULID_N],
  year: 2026,
  ...over,
});

const submit = (b: CreateProposalBody, principal = resident(), rules = luohu, place = c1) =>
  submitProposal(b, {
    principal,
    place,
    rules,
    id: ULID_A,
    now,
    courtyards: [{ id: "c1-east" }, { id: "c1-west" }],
    placeOf: (id) => places[id],
  });

beforeAll(() => {
  useTestCity();
});

const phased = (first = 40_000_000, second = 40_000_000, year = 2026) => ({
  phasing: [
    { year, programmeFen: first },
    { year: year + 1, programmeFen: second },
  ],
});

describe("two-year phasing (分年度实施)", () => {
  it("charges each year its share and holds the works cap per year, not on the whole", () => {
    const s = submit(body(phased()));
    expect(s.proposal.phasing).toEqual(phased().phasing);
    expect(s.budgetChecks).toEqual([
      { communityId: "c1", year: 2026, committedLimitFen: 160_000_000 },
      { communityId: "c1", year: 2027, committedLimitFen: 160_000_000 },
    ]);
    expect(s.entry.data.phasing).toEqual(phased().phasing);
    // 80万 unphased is over the 50万 works cap
    expect(code(() => submit(body()))).toBe("budget_cap_exceeded");
  });

  it("refuses phasing where the city does not phase, and on service projects", () => {
    expect(code(() => submit(body(phased()), resident(), longgang))).toBe("phasing_not_allowed");
    expect(code(() => submit(body({ kind: "service", ...phased() })))).toBe("phasing_not_allowed");
  });

  it("needs consecutive years from the proposal's, no more than the city's, summing up", () => {
    expect(code(() => submit(body(phased(40_000_000, 40_000_000, 2027))))).toBe("phasing_invalid");
    expect(code(() => submit(body(phased(40_000_000, 39_999_999))))).toBe("phasing_invalid");
    const three = {
      phasing: [
        ...phased(30_000_000, 30_000_000).phasing,
        { year: 2028, programmeFen: 20_000_000 },
      ],
    };
    expect(code(() => submit(body(three)))).toBe("phasing_invalid");
    // a year's share above the works cap
    expect(code(() => submit(body(phased(50_000_001, 29_999_999))))).toBe("budget_cap_exceeded");
    // exactly at the cap each year: 100万 over two years
    expect(
      code(() => submit(body({ budgetFen: 100_000_000, ...phased(50_000_000, 50_000_000) }))),
    ).toBe("ok");
  });
});

describe("split packages (拆开申报、分开审议、合并实施)", () => {
  const group = "01JPKGAAAAAAAAAAAAAAAAAAAA";

  it("checks every package against the works cap on its own", () => {
    expect(code(() => submit(body({ budgetFen: 50_000_000, packageGroupId: group })))).toBe("ok");
    expect(code(() => submit(body({ budgetFen: 50_000_001, packageGroupId: group })))).toBe(
      "budget_cap_exceeded",
    );
  });

  it("refuses packages where the city does not split needs, and service packages", () => {
    expect(
      code(() => submit(body({ budgetFen: 100, packageGroupId: group }), resident(), longgang)),
    ).toBe("packages_not_allowed");
    expect(
      code(() => submit(body({ kind: "service", budgetFen: 100, packageGroupId: group }))),
    ).toBe("packages_not_allowed");
  });

  it("is one of package, phased or cross-community at a time", () => {
    expect(code(() => submit(body({ packageGroupId: group, ...phased() })))).toBe(
      "funding_plan_conflict",
    );
  });

  it("shows members, totals, and ready only when every package still in it is approved", () => {
    const g = { id: group, communityId: "c1", year: 2026, proposerSub: "res-1" };
    const member = (id: string, status: ProposalRecord["status"], fen: number) =>
      proposalRecord({ id, status, programmeFen: fen, budgetFen: fen, packageGroupId: group });
    const waiting = packageGroupView(g, [
      member(ULID_A, "approved", 40_000_000),
      member(ULID_B, "forwarded", 30_000_000),
    ]);
    expect(waiting.totals).toEqual({
      members: 2,
      budgetFen: 70_000_000,
      programmeFen: 70_000_000,
      approvedFen: 40_000_000,
    });
    expect(waiting.implementation).toEqual({ ready: false, waitingFor: [ULID_B] });
    const ready = packageGroupView(g, [
      member(ULID_A, "funded", 40_000_000),
      member(ULID_B, "approved", 30_000_000),
      member(ULID_N, "withdrawn", 10_000_000),
    ]);
    expect(ready.implementation).toEqual({ ready: true, waitingFor: [] });
    expect(ready.totals.members).toBe(2);
    expect(ready.members.map((m) => m.status)).toEqual(["funded", "approved", "withdrawn"]);
    const blocked = packageGroupView(g, [
      member(ULID_A, "approved", 40_000_000),
      member(ULID_B, "rejected", 30_000_000),
    ]);
    expect(blocked.implementation).toEqual({ ready: false, waitingFor: [ULID_B] });
  });
});

describe("cross-community projects (跨社区项目)", () => {
  const shares = (a = 30_000_000, b = 20_000_000) => ({
    budgetFen: a + b,
    communities: [
      { communityId: "c1", programmeFen: a },
      { communityId: "c2", programmeFen: b },
    ],
  });

  it("charges each community of the street its share", () => {
    const s = submit(body(shares()), streetStaff("s1"));
    expect(s.proposal.communities).toEqual(shares().communities);
    expect(s.budgetChecks).toEqual([
      { communityId: "c1", year: 2026, committedLimitFen: 170_000_000 },
      { communityId: "c2", year: 2026, committedLimitFen: 180_000_000 },
    ]);
  });

  it("is filed by the street's staff where the city takes them", () => {
    expect(code(() => submit(body(shares()), streetStaff("s1"), longgang))).toBe(
      "cross_community_not_allowed",
    );
    expect(code(() => submit(body(shares()), staff(c1)))).toBe("forbidden");
    expect(code(() => submit(body(shares()), resident()))).toBe("forbidden");
  });

  it("needs different communities of the street, the proposal's own among them, summing up", () => {
    const s1 = streetStaff("s1");
    const other = {
      budgetFen: 50_000_000,
      communities: [
        { communityId: "c1", programmeFen: 30_000_000 },
        { communityId: "c3", programmeFen: 20_000_000 },
      ],
    };
    expect(code(() => submit(body(other), s1))).toBe("communities_invalid");
    const unknown = {
      ...other,
      communities: [other.communities[0]!, { communityId: "nowhere", programmeFen: 20_000_000 }],
    };
    expect(code(() => submit(body(unknown), s1))).toBe("communities_invalid");
    const twice = { ...other, communities: [other.communities[0]!, other.communities[0]!] };
    expect(code(() => submit(body({ ...twice, budgetFen: 60_000_000 }), s1))).toBe(
      "communities_invalid",
    );
    const short = { ...shares(), budgetFen: 50_000_001 };
    expect(code(() => submit(body(short), s1))).toBe("communities_invalid");
    const notOwn = { ...shares(), communityId: "c2" as const };
    expect(
      code(() => submit(body({ ...notOwn, communityId: "c3" }), streetStaff("s2"), luohu, c3)),
    ).toBe("communities_invalid");
  });
});

describe("courtyards (院落)", () => {
  it("keeps the courtyards of the proposal's community, each once, and refuses others", () => {
    const s = submit(body({ budgetFen: 100, courtyardIds: ["c1-east", "c1-east", "c1-west"] }));
    expect(s.proposal.courtyardIds).toEqual(["c1-east", "c1-west"]);
    expect(s.entry.data.courtyardIds).toEqual(["c1-east", "c1-west"]);
    expect(code(() => submit(body({ budgetFen: 100, courtyardIds: ["c2-north"] })))).toBe(
      "courtyard_not_found",
    );
    expect(code(() => checkCourtyards(["any"], "c9", []))).toBe("courtyard_not_found");
    expect(checkCourtyards(undefined, "c1", [])).toBeUndefined();
  });
});

describe("event-carried state", () => {
  it("ProposalScreened carries phasing, shares, package group and courtyards on to deliberation", () => {
    const screened = (b: CreateProposalBody, principal = resident()) => {
      const { proposal } = submit(b, principal);
      return screenedEventData({
        ...proposal,
        status: "screened",
        screening: { decision: "accept", needFit: 90, at: now.toISOString() },
      });
    };
    const phasedData = screened(body({ ...phased(), courtyardIds: ["c1-east"] }));
    expect(phasedData).toMatchObject({ phasing: phased().phasing, courtyardIds: ["c1-east"] });
    expect(proposalScreenedDataSchema.safeParse(phasedData).success).toBe(true);
    const shares = [
      { communityId: "c1", programmeFen: 300 },
      { communityId: "c2", programmeFen: 200 },
    ];
    const sharedData = screened(body({ budgetFen: 500, communities: shares }), streetStaff("s1"));
    expect(sharedData.communities).toEqual(shares);
    const pkg = screened(body({ budgetFen: 500, packageGroupId: "grp-1" }));
    expect(pkg.packageGroupId).toBe("grp-1");
  });
});
