import { describe, expect, it } from "vitest";
import {
  forward,
  newProject,
  onApproved,
  onDisbursed,
  onExit,
  onSubmitted,
  type Projected,
  reached,
} from "../src/domain/project.js";
import type { Project, ProjectStatus } from "../src/domain/types.js";
import {
  APPLICANT_ORG,
  approved,
  c1,
  disbursed,
  fundedProject,
  implementingProject,
  P1,
  PROPOSER,
  submitted,
} from "./fixtures.js";

/** Applies projection steps in turn, as the inbox does (an unchanged step writes nothing). */
const replay = (steps: ((p: Project | undefined) => Projected)[], start?: Project) =>
  steps.reduce<Project | undefined>((p, step) => {
    const out = step(p);
    return out.changed ? out.project : p;
  }, start);

const withoutVersion = ({ version: _, ...rest }: Project) => rest;

describe("status moves", () => {
  it("moves forward along the lifecycle, never back", () => {
    expect(forward("approved", "funded")).toBe("funded");
    expect(forward("proposed", "funded")).toBe("funded");
    expect(forward("implementing", "approved")).toBe("implementing");
    expect(forward("funded", "funded")).toBe("funded");
  });

  it("lands an exit only before approval, and never leaves one", () => {
    expect(forward("proposed", "withdrawn")).toBe("withdrawn");
    expect(forward("proposed", "rejected")).toBe("rejected");
    // approval rejects, intake refuses a withdrawal, only before approval: a late exit is history
    expect(forward("approved", "rejected")).toBe("approved");
    expect(forward("funded", "withdrawn")).toBe("funded");
    expect(forward("withdrawn", "funded")).toBe("withdrawn");
    expect(forward("rejected", "withdrawn")).toBe("rejected");
  });

  it("counts a status as reached from itself onwards; an exit reaches nothing", () => {
    expect(reached({ status: "funded" }, "approved")).toBe(true);
    expect(reached({ status: "approved" }, "approved")).toBe(true);
    expect(reached({ status: "approved" }, "funded")).toBe(false);
    expect(reached({ status: "withdrawn" }, "proposed")).toBe(false);
    expect(reached({ status: "rejected" }, "approved")).toBe(false);
  });
});

describe("ProposalSubmitted", () => {
  it("creates the project with its place, money and proposer (the envelope's actor)", () => {
    const out = onSubmitted(undefined, submitted());
    expect(out.changed).toBe(true);
    expect(out.project).toMatchObject({
      id: P1,
      ...c1,
      status: "proposed",
      budgetFen: 1_000_000,
      programmeFen: 900_000,
      selfRaisedFen: 100_000,
      sponsorFen: 0,
      proposerSub: PROPOSER,
      applicantOrgId: APPLICANT_ORG,
      disbursedFen: 0,
      paidFen: 0,
    });
    expect(out.project.version).toBe(1);
  });

  it("names no applicant organisation when the proposal had none", () => {
    const out = onSubmitted(undefined, submitted({ applicantOrgId: undefined }));
    expect(Object.hasOwn(out.project, "applicantOrgId")).toBe(false);
  });

  it("sets the facts once: a second submission changes nothing", () => {
    const first = onSubmitted(undefined, submitted()).project;
    const again = onSubmitted(
      first,
      submitted({ title: "别的", budgetFen: 5 }, { actor: { sub: "someone-else", roles: [] } }),
    );
    expect(again.changed).toBe(false);
    expect(again.project).toBe(first);
    expect(again.project).toMatchObject({ title: "路灯更换", budgetFen: 1_000_000 });
    expect(again.project.proposerSub).toBe(PROPOSER);
  });

  it("arriving after approval and disbursement fills the facts, status and money kept", () => {
    const early = replay([
      (p) => onApproved(p, approved()),
      (p) => onDisbursed(p, disbursed("d1", 900_000, 900_000)),
    ]);
    expect(early).toMatchObject({ status: "funded", disbursedFen: 900_000 });
    expect(early?.streetId).toBeUndefined();
    const out = onSubmitted(early, submitted());
    expect(out.changed).toBe(true);
    expect(out.project).toMatchObject({
      status: "funded",
      disbursedFen: 900_000,
      streetId: "s1",
      proposerSub: PROPOSER,
    });
  });
});

