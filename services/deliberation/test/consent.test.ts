import { describe, expect, it } from "vitest";
import { canReadMeeting, requireMemberOf, requireStaffOf } from "../src/domain/access.js";
import { answerConsent } from "../src/domain/consent.js";
import { c2, c3, M1, meeting, member, NOW, P1, projection, resident, staff } from "./fixtures.js";

describe("household consent answers", () => {
  const onAgenda = projection({ meetingId: M1 });

  it("one household answers for a proposal on an agenda of its community", () => {
    expect(answerConsent(onAgenda, resident("hh-7"), true, NOW)).toEqual({
      meetingId: M1,
      consent: {
        proposalId: P1,
        householdId: "hh-7",
        agree: true,
        sub: "res-hh-7",
        answeredAt: NOW.toISOString(),
      },
    });
  });

  it("is forbidden without a household claim or from another community", () => {
    const { householdId: _, ...noHousehold } = resident();
    expect(() => answerConsent(onAgenda, noHousehold, true, NOW)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => answerConsent(onAgenda, resident("hh-1", c2), true, NOW)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => answerConsent(onAgenda, staff(), true, NOW)).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
  });

  it("is refused (409) before the proposal is on an agenda, after the council decided, once withdrawn", () => {
    const decided = projection({
      meetingId: M1,
      council: {
        proposalId: P1,
        yes: 0,
        no: 0,
        abstain: 0,
        present: 0,
        quorumMet: false,
        passed: false,
        members: 1,
      },
    });
    for (const p of [projection(), decided, projection({ meetingId: M1, status: "withdrawn" })]) {
      expect(() => answerConsent(p, resident(), false, NOW)).toThrow(
        expect.objectContaining({ code: "invalid_state" }),
      );
    }
  });
});

describe("jurisdiction", () => {
  it("staff act in their own community only (street claims: their street's)", () => {
    expect(() => requireStaffOf(staff(), meeting())).not.toThrow();
    expect(() => requireStaffOf(staff(c2), meeting())).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() =>
      requireStaffOf(
        { sub: "s", roles: ["community_staff"], districtId: "d1", streetId: "s2" },
        meeting(),
      ),
    ).toThrow();
    expect(() => requireStaffOf(member("m1"), meeting())).toThrow();
  });

  it("members vote only in meetings that list them, of their own community", () => {
    expect(() => requireMemberOf(member("m1"), meeting())).not.toThrow();
    expect(() => requireMemberOf(member("m9"), meeting())).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => requireMemberOf(member("m1", c3), meeting())).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(canReadMeeting(member("m1"), meeting())).toBe(true);
    expect(canReadMeeting(member("m9"), meeting())).toBe(false);
    expect(canReadMeeting(staff(c2), meeting())).toBe(false);
  });
});
