import { presets } from "@pencai/config";
import type { ContributionBody, PaymentBody, ProgressBody } from "@pencai/contracts/evaluation";
import { describe, expect, it } from "vitest";
import {
  completeProject,
  milestoneShareFen,
  planPayment,
  recordContribution,
  reportProgress,
  startImplementation,
} from "../src/domain/implementation.js";
import { receivedFen } from "../src/domain/types.js";
import {
  CON1,
  c1,
  c2,
  c3,
  communityStaff,
  completedProject,
  contractEvents,
  districtOfficial,
  expectDomainError,
  fundedProject,
  IMPLEMENTER_ORG,
  implementation,
  implementationBody,
  implementingProject,
  NOW,
  OWNER,
  orgUser,
  P1,
  PAY1,
  resident,
  rulesWith,
  streetStaff,
} from "./fixtures.js";

const street = streetStaff();
const builder = orgUser(IMPLEMENTER_ORG);

const progress = (percent: number): ProgressBody => ({
  percent,
  note: "进度报告",
  evidenceIds: ["01JEEEEEEEEEEEEEEEEEEEEEEE"],
});
const payment = (milestonePercent: number, amountFen: number): PaymentBody => ({
  milestonePercent,
  amountFen,
  payee: "某建筑公司",
  reference: "PAY-001",
});
const contribution = (source: ContributionBody["source"], amountFen: number): ContributionBody => ({
  source,
  amountFen,
  contributor: "张三",
  reference: "REC-001",
});

const pay = (p = implementingProject(), body = payment(30, 100_000)) =>
  planPayment(p, street, body, NOW, PAY1);

describe("startImplementation (一方一厨, 一单一方)", () => {
  it("sets the owner and plan of a funded project once, and announces the plan without the owner", () => {
    const p = fundedProject();
    const step = startImplementation(p, street, implementationBody(), NOW);
    expect(step.project.implementation).toEqual({
      owner: { sub: OWNER, name: "王主任", phone: "0755-12345678" },
      implementer: { kind: "org", orgId: IMPLEMENTER_ORG },
      milestones: implementationBody().milestones,
      startedAt: NOW.toISOString(),
    });
    expect(step.project.version).toBe(p.version + 1);
    // starting is not progress: the project stays funded until the first report
    expect(step.project.status).toBe("funded");
    const [event] = contractEvents(step.events);
    expect(event).toEqual({
      type: "ImplementationStarted",
      data: {
        proposalId: P1,
        implementer: { kind: "org", orgId: IMPLEMENTER_ORG },
        milestones: implementationBody().milestones,
        startedAt: NOW.toISOString(),
      },
    });
    // the event is public (四公开): the accountable person stays in the service's table
    const json = JSON.stringify(step.events);
    for (const secret of [OWNER, "王主任", "0755-12345678"]) expect(json).not.toContain(secret);
  });

  it("names no organisation for a street or community implementer", () => {
    const step = startImplementation(
      fundedProject(),
      street,
      implementationBody({ implementer: { kind: "street" } }),
      NOW,
    );
    expect(step.project.implementation?.implementer).toEqual({ kind: "street" });
    expect(Object.hasOwn(step.events[0]!.data.implementer as object, "orgId")).toBe(false);
  });

  it("only the staff of the project's street name them", () => {
    const body = implementationBody();
    for (const who of [
      streetStaff(c3),
      communityStaff(c1),
      builder,
      districtOfficial("district_civil", "d1"),
    ]) {
      expectDomainError(
        () => startImplementation(fundedProject(), who, body, NOW),
        "forbidden",
        403,
      );
    }
    // the role is checked before the state: an outsider learns nothing of the project
    expectDomainError(
      () => startImplementation(fundedProject({ status: "approved" }), streetStaff(c3), body, NOW),
      "forbidden",
      403,
    );
  });

  it("a second start is a duplicate", () => {
    const started = startImplementation(fundedProject(), street, implementationBody(), NOW).project;
    expectDomainError(
      () => startImplementation(started, street, implementationBody(), NOW),
      "duplicate",
      409,
    );
  });

  it("waits until the approved money is all disbursed", () => {
    for (const status of ["proposed", "approved", "withdrawn", "rejected"] as const) {
      expectDomainError(
        () => startImplementation(fundedProject({ status }), street, implementationBody(), NOW),
        "invalid_state",
        409,
      );
    }
  });
});