describe("ProposalApproved", () => {
  it("records the approved programme money and makes the project approved", () => {
    const p = onSubmitted(undefined, submitted()).project;
    const out = onApproved(p, approved({ programmeFen: 800_000 }));
    expect(out.changed).toBe(true);
    expect(out.project).toMatchObject({
      status: "approved",
      approvedAt: "2026-05-01T00:00:00.000Z",
      approvedFen: 800_000,
    });
    expect(out.project.version).toBe(p.version + 1);
  });

  it("a redelivered approval is stale: nothing changes, nothing to write", () => {
    const p = onApproved(onSubmitted(undefined, submitted()).project, approved()).project;
    const again = onApproved(p, approved({ approvedAt: "2026-06-01T00:00:00.000Z" }));
    expect(again.changed).toBe(false);
    expect(again.project.approvedAt).toBe("2026-05-01T00:00:00.000Z");
    expect(again.project.version).toBe(p.version);
  });

  it("before the submission, takes the facts it carries; the submission's own facts win later", () => {
    const early = onApproved(undefined, approved({ budgetFen: 1_000_000, programmeFen: 900_000 }));
    expect(early.project).toMatchObject({
      status: "approved",
      communityId: "c1",
      districtId: "d1",
      budgetFen: 1_000_000,
    });
    const p = onSubmitted(early.project, submitted({ title: "路灯更换" })).project;
    expect(p).toMatchObject({ status: "approved", streetId: "s1", title: "路灯更换" });
  });

  it("arriving after the project is funded does not move it back", () => {
    const out = onApproved(fundedProject({ approvedAt: undefined }), approved());
    expect(out.project.status).toBe("funded");
    expect(out.project.approvedAt).toBe("2026-05-01T00:00:00.000Z");
  });

  it("does not revive a withdrawn project", () => {
    const gone = onExit(undefined, P1, "withdrawn", "2026-04-01T00:00:00.000Z").project;
    expect(onApproved(gone, approved()).project.status).toBe("withdrawn");
  });
});

describe("FundsDisbursed", () => {
  const base = () => onApproved(onSubmitted(undefined, submitted()).project, approved()).project;

  it("a part disbursement adds to the money received; the project stays approved", () => {
    const out = onDisbursed(base(), disbursed("d1", 600_000, 600_000));
    expect(out.changed).toBe(true);
    expect(out.project).toMatchObject({ status: "approved", disbursedFen: 600_000 });
    expect(out.project.fundedAt).toBeUndefined();
    expect(out.disbursement).toEqual({
      id: "d1",
      proposalId: P1,
      amountFen: 600_000,
      reference: "VOUCHER-d1",
      disbursedAt: "2026-05-10T00:00:00.000Z",
    });
  });

  it("the full amount makes the project funded, at the disbursement's time", () => {
    const p = onDisbursed(base(), disbursed("d1", 600_000, 600_000)).project;
    const out = onDisbursed(p, disbursed("d2", 300_000, 900_000, "2026-05-12T00:00:00.000Z"));
    expect(out.project).toMatchObject({
      status: "funded",
      disbursedFen: 900_000,
      fundedAt: "2026-05-12T00:00:00.000Z",
    });
  });

  it("a late part disbursement never lowers the total: nothing to write, its record still kept", () => {
    const funded = onDisbursed(base(), disbursed("d2", 300_000, 900_000)).project;
    const late = onDisbursed(funded, disbursed("d1", 600_000, 600_000, "2026-05-09T00:00:00.000Z"));
    expect(late.changed).toBe(false);
    expect(late.project).toMatchObject({ status: "funded", disbursedFen: 900_000 });
    expect(late.project.version).toBe(funded.version);
    // the spending notice lists every disbursement, whatever order they came in
    expect(late.disbursement?.id).toBe("d1");
  });

  it("a redelivered full disbursement keeps the first funding time", () => {
    const funded = onDisbursed(base(), disbursed("d1", 900_000, 900_000)).project;
    const again = onDisbursed(
      funded,
      disbursed("d1", 900_000, 900_000, "2026-06-30T00:00:00.000Z"),
    );
    expect(again.changed).toBe(false);
    expect(again.project.fundedAt).toBe("2026-05-10T00:00:00.000Z");
  });

  it("before the approval: funded with approval's amount; the approval then only fills in", () => {
    const early = onDisbursed(undefined, disbursed("d1", 900_000, 900_000)).project;
    expect(early).toMatchObject({ status: "funded", approvedFen: 900_000, disbursedFen: 900_000 });
    const p = onApproved(early, approved()).project;
    expect(p).toMatchObject({ status: "funded", approvedAt: "2026-05-01T00:00:00.000Z" });
  });

  it("does not move a project back from implementing", () => {
    const p = implementingProject();
    const out = onDisbursed(p, disbursed("d1", 900_000, 900_000));
    expect(out.project.status).toBe("implementing");
    expect(out.changed).toBe(false);
  });
});

