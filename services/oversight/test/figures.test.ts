import { describe, expect, it } from "vitest";
import { type AggKey, addDelta, type Contribution, type Counters } from "../src/domain/counted.js";
import { statsOf, streetScore } from "../src/domain/figures.js";
import {
  apply,
  contribution,
  emptyProject,
  type Project,
  type ProjectEvent,
  procedurallyCompliant,
} from "../src/domain/project.js";

// The figures, from a projection that folds events in any order into the same aggregates.

const place = { communityId: "c1", streetId: "s1", districtId: "d1" };
const T = (d: number) => new Date(Date.UTC(2026, 2, d)).toISOString();
const resolve = (c: string) => (c === "c1" ? place : undefined);

const evidence = (id: string, purpose: string) => ({
  type: "EvidenceVerified",
  data: {
    proposalId: id,
    evidenceId: purpose,
    purpose,
    contentType: "application/pdf",
    sizeBytes: 1,
    sha256: "0".repeat(64),
    verifiedAt: T(2),
  },
});

const lifecycle = (id: string, over: Partial<{ kind: "works" | "service"; org: string }> = {}) =>
  [
    {
      type: "ProposalSubmitted",
      data: {
        proposalId: id,
        ...place,
        kind: over.kind ?? "works",
        category: "roads",
        title: "t",
        budgetFen: 100_000,
        selfRaisedFen: 10_000,
        sponsorFen: 0,
        programmeFen: 90_000,
        year: 2026,
        needIds: [],
        ...(over.org ? { applicantOrgId: over.org } : {}),
      },
    },
    evidence(id, "minutes"),
    evidence(id, "sign_in_sheet"),
    {
      type: "DeliberationConcluded",
      data: {
        proposalId: id,
        meetingId: "m1",
        members: 9,
        present: 9,
        quorumMet: true,
        yes: 9,
        no: 0,
        abstain: 0,
        passed: true,
      },
    },
    {
      type: "ExpertReviewConcluded",
      data: { proposalId: id, passed: true, decision: "pass", reviews: 3, averageScore: 80 },
    },
    {
      type: "ProposalReported",
      data: {
        proposalId: id,
        ...place,
        reportedAt: T(3),
        reviewDueAt: T(10),
        reviewWorkingDays: 5,
        provisional: false,
        round: 1,
      },
    },
    {
      type: "DistrictReviewCompleted",
      data: {
        proposalId: id,
        decision: "forward",
        reviewedAt: T(4),
        reviewDueAt: T(10),
        sla: "met",
        round: 1,
      },
    },
    {
      type: "ProposalApproved",
      data: {
        proposalId: id,
        communityId: "c1",
        districtId: "d1",
        year: 2026,
        budgetFen: 100_000,
        programmeFen: 90_000,
        approvedAt: T(5),
        disbursementDueAt: T(25),
        disbursementWorkingDays: 15,
        provisional: false,
        committedFen: 90_000,
        capFen: 1_000_000,
      },
    },
    {
      type: "FundsDisbursed",
      data: {
        proposalId: id,
        communityId: "c1",
        year: 2026,
        disbursementId: "d1",
        amountFen: 90_000,
        totalDisbursedFen: 90_000,
        approvedFen: 90_000,
        fullyDisbursed: true,
        reference: "r",
        disbursedAt: T(30),
        sla: "breached",
      },
    },
    {
      type: "PaymentMade",
      data: {
        proposalId: id,
        paymentId: "p1",
        milestonePercent: 100,
        amountFen: 50_000,
        payee: "x",
        reference: "r",
        paidAt: T(31),
      },
    },
    {
      type: "EvaluationClosed",
      data: {
        proposalId: id,
        seats: 5,
        ratings: 5,
        satisfiedCount: 4,
        satisfactionRate: 0.8,
        passed: true,
        byType: {},
        closedAt: T(40),
      },
    },
  ] as ProjectEvent[];

