import type { Principal } from "@pencai/runtime/reach";
import { describe, expect, it } from "vitest";
import {
  canReadImplementation,
  canReadSpending,
  isImplementingOrg,
  isOfficialOver,
  placeOf,
  requireMoneyKeeper,
  requireReporter,
  requireStreetStaff,
} from "../src/domain/access.js";
import type { Project } from "../src/domain/types.js";
import {
  APPLICANT_ORG,
  c1,
  c2,
  c3,
  c4,
  communityStaff,
  districtOfficial,
  evaluatingProject,
  evaluator,
  expectDomainError,
  fundedProject,
  IMPLEMENTER_ORG,
  implementation,
  implementingProject,
  orgUser,
  PROPOSER,
  resident,
  streetStaff,
} from "./fixtures.js";

const allowed = (check: (who: Principal, p: Project) => void, who: Principal, p: Project) =>
  expect(() => check(who, p)).not.toThrow();
const refused = (check: (who: Principal, p: Project) => void, who: Principal, p: Project) =>
  expectDomainError(() => check(who, p), "forbidden", 403);

const byCommunity = (p: Project = implementingProject()) =>
  ({ ...p, implementation: implementation({ implementer: { kind: "community" } }) }) as Project;
const byStreet = (p: Project = implementingProject()) =>
  ({ ...p, implementation: implementation({ implementer: { kind: "street" } }) }) as Project;

describe("placeOf", () => {
  it("is the project's community, street and district once all three are known", () => {
    expect(placeOf(fundedProject())).toEqual(c1);
    // ProposalApproved carries no street: until ProposalSubmitted arrives, no place
    expect(placeOf(fundedProject({ streetId: undefined }))).toBeUndefined();
  });
});

describe("requireStreetStaff", () => {
  const p = implementingProject();

  it("lets the staff of the project's street act", () => {
    allowed(requireStreetStaff, streetStaff(c1), p);
    // the whole street, whichever of its communities the project is in
    allowed(requireStreetStaff, streetStaff(c2), fundedProject({ ...c2 }));
  });

  it("refuses another street's staff, another district's, and a street staff without a street claim", () => {
    refused(requireStreetStaff, streetStaff(c3), p);
    refused(requireStreetStaff, streetStaff(c4), p);
    refused(requireStreetStaff, { sub: "s", roles: ["street_staff"], districtId: "d1" }, p);
  });

  it("refuses other roles over the same place", () => {
    for (const who of [
      communityStaff(c1),
      districtOfficial("district_civil", "d1"),
      districtOfficial("district_finance", "d1"),
      { sub: "admin", roles: ["admin"], cityWide: true } as Principal,
      orgUser(IMPLEMENTER_ORG),
      resident(),
    ]) {
      refused(requireStreetStaff, who, p);
    }
  });

  it("refuses everyone while the project's place is unknown", () => {
    refused(requireStreetStaff, streetStaff(c1), fundedProject({ streetId: undefined }));
  });
});

describe("requireReporter", () => {
  it("the street's staff report on any implementer's project", () => {
    for (const p of [implementingProject(), byCommunity(), byStreet()]) {
      allowed(requireReporter, streetStaff(c1), p);
    }
  });

  it("the implementing organisation's users, by their orgId claim, wherever registered", () => {
    allowed(requireReporter, orgUser(IMPLEMENTER_ORG, c1), implementingProject());
    allowed(requireReporter, orgUser(IMPLEMENTER_ORG, c4, "user-2"), implementingProject());
  });

  it("not another organisation, the applicant, or an org claim without the org role", () => {
    const p = implementingProject();
    refused(requireReporter, orgUser("org-other"), p);
    refused(requireReporter, orgUser(APPLICANT_ORG), p);
    refused(requireReporter, { ...resident(), orgId: IMPLEMENTER_ORG }, p);
    refused(requireReporter, { sub: "u", roles: ["org"], ...c1 }, p);
  });

  it("the community's staff only where the community implements", () => {
    allowed(requireReporter, communityStaff(c1), byCommunity());
    refused(requireReporter, communityStaff(c1), implementingProject());
    refused(requireReporter, communityStaff(c1), byStreet());
    // the community is the project's own, not a neighbour on the same street
    refused(requireReporter, communityStaff(c2), byCommunity());
  });

  it("before the implementer is named only the street's staff qualify", () => {
    const p = fundedProject();
    allowed(requireReporter, streetStaff(c1), p);
    refused(requireReporter, orgUser(IMPLEMENTER_ORG), p);
    refused(requireReporter, communityStaff(c1), p);
  });

  it("an organisation no longer implements once the street names a community", () => {
    expect(isImplementingOrg(orgUser(IMPLEMENTER_ORG), implementingProject())).toBe(true);
    expect(isImplementingOrg(orgUser(IMPLEMENTER_ORG), byCommunity())).toBe(false);
  });
});

