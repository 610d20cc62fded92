import { type CreateProposalBody, proposalScreenedDataSchema } from "@pencai/contracts/intake";
import { beforeAll, describe, expect, it } from "vitest";
import {
  movesForward,
  screenedEventData,
  screenProposal,
  stageOf,
  statusRank,
  submitProposal,
  withdrawProposal,
} from "../src/domain/proposal.js";
import {
  c1,
  c2,
  c3,
  code,
  org,
  proposalRecord,
  resident,
  staff,
  streetStaff,
  testCity,
  ULID_A,
  ULID_N,
  useTestCity,
} from "./fixtures.js";

const longgang = testCity("longgang").rules;
const luohu = testCity("luohu").rules;
const now = new Date("2026-03-01T08:00:00.000Z");

const body = (over: Partial<CreateProposalBody> = {}): CreateProposalBody => ({
  communityId: "c1",
  kind: "works",
  category: "environment",
  title: "路灯更换",
  summary: "更换老化路灯",
  beneficiaries: 300,
  budgetFen: 1_000_000,
  needIds: [ULID_N],
  year: 2026,
  ...over,
});

const submit = (b: CreateProposalBody, principal = resident(), rules = longgang, place = c1) =>
  submitProposal(b, { principal, place, rules, id: ULID_A, now });

beforeAll(() => {
  useTestCity();
});

