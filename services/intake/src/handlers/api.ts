import { currentCity } from "@pencai/config/current";
import { courtyardsOf, scopeOfCommunity } from "@pencai/config/geo";
import { DomainError, forbidden, notFound } from "@pencai/contracts/errors";
import {
  createNeed,
  createProposal,
  endorseNeed,
  getGeo,
  getNeed,
  getPackageGroup,
  getProposal,
  getPublicProposal,
  getRules,
  getTimeline,
  LIST_LIMIT_DEFAULT,
  listNeeds,
  listProposals,
  listPublicProposals,
  screenProposal,
  withdrawProposal,
} from "@pencai/contracts/intake";
import { newEvent } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import { placeOf, placeOfQuery } from "@pencai/runtime/places";
import type { Principal } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import {
  canListOwnIn,
  canReadCommunity,
  canReadProposal,
  hasOfficialReach,
} from "../domain/access.js";
import { checkEndorsement, raiseNeed } from "../domain/need.js";
import { checkCatalogue } from "../domain/orgs.js";
import { canReadGroup, packageGroupView } from "../domain/package-group.js";
import * as rules from "../domain/proposal.js";
import { chainItem } from "../domain/timeline.js";
import type { ProposalRecord } from "../domain/types.js";
import { needView, proposalView, publicProposalView } from "../domain/views.js";
import { checkOrgActive } from "../org-status.js";
import * as store from "../store.js";

// Every Intake route except evidence, plus geo, rules and the public four-publicity views.
// Rules live in ../domain (one hop from each route below); this file reads, decides, commits.

async function readableProposal(id: string, p: Principal): Promise<ProposalRecord> {
  const proposal = await store.getProposal(id);
  if (!proposal) throw notFound(`proposal ${id}`);
  if (!canReadProposal(p, proposal)) throw forbidden("not your proposal, nor in your jurisdiction");
  return proposal;
}