/** Folds events into projects and aggregates the way the inbox does (item share diffs). */
function fold(events: readonly { id: string; e: ProjectEvent }[]) {
  const projects = new Map<string, { p: Project; c?: Contribution }>();
  const aggs = new Map<string, { key: AggKey; counters: Counters }>();
  for (const { id, e } of events) {
    const before = projects.get(id);
    const p = apply(before?.p ?? emptyProject(id), e, resolve);
    const c = contribution(p, "works");
    const delta = new Map<string, { key: AggKey; counters: Counters }>();
    addDelta(delta, before?.c, c);
    for (const [k, v] of delta) {
      const agg = aggs.get(k) ?? { key: v.key, counters: {} };
      for (const [n, x] of Object.entries(v.counters)) agg.counters[n] = (agg.counters[n] ?? 0) + x;
      aggs.set(k, agg);
    }
    projects.set(id, { p, ...(c ? { c } : {}) });
  }
  // DynamoDB keeps a counter that went back to 0; the figures read 0 and absent alike
  const counters = (id: string) =>
    Object.fromEntries(Object.entries(aggs.get(id)?.counters ?? {}).filter(([, v]) => v !== 0));
  return { projects, counters };
}

const shuffled = <T>(list: readonly T[], seed: number): T[] => {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe("stats from the projection's aggregates", () => {
  const events = [
    ...lifecycle("P1").map((e) => ({ id: "P1", e })),
    ...lifecycle("P2", { kind: "service", org: "org-a" })
      .slice(0, 8)
      .map((e) => ({ id: "P2", e })),
    ...lifecycle("P3", { kind: "service" })
      .slice(0, 1)
      .map((e) => ({ id: "P3", e })),
    {
      id: "P3",
      e: {
        type: "ProposalWithdrawn",
        data: { proposalId: "P3", needIds: [], previousStatus: "submitted" },
      } as ProjectEvent,
    },
  ];
  const stats = (counters: Counters) =>
    statsOf({ level: "district", id: "d1", year: 2026 }, counters);

  it("counts projects and money by status, SLA per kind, satisfaction and organisations", () => {
    const s = stats(fold(events).counters("district#d1#2026"));
    expect(s.projects).toBe(3);
    expect(s.byStatus.evaluated).toEqual({ count: 1, budgetFen: 100_000, programmeFen: 90_000 });
    expect(s.byStatus.approved.count).toBe(1);
    expect(s.byStatus.withdrawn.count).toBe(1);
    expect(s.byStatus.submitted.count).toBe(0);
    expect(s.money).toEqual({ approvedFen: 180_000, disbursedFen: 90_000, paidFen: 50_000 });
    expect(s.sla.review).toEqual({ open: 0, met: 2, breached: 0, complianceRate: 1 });
    expect(s.sla.disbursement).toEqual({ open: 1, met: 0, breached: 1, complianceRate: 0 });
    expect(s.sla.rectification).toEqual({ open: 0, met: 0, breached: 0, complianceRate: null });
    expect(s.satisfaction).toEqual({ evaluated: 1, averageRate: 0.8, passedShare: 1 });
    // the withdrawn service project no longer counts
    expect(s.orgParticipation).toEqual({ serviceProjects: 1, byOrgs: 1, orgs: 1 });
  });

  it("a withdrawal after approval leaves the commitment standing, whatever the delivery order", () => {
    const approved = lifecycle("P7").slice(0, 8);
    const withdrawal = (id: string) =>
      ({
        type: "ProposalWithdrawn",
        data: { proposalId: id, needIds: [], previousStatus: "approved" },
      }) as ProjectEvent;
    const withdrawn = withdrawal("P7");
    for (const order of [
      [...approved, withdrawn],
      [withdrawn, ...approved],
    ]) {
      const s = stats(fold(order.map((e) => ({ id: "P7", e }))).counters("district#d1#2026"));
      expect(s.byStatus.approved.count).toBe(1);
      expect(s.byStatus.withdrawn.count).toBe(0);
    }
    const early = [...lifecycle("P8").slice(0, 1), withdrawal("P8")].map((e) => ({ id: "P8", e }));
    expect(stats(fold(early).counters("district#d1#2026")).byStatus.withdrawn.count).toBe(1);
  });

  it("a partial disbursement leaves the project approved; the last one funds it (as intake's registry)", () => {
    const approved = lifecycle("P9").slice(0, 8);
    const disbursed = (amountFen: number, totalDisbursedFen: number) =>
      ({
        type: "FundsDisbursed",
        data: {
          proposalId: "P9",
          communityId: "c1",
          year: 2026,
          disbursementId: `d${totalDisbursedFen}`,
          amountFen,
          totalDisbursedFen,
          approvedFen: 90_000,
          fullyDisbursed: totalDisbursedFen === 90_000,
          reference: "r",
          disbursedAt: T(20),
          ...(totalDisbursedFen === 90_000 && { sla: "met" }),
        },
      }) as ProjectEvent;
    const partial = stats(
      fold([...approved, disbursed(40_000, 40_000)].map((e) => ({ id: "P9", e }))).counters(
        "district#d1#2026",
      ),
    );
    expect(partial.byStatus.approved.count).toBe(1);
    expect(partial.byStatus.funded.count).toBe(0);
    expect(partial.money.disbursedFen).toBe(40_000);
    const full = stats(
      fold(
        [disbursed(50_000, 90_000), ...approved, disbursed(40_000, 40_000)].map((e) => ({
          id: "P9",
          e,
        })),
      ).counters("district#d1#2026"),
    );
    expect(full.byStatus.funded.count).toBe(1);
    expect(full.money.disbursedFen).toBe(90_000);
  });

  it("the same events in any order give the same aggregates", () => {
    const expected = fold(events).counters("district#d1#2026");
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      expect(fold(shuffled(events, seed)).counters("district#d1#2026")).toEqual(expected);
    }
  });

  it("counts a project in its community, street and district, none before its place is known", () => {
    const f = fold(events);
    expect(stats(f.counters("community#c1#2026")).projects).toBe(3);
    expect(stats(f.counters("street#s1#2026")).projects).toBe(3);
    const early = fold([{ id: "P9", e: lifecycle("P9")[9]! }]);
    expect(early.projects.get("P9")?.c).toBeUndefined();
  });

  it("a rate of nothing is null, not 0", () => {
    const s = stats({});
    expect(s.satisfaction.averageRate).toBeNull();
    expect(s.sla.review.complianceRate).toBeNull();
  });
});

