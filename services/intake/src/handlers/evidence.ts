import { currentCity } from "@pencai/config/current";
import { DomainError, forbidden, invalidState, notFound } from "@pencai/contracts/errors";
import {
  confirmEvidence,
  createEvidence,
  LIST_LIMIT_DEFAULT,
  listEvidence,
} from "@pencai/contracts/intake";
import { newEvent } from "@pencai/runtime/events";
import { httpApi, route } from "@pencai/runtime/http";
import type { Principal } from "@pencai/runtime/reach";
import { ulid } from "ulid";
import { actingRole, canAddEvidence, canReadProposal } from "../domain/access.js";
import {
  checkConfirmable,
  DOWNLOAD_TTL_SECONDS,
  declareEvidence,
  mismatches,
  UPLOAD_TTL_SECONDS,
} from "../domain/evidence.js";
import { proposerRoles } from "../domain/proposal.js";
import type { EvidenceRecord, ProposalRecord } from "../domain/types.js";
import { evidenceView } from "../domain/views.js";
import * as files from "../evidence-store.js";
import * as store from "../store.js";

// Evidence: the only intake function with S3 access (all S3 calls are in ../evidence-store.ts).
// Only verified evidence counts: the service measures the stored bytes itself on confirm.

async function proposalFor(
  id: string,
  p: Principal,
  may: (p: Principal, pr: ProposalRecord) => boolean,
) {
  const proposal = await store.getProposal(id);
  if (!proposal) throw notFound(`proposal ${id}`);
  if (!may(p, proposal))
    throw forbidden("not your proposal, nor its community's or street's staff");
  return proposal;
}

async function evidenceOf(proposalId: string, evidenceId: string): Promise<EvidenceRecord> {
  const e = await store.getEvidence(proposalId, evidenceId);
  if (!e) throw notFound(`evidence ${evidenceId}`);
  return e;
}

const later = (now: Date, seconds: number) =>
  new Date(now.getTime() + seconds * 1000).toISOString();
const DAY_MS = 24 * 3600_000;

export const handler = httpApi({
  service: "intake",
  routes: [
    route(createEvidence, async (req) => {
      const principal = req.principal!;
      const proposal = await proposalFor(req.params.id, principal, canAddEvidence);
      const evidence = declareEvidence(proposal, req.body, {
        evidenceId: ulid(req.now.getTime()),
        uploader: { sub: principal.sub, role: actingRole(principal, proposerRoles) },
        now: req.now,
      });
      const upload = await files.presignUpload(evidence);
      return {
        status: 201,
        body: {
          evidenceId: evidence.evidenceId,
          status: "pending" as const,
          upload: { method: "PUT" as const, ...upload },
          expiresAt: later(req.now, UPLOAD_TTL_SECONDS),
        },
        tx: store.addEvidence(store.newTx(), evidence, req.now),
      };
    }),

    route(confirmEvidence, async (req) => {
      const principal = req.principal!;
      const proposal = await proposalFor(req.params.id, principal, canAddEvidence);
      const declared = await evidenceOf(req.params.id, req.params.evidenceId);
      if (checkConfirmable(declared, proposal) === "done") return { body: evidenceView(declared) };

      const stored = await files.measure(declared.key);
      if (!stored) throw invalidState("nothing uploaded yet: PUT the file to the upload URL first");
      const at = req.now.toISOString();
      const wrong = mismatches(declared, stored);

      if (wrong.length > 0) {
        const quarantineKey = await files.quarantine(declared, stored);
        const rejected: EvidenceRecord = {
          ...declared,
          status: "rejected",
          rejectedAt: at,
          mismatches: wrong,
          quarantineKey,
        };
        // the rejection is recorded (a concurrent confirm that settled first makes this a
        // conflict, and the runtime decides again); then the request is answered 422
        await store.rejectEvidence(store.newTx(), rejected).commit();
        throw new DomainError(
          "evidence_mismatch",
          `the uploaded file does not match its declaration (${wrong.join(", ")}); it was quarantined`,
          { errors: wrong.map((w) => ({ path: w, message: "does not match the stored object" })) },
        );
      }

      // the measured version is kept under object lock before the record says verified, so a
      // verified record never points at bytes that can still change or expire
      const retainUntil = new Date(
        req.now.getTime() + currentCity().evidence.retentionDays * DAY_MS,
      );
      const kept = await files.keep(declared, stored, retainUntil);
      const verified: EvidenceRecord = {
        ...declared,
        status: "verified",
        verifiedAt: at,
        storedKey: kept.key,
        ...(kept.versionId ? { versionId: kept.versionId } : {}),
      };
      const tx = store.settleEvidence(store.newTx(), verified);
      // the verified file's hash enters the proposal's public timeline (a verifiable anchor); the
      // chain head condition also holds the proposal to the (live) state read above
      store.addTransition(
        tx,
        proposal,
        { ...proposal, updatedAt: at },
        {
          type: "EvidenceVerified",
          at,
          actor: { role: verified.uploadedBy.role },
          data: {
            evidenceId: verified.evidenceId,
            purpose: verified.purpose,
            contentType: verified.contentType,
            sizeBytes: verified.sizeBytes,
            sha256: verified.sha256,
          },
        },
      );
      // the evaluation service learns which files a progress report may cite
      tx.event(
        newEvent({
          type: "EvidenceVerified",
          proposalId: proposal.id,
          communityId: proposal.communityId,
          actor: principal,
          correlationId: req.correlationId,
          data: {
            proposalId: proposal.id,
            evidenceId: verified.evidenceId,
            purpose: verified.purpose,
            contentType: verified.contentType,
            sizeBytes: verified.sizeBytes,
            sha256: verified.sha256,
            verifiedAt: at,
          },
          now: req.now,
        }),
      );
      return { body: evidenceView(verified), tx };
    }),

    route(listEvidence, async (req) => {
      await proposalFor(req.params.id, req.principal!, canReadProposal);
      const page = await store.listEvidence(
        req.params.id,
        req.query.limit ?? LIST_LIMIT_DEFAULT,
        req.query.cursor,
      );
      const expiresAt = later(req.now, DOWNLOAD_TTL_SECONDS);
      const items = await Promise.all(
        page.items.map(async (e) =>
          e.status === "verified"
            ? evidenceView(e, {
                url: await files.presignDownload(e.storedKey ?? e.key, e.versionId),
                expiresAt,
              })
            : evidenceView(e),
        ),
      );
      return { body: { items, nextCursor: page.nextCursor } };
    }),
  ],
});
