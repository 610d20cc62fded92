import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { approvalEventDataSchemas } from "@pencai/contracts/approval-events";
import type { Envelope } from "@pencai/contracts/events";
import { sqsEvent as sqsOf } from "@pencai/runtime/testing";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "vitest";
import { fromEndorsed } from "../src/domain/projection.js";
import type { ApprovalProposal } from "../src/domain/types.js";

// Test support for the handler tests: proposals and timers, problem replies, SQS events, and a
// small in-memory table behind the mocked DynamoDB client (tokens and API Gateway events come
// from @pencai/runtime/testing).

export const P1 = "01JAAAAAAAAAAAAAAAAAAAAAAA";
export const P2 = "01JBBBBBBBBBBBBBBBBBBBBBBB";
export const P3 = "01JCCCCCCCCCCCCCCCCCCCCCCC";

/** An instant given as Asia/Shanghai local time. */
export const cst = (local: string) => new Date(`${local}+08:00`);

export const facts = {
  proposalId: P1,
  communityId: "c1",
  streetId: "s1",
  districtId: "d1",
  kind: "works" as const,
  title: "加装电梯",
  budgetFen: 30_000_000,
  programmeFen: 30_000_000,
  year: 2025,
};

/** The projection as the inbox creates it, with changes. */
export const proposal = (over: Partial<ApprovalProposal> = {}): ApprovalProposal => ({
  ...fromEndorsed(facts, "2025-09-01T00:00:00.000Z"),
  ...over,
});

// ---------------------------------------------------------------- replies and events

export const json = (res: { body?: string | undefined }) =>
  res.body === undefined ? undefined : JSON.parse(res.body);

/** Asserts an `application/problem+json` reply with the status and code. */
export function expectProblem(
  res: { statusCode?: number; headers?: Record<string, unknown>; body?: string },
  status: number,
  code: string,
) {
  expect({ status: res.statusCode, type: res.headers?.["content-type"] }).toEqual({
    status,
    type: "application/problem+json",
  });
  const problem = json(res);
  expect(problem).toMatchObject({ status, code, type: `https://pencai.dev/problems/${code}` });
  return problem;
}

/** One SQS record per envelope (message ids m0, m1, ...). */
export const sqsEvent = (...envelopes: Envelope[]) => sqsOf(envelopes, "approval-inbox");

/** DynamoDB's answer to a transaction whose items failed (one code per item, by position). */
export const cancelled = (codes: (string | undefined)[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code: Code ?? "None" })),
  });

// ---------------------------------------------------------------- an in-memory table

type TxItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
type Item = Record<string, unknown>;
const keyOf = (k: { pk?: unknown; sk?: unknown }) => `${k.pk}|${k.sk}`;

/**
 * A table behind the mocked client, enough for the handlers' access paths: GetItem; Query on the
 * base table (`pk = :pk AND begins_with(sk, :prefix)`), gsi1 (`gsi1pk = :b [AND gsi1sk <= :upto]`)
 * gsi2 (`gsi2pk = :pk`) and gsi3 (`gsi3pk = :p`); unconditional PutItem; TransactWriteItems that applies Puts atomically and enforces the
 * conditions `attribute_not_exists(pk)` and `version = :v` on Puts (inbox, tombstone and
 * projection races). Updates are recorded, not applied. `onTransact` runs first and may throw
 * (a cancellation) or change the table (a concurrent writer).
 */
export class FakeTable {
  readonly items = new Map<string, Item>();
  onTransact?: (items: TxItem[], n: number) => void;
  private transactions = 0;

  constructor(private readonly mock: AwsClientStub<DynamoDBDocumentClient>) {
    mock.on(GetCommand).callsFake((input: { Key: Item }) => {
      const item = this.items.get(keyOf(input.Key));
      return { Item: item && structuredClone(item) };
    });
    mock.on(QueryCommand).callsFake((input: QueryCommandInput) => ({
      Items: this.query(input),
    }));
    mock.on(TransactWriteCommand).callsFake((input: TransactWriteCommandInput) => {
      this.transact(input.TransactItems ?? []);
      return {};
    });
    // unconditional single puts (the sweeper's record of official calendar years)
    mock.on(PutCommand).callsFake((input: { Item: Item }) => {
      this.put(input.Item);
      return {};
    });
  }