describe("procedural compliance", () => {
  const upTo = (n: number, drop: string[] = []) =>
    lifecycle("P1")
      .slice(0, n)
      .filter((e) => !drop.includes(e.type === "EvidenceVerified" ? e.data.purpose : e.type))
      .reduce((p, e) => apply(p, e, resolve), emptyProject("P1"));

  it("needs minutes, a sign-in sheet, the expert review the rules require and no breach", () => {
    expect(procedurallyCompliant(upTo(8), "works")).toBe(true);
    expect(procedurallyCompliant(upTo(8, ["minutes"]), "works")).toBe(false);
    expect(procedurallyCompliant(upTo(8, ["sign_in_sheet"]), "works")).toBe(false);
    expect(procedurallyCompliant(upTo(8, ["ExpertReviewConcluded"]), "works")).toBe(false);
    expect(procedurallyCompliant(upTo(8, ["ExpertReviewConcluded"]), "none")).toBe(true);
    // the disbursement deadline was breached
    expect(procedurallyCompliant(upTo(9), "works")).toBe(false);
  });

  it("needs household consent where the council required it", () => {
    const p = upTo(8);
    const council = lifecycle("P1").find((e) => e.type === "DeliberationConcluded")!;
    const consent = (met: boolean) =>
      ({
        ...council,
        data: {
          ...council.data,
          consent: { households: 10, agreed: 9, disagreed: 0, share: 0.9, required: true, met },
        },
      }) as ProjectEvent;
    expect(procedurallyCompliant(apply(p, consent(true), resolve), "works")).toBe(true);
    expect(procedurallyCompliant(apply(p, consent(false), resolve), "works")).toBe(false);
  });

  it("counts projects approved or later only", () => {
    expect(contribution(upTo(5), "works")?.counters["procedure.assessed"]).toBeUndefined();
    expect(contribution(upTo(8), "works")?.counters).toMatchObject({
      "procedure.assessed": 1,
      "procedure.compliant": 1,
    });
  });
});

