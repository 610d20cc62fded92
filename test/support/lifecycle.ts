import { ulid } from "ulid";
import { expect } from "vitest";
import { call, eventually, token } from "./http.js";

/** How a helper reaches a cloud: the shared one by default, or one a test file started. */
export interface Cloud {
  call: typeof call;
  token: typeof token;
}
const shared: Cloud = { call, token };

// Driving a proposal through the lifecycle over HTTP on the local cloud, for the flows that start
// later: a need and a proposal, screening, a council that passes it, the street's expert review
// (the demo city reviews every project) and, on to funded, the district's review, approval and a
// full disbursement.

export interface Place {
  districtId: string;
  streetId: string;
  communityId: string;
}

const EVENTS_MS = 30_000;
const settled = <T>(probe: () => Promise<T>, ok: (v: T) => boolean) =>
  eventually(probe, ok, EVENTS_MS);
const postTo = (cloud: Cloud, path: string, tok: string, body?: unknown) =>
  cloud.call("POST", path, { token: tok, ...(body !== undefined && { body }) });

/** The officials of a place, with fresh subjects under `tag`. */
export async function officialsOf(place: Place, tag: string, { token }: Cloud = shared) {
  const d = { districtId: place.districtId };
  const street = { ...d, streetId: place.streetId };
  return {
    staff: await token({ sub: `staff-${tag}`, roles: ["community_staff"], ...place }),
    street: await token({ sub: `street-${tag}`, roles: ["street_staff"], ...street }),
    expert: await token({ sub: `expert-${tag}`, roles: ["expert"], ...street }),
    civil: await token({ sub: `civil-${tag}`, roles: ["district_civil"], ...d }),
    group: await token({ sub: `group-${tag}`, roles: ["district_group"], ...d }),
    finance: await token({ sub: `finance-${tag}`, roles: ["district_finance"], ...d }),
  };
}
export type Officials = Awaited<ReturnType<typeof officialsOf>>;