  put(...items: Item[]): this {
    for (const i of items) this.items.set(keyOf(i), structuredClone(i));
    return this;
  }

  get(key: { pk: string; sk: string }): Item | undefined {
    return this.items.get(keyOf(key));
  }

  /** The Get requests for one key. */
  reads(key: { pk: string; sk: string }): number {
    return this.mock
      .commandCalls(GetCommand)
      .filter((c) => keyOf(c.args[0].input.Key as Item) === keyOf(key)).length;
  }

  /** The TransactItems of every transaction sent (committed or not). */
  sent(): TxItem[][] {
    return this.mock
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems ?? []);
  }

  /** The Query inputs sent. */
  queries(): QueryCommandInput[] {
    return this.mock.commandCalls(QueryCommand).map((c) => c.args[0].input);
  }

  private query(q: QueryCommandInput): Item[] {
    const v = q.ExpressionAttributeValues ?? {};
    const all = [...this.items.values()];
    let found: Item[];
    if (!q.IndexName && q.KeyConditionExpression === "pk = :pk AND begins_with(sk, :prefix)") {
      found = all.filter((i) => i.pk === v[":pk"] && String(i.sk).startsWith(String(v[":prefix"])));
    } else if (q.IndexName === "gsi1" && q.KeyConditionExpression === "gsi1pk = :b") {
      found = all.filter((i) => i.gsi1pk === v[":b"]);
    } else if (
      q.IndexName === "gsi1" &&
      q.KeyConditionExpression === "gsi1pk = :b AND gsi1sk <= :upto"
    ) {
      found = all.filter((i) => i.gsi1pk === v[":b"] && String(i.gsi1sk) <= String(v[":upto"]));
    } else if (q.IndexName === "gsi2" && q.KeyConditionExpression === "gsi2pk = :pk") {
      found = all.filter((i) => i.gsi2pk === v[":pk"]);
    } else if (q.IndexName === "gsi3" && q.KeyConditionExpression === "gsi3pk = :p") {
      found = all.filter((i) => i.gsi3pk === v[":p"]);
    } else {
      throw new Error(`FakeTable: unsupported query ${q.IndexName} ${q.KeyConditionExpression}`);
    }
    const sortKey = q.IndexName ? `${q.IndexName}sk` : "sk";
    found.sort((a, b) => String(a[sortKey]).localeCompare(String(b[sortKey])));
    return structuredClone(q.Limit ? found.slice(0, q.Limit) : found);
  }

  private transact(tx: TxItem[]): void {
    this.onTransact?.(tx, ++this.transactions);
    const codes = tx.map((t) => {
      const put = t.Put;
      if (!put) return "None";
      const existing = this.items.get(keyOf(put.Item as Item));
      const cond = put.ConditionExpression;
      if (cond === "attribute_not_exists(pk)" && existing) return "ConditionalCheckFailed";
      if (cond === "version = :v" && existing?.version !== put.ExpressionAttributeValues?.[":v"]) {
        return "ConditionalCheckFailed";
      }
      return "None";
    });
    if (codes.some((c) => c !== "None")) throw cancelled(codes);
    for (const t of tx) if (t.Put) this.put(t.Put.Item as Item);
  }
}

/** The outbox envelopes of a transaction, each checked against its contract data schema. */
export function outboxEvents(tx: TxItem[]): Envelope[] {
  const events = tx
    .filter((t) => String(t.Put?.Item?.pk).startsWith("OUTBOX#"))
    .map((t) => t.Put!.Item!.event as Envelope);
  for (const e of events) {
    const schema = approvalEventDataSchemas[e.type as keyof typeof approvalEventDataSchemas];
    expect(schema, `${e.type} is an approval event`).toBeDefined();
    const r = schema.safeParse(e.data);
    expect(r.success, `${e.type}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
  }
  return events;
}

/** The transaction item writing the given key (Put or Update). */
export function itemFor(tx: TxItem[], key: { pk: string; sk: string }) {
  return tx.find((t) => {
    const k = (t.Put?.Item ?? t.Update?.Key ?? t.ConditionCheck?.Key) as Item | undefined;
    return k?.pk === key.pk && k?.sk === key.sk;
  });
}
