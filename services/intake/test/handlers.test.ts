import { GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Envelope } from "@pencai/contracts/events";
import type { Principal } from "@pencai/runtime/auth";
import { ddb } from "@pencai/runtime/clients";
import { context, sqsEvent } from "@pencai/runtime/testing";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { chainItem, firstBrokenLink } from "../src/domain/timeline.js";
import { handler as api } from "../src/handlers/api.js";
import { handler as inbox } from "../src/handlers/inbox.js";
import { keys, needItem, proposalItem } from "../src/store.js";
import { approvalEvent, breached, reported, reviewed } from "./approval-fixtures.js";
import { c1, proposalRecord, resident, ULID_A, ULID_N, useTestCity } from "./fixtures.js";

// The api and inbox handlers run for real against a small in-memory table that evaluates the
// exact condition expressions the store writes: the community-year cap at submission counts what
// approval committed (intake projects `ProposalApproved.data.programmeFen` into
// BUDGET#<community>#<year>, once per proposal), and approval's events, delivered out of order,
// show up in the proposal, the public record and its verifying timeline.

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
  process.env.TABLE_NAME = "intake-test";
});

// The bearer token is the principal itself (JSON); the JWT path has its own tests in the runtime.
vi.mock("@pencai/runtime/auth", async (importOriginal) => {
  const real = await importOriginal<typeof import("@pencai/runtime/auth")>();
  return {
    ...real,
    verifyBearer: async (h: string | undefined) =>
      h ? (JSON.parse(h.replace(/^Bearer /, "")) as Principal) : null,
  };
});

const ddbMock = mockClient(ddb);
type Item = Record<string, unknown>;
const table = new Map<string, Item>();
const keyOf = (k: Record<string, unknown>) => `${k.pk}|${k.sk}`;

/** Only the conditions intake and the runtime write; anything else fails the test loudly. */
function holds(condition: string | undefined, item: Item | undefined, v: Item = {}): boolean {
  switch (condition) {
    case undefined:
      return true;
    case "attribute_not_exists(pk)":
      return !item;
    case "attribute_exists(pk) AND communityId = :community":
      return !!item && item.communityId === v[":community"];
    case "attribute_not_exists(pk) OR committedFen <= :limit":
      return !item || (item.committedFen as number) <= (v[":limit"] as number);
    case "timelineSeq = :seq":
      return !!item && item.timelineSeq === v[":seq"];
    default:
      throw new Error(`fake table: unsupported condition ${condition}`);
  }
}

function transact(items: NonNullable<TransactWriteCommand["input"]["TransactItems"]>) {
  const reasons = items.map((i) => {
    const op = i.Put ?? i.Update ?? i.ConditionCheck ?? i.Delete!;
    const key = i.Put ? i.Put.Item! : (op as { Key: Item }).Key;
    const ok = holds(op.ConditionExpression, table.get(keyOf(key)), op.ExpressionAttributeValues);
    return { Code: ok ? "None" : "ConditionalCheckFailed" };
  });
  if (reasons.some((r) => r.Code !== "None")) {
    throw Object.assign(new Error("Transaction cancelled"), {
      name: "TransactionCanceledException",
      CancellationReasons: reasons,
    });
  }
  for (const i of items) {
    if (i.Put) table.set(keyOf(i.Put.Item!), structuredClone(i.Put.Item!));
    else if (
      i.Update?.UpdateExpression === "ADD committedFen :fen SET communityId = :c, #year = :y"
    ) {
      const v = i.Update.ExpressionAttributeValues!;
      const before = table.get(keyOf(i.Update.Key!)) ?? { ...i.Update.Key };
      table.set(keyOf(i.Update.Key!), {
        ...before,
        committedFen: ((before.committedFen as number | undefined) ?? 0) + (v[":fen"] as number),
        communityId: v[":c"],
        year: v[":y"],
      });
    } else if (!i.ConditionCheck) {
      throw new Error(`fake table: unsupported write ${JSON.stringify(i)}`);
    }
  }
  return {};
}

const committed = () => table.get(keyOf(keys.budget("c1", 2026)))?.committedFen;