describe("submitting a proposal", () => {
  it("builds a submitted proposal with the proposer kept privately", () => {
    const s = submit(body({ needIds: [ULID_N, ULID_N] }));
    expect(s.proposal).toMatchObject({
      id: ULID_A,
      status: "submitted",
      streetId: "s1",
      districtId: "d1",
      selfRaisedFen: 0,
      needIds: [ULID_N],
      proposer: { sub: "res-1", role: "resident", householdId: "hh-res-1" },
    });
    expect(s.entry).toMatchObject({ type: "ProposalSubmitted", actor: { role: "resident" } });
    expect(JSON.stringify(s.entry)).not.toContain("res-1");
  });

  it("caps each kind: works 500,000 CNY, service 200,000 CNY", () => {
    expect(code(() => submit(body({ budgetFen: 50_000_000 })))).toBe("ok");
    expect(code(() => submit(body({ budgetFen: 50_000_001 })))).toBe("budget_cap_exceeded");
    const service = { kind: "service" as const, category: "elderly_care", applicantOrgId: "org-1" };
    expect(code(() => submit(body({ ...service, budgetFen: 20_000_000 }), org()))).toBe("ok");
    expect(code(() => submit(body({ ...service, budgetFen: 20_000_001 }), org()))).toBe(
      "budget_cap_exceeded",
    );
  });

  it("checks the category against a negative list", () => {
    expect(code(() => submit(body({ category: "banquets_gifts" })))).toBe("ineligible_category");
    expect(code(() => submit(body({ category: "no_such_category" })))).toBe("ineligible_category");
  });

  it("checks the category against a positive list", () => {
    expect(code(() => submit(body({ category: "environment" }), resident(), luohu))).toBe("ok");
    expect(code(() => submit(body({ category: "parking_order" }), resident(), luohu))).toBe(
      "ineligible_category",
    );
  });

  it("requires an organisation applicant for service projects: the proposer's own organisation", () => {
    const service = body({ kind: "service", category: "elderly_care" });
    expect(code(() => submit(service))).toBe("org_applicant_required");
    // an organisation applies as itself, and is its own applicant by default
    expect(submit(service, org("org-1")).proposal.applicantOrgId).toBe("org-1");
    expect(code(() => submit({ ...service, applicantOrgId: "org-1" }, org("org-1")))).toBe("ok");
  });

  it("lets nobody name an organisation but its own users", () => {
    const service = body({ kind: "service", category: "elderly_care" });
    // a resident naming any organisation, existing or not, of this district or another
    expect(code(() => submit({ ...service, applicantOrgId: "org-1" }))).toBe("forbidden");
    expect(code(() => submit({ ...service, applicantOrgId: "no-such-org" }))).toBe("forbidden");
    // community staff may file proposals, but not in an organisation's name
    expect(code(() => submit({ ...service, applicantOrgId: "org-1" }, staff(c1)))).toBe(
      "forbidden",
    );
    // an organisation naming another
    expect(code(() => submit({ ...service, applicantOrgId: "org-2" }, org("org-1")))).toBe(
      "forbidden",
    );
    // a resident whose token happens to carry an orgId acts as a resident, not as the organisation
    const both = { ...resident(), orgId: "org-1" };
    expect(code(() => submit({ ...service, applicantOrgId: "org-1" }, both))).toBe("forbidden");
    expect(submit(body(), both).proposal.proposer.orgId).toBeUndefined();
    // an org user whose token names no organisation
    expect(code(() => submit(service, { ...org("org-1"), orgId: undefined }))).toBe("forbidden");
  });

  it("lets anyone apply for a service project where the city says so", () => {
    const rules = {
      ...longgang,
      process: { ...longgang.process, serviceApplicant: "any" as const },
    };
    expect(
      code(() => submit(body({ kind: "service", category: "elderly_care" }), resident(), rules)),
    ).toBe("ok");
  });

  it("keeps self-raised funds between 0 and the budget, leaving the programme a part", () => {
    expect(code(() => submit(body({ selfRaisedFen: 999_999 })))).toBe("ok");
    expect(code(() => submit(body({ selfRaisedFen: 1_000_000 })))).toBe("funding_invalid");
    expect(code(() => submit(body({ selfRaisedFen: 1_000_001 })))).toBe("self_raised_invalid");
    expect(code(() => submit(body({ selfRaisedFen: -1 })))).toBe("self_raised_invalid");
  });

  it("counts only programme money against the per-kind caps and the community's yearly cap", () => {
    // 600,000 CNY of works with 100,000 self-raised: the programme pays 500,000, the cap
    const s = submit(body({ budgetFen: 60_000_000, selfRaisedFen: 10_000_000 }));
    expect(s.proposal).toMatchObject({
      budgetFen: 60_000_000,
      selfRaisedFen: 10_000_000,
      sponsorFen: 0,
      programmeFen: 50_000_000,
    });
    expect(s.budgetChecks.map((c) => c.committedLimitFen)).toEqual([150_000_000]);
    expect(s.entry.data).toMatchObject({ programmeFen: 50_000_000, selfRaisedFen: 10_000_000 });
    expect(code(() => submit(body({ budgetFen: 60_000_001, selfRaisedFen: 10_000_000 })))).toBe(
      "budget_cap_exceeded",
    );
  });

  it("takes sponsor money only where the city's programme takes sponsors (筹)", () => {
    expect(code(() => submit(body({ sponsorFen: 100_000 })))).toBe("sponsor_not_allowed");
    const ningbo = { ...longgang, process: { ...longgang.process, sponsors: true } };
    const s = submit(
      body({ budgetFen: 1_000_000, selfRaisedFen: 100_000, sponsorFen: 300_000 }),
      resident(),
      ningbo,
    );
    expect(s.proposal).toMatchObject({ sponsorFen: 300_000, programmeFen: 600_000 });
    expect(
      code(() =>
        submit(
          body({ budgetFen: 1_000_000, selfRaisedFen: 100_000, sponsorFen: 900_000 }),
          resident(),
          ningbo,
        ),
      ),
    ).toBe("funding_invalid");
    expect(code(() => submit(body({ sponsorFen: -1 }), resident(), ningbo))).toBe(
      "funding_invalid",
    );
  });

  it("leaves the community-year cap minus the budget for the committed amount", () => {
    expect(submit(body({ budgetFen: 30_000_000 })).budgetChecks).toEqual([
      { communityId: "c1", year: 2026, committedLimitFen: 170_000_000 },
    ]);
    const tight = { ...longgang, caps: { ...longgang.caps, communityYearFen: 40_000_000 } };
    expect(code(() => submit(body({ budgetFen: 45_000_000 }), resident(), tight))).toBe(
      "community_cap_exceeded",
    );
  });

  it("accepts split packages and checks each on its own", () => {
    const a = submit(
      body({ budgetFen: 50_000_000, packageGroupId: "01JPKGAAAAAAAAAAAAAAAAAAAA" }),
      resident(),
      luohu,
    );
    expect(a.proposal.packageGroupId).toBe("01JPKGAAAAAAAAAAAAAAAAAAAA");
    expect(a.entry.data.packageGroupId).toBe("01JPKGAAAAAAAAAAAAAAAAAAAA");
  });

  it("keeps residents and staff inside their jurisdiction", () => {
    expect(code(() => submit(body(), resident("r", c2)))).toBe("forbidden");
    expect(code(() => submit(body(), staff(c2)))).toBe("forbidden");
    expect(code(() => submit(body(), staff(c1)))).toBe("ok");
    // a street's staff files for any community of the street (cross-community packages)
    expect(code(() => submit(body(), streetStaff("s1")))).toBe("ok");
    expect(code(() => submit(body({ communityId: "c3" }), streetStaff("s1"), longgang, c3))).toBe(
      "forbidden",
    );
    expect(code(() => submit(body(), { sub: "x", roles: ["evaluator"], ...c1 }))).toBe("forbidden");
  });
});

