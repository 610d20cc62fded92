import { presets, type Rules } from "@pencai/config";
import { DomainError, type ErrorCode, errorStatus } from "@pencai/contracts/errors";
import type { ImplementationBody } from "@pencai/contracts/evaluation";
import type { PanelType, Rating } from "@pencai/contracts/evaluation-events";
import {
  type ContractEventType,
  type EventData,
  eventDataSchemas,
  type TypedEnvelope,
} from "@pencai/contracts/event-data";
import type { Role } from "@pencai/contracts/roles";
import type { Principal } from "@pencai/runtime/reach";
import { expect } from "vitest";
import type {
  DomainEvent,
  Implementation,
  PanelMember,
  Place,
  Project,
  RatingRecord,
} from "../src/domain/types.js";

// Builders for the evaluation domain's tests: places and the principals that act there, a
// project at each step of implementation and evaluation, and the inbox's events as the
// producers emit them (each data object checked against its contract schema).

// ---------------------------------------------------------------- places and people

/** d1: street s1 (c1, c2) and s2 (c3); d2: street s3 (c4), as in `testCity()`. */
export const c1: Place = { districtId: "d1", streetId: "s1", communityId: "c1" };
export const c2: Place = { districtId: "d1", streetId: "s1", communityId: "c2" };
export const c3: Place = { districtId: "d1", streetId: "s2", communityId: "c3" };
export const c4: Place = { districtId: "d2", streetId: "s3", communityId: "c4" };

export const streetStaff = (place: Place = c1, sub = `street-${place.streetId}`): Principal => ({
  sub,
  roles: ["street_staff"],
  districtId: place.districtId,
  streetId: place.streetId,
});
export const communityStaff = (
  place: Place = c1,
  sub = `staff-${place.communityId}`,
): Principal => ({
  sub,
  roles: ["community_staff"],
  ...place,
});
/** A user of an organisation (its `orgId` claim), registered in a community. */
export const orgUser = (
  orgId = "org-builder",
  place: Place = c1,
  sub = `user-${orgId}`,
): Principal => ({
  sub,
  roles: ["org"],
  ...place,
  orgId,
});
export const resident = (sub = "res-1", place: Place = c1): Principal => ({
  sub,
  roles: ["resident"],
  ...place,
  householdId: `hh-${sub}`,
});
/** A district official (district claim only). */
export const districtOfficial = (
  role: Role = "district_civil",
  districtId = "d1",
  sub = `${role}-${districtId}`,
): Principal => ({ sub, roles: [role], districtId });
/** Someone named onto a panel, with no place claim (an evaluator acts only where named). */
export const evaluator = (sub: string, orgId?: string): Principal => ({
  sub,
  roles: ["evaluator"],
  ...(orgId !== undefined && { orgId }),
});

// ---------------------------------------------------------------- projects

export const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
export const PAY1 = "01JPPPPPPPPPPPPPPPPPPPPPPP";
export const CON1 = "01JKKKKKKKKKKKKKKKKKKKKKKK";
export const NOW = new Date("2026-07-01T08:00:00.000Z");

export const PROPOSER = "res-proposer";
export const OWNER = "street-owner-1";
export const IMPLEMENTER_ORG = "org-builder";
export const APPLICANT_ORG = "org-applicant";

/** The plan of every implemented fixture project: 30%, 60%, done. */
const plan: ImplementationBody["milestones"] = [
  { percent: 30, description: "材料进场", dueOn: "2026-08-01" },
  { percent: 60, description: "主体完工", dueOn: "2026-09-01" },
  { percent: 100, description: "验收", dueOn: "2026-10-01" },
];

export const implementationBody = (over: Partial<ImplementationBody> = {}): ImplementationBody => ({
  owner: { sub: OWNER, name: "王主任", phone: "0755-12345678" },
  implementer: { kind: "org", orgId: IMPLEMENTER_ORG },
  milestones: plan,
  ...over,
});

/**
 * A project of community c1, approved and fully disbursed (`funded`): a budget of 10,000 CNY,
 * 9,000 from the programme (all disbursed), 1,000 to be raised by residents (not yet received).
 */
