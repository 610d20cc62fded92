import type {
  EvidenceView,
  NeedView,
  ProposalView,
  PublicProposalView,
} from "@pencai/contracts/intake";
import { stageOf } from "./proposal.js";
import { slaSummary, slaView } from "./sla.js";
import type { EvidenceRecord, NeedRecord, ProposalRecord } from "./types.js";

/**
 * What the public may see: no proposer (sub, household, org user), nothing personal. The SLA
 * timers are public (the government's own deadlines); a list item (`compact`) carries only
 * their summary.
 */
export function publicProposalView(
  p: ProposalRecord,
  opts: { compact?: boolean } = {},
): PublicProposalView {
  const stage = stageOf(p.status, p.rejectedAt);
  const sla = opts.compact ? [] : slaView(p.sla);
  const summary = slaSummary(p.sla);
  return {
    id: p.id,
    status: p.status,
    ...(stage && { stage }),
    communityId: p.communityId,
    streetId: p.streetId,
    districtId: p.districtId,
    kind: p.kind,
    category: p.category,
    title: p.title,
    summary: p.summary,
    ...(p.plan !== undefined && { plan: p.plan }),
    beneficiaries: p.beneficiaries,
    budgetFen: p.budgetFen,
    selfRaisedFen: p.selfRaisedFen,
    funding: {
      programmeFen: p.programmeFen,
      selfRaisedFen: p.selfRaisedFen,
      sponsorFen: p.sponsorFen,
      streetSubsidyFen: p.streetSubsidyFen ?? 0,
    },
    needIds: p.needIds,
    ...(p.applicantOrgId !== undefined && { applicantOrgId: p.applicantOrgId }),
    ...(p.location !== undefined && { location: p.location }),
    year: p.year,
    ...(p.packageGroupId !== undefined && { packageGroupId: p.packageGroupId }),
    ...(p.courtyardIds !== undefined && { courtyardIds: p.courtyardIds }),
    ...(p.phasing !== undefined && { phasing: p.phasing }),
    ...(p.communities !== undefined && { communities: p.communities }),
    ...(p.screening && { screening: p.screening }),
    ...(p.rejectedAt && { rejectedAt: p.rejectedAt }),
    ...(p.rejectionReason !== undefined && { rejectionReason: p.rejectionReason }),
    // counts and outcomes only: the registry whitelists them field by field (decision.ts)
    ...(p.decision && { decision: p.decision }),
    ...(sla.length > 0 && { sla }),
    ...(summary && { slaSummary: summary }),
    ...(p.implementation && {
      implementation: {
        ...(p.implementation.implementer && { implementer: p.implementation.implementer }),
        milestones: p.implementation.milestones,
        percent: p.implementation.percent,
        payments: p.implementation.payments.map(({ paymentId: _, ...x }) => x),
        totalPaidFen: p.implementation.totalPaidFen,
        ...(p.implementation.startedAt && { startedAt: p.implementation.startedAt }),
        ...(p.implementation.completedAt && { completedAt: p.implementation.completedAt }),
      },
    }),
    ...(p.effect && { effect: p.effect }),
    ...(p.withdrawnAt && { withdrawnAt: p.withdrawnAt }),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    timelineSeq: p.timelineSeq,
    timelineHash: p.timelineHash,
  };
}

/** What the proposer and officials see: the public record plus who proposed (sub and role). */
export function proposalView(p: ProposalRecord): ProposalView {
  return { ...publicProposalView(p), proposer: { sub: p.proposer.sub, role: p.proposer.role } };
}

/** A need as the community sees it: the raiser's role, not who. */
export function needView(n: NeedRecord): NeedView {
  return {
    id: n.id,
    communityId: n.communityId,
    streetId: n.streetId,
    districtId: n.districtId,
    title: n.title,
    description: n.description,
    ...(n.category !== undefined && { category: n.category }),
    status: n.status,
    endorsements: n.endorsements,
    proposalIds: n.proposalIds,
    proposalCount: n.proposalIds.length,
    raisedBy: { role: n.raisedBy.role },
    createdAt: n.createdAt,
  };
}

export function evidenceView(
  e: EvidenceRecord,
  download?: { url: string; expiresAt: string },
): EvidenceView {
  return {
    evidenceId: e.evidenceId,
    proposalId: e.proposalId,
    purpose: e.purpose,
    fileName: e.fileName,
    contentType: e.contentType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    status: e.status,
    createdAt: e.createdAt,
    ...(e.verifiedAt && { verifiedAt: e.verifiedAt }),
    ...(e.rejectedAt && { rejectedAt: e.rejectedAt }),
    ...(e.mismatches && { mismatches: e.mismatches }),
    ...(download && { url: download.url, urlExpiresAt: download.expiresAt }),
  };
}