// the Shenzhen presets: works ≤ 50,000,000 fen, community-year cap 200,000,000 fen
async function call(
  routeKey: string,
  path: string,
  opts: { principal?: Principal; body?: unknown; pathParameters?: Record<string, string> } = {},
) {
  const event = {
    routeKey,
    rawPath: path,
    headers: opts.principal ? { authorization: `Bearer ${JSON.stringify(opts.principal)}` } : {},
    ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
    ...(opts.pathParameters && { pathParameters: opts.pathParameters }),
    isBase64Encoded: false,
    requestContext: { requestId: "req", http: { method: routeKey.split(" ")[0], path } },
  } as unknown as APIGatewayProxyEventV2;
  const out = (await api(event, { awsRequestId: "req" } as Context)) as {
    statusCode: number;
    body: string;
  };
  return { status: out.statusCode, body: JSON.parse(out.body) as Record<string, unknown> };
}

async function submit(budgetFen: number, title: string) {
  const event = {
    routeKey: "POST /v1/proposals",
    rawPath: "/v1/proposals",
    headers: { authorization: `Bearer ${JSON.stringify(resident())}` },
    body: JSON.stringify({
      communityId: "c1",
      kind: "works",
      category: "environment",
      title,
      summary: "更换老化路灯",
      beneficiaries: 300,
      budgetFen,
      needIds: [ULID_N],
      year: 2026,
    }),
    isBase64Encoded: false,
    requestContext: { requestId: `req-${title}`, http: { method: "POST", path: "/v1/proposals" } },
  } as unknown as APIGatewayProxyEventV2;
  const out = (await api(event, { awsRequestId: "req" } as Context)) as {
    statusCode: number;
    body: string;
  };
  return { status: out.statusCode, body: JSON.parse(out.body) as Record<string, unknown> };
}

const deliver = (e: Envelope) => inbox(sqsEvent([e], "intake-inbox"), context);

const approval = () =>
  approvalEvent(
    "ProposalApproved",
    {
      communityId: "c1",
      districtId: "d1",
      year: 2026,
      // a 500,000 CNY budget of which 50,000 is self-raised: the programme commits 450,000
      budgetFen: 50_000_000,
      programmeFen: 45_000_000,
      approvedAt: "2026-06-01T02:00:00.000Z",
      disbursementDueAt: "2026-06-22T15:59:59.999Z",
      disbursementWorkingDays: 15,
      provisional: false,
      committedFen: 165_000_000,
      capFen: 200_000_000,
    },
    "2026-06-01T02:00:00.000Z",
  );

beforeAll(() => {
  useTestCity();
});

beforeEach(() => {
  ddbMock.reset();
  table.clear();
  ddbMock.on(GetCommand).callsFake((input: { Key: Item }) => {
    const item = table.get(keyOf(input.Key));
    return { Item: item && structuredClone(item) };
  });
  ddbMock.on(QueryCommand).callsFake((input: QueryCommand["input"]) => {
    // the timeline read only
    if (input.KeyConditionExpression !== "pk = :pk AND begins_with(sk, :prefix)") {
      throw new Error(`fake table: unsupported query ${input.KeyConditionExpression}`);
    }
    const v = input.ExpressionAttributeValues!;
    const items = [...table.values()]
      .filter((i) => i.pk === v[":pk"] && String(i.sk).startsWith(v[":prefix"] as string))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    return { Items: structuredClone(items) };
  });
  ddbMock
    .on(TransactWriteCommand)
    .callsFake((input: TransactWriteCommand["input"]) => transact(input.TransactItems!));
  // a need to answer, one forwarded proposal of 45,000,000 fen and 120,000,000 already committed
  table.set(
    keyOf(keys.need(ULID_N)),
    needItem({
      id: ULID_N,
      ...c1,
      title: "路灯太暗",
      description: "晚上看不清",
      status: "open",
      endorsements: 0,
      proposalIds: [],
      raisedBy: { sub: "res-1", role: "resident" },
      createdAt: "2026-02-01T00:00:00.000Z",
    }),
  );
  table.set(
    keyOf(keys.proposal(ULID_A)),
    proposalItem(proposalRecord({ status: "forwarded", budgetFen: 45_000_000, timelineSeq: 6 })),
  );
  table.set(keyOf(keys.budget("c1", 2026)), {
    ...keys.budget("c1", 2026),
    committedFen: 120_000_000,
  });
});

