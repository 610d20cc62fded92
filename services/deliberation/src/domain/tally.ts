import type { ConsentTally, CouncilResult } from "@pencai/contracts/deliberation";
import type { BallotChoice } from "./types.js";

/** The city's council thresholds (`rules.thresholds.council`). */
export interface CouncilRules {
  /** quorum: present / members must be strictly greater than this */
  quorumShare: number;
  /** pass: yes / present must be strictly greater than this */
  passShare: number;
  /** only members recorded present may vote */
  requirePresence: boolean;
}

/** The city's household consent rule (`rules.thresholds.householdConsent`). */
export interface ConsentRules {
  required: boolean;
  /** agreed / households must be at least this */
  share: number;
}

// Shares like 2/3 are not exact in binary: compare with a tolerance far below 1/households.
const EPSILON = 1e-9;
const strictlyAbove = (count: number, share: number, of: number) => count > share * of + EPSILON;
const atLeast = (count: number, share: number, of: number) => count >= share * of - EPSILON;

/**
 * Household consent as counted at close: `share = agreed / households`, `met = share ≥ the
 * city's share`. No households known (or zero) -> share 0, not met.
 */
export function tallyConsent(
  answers: readonly { agree: boolean }[],
  households: number | undefined,
  rules: ConsentRules,
): ConsentTally {
  const agreed = answers.filter((a) => a.agree).length;
  const disagreed = answers.length - agreed;
  const of = households ?? 0;
  return {
    households: of,
    agreed,
    disagreed,
    share: of > 0 ? round(agreed / of, 4) : 0,
    required: rules.required,
    met: of > 0 && atLeast(agreed, rules.share, of),
  };
}

/**
 * One proposal's council result.
 * - `present` = members recorded present, plus members who voted on this proposal without
 *   being recorded (only possible where presence is not required; with no sign-in sheet at
 *   all that is the number of voters);
 * - `quorumMet` = present > quorumShare × members;
 * - `passed` = quorumMet and yes > passShare × present (ties, exact half and all-abstain fail)
 *   and, where the city requires household consent, consent met.
 */
export function tallyProposal(args: {
  proposalId: string;
  members: readonly string[];
  attendance: readonly string[];
  ballots: readonly { sub: string; choice: BallotChoice }[];
  rules: CouncilRules;
  consent?: ConsentTally;
}): CouncilResult {
  const members = new Set(args.members);
  const counts = { yes: 0, no: 0, abstain: 0 };
  const voters = new Set<string>();
  for (const b of countedBallots(members, args.ballots)) {
    voters.add(b.sub);
    counts[b.choice]++;
  }
  const present = new Set([...args.attendance.filter((s) => members.has(s)), ...voters]).size;
  const quorumMet = strictlyAbove(present, args.rules.quorumShare, members.size);
  const majority = present > 0 && strictlyAbove(counts.yes, args.rules.passShare, present);
  const consentOk = !args.consent?.required || args.consent.met;
  return {
    proposalId: args.proposalId,
    ...counts,
    present,
    quorumMet,
    passed: quorumMet && majority && consentOk,
    members: members.size,
    ...(args.consent && { consent: args.consent }),
  };
}

/**
 * The ballots of one proposal that its tally counts: a listed member's first ballot; others are
 * ignored (the store already keeps one per member). BallotsCounted carries exactly these.
 */
export function countedBallots<B extends { sub: string }>(
  members: ReadonlySet<string>,
  ballots: readonly B[],
): B[] {
  const seen = new Set<string>();
  return ballots.filter((b) => {
    if (!members.has(b.sub) || seen.has(b.sub)) return false;
    seen.add(b.sub);
    return true;
  });
}

export const round = (n: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