describe("reportProgress", () => {
  const started = () => fundedProject({ implementation: implementation() });

  it("the first report makes the project implementing and records who reported", () => {
    const p = started();
    const step = reportProgress(p, builder, progress(20), NOW);
    expect(step.project).toMatchObject({
      status: "implementing",
      progressPercent: 20,
      reporters: [builder.sub],
      version: p.version + 1,
    });
    expect(step.record).toEqual({
      proposalId: P1,
      percent: 20,
      note: "进度报告",
      evidenceIds: ["01JEEEEEEEEEEEEEEEEEEEEEEE"],
      reportedAt: NOW.toISOString(),
      sub: builder.sub,
    });
    const [event] = contractEvents(step.events);
    expect(event?.type).toBe("ProgressReported");
    expect(event?.data).toMatchObject({ percent: 20, previousPercent: 0 });
    expect(JSON.stringify(event)).not.toContain(builder.sub);
  });

  it("never goes down: the same percent again is fine, one point lower is refused", () => {
    const p = implementingProject({ progressPercent: 40 });
    const same = reportProgress(p, builder, progress(40), NOW);
    expect(same.project.progressPercent).toBe(40);
    expect(same.events[0]?.data).toMatchObject({ percent: 40, previousPercent: 40 });
    expectDomainError(
      () => reportProgress(p, builder, progress(39), NOW),
      "progress_regressed",
      422,
    );
  });

  it("records each reporter once, in the order they first reported", () => {
    let p = implementingProject({ reporters: [] });
    for (const who of [builder, street, builder]) {
      p = reportProgress(p, who, progress(p.progressPercent + 10), NOW).project;
    }
    expect(p.reporters).toEqual([builder.sub, street.sub]);
  });

  it("needs the owner and plan first", () => {
    expectDomainError(
      () => reportProgress(fundedProject(), street, progress(10), NOW),
      "invalid_state",
      409,
    );
  });

  it("takes no reports once the project is completed, or before it is funded", () => {
    for (const p of [
      completedProject(),
      completedProject({ status: "evaluating" }),
      fundedProject({ status: "approved", implementation: implementation() }),
    ]) {
      expectDomainError(() => reportProgress(p, street, progress(100), NOW), "invalid_state", 409);
    }
  });

  it("refuses someone who neither runs nor implements the project", () => {
    for (const who of [orgUser("org-other"), streetStaff(c3), resident()]) {
      expectDomainError(() => reportProgress(started(), who, progress(10), NOW), "forbidden", 403);
    }
  });
});

