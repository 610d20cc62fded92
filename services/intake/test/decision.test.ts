import type { Envelope } from "@pencai/contracts/events";
import { publicProposalDetailSchema } from "@pencai/contracts/intake";
import { describe, expect, it } from "vitest";
import { councilOf, decisionAfter, expertReviewOf } from "../src/domain/decision.js";
import { applyLifecycleEvent } from "../src/domain/registry.js";
import { proposalView, publicProposalView } from "../src/domain/views.js";
import { lifecycleEvent, proposalRecord, ULID_A, useTestCity } from "./fixtures.js";

useTestCity();

const event = (type: Envelope["type"], data: Record<string, unknown> = {}, at?: string) =>
  lifecycleEvent({ sub: "staff-secret-1", roles: ["community_staff"] }, type, data, at);

const MEETING = "01JMMMMMMMMMMMMMMMMMMMMMMM";
const tally = {
  proposalId: ULID_A,
  meetingId: MEETING,
  members: 7,
  present: 5,
  quorumMet: true,
  yes: 4,
  no: 1,
  abstain: 0,
  passed: true,
};
const expertPass = {
  proposalId: ULID_A,
  passed: true,
  decision: "pass",
  reviews: 2,
  averageScore: 85,
};

describe("decision record (council tally, expert outcome)", () => {
  it("projects the council tally of DeliberationConcluded onto the proposal", () => {
    const change = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("DeliberationConcluded", tally),
    );
    expect(change.proposal.status).toBe("deliberated");
    expect(change.proposal.decision).toEqual({
      council: {
        meetingId: MEETING,
        members: 7,
        present: 5,
        yes: 4,
        no: 1,
        abstain: 0,
        quorumMet: true,
        passed: true,
        concludedAt: "2026-05-01T00:00:00.000Z",
      },
    });
  });

  it("keeps the tally of a failed council, with the rejection", () => {
    const failed = { ...tally, present: 3, yes: 3, quorumMet: false, passed: false };
    const change = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("DeliberationConcluded", failed),
    );
    expect(change.proposal).toMatchObject({
      status: "rejected",
      rejectedAt: "deliberation",
      decision: { council: { present: 3, quorumMet: false, passed: false } },
    });
  });

  it("carries household consent counts when the event has them", () => {
    const consent = {
      households: 193,
      agreed: 163,
      disagreed: 20,
      share: 163 / 193,
      required: true,
      met: true,
    };
    const council = councilOf({ ...tally, consent }, "2026-05-01T00:00:00.000Z");
    expect(council?.consent).toEqual(consent);
    // a malformed consent is left out, the tally stays
    expect(councilOf({ ...tally, consent: { households: "x" } }, "t")?.consent).toBeUndefined();
  });

  it("adds the expert outcome next to the council tally; a pass leaves the status alone", () => {
    const deliberated = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("DeliberationConcluded", tally),
    ).proposal;
    const change = applyLifecycleEvent(
      deliberated,
      event("ExpertReviewConcluded", expertPass, "2026-05-02T00:00:00.000Z"),
    );
    expect(change.proposal.status).toBe("deliberated");
    expect(change.proposal.decision).toMatchObject({
      council: { passed: true, yes: 4 },
      expertReview: {
        passed: true,
        decision: "pass",
        reviews: 2,
        averageScore: 85,
        concludedAt: "2026-05-02T00:00:00.000Z",
      },
    });
    expect(change.proposal.updatedAt).toBe("2026-05-02T00:00:00.000Z");
  });

  it("records an expert fail with its reason and rejects at expert review", () => {
    const change = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("ExpertReviewConcluded", {
        proposalId: ULID_A,
        passed: false,
        decision: "fail",
        reviews: 3,
        averageScore: 41.5,
        reason: "不符合消防规范",
      }),
    );
    expect(change.proposal).toMatchObject({
      status: "rejected",
      rejectedAt: "expert_review",
      decision: { expertReview: { passed: false, reviews: 3, averageScore: 41.5 } },
    });
  });

  it("keeps the latest tally: an older event arriving late changes nothing", () => {
    const later = decisionAfter(
      undefined,
      event("DeliberationConcluded", { ...tally, yes: 5, no: 0 }, "2026-05-03T00:00:00.000Z"),
    );
    const stale = event("DeliberationConcluded", { ...tally, yes: 1 }, "2026-05-01T00:00:00.000Z");
    expect(decisionAfter(later, stale)).toBe(later);
    const newer = event("DeliberationConcluded", { ...tally, yes: 2 }, "2026-05-04T00:00:00.000Z");
    expect(decisionAfter(later, newer)?.council?.yes).toBe(2);
  });

  it("ignores malformed event data and other event types", () => {
    expect(decisionAfter(undefined, event("DeliberationConcluded", { passed: true }))).toBe(
      undefined,
    );
    expect(councilOf({ ...tally, yes: -1 }, "t")).toBeUndefined();
    expect(councilOf({ ...tally, present: 2.5 }, "t")).toBeUndefined();
    expect(expertReviewOf({ ...expertPass, averageScore: 101 }, "t")).toBeUndefined();
    expect(expertReviewOf({ ...expertPass, reviews: undefined }, "t")).toBeUndefined();
    const d = decisionAfter(undefined, event("DeliberationConcluded", tally));
    expect(decisionAfter(d, event("ProposalEndorsed", { meetingId: MEETING }))).toBe(d);
    // a pass without the boolean still reads from the decision
    expect(expertReviewOf({ decision: "pass", reviews: 1, averageScore: 70 }, "t")?.passed).toBe(
      true,
    );
  });

  it("never copies identities, even when a producer puts them into the event", () => {
    const leaky = {
      ...tally,
      voters: ["member-secret-1", "member-secret-2"],
      ballots: [{ sub: "member-secret-1", choice: "yes" }],
      presentMembers: ["member-secret-1"],
      consent: {
        households: 10,
        agreed: 8,
        disagreed: 2,
        share: 0.8,
        required: true,
        met: true,
        householdIds: ["hh-secret-1"],
      },
    };
    const expertLeaky = { ...expertPass, experts: ["expert-secret-1"], comment: "expert-secret-1" };
    let p = applyLifecycleEvent(
      proposalRecord({ status: "screened" }),
      event("DeliberationConcluded", leaky),
    ).proposal;
    const change = applyLifecycleEvent(p, event("ExpertReviewConcluded", expertLeaky));
    p = change.proposal;
    const shown = JSON.stringify([publicProposalView(p), proposalView(p), change.entry]);
    for (const secret of ["member-secret", "hh-secret", "expert-secret", "staff-secret"]) {
      expect(shown).not.toContain(secret);
    }
  });

  it("shows the decision in the public view, valid against the published schema", () => {
    const p = applyLifecycleEvent(
      applyLifecycleEvent(
        proposalRecord({ status: "screened" }),
        event("DeliberationConcluded", tally),
      ).proposal,
      event("ExpertReviewConcluded", expertPass),
    ).proposal;
    const view = publicProposalView(p);
    expect(view.decision).toEqual(p.decision);
    expect(view.decision?.council).toMatchObject({ yes: 4, members: 7, passed: true });
    expect(view.decision?.expertReview).toMatchObject({ reviews: 2, averageScore: 85 });
    const parsed = publicProposalDetailSchema.safeParse({ ...view, timeline: [] });
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    // a proposal nobody decided on yet has no decision field
    expect(publicProposalView(proposalRecord())).not.toHaveProperty("decision");
  });
});