describe("requireMoneyKeeper", () => {
  const p = fundedProject();

  it("the staff of the project's community or street", () => {
    allowed(requireMoneyKeeper, communityStaff(c1), p);
    allowed(requireMoneyKeeper, streetStaff(c1), p);
  });

  it("nobody else, and no staff without the claim that places them", () => {
    for (const who of [
      communityStaff(c2),
      communityStaff(c3),
      streetStaff(c3),
      districtOfficial("district_finance", "d1"),
      orgUser(IMPLEMENTER_ORG),
      resident(PROPOSER),
      { sub: "x", roles: ["community_staff"], districtId: "d1", streetId: "s1" } as Principal,
    ]) {
      refused(requireMoneyKeeper, who, p);
    }
  });
});

describe("read rights", () => {
  const p = evaluatingProject();
  const officials: [string, Principal][] = [
    ["the district's official", districtOfficial("district_group", "d1")],
    ["the street's staff", streetStaff(c1)],
    ["the street's expert", { sub: "ex", roles: ["expert"], districtId: "d1", streetId: "s1" }],
    ["the community's council member", { sub: "cm", roles: ["council_member"], ...c1 }],
    ["a city-wide admin", { sub: "admin", roles: ["admin"], cityWide: true }],
  ];
  const outsiders: [string, Principal][] = [
    ["another district's official", districtOfficial("district_group", "d2")],
    ["another street's staff", streetStaff(c3)],
    ["another street's expert", { sub: "ex", roles: ["expert"], districtId: "d1", streetId: "s2" }],
    ["an admin with neither district nor cityWide", { sub: "admin", roles: ["admin"] }],
    ["a resident of the community", resident("res-9")],
    ["another organisation", orgUser("org-other")],
  ];

  it("officials over the place are officials over the project", () => {
    for (const [who, principal] of officials) expect(isOfficialOver(principal, p), who).toBe(true);
    for (const [who, principal] of outsiders) expect(isOfficialOver(principal, p), who).toBe(false);
  });

  it("the implementation: officials, the proposer, the implementer and the panel", () => {
    for (const [who, principal] of officials)
      expect(canReadImplementation(principal, p), who).toBe(true);
    expect(canReadImplementation(resident(PROPOSER), p)).toBe(true);
    expect(canReadImplementation(orgUser(IMPLEMENTER_ORG, c4), p)).toBe(true);
    expect(canReadImplementation(evaluator("deputy-1"), p)).toBe(true);
    for (const [who, principal] of outsiders) {
      expect(canReadImplementation(principal, p), who).toBe(false);
    }
    expect(canReadImplementation(evaluator("not-on-panel"), p)).toBe(false);
  });

  it("the spending: officials, the proposer, the implementing and applicant organisations", () => {
    for (const [who, principal] of officials) expect(canReadSpending(principal, p), who).toBe(true);
    expect(canReadSpending(resident(PROPOSER), p)).toBe(true);
    expect(canReadSpending(orgUser(IMPLEMENTER_ORG), p)).toBe(true);
    expect(canReadSpending(orgUser(APPLICANT_ORG), p)).toBe(true);
    for (const [who, principal] of outsiders)
      expect(canReadSpending(principal, p), who).toBe(false);
    // the panel reads the implementation, not the (private) spending notice
    expect(canReadSpending(evaluator("deputy-1"), p)).toBe(false);
    // the applicant's orgId claim counts only with the org role
    expect(canReadSpending({ ...resident("res-9"), orgId: APPLICANT_ORG }, p)).toBe(false);
  });

  it("without an applicant organisation, no orgId claim reads the spending", () => {
    const q = evaluatingProject({ applicantOrgId: undefined });
    expect(canReadSpending(orgUser(APPLICANT_ORG), q)).toBe(false);
    expect(canReadSpending({ sub: "u", roles: ["org"], ...c1 }, q)).toBe(false);
  });
});