export function fundedProject(over: Partial<Project> = {}): Project {
  return {
    id: P1,
    ...c1,
    status: "funded",
    version: 3,
    kind: "works",
    title: "路灯更换",
    year: 2026,
    budgetFen: 1_000_000,
    programmeFen: 900_000,
    selfRaisedFen: 100_000,
    sponsorFen: 0,
    proposerSub: PROPOSER,
    applicantOrgId: APPLICANT_ORG,
    approvedAt: "2026-05-01T00:00:00.000Z",
    approvedFen: 900_000,
    disbursedFen: 900_000,
    fundedAt: "2026-05-20T00:00:00.000Z",
    contributedFen: { self_raised: 0, sponsor: 0, street_subsidy: 0 },
    paidFen: 0,
    progressPercent: 0,
    reporters: [],
    ...over,
  };
}

export const implementation = (over: Partial<Implementation> = {}): Implementation => ({
  owner: { sub: OWNER, name: "王主任" },
  implementer: { kind: "org", orgId: IMPLEMENTER_ORG },
  milestones: plan,
  startedAt: "2026-06-01T00:00:00.000Z",
  ...over,
});

/** A funded project whose owner and plan are set, the implementer reporting `progressPercent`. */
export function implementingProject(over: Partial<Project> = {}): Project {
  return fundedProject({
    status: "implementing",
    implementation: implementation(),
    progressPercent: 30,
    reporters: [orgUser().sub],
    ...over,
  });
}

export function completedProject(over: Partial<Project> = {}): Project {
  return implementingProject({
    status: "completed",
    progressPercent: 100,
    completedAt: "2026-09-30T00:00:00.000Z",
    ...over,
  });
}

/** Five members, one of each type Longgang requires. */
export const panel: PanelMember[] = [
  { sub: "deputy-1", type: "deputy" },
  { sub: "party-1", type: "party_member" },
  { sub: "resrep-1", type: "resident_rep" },
  { sub: "owners-1", type: "owners_committee" },
  { sub: "expert-1", type: "expert" },
];

export function evaluatingProject(
  over: Partial<Project> = {},
  members: PanelMember[] = panel,
  status: "open" | "closing" | "closed" = "open",
): Project {
  return completedProject({
    status: "evaluating",
    evaluation: { panel: members, status, openedAt: "2026-10-02T00:00:00.000Z" },
    ...over,
  });
}

/** A panel of `n` members of one type (sub m1..mn). */
export const panelOf = (n: number, type: PanelType = "resident_rep"): PanelMember[] =>
  Array.from({ length: n }, (_, i) => ({ sub: `m${i + 1}`, type }));

/** The ratings of members, in order, as the store keeps them. */
export const ratingsBy = (
  members: readonly PanelMember[],
  ratings: readonly Rating[],
): RatingRecord[] =>
  ratings.map((rating, i) => ({
    proposalId: P1,
    sub: members[i]!.sub,
    type: members[i]!.type,
    rating,
    ratedAt: "2026-10-03T00:00:00.000Z",
  }));

// ---------------------------------------------------------------- rules

/** A preset's evaluation rules, with changes (the edges of a threshold). */
export const evaluationRules = (
  over: Partial<Rules["evaluation"]> = {},
  preset: keyof typeof presets = "longgang",
): Rules["evaluation"] => ({ ...presets[preset].evaluation, ...over });

/** A preset's whole rule set, `sponsors` set as asked. */
export const rulesWith = (sponsors: boolean, preset: keyof typeof presets = "longgang"): Rules => ({
  ...presets[preset],
  process: { ...presets[preset].process, sponsors },
});

// ---------------------------------------------------------------- events

const actors: Partial<Record<ContractEventType, TypedEnvelope<ContractEventType>["actor"]>> = {
  ProposalSubmitted: { sub: PROPOSER, roles: ["resident"] },
  ProposalWithdrawn: { sub: PROPOSER, roles: ["resident"] },
  ProposalApproved: { sub: "group-1", roles: ["district_group"] },
  ProposalRejected: { sub: "group-1", roles: ["district_group"] },
  FundsDisbursed: { sub: "finance-1", roles: ["district_finance"] },
};