describe("rectification deadlines in the SLA figures", () => {
  const finding = (passed: boolean): ProjectEvent => ({
    type: "InspectionFinding",
    data: {
      inspectionId: "I1",
      proposalId: "P1",
      ...place,
      year: 2026,
      passed,
      issues: 1,
      ...(passed ? {} : { rectifyWorkingDays: 10, rectifyDueAt: T(20) }),
      recordedAt: T(6),
    },
  });
  const base = emptyProject("P1");
  const outcome = (events: ProjectEvent[]) =>
    contribution(
      events.reduce((p, e) => apply(p, e, resolve), apply(base, lifecycle("P1")[0]!, resolve)),
      "none",
    )?.counters;
  const done = (at: string): ProjectEvent => ({
    type: "RectificationCompleted",
    data: {
      inspectionId: "I1",
      proposalId: "P1",
      communityId: "c1",
      districtId: "d1",
      completedAt: at,
    },
  });
  const breach: ProjectEvent = {
    type: "SlaBreached",
    data: {
      proposalId: "P1",
      communityId: "c1",
      districtId: "d1",
      kind: "rectification",
      round: 1,
      startedAt: T(6),
      dueAt: T(20),
      provisional: false,
      breachedAt: T(21),
    },
  };

  it("open, met on time, breached late or when approval says so, in any order", () => {
    expect(outcome([finding(false)])).toMatchObject({ "sla.rectification.open": 1 });
    expect(outcome([finding(true)])?.["sla.rectification.open"]).toBeUndefined();
    expect(outcome([finding(false), done(T(19))])).toMatchObject({ "sla.rectification.met": 1 });
    expect(outcome([done(T(19)), finding(false)])).toMatchObject({ "sla.rectification.met": 1 });
    expect(outcome([finding(false), done(T(22))])).toMatchObject({
      "sla.rectification.breached": 1,
    });
    expect(outcome([breach, finding(false)])).toMatchObject({ "sla.rectification.breached": 1 });
    expect(outcome([finding(false), breach, done(T(25))])).toEqual(
      outcome([done(T(25)), breach, finding(false)]),
    );
  });
});

describe("street scores", () => {
  const weights = {
    awareness: 0.2,
    satisfaction: 0.2,
    slaCompliance: 0.2,
    proceduralCompliance: 0.2,
    orgParticipation: 0.2,
  };
  it("weights the components that have data and spreads the missing ones' weight", () => {
    const c = {
      "satisfaction.evaluated": 2,
      "satisfaction.rateMicros": 1_600_000,
      "sla.review.met": 3,
      "sla.disbursement.breached": 1,
      "procedure.assessed": 4,
      "procedure.compliant": 2,
      "org.serviceProjects": 2,
      "org.byOrgs": 1,
    };
    const full = streetScore("s1", c, { respondents: 100, aware: 90 }, weights);
    expect(full).toMatchObject({
      awareness: 0.9,
      satisfaction: 0.8,
      slaCompliance: 0.75,
      proceduralCompliance: 0.5,
      orgParticipation: 0.5,
    });
    expect(full.score).toBeCloseTo(69, 6);
    const noSurvey = streetScore("s1", c, undefined, weights);
    expect(noSurvey.awareness).toBeNull();
    expect(noSurvey.score).toBeCloseTo(63.75, 6);
    expect(streetScore("s9", {}, undefined, weights).score).toBeNull();
  });
});
