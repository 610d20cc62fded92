import { addWorkingDays, type Calendars } from "@pencai/calendar";
import type { Rules } from "@pencai/config";
import { forbidden, invalidState, rule } from "@pencai/contracts/errors";
import type {
  CreateOrgBody,
  Org,
  OrgStatus,
  OrgStatusChangedData,
  ReviewBody,
  StatusBody,
} from "@pencai/contracts/orgs";
import type { Scope } from "@pencai/runtime/places";
import { type Principal, reaches, reachOf } from "@pencai/runtime/reach";

// The organisation registry's rules: registration into the public notice, residents' objections
// during it, the district's review after it, and the status machine after admission (可进可退).
// Pure: the store enforces each decision again with conditional writes.

/** An organisation as stored: the officials' view plus its version and who registered it. */
export interface OrgRecord extends Org {
  version: number;
  registeredBy: string;
}

/** Where an organisation works: a community, or a whole street, with its district. */
export type Area = Scope & { streetId: string };

/** The end of the public notice: 24:00 of the n-th working day after the registration day. */
export function noticeEnd(now: Date, rules: Rules, calendars: Calendars): Date {
  return addWorkingDays(now, rules.organisations.noticeWorkingDays, calendars).dueAt;
}

/** Known categories the city's list allows (the services an organisation may offer). */
export function checkServices(services: readonly string[], rules: Rules): void {
  const listed = new Set(rules.categoryList.categories);
  const positive = rules.categoryList.mode === "positive";
  for (const s of services) {
    const known = rules.categories.some((c) => c.id === s);
    if (!known || listed.has(s) !== positive) {
      throw rule("ineligible_category", `the programme buys no service of category ${s}`, [
        { path: "services", message: `${s} is not an eligible category` },
      ]);
    }
  }
}

/** A new organisation, in its public notice. Sponsor and credit-code uniqueness are the store's. */
export function registerOrg(
  body: CreateOrgBody,
  ctx: {
    principal: Principal;
    area: Area;
    rules: Rules;
    calendars: Calendars;
    id: string;
    now: Date;
  },
): OrgRecord {
  const { area } = ctx;
  if (!coversArea(ctx.principal, area)) {
    throw forbidden("you register organisations in your own jurisdiction only");
  }
  checkServices(body.services, ctx.rules);
  const at = ctx.now.toISOString();
  return {
    id: ctx.id,
    name: body.name,
    track: body.track,
    status: "in_notice",
    ...(body.creditCode !== undefined && { creditCode: body.creditCode }),
    ...(body.sponsorOrgId !== undefined && { sponsorOrgId: body.sponsorOrgId }),
    districtId: area.districtId,
    streetId: area.streetId,
    ...(area.communityId !== undefined && { communityId: area.communityId }),
    services: body.services,
    noticeEndsAt: noticeEnd(ctx.now, ctx.rules, ctx.calendars).toISOString(),
    objections: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
    registeredBy: ctx.principal.sub,
  };
}

const registrarRoles = ["community_staff", "street_staff", "district_civil"] as const;

/** Community staff register in their community, street staff in their street, the district anywhere in it. */
const coversArea = (p: Principal, area: Area) => reaches(p, registrarRoles, area);

/** Residents of the organisation's area: its community, or any community of its street. */
export function isResidentOfArea(p: Principal, org: Pick<OrgRecord, "streetId" | "communityId">) {
  const r = reachOf(p, "resident");
  if (r?.level !== "community") return false;
  return org.communityId !== undefined
    ? r.communityId === org.communityId
    : r.streetId === org.streetId;
}

export const noticeRunning = (org: Pick<OrgRecord, "status" | "noticeEndsAt">, now: Date) =>
  org.status === "in_notice" && now.getTime() < Date.parse(org.noticeEndsAt);

/** An objection is a resident's of the area, during the notice. */
export function checkObjection(p: Principal, org: OrgRecord, now: Date): void {
  if (!isResidentOfArea(p, org)) {
    throw forbidden("only residents of the organisation's area may object");
  }
  if (!noticeRunning(org, now)) {
    throw rule("notice_ended", `the public notice of ${org.id} ended at ${org.noticeEndsAt}`);
  }
}

/** The district civil affairs bureau of the organisation's district. */
export function isDistrictOf(p: Principal, org: Pick<OrgRecord, "districtId">): boolean {
  const r = reachOf(p, "district_civil");
  return r?.level === "district" && r.districtId === org.districtId;
}

export interface Change {
  record: OrgRecord;
  event: Omit<OrgStatusChangedData, "seq">;
}

function changed(org: OrgRecord, status: OrgStatus, now: Date, reason?: string): Change {
  const at = now.toISOString();
  const { statusReason: _, ...rest } = org;
  const record: OrgRecord = {
    ...rest,
    status,
    ...(reason !== undefined && { statusReason: reason }),
    updatedAt: at,
    version: org.version + 1,
  };
  return {
    record,
    event: {
      orgId: org.id,
      districtId: org.districtId,
      streetId: org.streetId,
      ...(org.communityId !== undefined && { communityId: org.communityId }),
      name: org.name,
      track: org.track,
      status,
      services: org.services,
      previousStatus: org.status,
      ...(reason !== undefined && { reason }),
      changedAt: at,
    },
  };
}

/**
 * The district's review (群众评审, 审核) once the notice has ended. Refusing needs a reason; so
 * does admitting an organisation residents objected to: the reviewer answers the objections.
 */
export function review(org: OrgRecord, body: ReviewBody, p: Principal, now: Date): Change {
  if (!isDistrictOf(p, org)) throw forbidden("only the organisation's district reviews it");
  if (org.status !== "in_notice") throw invalidState(`organisation ${org.id} is ${org.status}`);
  if (noticeRunning(org, now)) {
    throw rule("notice_running", `the public notice of ${org.id} runs until ${org.noticeEndsAt}`);
  }
  if (body.reason === undefined && (body.decision === "refuse" || org.objections > 0)) {
    throw rule(
      "reason_required",
      body.decision === "refuse"
        ? "a refusal gives its reason"
        : `admitting over ${org.objections} objection(s) gives the reason they do not stand`,
      [{ path: "reason", message: "required" }],
    );
  }
  return changed(org, body.decision === "admit" ? "active" : "refused", now, body.reason);
}

/** After admission: active <-> suspended, and either may exit, which is final (可进可退). */
const moves: Partial<Record<OrgStatus, readonly OrgStatus[]>> = {
  active: ["suspended", "exited"],
  suspended: ["active", "exited"],
};

export function setStatus(org: OrgRecord, body: StatusBody, p: Principal, now: Date): Change {
  if (!isDistrictOf(p, org)) throw forbidden("only the organisation's district changes its status");
  if (!moves[org.status]?.includes(body.status)) {
    throw invalidState(`organisation ${org.id} is ${org.status}; it cannot become ${body.status}`);
  }
  return changed(org, body.status, now, body.reason);
}

/** The officials' view. */
export function orgView(r: OrgRecord): Org {
  const { version: _v, registeredBy: _r, ...view } = r;
  return view;
}
