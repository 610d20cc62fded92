/**
 * The board's reads: public routes only, at the page's own origin (CloudFront and `npm start`
 * serve the board and the API together), through the typed client.
 */
import { createPencaiClient, data, type paths } from "@pencai/client";
import type { GetJson } from "./verify.js";

const api = createPencaiClient({ baseUrl: location.origin });

type Json<P extends keyof paths> = paths[P]["get"] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : never;

export type Geo = Json<"/v1/geo">;
export type PublicProposal = Json<"/v1/public/proposals/{id}">;
export type ProposalSummary = Json<"/v1/public/proposals">["items"][number];
export type Spending = Json<"/v1/public/proposals/{id}/spending">;

export const getGeo = (): Promise<Geo> => data(api.GET("/v1/geo"));

/** The city's category names by id (`/v1/rules`, public); empty when it cannot be read. */
export async function getCategoryNames(): Promise<Map<string, string>> {
  const { data: rules } = await api.GET("/v1/rules");
  return new Map((rules?.categories ?? []).map((c) => [c.id, c.name]));
}

/** Every public proposal of a community, all pages. */
export async function listProposals(communityId: string): Promise<ProposalSummary[]> {
  const all: ProposalSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await data(
      api.GET("/v1/public/proposals", {
        params: { query: { communityId, limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    );
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export const getProposal = (id: string): Promise<PublicProposal> =>
  data(api.GET("/v1/public/proposals/{id}", { params: { path: { id } } }));

/** The spending notice, or `undefined` when the API has none for the project. */
export async function getSpending(id: string): Promise<Spending | undefined> {
  const { data: body, response } = await api.GET("/v1/public/proposals/{id}/spending", {
    params: { path: { id } },
  });
  if (response.status === 404) return undefined;
  if (!body) throw new Error(`spending: HTTP ${response.status}`);
  return body;
}

/** The digest routes are newer than the generated client: a plain same-origin GET. */
export const getJson: GetJson = async (path) => {
  const res = await fetch(path, { headers: { accept: "application/json" } });
  return res.status === 200 ? { status: 200, body: await res.json() } : { status: res.status };
};