describe("planPayment", () => {
  it("pays a reached milestone: the payment, the project's running total and the event", () => {
    const p = implementingProject({ paidFen: 100_000 });
    const step = pay(p, payment(30, 50_000));
    expect(step.project.paidFen).toBe(150_000);
    expect(step.project.version).toBe(p.version + 1);
    expect(step.record).toEqual({
      id: PAY1,
      proposalId: P1,
      milestonePercent: 30,
      amountFen: 50_000,
      payee: "某建筑公司",
      reference: "PAY-001",
      paidAt: NOW.toISOString(),
      sub: street.sub,
    });
    // exactly these fields: racing payments each add to the total at commit, so neither the
    // payment nor its event carries the total this read saw
    const [event] = contractEvents(step.events);
    expect(event).toEqual({
      type: "PaymentMade",
      data: {
        proposalId: P1,
        paymentId: PAY1,
        milestonePercent: 30,
        amountFen: 50_000,
        payee: "某建筑公司",
        reference: "PAY-001",
        paidAt: NOW.toISOString(),
      },
    });
  });

  it("only the street's staff pay", () => {
    for (const who of [builder, communityStaff(c1), streetStaff(c3)]) {
      expectDomainError(
        () => planPayment(implementingProject(), who, payment(30, 1), NOW, PAY1),
        "forbidden",
        403,
      );
    }
  });

  it("pays nothing before progress is reported", () => {
    expectDomainError(
      () => pay(fundedProject({ implementation: implementation() })),
      "invalid_state",
      409,
    );
    expectDomainError(() => pay(fundedProject({ status: "implementing" })), "invalid_state", 409);
  });

  it("a payment names a milestone of the plan", () => {
    const err = expectDomainError(
      () => pay(implementingProject({ progressPercent: 100 }), payment(50, 1)),
      "validation_failed",
      400,
    );
    expect(err.errors).toEqual([{ path: "body.milestonePercent", message: "one of 30, 60, 100" }]);
  });

  it("progress must have reached the milestone: at it is enough, one point short is not", () => {
    expect(pay(implementingProject({ progressPercent: 60 }), payment(60, 1)).project.paidFen).toBe(
      1,
    );
    expectDomainError(
      () => pay(implementingProject({ progressPercent: 59 }), payment(60, 1)),
      "milestone_not_reached",
      422,
    );
  });

  describe("within the milestone's share of the budget (cumulative)", () => {
    it("the 30% milestone lets 300,000 of 1,000,000 fen be paid in all, not one fen more", () => {
      expect(milestoneShareFen(implementingProject(), 30)).toBe(300_000);
      expect(pay(implementingProject(), payment(30, 300_000)).project.paidFen).toBe(300_000);
      expectDomainError(
        () => pay(implementingProject(), payment(30, 300_001)),
        "milestone_not_reached",
        422,
      );
    });

    it("counts what is already paid", () => {
      const p = implementingProject({ paidFen: 120_000 });
      expect(pay(p, payment(30, 180_000)).project.paidFen).toBe(300_000);
      expectDomainError(() => pay(p, payment(30, 180_001)), "milestone_not_reached", 422);
    });

    it("rounds the share down to the fen", () => {
      const p = implementingProject({ budgetFen: 999_999 });
      expect(milestoneShareFen(p, 30)).toBe(299_999);
      expect(pay(p, payment(30, 299_999)).project.paidFen).toBe(299_999);
      expectDomainError(() => pay(p, payment(30, 300_000)), "milestone_not_reached", 422);
    });

    it("a later milestone opens a larger share once progress reaches it", () => {
      const p = implementingProject({ progressPercent: 60, paidFen: 300_000 });
      expectDomainError(() => pay(p, payment(30, 1)), "milestone_not_reached", 422);
      expect(pay(p, payment(60, 300_000)).project.paidFen).toBe(600_000);
    });
  });

  describe("within the money received (disbursed + contributed)", () => {
    // 1,000,000 budget, 900,000 disbursed, the residents' 100,000 not yet in
    const done = (over = {}) => implementingProject({ progressPercent: 100, ...over });

    it("pays up to what has been received, not one fen more", () => {
      expect(receivedFen(done())).toBe(900_000);
      expect(pay(done(), payment(100, 900_000)).project.paidFen).toBe(900_000);
      expectDomainError(() => pay(done(), payment(100, 900_001)), "insufficient_funds", 422);
    });

    it("counts every contribution source as received", () => {
      const p = done({
        contributedFen: { self_raised: 60_000, sponsor: 30_000, street_subsidy: 10_000 },
      });
      expect(pay(p, payment(100, 1_000_000)).project.paidFen).toBe(1_000_000);
      // and the share still caps it: 1,000,000 is the whole budget
      expectDomainError(() => pay(p, payment(100, 1_000_001)), "milestone_not_reached", 422);
    });

    it("counts what is already paid", () => {
      const p = done({ paidFen: 850_000 });
      expect(pay(p, payment(100, 50_000)).project.paidFen).toBe(900_000);
      expectDomainError(() => pay(p, payment(100, 50_001)), "insufficient_funds", 422);
    });
  });

  describe("limits for the store's condition (racing payments)", () => {
    it("when the milestone's share binds: paidFen may be at most share - amount at commit", () => {
      const step = pay(implementingProject({ paidFen: 100_000 }), payment(30, 50_000));
      expect(step.limits).toEqual({ paidMaxFen: 250_000, milestonePercent: 30 });
    });

    it("when the money received binds: paidFen may be at most received - amount at commit", () => {
      // most of the budget is the residents' own money, not yet collected
      const p = implementingProject({
        programmeFen: 200_000,
        selfRaisedFen: 800_000,
        approvedFen: 200_000,
        disbursedFen: 200_000,
      });
      expect(receivedFen(p)).toBe(200_000);
      const step = pay(p, payment(30, 50_000));
      expect(step.limits).toEqual({ paidMaxFen: 150_000, milestonePercent: 30 });
      expectDomainError(() => pay(p, payment(30, 200_001)), "insufficient_funds", 422);
    });

    it("a payment of exactly the remainder leaves no room: paidMax equals what is paid", () => {
      const p = implementingProject({ paidFen: 100_000 });
      expect(pay(p, payment(30, 200_000)).limits.paidMaxFen).toBe(100_000);
    });
  });

  it("still pays once the project is completed (the final milestone)", () => {
    const step = pay(completedProject({ paidFen: 600_000 }), payment(100, 300_000));
    expect(step.project).toMatchObject({ status: "completed", paidFen: 900_000 });
  });
});

