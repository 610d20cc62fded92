import { duplicate, invalidState, rule, stale } from "@pencai/contracts/errors";
import { env } from "@pencai/runtime/clients";
import { getItem, itemsUnder, withoutStorageKeys as strip } from "@pencai/runtime/items";
import { Tx } from "@pencai/runtime/tx";
import type {
  Contribution,
  Disbursement,
  Payment,
  Procurement,
  ProgressReport,
  Project,
  RatingRecord,
} from "./domain/types.js";

/**
 * The evaluation service's DynamoDB table (keys `pk`/`sk`). Item kinds, all under the project:
 *
 * | item | pk | sk |
 * |---|---|---|
 * | project projection | `PROJECT#<id>` | `PROJECT` |
 * | verified evidence (from intake's EvidenceVerified) | `PROJECT#<id>` | `EVIDENCE#<evidenceId>` |
 * | disbursement (from approval's FundsDisbursed) | `PROJECT#<id>` | `DISBURSEMENT#<disbursementId>` |
 * | progress report | `PROJECT#<id>` | `PROGRESS#<ulid>` |
 * | payment | `PROJECT#<id>` | `PAYMENT#<paymentId>` |
 * | contribution | `PROJECT#<id>` | `CONTRIBUTION#<contributionId>` |
 * | rating | `PROJECT#<id>` | `RATING#<sub>` |
 * | procurement (the project group's choice, once) | `PROJECT#<id>` | `PROCUREMENT` |
 *
 * Every write of the project is conditional on the version read (a lost race is a 409
 * `conflict`: the runtime decides again), except a payment's, which is conditional on the
 * invariants themselves so that racing payments never overpay and never wait on each other.
 */

export const table = () => env("TABLE_NAME");
export const newTx = () => new Tx(table());

export const keys = {
  project: (id: string) => ({ pk: `PROJECT#${id}`, sk: "PROJECT" }),
  evidence: (id: string, evidenceId: string) => ({
    pk: `PROJECT#${id}`,
    sk: `EVIDENCE#${evidenceId}`,
  }),
  disbursement: (id: string, disbursementId: string) => ({
    pk: `PROJECT#${id}`,
    sk: `DISBURSEMENT#${disbursementId}`,
  }),
  progress: (id: string, reportId: string) => ({ pk: `PROJECT#${id}`, sk: `PROGRESS#${reportId}` }),
  payment: (id: string, paymentId: string) => ({ pk: `PROJECT#${id}`, sk: `PAYMENT#${paymentId}` }),
  contribution: (id: string, contributionId: string) => ({
    pk: `PROJECT#${id}`,
    sk: `CONTRIBUTION#${contributionId}`,
  }),
  rating: (id: string, sub: string) => ({ pk: `PROJECT#${id}`, sk: `RATING#${sub}` }),
  procurement: (id: string) => ({ pk: `PROJECT#${id}`, sk: "PROCUREMENT" }),
};

// ---------------------------------------------------------------- reads

export async function getProject(id: string): Promise<Project | undefined> {
  const item = await getItem(table(), keys.project(id));
  return item && strip<Project>(item);
}

const under = async <T>(id: string, prefix: string): Promise<T[]> =>
  (await itemsUnder(table(), keys.project(id).pk, prefix)).map((i) => strip<T>(i));

export const progressOf = (id: string) => under<ProgressReport>(id, "PROGRESS#");
export const paymentsOf = (id: string) => under<Payment>(id, "PAYMENT#");
export const contributionsOf = (id: string) => under<Contribution>(id, "CONTRIBUTION#");
export const disbursementsOf = (id: string) => under<Disbursement>(id, "DISBURSEMENT#");
export const ratingsOf = (id: string) => under<RatingRecord>(id, "RATING#");

export async function procurementOf(id: string): Promise<Procurement | undefined> {
  const item = await getItem(table(), keys.procurement(id));
  return item && strip<Procurement>(item);
}

// ---------------------------------------------------------------- writes (added to a Tx)

/** The project as decided from the version read (`undefined`: it did not exist yet). */
export function putProject(tx: Tx, after: Project, readVersion: number | undefined): Tx {
  return tx.put(
    { ...keys.project(after.id), entity: "project", ...after },
    readVersion === undefined
      ? { condition: "attribute_not_exists(pk)", onFail: stale(`project ${after.id}`) }
      : {
          condition: "version = :v",
          values: { ":v": readVersion },
          onFail: stale(`project ${after.id}`),
        },
  );
}

