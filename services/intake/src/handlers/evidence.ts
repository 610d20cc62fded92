import {
  confirmEvidence,
  createEvidence,
  LIST_LIMIT_DEFAULT,
  listEvidence,
} from "@pencai/contracts/intake";
import type { Principal } from "@pencai/runtime/auth";
import { forbidden, invalidState, notFound, ProblemError } from "@pencai/runtime/errors";
import { httpApi, route } from "@pencai/runtime/http";
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
      const reply = {
        status: 201,
        body: {
          evidenceId: evidence.evidenceId,
          status: "pending" as const,
          upload: { method: "PUT" as const, ...upload },
          expiresAt: later(req.now, UPLOAD_TTL_SECONDS),
        },
      };
      const tx = store.addEvidence(store.newTx(), evidence);
      tx.idempotency(req, reply);
      await tx.commit();
      return reply;
    }),

    route(confirmEvidence, async (req) => {
      const principal = req.principal!;
      await proposalFor(req.params.id, principal, canAddEvidence);
      const declared = await evidenceOf(req.params.id, req.params.evidenceId);
      if (checkConfirmable(declared) === "done") return { body: evidenceView(declared) };

      const stored = await files.measure(declared.key);
      if (!stored) throw invalidState("nothing uploaded yet: PUT the file to the upload URL first");
      const at = req.now.toISOString();
      const wrong = mismatches(declared, stored);

      if (wrong.length > 0) {
        const quarantineKey = await files.quarantine(declared.key);
        const rejected: EvidenceRecord = {
          ...declared,
          status: "rejected",
          rejectedAt: at,
          mismatches: wrong,
          quarantineKey,
        };
        await store
          .settleEvidence(store.newTx(), rejected)
          .commit()
          .catch((err) => {
            // a concurrent confirm settled it first; it measured the same bytes
            if (err !== store.evidenceRaced) throw err;
          });
        throw new ProblemError(
          "evidence_mismatch",
          `the uploaded file does not match its declaration (${wrong.join(", ")}); it was quarantined`,
          wrong.map((w) => ({ path: w, message: "does not match the stored object" })),
        );
      }

      const verified: EvidenceRecord = { ...declared, status: "verified", verifiedAt: at };
      const reply = { body: evidenceView(verified) };
      // the verified file's hash enters the proposal's public timeline (a verifiable anchor)
      for (let attempt = 0; ; attempt++) {
        const before = await store.getProposal(req.params.id);
        if (!before) throw notFound(`proposal ${req.params.id}`);
        const tx = store.settleEvidence(store.newTx(), verified);
        store.addTransition(
          tx,
          before,
          { ...before, updatedAt: at },
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
        tx.idempotency(req, reply);
        try {
          await tx.commit();
          return reply;
        } catch (err) {
          if (err === store.evidenceRaced) {
            // a concurrent confirm settled it first: answer with what it decided
            const settled = await evidenceOf(req.params.id, req.params.evidenceId);
            if (settled.status === "verified") return { body: evidenceView(settled) };
            throw invalidState(`this evidence was ${settled.status} meanwhile`);
          }
          // the proposal's timeline moved on meanwhile: chain onto the new head
          const raced = err instanceof ProblemError && err.code === "invalid_state";
          if (!raced || attempt >= 2) throw err;
        }
      }
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
            ? evidenceView(e, { url: await files.presignDownload(e.key), expiresAt })
            : evidenceView(e),
        ),
      );
      return { body: { items, nextCursor: page.nextCursor } };
    }),
  ],
});