export async function untilStatus(id: string, status: string, tok: string, cloud = shared) {
  const r = await settled(
    () => cloud.call("GET", `/v1/proposals/${id}`, { token: tok }),
    (r) => r.body?.status === status,
  );
  expect(r.body.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

/**
 * Three council members for a meeting of the place: fresh ones, or, where the city requires a
 * standing council roster (Luohu, Ningbo, Jinjiang), the community's three on its roster (put
 * there once; the same for every caller, so parallel callers never push each other off it).
 */
async function councilFor(cloud: Cloud, place: Place, staff: string): Promise<string[]> {
  const rules = (await cloud.call("GET", "/v1/rules")).body;
  if (!rules.thresholds.council.rosterRequired) {
    return [1, 2, 3].map((i) => `m-${ulid().slice(-10)}-${i}`);
  }
  const members = [1, 2, 3].map((i) => `m-${place.communityId}-${i}`);
  const path = `/v1/communities/${place.communityId}/council`;
  const roster = await cloud.call("GET", path, { token: staff });
  const listed = (roster.body?.members ?? []).map((m: { sub: string }) => m.sub);
  if (!members.every((m) => listed.includes(m))) {
    const put = await cloud.call("PUT", path, {
      token: staff,
      body: { members: members.map((sub) => ({ sub, name: sub, termEnds: "2099-12-31" })) },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
  }
  return members;
}

/**
 * A proposal endorsed through intake and deliberation over HTTP: filed by `proposer` (with
 * `body`'s fields over a works project's), screened, passed by a three-member council and the
 * street's expert review. Returns its id.
 */
export async function endorsedProposal(args: {
  place: Place;
  officials: Officials;
  proposer: string;
  title: string;
  year: number;
  body?: Record<string, unknown>;
  cloud?: Cloud;
}): Promise<string> {
  const { place, officials: o } = args;
  const cloud = args.cloud ?? shared;
  const { call, token } = cloud;
  const post = (path: string, tok: string, body?: unknown) => postTo(cloud, path, tok, body);
  const need = await post("/v1/needs", o.staff, {
    communityId: place.communityId,
    title: `${args.title} 需求 ${ulid()}`,
    description: "居民反映",
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  // an organisation's application waits until intake has heard the registry admitted it
  const proposal = await eventually(
    () =>
      post("/v1/proposals", args.proposer, {
        communityId: place.communityId,
        kind: "works",
        category: "old_estate_renovation",
        title: args.title,
        summary: "楼道与公共空间改造",
        beneficiaries: 80,
        budgetFen: 1_000_000,
        needIds: [need.body.id],
        year: args.year,
        ...args.body,
      }),
    (r) => r.body?.code !== "org_not_active",
  );
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  const id = proposal.body.id as string;
  const screened = await post(`/v1/proposals/${id}/screening`, o.staff, {
    decision: "accept",
    needFit: 90,
  });
  expect(screened.status, JSON.stringify(screened.body)).toBe(200);
  await settled(
    () => call("GET", `/v1/proposals/${id}/deliberation`, { token: o.staff }),
    (r) => r.status === 200,
  );
  const members = await councilFor(cloud, place, o.staff);
  const meeting = await post("/v1/meetings", o.staff, {
    communityId: place.communityId,
    scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    memberIds: members,
    proposalIds: [id],
    proposalDetails: [{ proposalId: id, affectedHouseholds: 3, urgency: 60, replicability: 50 }],
  });
  expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
  const meetingId = meeting.body.id as string;
  const attendance = await post(`/v1/meetings/${meetingId}/attendance`, o.staff, {
    present: members,
  });
  expect(attendance.status, JSON.stringify(attendance.body)).toBe(200);
  for (const sub of members) {
    const member = await token({ sub, roles: ["council_member"], ...place });
    const b = await post(`/v1/meetings/${meetingId}/ballots`, member, {
      proposalId: id,
      choice: "yes",
    });
    expect(b.status, JSON.stringify(b.body)).toBe(201);
  }
  const closed = await post(`/v1/meetings/${meetingId}/close`, o.staff);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  const review = await post(`/v1/proposals/${id}/expert-reviews`, o.expert, {
    feasible: true,
    lawful: true,
    score: 85,
  });
  expect(review.status, JSON.stringify(review.body)).toBe(201);
  const decided = await post(`/v1/proposals/${id}/expert-decision`, o.street, {
    decision: "pass",
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  expect(decided.body.endorsed).toBe(true);
  await untilStatus(id, "endorsed", o.staff, cloud);
  return id;
}

/** Reported, forwarded, approved and paid in full by district finance; returns the committed amount. */
export async function fund(id: string, o: Officials, cloud: Cloud = shared): Promise<number> {
  const post = (path: string, tok: string, body?: unknown) => postTo(cloud, path, tok, body);
  const reported = await settled(
    () => post(`/v1/proposals/${id}/report`, o.street),
    (r) => r.status !== 404, // approval's inbox has the endorsement once this is not 404
  );
  expect(reported.status, JSON.stringify(reported.body)).toBe(200);
  const reviewed = await post(`/v1/proposals/${id}/district-review`, o.civil, {
    decision: "forward",
  });
  expect(reviewed.status, JSON.stringify(reviewed.body)).toBe(200);
  const approved = await post(`/v1/proposals/${id}/approval`, o.group, { decision: "approve" });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const committed = approved.body.committedFen as number;
  const paid = await post(`/v1/proposals/${id}/disbursements`, o.finance, {
    amountFen: committed,
    reference: `PZ-${ulid().slice(-6)}`,
  });
  expect(paid.status, JSON.stringify(paid.body)).toBe(201);
  expect(paid.body.status).toBe("funded");
  await untilStatus(id, "funded", o.staff, cloud);
  return committed;
}
