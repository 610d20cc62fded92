import { describe, expect, it } from "vitest";
import { canAddEvidence, canReadCommunity, canReadProposal } from "../src/domain/access.js";
import { checkEndorsement, normalizeTitle, raiseNeed, titleKey } from "../src/domain/need.js";
import {
  c1,
  c2,
  c3,
  codeOf,
  org,
  proposalRecord,
  resident,
  staff,
  streetStaff,
  testCity,
  ULID_N,
} from "./fixtures.js";

const rules = testCity().rules;
const now = new Date("2026-03-01T08:00:00.000Z");
const raise = (principal = resident(), place = c1, category?: string) =>
  raiseNeed(
    {
      communityId: place.communityId,
      title: "电梯加装",
      description: "七栋无电梯",
      ...(category && { category }),
    },
    { principal, place, rules, id: ULID_N, now },
  );

describe("needs library", () => {
  it("normalises titles for de-duplication", () => {
    expect(normalizeTitle(" 电梯 加装！")).toBe("电梯加装");
    expect(normalizeTitle("Street  Lights.")).toBe(normalizeTitle("street lights"));
    expect(normalizeTitle("ＡＢＣ")).toBe("abc");
    expect(titleKey("电梯加装")).toBe(titleKey("电梯 加装!"));
    expect(titleKey("电梯加装")).not.toBe(titleKey("加装电梯"));
  });

  it("is raised by residents and staff of the community", () => {
    expect(raise()).toMatchObject({
      id: ULID_N,
      communityId: "c1",
      streetId: "s1",
      endorsements: 0,
      proposalIds: [],
      raisedBy: { role: "resident" },
    });
    expect(raise(staff(c1)).raisedBy.role).toBe("community_staff");
    expect(codeOf(() => raise(resident("r", c2)))).toBe("forbidden");
    expect(codeOf(() => raise(staff(c2)))).toBe("forbidden");
    expect(codeOf(() => raise(org()))).toBe("forbidden");
  });

  it("names a known category only", () => {
    expect(raise(resident(), c1, "elderly_care").category).toBe("elderly_care");
    expect(codeOf(() => raise(resident(), c1, "nonsense"))).toBe("validation_failed");
  });

  it("is endorsed by residents of its own community", () => {
    const need = raise();
    expect(codeOf(() => checkEndorsement(resident("r2"), need))).toBe("ok");
    expect(codeOf(() => checkEndorsement(resident("r3", c2), need))).toBe("forbidden");
    expect(codeOf(() => checkEndorsement(staff(c1), need))).toBe("forbidden");
  });
});

describe("jurisdiction", () => {
  const p = proposalRecord({ applicantOrgId: "org-1" });
  it("lets the proposer, the applicant organisation and officials over the community read", () => {
    expect(canReadProposal(resident(), p)).toBe(true);
    expect(canReadProposal(resident("res-2"), p)).toBe(false);
    expect(canReadProposal(org("org-1"), p)).toBe(true);
    expect(canReadProposal(org("org-2"), p)).toBe(false);
    expect(canReadProposal(staff(c1), p)).toBe(true);
    expect(canReadProposal(staff(c2), p)).toBe(false);
    expect(canReadProposal(streetStaff("s1"), p)).toBe(true);
    expect(canReadProposal(streetStaff("s2"), p)).toBe(false);
    expect(canReadProposal({ sub: "d", roles: ["district_civil"], districtId: "d1" }, p)).toBe(
      true,
    );
    expect(canReadProposal({ sub: "d", roles: ["district_civil"], districtId: "d2" }, p)).toBe(
      false,
    );
    expect(canReadProposal({ sub: "a", roles: ["analyst"], cityWide: true }, p)).toBe(true);
    // a missing claim never widens reach: an analyst with no claim is not city-wide
    expect(canReadProposal({ sub: "a", roles: ["analyst"] }, p)).toBe(false);
    expect(canReadProposal({ sub: "e", roles: ["evaluator"], communityId: "c1" }, p)).toBe(false);
    // a resident who also names an organisation does not read that organisation's proposals
    expect(canReadProposal({ ...resident("res-9"), orgId: "org-1" }, p)).toBe(false);
  });

  it("lets the proposer and the community's and street's staff add evidence", () => {
    expect(canAddEvidence(resident(), p)).toBe(true);
    expect(canAddEvidence(staff(c1), p)).toBe(true);
    expect(canAddEvidence(streetStaff("s1"), p)).toBe(true);
    expect(canAddEvidence({ sub: "d", roles: ["district_civil"], districtId: "d1" }, p)).toBe(
      false,
    );
    expect(canAddEvidence(staff(c3), p)).toBe(false);
  });

  it("opens a community's needs to its people and officials over it", () => {
    expect(canReadCommunity(resident(), c1)).toBe(true);
    expect(canReadCommunity(resident("x", c2), c1)).toBe(false);
    expect(canReadCommunity(streetStaff("s1"), c2)).toBe(true);
    expect(canReadCommunity(streetStaff("s2"), c2)).toBe(false);
  });
});