describe("ProposalWithdrawn and ProposalRejected", () => {
  it("end a proposed project, at the event's time", () => {
    const p = onSubmitted(undefined, submitted()).project;
    const out = onExit(p, P1, "withdrawn", "2026-04-01T00:00:00.000Z");
    expect(out.changed).toBe(true);
    expect(out.project).toMatchObject({
      status: "withdrawn",
      closedAt: "2026-04-01T00:00:00.000Z",
    });
  });

  it("after approval change nothing", () => {
    for (const status of ["approved", "funded", "implementing"] as ProjectStatus[]) {
      const p = fundedProject({ status });
      const out = onExit(p, P1, "rejected", "2026-06-01T00:00:00.000Z");
      expect(out.changed, status).toBe(false);
      expect(out.project.status).toBe(status);
      expect(out.project.closedAt).toBeUndefined();
    }
  });

  it("a second exit keeps the first", () => {
    const gone = onExit(undefined, P1, "withdrawn", "2026-04-01T00:00:00.000Z").project;
    const out = onExit(gone, P1, "rejected", "2026-04-02T00:00:00.000Z");
    expect(out.changed).toBe(false);
    expect(out.project).toMatchObject({
      status: "withdrawn",
      closedAt: "2026-04-01T00:00:00.000Z",
    });
  });

  it("arriving first, the withdrawal still holds when the submission comes", () => {
    const gone = onExit(undefined, P1, "withdrawn", "2026-04-01T00:00:00.000Z").project;
    expect(gone).toMatchObject({ id: P1, status: "withdrawn" });
    const p = onSubmitted(gone, submitted()).project;
    expect(p).toMatchObject({ status: "withdrawn", proposerSub: PROPOSER, streetId: "s1" });
  });
});

describe("the projection is order-free", () => {
  /** Every ordering of a list (n! of them). */
  const orderings = <T>(xs: readonly T[]): T[][] =>
    xs.length <= 1
      ? [[...xs]]
      : xs.flatMap((x, i) =>
          orderings([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r]),
        );

  const steps: ((p: Project | undefined) => Projected)[] = [
    (p) => onSubmitted(p, submitted()),
    (p) => onApproved(p, approved()),
    (p) => onDisbursed(p, disbursed("d1", 300_000, 300_000, "2026-05-10T00:00:00.000Z")),
    (p) => onDisbursed(p, disbursed("d2", 300_000, 600_000, "2026-05-11T00:00:00.000Z")),
    (p) => onDisbursed(p, disbursed("d3", 300_000, 900_000, "2026-05-12T00:00:00.000Z")),
  ];

  it("gives the same project whatever order the events arrive in", () => {
    const inOrder = replay(steps)!;
    expect(inOrder).toMatchObject({
      status: "funded",
      disbursedFen: 900_000,
      fundedAt: "2026-05-12T00:00:00.000Z",
      approvedAt: "2026-05-01T00:00:00.000Z",
      proposerSub: PROPOSER,
    });
    const all = orderings(steps);
    expect(all).toHaveLength(120);
    for (const order of all) {
      const p = replay(order)!;
      // key order may differ with arrival: compare as values
      expect(withoutVersion(p)).toEqual(withoutVersion(inOrder));
    }
  });

  it("the disbursed total only grows, whatever order", () => {
    for (const order of orderings(steps.slice(2))) {
      let last = 0;
      order.reduce<Project | undefined>((p, step) => {
        const next = step(p).project;
        expect(next.disbursedFen).toBeGreaterThanOrEqual(last);
        last = next.disbursedFen;
        return next;
      }, undefined);
      expect(last).toBe(900_000);
    }
  });

  it("replaying every event again changes nothing", () => {
    const p = replay(steps)!;
    for (const step of steps) {
      const out = step(p);
      expect(out.changed).toBe(false);
      expect(out.project.version).toBe(p.version);
    }
  });
});

describe("version", () => {
  it("grows with every write, so that two writers of the same version cannot both commit", () => {
    // the store writes the projection on the condition `version = <the version read>`
    const s = onSubmitted(undefined, submitted());
    expect(s.project.version).toBe(newProject(P1).version + 1);
    const a = onApproved(s.project, approved());
    expect(a.project.version).toBe(s.project.version + 1);
    const d = onDisbursed(a.project, disbursed("d1", 900_000, 900_000));
    expect(d.project.version).toBe(a.project.version + 1);
    const x = onExit(s.project, P1, "withdrawn", "2026-04-01T00:00:00.000Z");
    expect(x.project.version).toBe(s.project.version + 1);
  });
});