describe("lifecycle order", () => {
  it("ranks the statuses and never moves backwards or out of an exit", () => {
    expect(statusRank("submitted")).toBeLessThan(statusRank("approved"));
    expect(movesForward("submitted", "screened")).toBe(true);
    expect(movesForward("approved", "reported")).toBe(false);
    expect(movesForward("approved", "approved")).toBe(false);
    expect(movesForward("withdrawn", "funded")).toBe(false);
    expect(movesForward("funded", "rejected")).toBe(true);
  });

  it("maps statuses to the four publicities", () => {
    expect(stageOf("submitted")).toBe("collection");
    expect(stageOf("screened")).toBe("collection");
    expect(stageOf("rejected", "screening")).toBe("collection");
    expect(stageOf("rejected", "approval")).toBe("decision");
    expect(stageOf("deliberated")).toBe("decision");
    expect(stageOf("approved")).toBe("decision");
    expect(stageOf("funded")).toBe("implementation");
    expect(stageOf("completed")).toBe("implementation");
    expect(stageOf("evaluated")).toBe("effect");
    expect(stageOf("withdrawn")).toBeUndefined();
  });
});

describe("screening", () => {
  const ctx = (principal = staff(c1), rules = longgang) => ({ principal, rules, now });

  it("accepts a submitted proposal: screened, with the fit recorded", () => {
    const t = screenProposal(proposalRecord(), { decision: "accept", needFit: 80 }, ctx());
    expect(t.proposal.status).toBe("screened");
    expect(t.proposal.screening).toMatchObject({ decision: "accept", needFit: 80 });
    expect(t.entry).toMatchObject({ type: "ProposalScreened", actor: { role: "community_staff" } });
  });

  it("rejects with a reason: rejected at screening", () => {
    const t = screenProposal(proposalRecord(), { decision: "reject", reason: "重复" }, ctx());
    expect(t.proposal).toMatchObject({
      status: "rejected",
      rejectedAt: "screening",
      rejectionReason: "重复",
    });
    expect(code(() => screenProposal(proposalRecord(), { decision: "reject" }, ctx()))).toBe(
      "validation_failed",
    );
  });

  it("requires the fit where the city checks it (luohu)", () => {
    expect(
      code(() => screenProposal(proposalRecord(), { decision: "accept" }, ctx(staff(c1), luohu))),
    ).toBe("validation_failed");
    expect(code(() => screenProposal(proposalRecord(), { decision: "accept" }, ctx()))).toBe("ok");
  });

  it("is for the proposal's community staff only, and only from submitted", () => {
    expect(
      code(() => screenProposal(proposalRecord(), { decision: "accept" }, ctx(staff(c2)))),
    ).toBe("forbidden");
    expect(
      code(() => screenProposal(proposalRecord(), { decision: "accept" }, ctx(resident()))),
    ).toBe("forbidden");
    expect(
      code(() => screenProposal(proposalRecord(), { decision: "accept" }, ctx(streetStaff()))),
    ).toBe("forbidden");
    for (const status of ["screened", "rejected", "withdrawn", "approved"] as const) {
      expect(
        code(() => screenProposal(proposalRecord({ status }), { decision: "accept" }, ctx())),
      ).toBe("invalid_state");
    }
  });
});