export const handler = httpApi({
  service: "intake",
  routes: [
    // ---------------------------------------------------------------- needs
    route(createNeed, async (req) => {
      const principal = req.principal!;
      const place = placeOf(req.body.communityId);
      const need = raiseNeed(req.body, {
        principal,
        place,
        rules: currentCity().rules,
        id: ulid(req.now.getTime()),
        now: req.now,
      });
      const existing = await store.needIdByTitle(place.communityId, need.title);
      if (existing) throw duplicateNeed(existing);
      // a race lost to an identical title is a conflict: the runtime runs this again, and the
      // read above then names the need that won
      const tx = store.addNeed(store.newTx(), need);
      tx.event(
        newEvent({
          type: "NeedRaised",
          communityId: place.communityId,
          actor: principal,
          correlationId: req.correlationId,
          data: {
            needId: need.id,
            ...place,
            title: need.title,
            ...(need.category !== undefined && { category: need.category }),
          },
          now: req.now,
        }),
      );
      return { status: 201, body: needView(need), tx };
    }),

    route(listNeeds, async (req) => {
      const place = placeOf(req.query.communityId);
      if (!canReadCommunity(req.principal!, place)) throw forbidden("outside your community");
      const page = await store.listNeeds(
        place.communityId,
        req.query.limit ?? LIST_LIMIT_DEFAULT,
        req.query.cursor,
      );
      return { body: { items: page.items.map(needView), nextCursor: page.nextCursor } };
    }),

    route(getNeed, async (req) => {
      const need = await store.getNeed(req.params.id);
      if (!need) throw notFound(`need ${req.params.id}`);
      if (!canReadCommunity(req.principal!, need)) throw forbidden("outside your community");
      return { body: needView(need) };
    }),

    route(endorseNeed, async (req) => {
      const principal = req.principal!;
      const need = await store.getNeed(req.params.id);
      if (!need) throw notFound(`need ${req.params.id}`);
      checkEndorsement(principal, need);
      const tx = store.addEndorsement(store.newTx(), need.id, principal.sub, req.now.toISOString());
      return { status: 201, body: { needId: need.id, endorsements: need.endorsements + 1 }, tx };
    }),

    // ---------------------------------------------------------------- proposals
    route(createProposal, async (req) => {
      const principal = req.principal!;
      const submission = rules.submitProposal(req.body, {
        principal,
        place: placeOf(req.body.communityId),
        rules: currentCity().rules,
        id: ulid(req.now.getTime()),
        now: req.now,
        courtyards: courtyardsOf(req.body.communityId),
        placeOf: (id) => scopeOfCommunity(id),
      });
      checkCatalogue(submission.proposal, currentCity().rules);
      const first = chainItem(null, submission.entry);
      const proposal = { ...submission.proposal, timelineSeq: first.seq, timelineHash: first.hash };
      const tx = store.addSubmission(store.newTx(), proposal, first, submission.budgetChecks);
      checkOrgActive(tx, proposal.applicantOrgId);
      tx.event(
        newEvent({
          type: "ProposalSubmitted",
          proposalId: proposal.id,
          communityId: proposal.communityId,
          actor: principal,
          correlationId: req.correlationId,
          data: {
            proposalId: proposal.id,
            communityId: proposal.communityId,
            streetId: proposal.streetId,
            districtId: proposal.districtId,
            kind: proposal.kind,
            category: proposal.category,
            title: proposal.title,
            budgetFen: proposal.budgetFen,
            selfRaisedFen: proposal.selfRaisedFen,
            sponsorFen: proposal.sponsorFen,
            programmeFen: proposal.programmeFen,
            year: proposal.year,
            needIds: proposal.needIds,
            ...(proposal.applicantOrgId !== undefined && {
              applicantOrgId: proposal.applicantOrgId,
            }),
            ...(proposal.packageGroupId !== undefined && {
              packageGroupId: proposal.packageGroupId,
            }),
            ...(proposal.phasing !== undefined && { phasing: proposal.phasing }),
            ...(proposal.communities !== undefined && { communities: proposal.communities }),
            ...(proposal.courtyardIds !== undefined && { courtyardIds: proposal.courtyardIds }),
          },
          now: req.now,
        }),
      );
      return { status: 201, body: proposalView(proposal), tx };
    }),

    route(getProposal, async (req) => {
      return { body: proposalView(await readableProposal(req.params.id, req.principal!)) };
    }),

    route(listProposals, async (req) => {
      const principal = req.principal!;
      const q = req.query;
      const limit = q.limit ?? LIST_LIMIT_DEFAULT;
      if (q.mine) {
        const page = await store.proposalsOf(principal.sub, limit, q.cursor);
        return { body: { items: page.items.map(proposalView), nextCursor: page.nextCursor } };
      }
      const { by, id, scope } = placeOfQuery(q);
      // officials list their jurisdiction; residents and organisations their own proposals
      // in their own community (everything else public is under /v1/public)
      const official = hasOfficialReach(principal, scope);
      const citizenHere = by === "community" && canListOwnIn(principal, placeOf(id));
      if (!official && !citizenHere) {
        throw forbidden("outside your jurisdiction; use mine=true or /v1/public");
      }
      const page = await store.queryProposals({
        by,
        id,
        ...(!official && { proposerSub: principal.sub }),
        ...(q.year !== undefined && { year: q.year }),
        ...(q.status !== undefined && { status: q.status }),
        limit,
        ...(q.cursor !== undefined && { cursor: q.cursor }),
      });
      return { body: { items: page.items.map(proposalView), nextCursor: page.nextCursor } };
    }),

    route(screenProposal, async (req) => {
      const principal = req.principal!;
      const before = await store.getProposal(req.params.id);
      if (!before) throw notFound(`proposal ${req.params.id}`);
      const { proposal, entry } = rules.screenProposal(before, req.body, {
        principal,
        rules: currentCity().rules,
        now: req.now,
      });
      const tx = store.newTx();
      const after = store.addTransition(tx, before, proposal, entry);
      tx.event(
        newEvent({
          type: "ProposalScreened",
          proposalId: after.id,
          communityId: after.communityId,
          actor: principal,
          correlationId: req.correlationId,
          // event-carried state: deliberation keeps what it needs from this, never reads our table
          data: rules.screenedEventData(after),
          now: req.now,
        }),
      );
      return { body: proposalView(after), tx };
    }),

    route(withdrawProposal, async (req) => {
      const principal = req.principal!;
      const before = await store.getProposal(req.params.id);
      if (!before) throw notFound(`proposal ${req.params.id}`);
      const { proposal, entry } = rules.withdrawProposal(before, req.body, {
        principal,
        now: req.now,
      });
      const tx = store.newTx();
      const after = store.addTransition(tx, before, proposal, entry);
      tx.event(
        newEvent({
          type: "ProposalWithdrawn",
          proposalId: after.id,
          communityId: after.communityId,
          actor: principal,
          correlationId: req.correlationId,
          data: {
            proposalId: after.id,
            needIds: after.needIds,
            previousStatus: before.status,
            ...(req.body?.reason !== undefined && { reason: req.body.reason }),
          },
          now: req.now,
        }),
      );
      return { body: proposalView(after), tx };
    }),

    route(getTimeline, async (req) => {
      await readableProposal(req.params.id, req.principal!);
      return { body: { items: await store.getTimeline(req.params.id) } };
    }),

    // ---------------------------------------------------------------- public (四公开)
    route(listPublicProposals, async (req) => {
      const q = req.query;
      const { by, id } = placeOfQuery(q);
      const page = await store.queryProposals({
        by,
        id,
        ...(q.year !== undefined && { year: q.year }),
        ...(q.stage !== undefined && { stage: q.stage }),
        publicOnly: true,
        limit: q.limit ?? LIST_LIMIT_DEFAULT,
        ...(q.cursor !== undefined && { cursor: q.cursor }),
      });
      return {
        body: {
          items: page.items.map((p) => publicProposalView(p, { compact: true })),
          nextCursor: page.nextCursor,
        },
      };
    }),

    route(getPublicProposal, async (req) => {
      const proposal = await store.getProposal(req.params.id);
      if (!proposal || proposal.status === "withdrawn") throw notFound(`proposal ${req.params.id}`);
      const timeline = await store.getTimeline(proposal.id);
      return { body: { ...publicProposalView(proposal), timeline } };
    }),

    // ---------------------------------------------------------------- geography and rules
    route(getPackageGroup, async (req) => {
      const found = await store.getPackageGroup(req.params.id);
      if (!found) throw notFound(`package group ${req.params.id}`);
      if (!canReadGroup(req.principal!, found.group, placeOf(found.group.communityId))) {
        throw forbidden("not your package group, nor in your jurisdiction");
      }
      return { body: packageGroupView(found.group, found.members) };
    }),

    route(getGeo, async () => {
      const city = currentCity();
      return {
        body: {
          cityId: city.id,
          name: city.name,
          districts: city.districts.map((d) => ({
            id: d.id,
            name: d.name,
            streets: d.streets.map((s) => ({
              id: s.id,
              name: s.name,
              communities: s.communities.map((c) => ({
                id: c.id,
                name: c.name,
                ...(c.courtyards && {
                  courtyards: c.courtyards.map(({ id, name }) => ({ id, name })),
                }),
              })),
            })),
          })),
        },
      };
    }),

    route(getRules, async () => {
      const city = currentCity();
      const r = city.rules;
      return {
        body: {
          preset: city.preset,
          caps: r.caps,
          categoryList: r.categoryList,
          categories: r.categories,
          thresholds: r.thresholds,
          sla: r.sla,
          process: r.process,
          evaluation: r.evaluation,
          scores: r.scores,
          organisations: r.organisations,
          ...(r.purchaseCatalogue !== undefined && { purchaseCatalogue: r.purchaseCatalogue }),
        },
      };
    }),
  ],
});

function duplicateNeed(existingId: string): DomainError {
  return new DomainError(
    "duplicate",
    `a need with this title already exists in this community: ${existingId}`,
    { errors: [{ path: "title", message: `duplicate of need ${existingId}` }] },
  );
}
