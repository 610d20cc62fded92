import type { Role } from "@pencai/contracts";
import { invalidState } from "@pencai/runtime/errors";
import { isExit } from "./proposal.js";
import type { EvidenceRecord, ProposalRecord } from "./types.js";

/** The presigned PUT lives 10 minutes; download links 5 minutes. */
export const UPLOAD_TTL_SECONDS = 600;
export const DOWNLOAD_TTL_SECONDS = 300;

export const evidenceKey = (proposalId: string, evidenceId: string) =>
  `proposals/${proposalId}/evidence/${evidenceId}`;
export const quarantineKey = (key: string) => `quarantine/${key}`;

/** A declared SHA-256 as lowercase hex, whether given in hex or base64. */
export function toHex(sha256: string): string {
  return /^[0-9a-fA-F]{64}$/.test(sha256)
    ? sha256.toLowerCase()
    : Buffer.from(sha256, "base64").toString("hex");
}

/** S3's `x-amz-checksum-sha256` is the base64 of the digest. */
export const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

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
  if (isExit(proposal.status)) {
    throw invalidState(`a ${proposal.status} proposal takes no evidence`);
  }
  return {
    evidenceId: ctx.evidenceId,
    proposalId: proposal.id,
    purpose: body.purpose,
    fileName: body.fileName,
    contentType: body.contentType,
    sizeBytes: body.sizeBytes,
    sha256: toHex(body.sha256),
    status: "pending",
    key: evidenceKey(proposal.id, ctx.evidenceId),
    uploadedBy: ctx.uploader,
    createdAt: ctx.now.toISOString(),
  };
}

/** What the stored object is, measured by the service itself. */
export interface StoredObject {
  sizeBytes: number;
  contentType: string | undefined;
  sha256: string;
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

/** Only pending evidence is confirmed; a verified one confirms again as itself. */
export function checkConfirmable(e: EvidenceRecord): "verify" | "done" {
  if (e.status === "verified") return "done";
  if (e.status === "rejected")
    throw invalidState("this evidence was rejected; declare a new upload");
  return "verify";
}