describe("withdrawal", () => {
  it("is the proposer's, before approval", () => {
    const t = withdrawProposal(
      proposalRecord({ status: "forwarded" }),
      { reason: "搬家" },
      { principal: resident(), now },
    );
    expect(t.proposal).toMatchObject({ status: "withdrawn", withdrawnAt: now.toISOString() });
    expect(t.entry.data).toEqual({ previousStatus: "forwarded", reason: "搬家" });
  });

  it("refuses others (403) and late or finished proposals (409)", () => {
    const w = (over: Parameters<typeof proposalRecord>[0], principal = resident()) =>
      code(() => withdrawProposal(proposalRecord(over), undefined, { principal, now }));
    expect(w({}, staff(c1))).toBe("forbidden");
    expect(w({}, resident("res-2"))).toBe("forbidden");
    for (const status of ["approved", "funded", "evaluated", "withdrawn", "rejected"] as const) {
      expect(w({ status })).toBe("invalid_state");
    }
    for (const status of [
      "submitted",
      "screened",
      "deliberated",
      "endorsed",
      "reported",
      "forwarded",
    ] as const) {
      expect(w({ status })).toBe("ok");
    }
  });
});

describe("ProposalScreened event data (event-carried state for deliberation)", () => {
  const ctx = { principal: staff(c1), rules: longgang, now };

  it("carries the decision and the proposal's place, kind, money, year and head count", () => {
    const screened = screenProposal(
      proposalRecord({ selfRaisedFen: 200_000, programmeFen: 800_000, beneficiaries: 300 }),
      { decision: "accept", needFit: 80 },
      ctx,
    ).proposal;
    const data = screenedEventData(screened);
    expect(data).toEqual({
      proposalId: ULID_A,
      decision: "accept",
      status: "screened",
      needFit: 80,
      communityId: "c1",
      streetId: "s1",
      districtId: "d1",
      kind: "works",
      category: "environment",
      title: "路灯更换",
      budgetFen: 1_000_000,
      selfRaisedFen: 200_000,
      sponsorFen: 0,
      programmeFen: 800_000,
      year: 2026,
      beneficiaries: 300,
    });
    expect(proposalScreenedDataSchema.safeParse(data).success).toBe(true);
    // no identities: the proposer stays on the proposal
    expect(JSON.stringify(data)).not.toMatch(/res-1|hh-res-1/);
  });

  it("leaves beneficiaries out when the proposal describes them in words", () => {
    const screened = screenProposal(
      proposalRecord({ beneficiaries: "7栋全体住户" }),
      { decision: "accept" },
      ctx,
    ).proposal;
    const data = screenedEventData(screened);
    expect(data).not.toHaveProperty("beneficiaries");
    expect(proposalScreenedDataSchema.safeParse(data).success).toBe(true);
  });

  it("carries a rejection and its reason", () => {
    const rejected = screenProposal(
      proposalRecord(),
      { decision: "reject", reason: "重复" },
      ctx,
    ).proposal;
    expect(screenedEventData(rejected)).toMatchObject({
      decision: "reject",
      status: "rejected",
      reason: "重复",
      communityId: "c1",
    });
  });

  it("refuses a proposal that was not screened", () => {
    expect(() => screenedEventData(proposalRecord())).toThrow(/not screened/);
  });
});
