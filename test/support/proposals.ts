import { expect } from "vitest";
import type { CallOptions, Reply } from "./http.js";
import { eventually } from "./http.js";

/** Events travel outbox -> stream -> topic -> queue -> consumer; give them time. */
const EVENTS_MS = 30_000;

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
type Call = (method: string, path: string, opts?: CallOptions) => Promise<Reply<any>>;

type ProposalArgs = {
  communityId: string;
  staff: string;
  title: string;
  category: string;
  year: number;
  extra?: Record<string, unknown>;
};

/** A need and a works proposal answering it (filed by `staff`, `extra` over the defaults). */
export async function submittedProposalAt(call: Call, args: ProposalArgs): Promise<string> {
  const { communityId, staff, title } = args;
  const need = await call("POST", "/v1/needs", {
    token: staff,
    body: { communityId, title: `${title} 需求`, description: "居民反映" },
  });
  expect(need.status, JSON.stringify(need.body)).toBe(201);
  const proposal = await call("POST", "/v1/proposals", {
    token: staff,
    body: {
      communityId,
      kind: "works",
      category: args.category,
      title,
      summary: "社区公共设施改造",
      beneficiaries: 200,
      budgetFen: 3_000_000,
      needIds: [need.body.id],
      year: args.year,
      ...args.extra,
    },
  });
  expect(proposal.status, JSON.stringify(proposal.body)).toBe(201);
  return proposal.body.id as string;
}

/**
 * {@link submittedProposalAt} and its screening (accept), on any local cloud (`call`); returns
 * once deliberation has the proposal.
 */
export async function screenedProposalAt(call: Call, args: ProposalArgs): Promise<string> {
  const { staff } = args;
  const id = await submittedProposalAt(call, args);
  const screened = await call("POST", `/v1/proposals/${id}/screening`, {
    token: staff,
    body: { decision: "accept", needFit: 80 },
  });
  expect(screened.status, JSON.stringify(screened.body)).toBe(200);
  const seen = await eventually(
    () => call("GET", `/v1/proposals/${id}/deliberation`, { token: staff }),
    (r) => r.status === 200,
    EVENTS_MS,
  );
  expect(seen.status, JSON.stringify(seen.body)).toBe(200);
  return id;
}
