import { invalidState } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import { isExit } from "./proposal.js";
import type { EvidenceRecord, ProposalRecord } from "./types.js";

/** The presigned PUT lives 10 minutes; download links 5 minutes. */
export const UPLOAD_TTL_SECONDS = 600;
export const DOWNLOAD_TTL_SECONDS = 300;

/**
 * Where the bytes live. An upload lands under `uploads/`, which a lifecycle rule empties after
 * two days: whatever is never confirmed, or fails confirmation, goes away by itself. Confirming
 * copies the measured version to `proposals/…/evidence/…` under object lock (write-once for the
 * city's retention period) and only that copy is ever served. A rejected upload is also copied
 * to `quarantine/` (kept 30 days for review).
 */
export const uploadKey = (proposalId: string, evidenceId: string) =>
  `uploads/${proposalId}/${evidenceId}`;
export const evidenceKey = (proposalId: string, evidenceId: string) =>
  `proposals/${proposalId}/evidence/${evidenceId}`;
export const quarantineKey = (proposalId: string, evidenceId: string) =>
  `quarantine/${proposalId}/${evidenceId}`;

/**
 * Upload quotas, counted when an upload is declared (it reserves storage then), in the same
 * transaction as the declaration with conditional writes, so parallel declarations cannot pass
 * them together. Days are Asia/Shanghai calendar days. A resident reserving 30 x 50 MB in one
 * second is stopped at 500 MB.
 */
export const evidenceQuota = {
  /** per person and day: a council's minutes, sign-in sheets and a handful of photos fit */
  perUserDay: { uploads: 30, bytes: 500 * 1024 * 1024 },
  /** per proposal and day, whoever uploads */
  perProposalDay: { uploads: 60, bytes: 1024 * 1024 * 1024 },
  /** per proposal over its whole life */
  perProposal: { uploads: 300 },
} as const;

/** The Asia/Shanghai calendar day of an instant (`2026-12-02`): quota windows. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A declared SHA-256 as lowercase hex, whether given in hex or base64. */
export function toHex(sha256: string): string {
  return /^[0-9a-fA-F]{64}$/.test(sha256)
    ? sha256.toLowerCase()
    : Buffer.from(sha256, "base64").toString("hex");
}

/** S3's `x-amz-checksum-sha256` is the base64 of the digest. */
export const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

/** A withdrawn or rejected proposal takes no evidence: declaring and confirming are refused. */
export function requireLiveProposal(proposal: ProposalRecord): void {
  if (isExit(proposal.status)) {
    throw invalidState(`a ${proposal.status} proposal takes no evidence`);
  }
}

/** Evidence is declared for a live proposal (not withdrawn or rejected). */
export function declareEvidence(
  proposal: ProposalRecord,
  body: {
    purpose: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    sha256: string;
  },
  ctx: { evidenceId: string; uploader: { sub: string; role: Role }; now: Date },
): EvidenceRecord {
  requireLiveProposal(proposal);
  return {
    evidenceId: ctx.evidenceId,
    proposalId: proposal.id,
    purpose: body.purpose,
    fileName: body.fileName,
    contentType: body.contentType,
    sizeBytes: body.sizeBytes,
    sha256: toHex(body.sha256),
    status: "pending",
    key: uploadKey(proposal.id, ctx.evidenceId),
    uploadedBy: ctx.uploader,
    createdAt: ctx.now.toISOString(),
  };
}

/** What the stored object is, measured by the service itself. */
export interface StoredObject {
  sizeBytes: number;
  contentType: string | undefined;
  sha256: string;
  /** the S3 version measured (absent where the store does not version objects) */
  versionId?: string;
}

/** The declared facts the stored bytes do not match (`[]` = verified). */
export function mismatches(declared: EvidenceRecord, stored: StoredObject): string[] {
  const out: string[] = [];
  if (stored.sizeBytes !== declared.sizeBytes) out.push("size");
  if (mediaType(stored.contentType) !== mediaType(declared.contentType)) out.push("contentType");
  if (stored.sha256 !== declared.sha256) out.push("sha256");
  return out;
}

const mediaType = (t: string | undefined) => (t ?? "").split(";")[0]!.trim().toLowerCase();

/**
 * Only pending evidence of a live proposal is confirmed; a verified one confirms again as
 * itself (whatever the proposal did since: it was verified while the proposal was live).
 */
export function checkConfirmable(e: EvidenceRecord, proposal: ProposalRecord): "verify" | "done" {
  if (e.status === "verified") return "done";
  if (e.status === "rejected")
    throw invalidState("this evidence was rejected; declare a new upload");
  requireLiveProposal(proposal);
  return "verify";
}