let seq = 0;
/** An envelope as the producer emits it: its data must pass the type's contract schema. */
export function envelope<T extends ContractEventType>(
  type: T,
  data: EventData<T>,
  opts: { at?: string; actor?: TypedEnvelope<T>["actor"]; id?: string } = {},
): TypedEnvelope<T> {
  const parsed = eventDataSchemas[type].safeParse(data);
  if (!parsed.success) throw new Error(`${type} data breaks its contract: ${parsed.error.message}`);
  seq++;
  return {
    id: opts.id ?? `01JEVT${String(seq).padStart(20, "0")}`,
    type,
    version: 1,
    occurredAt: opts.at ?? "2026-05-01T00:00:00.000Z",
    cityId: "testcity",
    proposalId: P1,
    communityId: c1.communityId,
    actor: opts.actor ?? actors[type] ?? { sub: "system", roles: [] },
    correlationId: "corr-1",
    data: parsed.data as EventData<T>,
  };
}

export const submitted = (
  over: Partial<EventData<"ProposalSubmitted">> = {},
  opts: Parameters<typeof envelope>[2] = {},
) =>
  envelope(
    "ProposalSubmitted",
    {
      proposalId: P1,
      ...c1,
      kind: "works",
      category: "environment",
      title: "路灯更换",
      budgetFen: 1_000_000,
      selfRaisedFen: 100_000,
      sponsorFen: 0,
      programmeFen: 900_000,
      year: 2026,
      needIds: ["01JNNNNNNNNNNNNNNNNNNNNNNN"],
      applicantOrgId: APPLICANT_ORG,
      ...over,
    },
    { at: "2026-03-01T00:00:00.000Z", ...opts },
  );

export const approved = (over: Partial<EventData<"ProposalApproved">> = {}) =>
  envelope(
    "ProposalApproved",
    {
      proposalId: P1,
      communityId: c1.communityId,
      districtId: c1.districtId,
      year: 2026,
      budgetFen: 1_000_000,
      programmeFen: 900_000,
      approvedAt: "2026-05-01T00:00:00.000Z",
      disbursementDueAt: "2026-05-22T00:00:00.000Z",
      disbursementWorkingDays: 15,
      provisional: false,
      committedFen: 900_000,
      capFen: 200_000_000,
      ...over,
    },
    { at: over.approvedAt ?? "2026-05-01T00:00:00.000Z" },
  );

/** A disbursement of the 900,000 fen approved; `totalDisbursedFen` says how far it has come. */
export const disbursed = (
  id: string,
  amountFen: number,
  totalDisbursedFen: number,
  at = "2026-05-10T00:00:00.000Z",
) =>
  envelope(
    "FundsDisbursed",
    {
      proposalId: P1,
      communityId: c1.communityId,
      year: 2026,
      disbursementId: id,
      amountFen,
      totalDisbursedFen,
      approvedFen: 900_000,
      fullyDisbursed: totalDisbursedFen === 900_000,
      reference: `VOUCHER-${id}`,
      disbursedAt: at,
    },
    { at },
  );

/**
 * The events a domain step asks for, each checked against its contract schema (what the relay
 * will publish), returned as `type` and `data`.
 */
export function contractEvents(events: readonly DomainEvent[]): DomainEvent[] {
  for (const e of events) {
    const schema = eventDataSchemas[e.type as ContractEventType];
    expect(schema, `${e.type} has a data contract`).toBeDefined();
    const r = schema.safeParse(e.data);
    expect(r.success, `${e.type}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
  }
  return [...events];
}

// ---------------------------------------------------------------- errors

/**
 * Runs `f` and asserts it throws the DomainError `code`, which the edge answers with `status`
 * (the contract's `errorStatus`: DomainError itself carries no HTTP).
 */
export function expectDomainError(f: () => unknown, code: ErrorCode, status: number): DomainError {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(DomainError);
  const err = thrown as DomainError;
  expect({ code: err.code, status: errorStatus[err.code] }).toEqual({ code, status });
  return err;
}