describe("completeProject", () => {
  it("completes an implementing project at 100%", () => {
    const p = implementingProject({ progressPercent: 100, paidFen: 700_000 });
    const step = completeProject(p, street, NOW);
    expect(step.project).toMatchObject({
      status: "completed",
      completedAt: NOW.toISOString(),
      version: p.version + 1,
    });
    expect(contractEvents(step.events)).toEqual([
      {
        type: "ProjectCompleted",
        data: { proposalId: P1, completedAt: NOW.toISOString(), totalPaidFen: 700_000 },
      },
    ]);
  });

  it("not at 99%, not twice, not before implementation", () => {
    for (const p of [
      implementingProject({ progressPercent: 99 }),
      completedProject(),
      fundedProject({ implementation: implementation(), progressPercent: 100 }),
    ]) {
      expectDomainError(() => completeProject(p, street, NOW), "invalid_state", 409);
    }
  });

  it("only the street's staff complete it", () => {
    const p = implementingProject({ progressPercent: 100 });
    for (const who of [builder, streetStaff(c3), communityStaff(c1)]) {
      expectDomainError(() => completeProject(p, who, NOW), "forbidden", 403);
    }
  });
});

describe("recordContribution", () => {
  const longgang = presets.longgang; // sponsors: false
  const record = (
    p = fundedProject(),
    body = contribution("self_raised", 60_000),
    who = communityStaff(c1),
    rules = longgang,
  ) => recordContribution(p, who, body, rules, NOW, CON1);

  it("adds to its source's total; the event leaves the contributor out", () => {
    const p = fundedProject({
      contributedFen: { self_raised: 40_000, sponsor: 0, street_subsidy: 5_000 },
    });
    const step = record(p);
    expect(step.project.contributedFen).toEqual({
      self_raised: 100_000,
      sponsor: 0,
      street_subsidy: 5_000,
    });
    expect(step.project.version).toBe(p.version + 1);
    expect(step.record).toEqual({
      id: CON1,
      proposalId: P1,
      source: "self_raised",
      amountFen: 60_000,
      contributor: "张三",
      reference: "REC-001",
      receivedAt: NOW.toISOString(),
      sourceTotalFen: 100_000,
      sub: communityStaff(c1).sub,
    });
    const [event] = contractEvents(step.events);
    expect(event?.data).toMatchObject({
      source: "self_raised",
      amountFen: 60_000,
      sourceTotalFen: 100_000,
    });
    // a resident's name is not public
    expect(JSON.stringify(event)).not.toContain("张三");
  });

  it("money received is money a payment may use", () => {
    const p = implementingProject({ progressPercent: 100, paidFen: 900_000 });
    expectDomainError(() => pay(p, payment(100, 100_000)), "insufficient_funds", 422);
    const richer = record(p, contribution("self_raised", 100_000)).project;
    expect(pay(richer, payment(100, 100_000)).project.paidFen).toBe(1_000_000);
  });

  it("from approval on, before the money is all disbursed and after completion too", () => {
    for (const status of [
      "approved",
      "funded",
      "implementing",
      "completed",
      "evaluated",
    ] as const) {
      expect(record(fundedProject({ status })).project.contributedFen.self_raised, status).toBe(
        60_000,
      );
    }
  });

  it("not before approval, and not once the project has ended", () => {
    for (const status of ["proposed", "withdrawn", "rejected"] as const) {
      expectDomainError(() => record(fundedProject({ status })), "invalid_state", 409);
    }
  });

  it("sponsor money only where the city's programme takes it", () => {
    expect(longgang.process.sponsors).toBe(false);
    expectDomainError(
      () => record(fundedProject(), contribution("sponsor", 10_000)),
      "sponsor_not_allowed",
      422,
    );
    // the other sources are not sponsors'
    expect(
      record(fundedProject(), contribution("street_subsidy", 10_000)).project.contributedFen
        .street_subsidy,
    ).toBe(10_000);
    expect(presets.panlong.process.sponsors).toBe(true);
    const step = record(
      fundedProject(),
      contribution("sponsor", 10_000),
      communityStaff(c1),
      presets.panlong,
    );
    expect(step.project.contributedFen.sponsor).toBe(10_000);
    expect(
      record(fundedProject(), contribution("sponsor", 1), communityStaff(c1), rulesWith(true))
        .record.source,
    ).toBe("sponsor");
  });

  it("the staff of the project's community or street record it; nobody else", () => {
    expect(record(fundedProject(), undefined, streetStaff(c1)).record.sub).toBe(
      streetStaff(c1).sub,
    );
    for (const who of [communityStaff(c2), streetStaff(c3), builder, resident()]) {
      expectDomainError(() => record(fundedProject(), undefined, who), "forbidden", 403);
    }
  });
});
