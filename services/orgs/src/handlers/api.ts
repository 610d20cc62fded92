import { calendarsFrom } from "@pencai/calendar";
import { currentCity } from "@pencai/config/current";
import { notFound } from "@pencai/contracts/errors";
import {
  createOrg,
  getOrg,
  listOrgs,
  listPublicOrgs,
  objectToOrg,
  reviewOrg,
  setOrgStatus,
} from "@pencai/contracts/orgs";
import { newEvent } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import { placeOf, placeOfQuery, scopeOfDistrict, scopeOfStreet } from "@pencai/runtime/places";
import type { Principal } from "@pencai/runtime/reach";
import { requireReach } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import * as orgs from "../domain/org.js";
import { isPublic, publicOrgView } from "../domain/record.js";
import * as store from "../store.js";

// The organisation registry's routes (orgsApiRoutes). Its rules are ../domain/org.ts; the store
// makes each decision again in the write (status and version read, one objection per resident,
// the notice still running, the sponsor still active).

async function orgOf(id: string): Promise<orgs.OrgRecord> {
  const r = await store.getOrg(id);
  if (!r) throw notFound(`organisation ${id}`);
  return r;
}

const meta = (req: { principal: Principal | null; correlationId: string; now: Date }) => ({
  actor: req.principal!,
  correlationId: req.correlationId,
  now: req.now,
});

/** A review or status change: decided on the record read, written if nothing changed it meanwhile. */
async function transition(
  req: Parameters<typeof meta>[0] & { params: { id: string } },
  decide: (before: orgs.OrgRecord) => orgs.Change,
) {
  const before = await orgOf(req.params.id);
  const change = decide(before);
  const tx = store.replaceOrg(store.newTx(), before, change.record);
  tx.event(
    newEvent({
      type: "OrgStatusChanged",
      data: { ...change.event, seq: change.record.version },
      ...meta(req),
    }),
  );
  return { body: orgs.orgView(change.record), tx };
}

export const handler = httpApi({
  service: "orgs",
  routes: [
    route(createOrg, async (req) => {
      const principal = req.principal!;
      const { body } = req;
      const area: orgs.Area =
        body.communityId !== undefined ? placeOf(body.communityId) : scopeOfStreet(body.streetId!);
      const city = currentCity();
      const record = orgs.registerOrg(body, {
        principal,
        area,
        rules: city.rules,
        calendars: calendarsFrom(city.calendar),
        id: ulid(req.now.getTime()),
        now: req.now,
      });
      // a filed organisation's sponsor is checked in the write itself (store.addOrg)
      const tx = store.addOrg(store.newTx(), record);
      tx.event(
        newEvent({
          type: "OrgRegistered",
          data: {
            orgId: record.id,
            districtId: record.districtId,
            streetId: record.streetId,
            ...(record.communityId !== undefined && { communityId: record.communityId }),
            name: record.name,
            track: record.track,
            status: record.status,
            services: record.services,
            seq: record.version,
            noticeEndsAt: record.noticeEndsAt,
            registeredAt: record.createdAt,
          },
          ...meta(req),
        }),
      );
      return {
        status: 201,
        body: { id: record.id, status: record.status, noticeEndsAt: record.noticeEndsAt },
        tx,
      };
    }),

    route(objectToOrg, async (req) => {
      const principal = req.principal!;
      const org = await orgOf(req.params.id);
      orgs.checkObjection(principal, org, req.now);
      const at = req.now.toISOString();
      const tx = store.addObjection(store.newTx(), org, {
        sub: principal.sub,
        reason: req.body.reason,
        at,
      });
      return { status: 201, body: { orgId: org.id, objections: org.objections + 1, at }, tx };
    }),

    route(reviewOrg, (req) =>
      transition(req, (before) => orgs.review(before, req.body, req.principal!, req.now)),
    ),

    route(setOrgStatus, (req) =>
      transition(req, (before) => orgs.setStatus(before, req.body, req.principal!, req.now)),
    ),

    route(listOrgs, async (req) => {
      const { status, ...where } = req.query;
      const { scope } = placeOfQuery(where);
      requireReach(req.principal!, listOrgs.auth, scope, "outside your jurisdiction");
      const items = await store.orgsIn(scope.districtId, scope, status);
      return { body: { items: items.map(orgs.orgView) } };
    }),

    route(getOrg, async (req) => {
      const org = await orgOf(req.params.id);
      const scope = {
        districtId: org.districtId,
        streetId: org.streetId,
        communityId: org.communityId,
      };
      // a street-wide organisation is no single community's: community staff do not reach it
      if (org.communityId === undefined) delete scope.communityId;
      requireReach(req.principal!, getOrg.auth, scope, "outside your jurisdiction");
      return { body: { ...orgs.orgView(org), objectionList: await store.objectionsOf(org.id) } };
    }),

    route(listPublicOrgs, async (req) => {
      scopeOfDistrict(req.query.districtId);
      const items = (await store.orgsIn(req.query.districtId, {})).filter(isPublic);
      const counters = await store.countersOf(items.map((o) => o.id));
      return { body: { items: items.map((o) => publicOrgView(o, counters.get(o.id)!)) } };
    }),
  ],
});