describe("community-year cap at submission", () => {
  it("counts the committed programme money from ProposalApproved.data.programmeFen, once", async () => {
    // before the approval, 40,000,000 fits: pending proposals commit nothing
    expect((await submit(40_000_000, "before")).status).toBe(201);
    expect(committed()).toBe(120_000_000);

    const e = approval();
    expect((await deliver(e)).batchItemFailures).toEqual([]);
    expect(committed()).toBe(165_000_000);
    expect(table.get(keyOf(keys.proposal(ULID_A)))).toMatchObject({
      status: "approved",
      committed: true,
    });

    // the same event again (redelivery) and another ProposalApproved of the same proposal
    expect((await deliver(e)).batchItemFailures).toEqual([]);
    expect((await deliver(approval())).batchItemFailures).toEqual([]);
    expect(committed()).toBe(165_000_000);

    // 165,000,000 + 40,000,000 > 200,000,000: refused, and nothing written
    const size = table.size;
    const refused = await submit(40_000_000, "after");
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "community_cap_exceeded", status: 422 });
    expect(table.size).toBe(size);
    // exactly up to the cap still fits (it would not if the duplicate had counted twice)
    expect((await submit(35_000_000, "exactly")).status).toBe(201);
    expect(committed()).toBe(165_000_000);
  });
});

describe("approval's events through the inbox, read back over the API", () => {
  it("show status, SLA and a verifying timeline on the proposal and its public record", async () => {
    const REPORT = "2026-05-11T00:00:00.000Z";
    const DUE = "2026-05-18T15:59:59.999Z";
    const LATE = "2026-05-19T02:00:00.000Z";
    const first = chainItem(null, {
      type: "ProposalSubmitted",
      at: "2026-03-01T00:00:00.000Z",
      actor: { role: "resident" },
      data: { budgetFen: 1_000_000 },
    });
    table.set(keyOf(keys.timeline(ULID_A, 1)), { ...keys.timeline(ULID_A, 1), ...first });
    table.set(
      keyOf(keys.proposal(ULID_A)),
      proposalItem(
        proposalRecord({ status: "endorsed", timelineSeq: 1, timelineHash: first.hash }),
      ),
    );
    // a late review: approval emits SlaBreached and DistrictReviewCompleted together; here both
    // overtake the report
    for (const e of [
      reviewed("forward", 1, LATE, DUE, "breached"),
      breached("review", 1, REPORT, DUE, LATE),
      reported(1, REPORT, DUE),
    ]) {
      expect((await deliver(e)).batchItemFailures).toEqual([]);
    }
    const expected = [
      {
        kind: "review",
        round: 1,
        state: "breached",
        startedAt: REPORT,
        dueAt: DUE,
        stoppedAt: LATE,
        breachedAt: LATE,
        provisional: false,
      },
    ];

    const own = await call("GET /v1/proposals/{id}", `/v1/proposals/${ULID_A}`, {
      principal: resident(),
      pathParameters: { id: ULID_A },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ status: "forwarded", sla: expected });

    const pub = await call("GET /v1/public/proposals/{id}", `/v1/public/proposals/${ULID_A}`, {
      pathParameters: { id: ULID_A },
    });
    expect(pub.status).toBe(200);
    expect(pub.body).toMatchObject({
      status: "forwarded",
      sla: expected,
      slaSummary: { review: "breached" },
    });
    const timeline = pub.body.timeline as Parameters<typeof firstBrokenLink>[0];
    expect(timeline.map((i) => i.type)).toEqual([
      "ProposalSubmitted",
      "DistrictReviewCompleted",
      "SlaBreached",
      "ProposalReported",
    ]);
    expect(firstBrokenLink(timeline)).toBeNull();
    expect(JSON.stringify(pub.body)).not.toMatch(/res-1|secret|factsAt/);
  });
});