/** Each cited evidence file is verified evidence of this project (checked at commit). */
function checkVerified(tx: Tx, proposalId: string, evidenceIds: readonly string[], path: string) {
  for (const evidenceId of evidenceIds) {
    tx.check(keys.evidence(proposalId, evidenceId), {
      condition: "attribute_exists(pk)",
      onFail: rule(
        "evidence_not_verified",
        `evidence ${evidenceId} is not verified evidence of this proposal`,
        [{ path, message: `${evidenceId} is not verified` }],
      ),
    });
  }
}

/**
 * The project group's choice, once (409 `duplicate`), while the project is still where it was
 * decided (its version), every quote backed by verified evidence of this project.
 */
export function addProcurement(tx: Tx, readVersion: number, c: Procurement): Tx {
  tx.check(keys.project(c.proposalId), {
    condition: "version = :v",
    values: { ":v": readVersion },
    onFail: stale(`project ${c.proposalId}`),
  });
  checkVerified(
    tx,
    c.proposalId,
    c.quotes.map((q) => q.evidenceId),
    "body.quotes",
  );
  return tx.put(
    { ...keys.procurement(c.proposalId), entity: "procurement", ...c },
    {
      condition: "attribute_not_exists(pk)",
      onFail: duplicate("the project group's choice of supplier is already recorded"),
    },
  );
}

/** A progress report, citing evidence that must be verified evidence of this project. */
export function addProgress(
  tx: Tx,
  after: Project,
  readVersion: number,
  report: ProgressReport,
  reportId: string,
): Tx {
  putProject(tx, after, readVersion);
  tx.put(
    { ...keys.progress(report.proposalId, reportId), entity: "progress", ...report },
    { condition: "attribute_not_exists(pk)" },
  );
  checkVerified(tx, report.proposalId, report.evidenceIds, "body.evidenceIds");
  return tx;
}

/**
 * A payment: the project's running total grows only if, at commit, reported progress still
 * reaches the milestone and the total stays within what the payment was decided against (the
 * milestone's share and the money received, less this amount). Racing payments that all fit
 * commit side by side; one that no longer fits is a 409 `conflict`: the runtime reads again
 * and the domain answers 422 or pays.
 */
export function addPayment(
  tx: Tx,
  payment: Payment,
  limits: { paidMaxFen: number; milestonePercent: number },
): Tx {
  tx.update(keys.project(payment.proposalId), {
    update: "SET paidFen = paidFen + :amount, version = version + :one",
    condition: "progressPercent >= :milestone AND paidFen <= :paidMax",
    values: {
      ":amount": payment.amountFen,
      ":one": 1,
      ":milestone": limits.milestonePercent,
      ":paidMax": limits.paidMaxFen,
    },
    onFail: stale(`project ${payment.proposalId}'s payments`),
  });
  return tx.put(
    { ...keys.payment(payment.proposalId, payment.id), entity: "payment", ...payment },
    { condition: "attribute_not_exists(pk)" },
  );
}

export function addContribution(tx: Tx, after: Project, readVersion: number, c: Contribution): Tx {
  putProject(tx, after, readVersion);
  return tx.put(
    { ...keys.contribution(c.proposalId, c.id), entity: "contribution", ...c },
    { condition: "attribute_not_exists(pk)" },
  );
}

/** One rating per member, while the panel is open (a close in progress stops it). */
export function addRating(tx: Tx, r: RatingRecord): Tx {
  tx.check(keys.project(r.proposalId), {
    condition: "evaluation.#status = :open",
    names: { "#status": "status" },
    values: { ":open": "open" },
    onFail: invalidState("the panel is closed"),
  });
  return tx.put(
    { ...keys.rating(r.proposalId, r.sub), entity: "rating", ...r },
    { condition: "attribute_not_exists(pk)", onFail: duplicate("you already rated this project") },
  );
}

/** open -> closing: from here on every rating fails its `open` check. */
export function beginClosing(tx: Tx, id: string): Tx {
  return tx.update(keys.project(id), {
    update: "SET evaluation.#status = :closing, version = version + :one",
    condition: "evaluation.#status = :open",
    names: { "#status": "status" },
    values: { ":closing": "closing", ":open": "open", ":one": 1 },
    onFail: stale(`project ${id}'s panel`),
  });
}

/** Inbox: a verified evidence file of the project (idempotent). */
export function addEvidence(tx: Tx, proposalId: string, evidenceId: string, at: string): Tx {
  return tx.put({
    ...keys.evidence(proposalId, evidenceId),
    entity: "evidence",
    proposalId,
    evidenceId,
    verifiedAt: at,
  });
}

/** Inbox: a disbursement of programme money (idempotent by its id). */
export function addDisbursement(tx: Tx, d: Disbursement): Tx {
  return tx.put({ ...keys.disbursement(d.proposalId, d.id), entity: "disbursement", ...d });
}
