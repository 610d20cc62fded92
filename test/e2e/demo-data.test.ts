import { type LocalCloud, startLocalCloud } from "@pencai/local";
import type { DemoSummary } from "@pencai/local/demo-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallOptions, type Claims, callAt, type Geo, tokenAt } from "../support/http.js";

// What `npm start` shows a newcomer: the demo city's data set covers the whole lifecycle, and
// every state is in place when the cloud says it is ready (no waiting). The shared test cloud
// runs without demo data, so this file starts its own.

let cloud: LocalCloud;
let demo: DemoSummary;
// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
const call = <T = any>(method: string, path: string, opts?: CallOptions) =>
  callAt<T>(cloud.url, method, path, opts);
const analyst = (): Promise<string> =>
  tokenAt(cloud.url, { sub: "demo-check", roles: ["analyst"], cityWide: true } satisfies Claims);

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, schedules: false, quiet: true, throttling: false });
  demo = cloud.demo as DemoSummary;
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe("demo data (npm start)", () => {
  it("has proposals in every stage, as intake's registry shows them at once", async () => {
    expect(demo.proposals.map((p) => p.status)).toEqual([
      "approved",
      "reported",
      "submitted",
      "implementing",
      "submitted",
      "withdrawn",
      "completed",
      "evaluated",
      "evaluated",
    ]);
    const token = await analyst();
    for (const p of demo.proposals) {
      const r = await call("GET", `/v1/proposals/${p.id}`, { token });
      expect(r.body.status, p.title).toBe(p.status);
    }
  });

  it("fills the ledgers and the SLA list: a partial payment, a full one, an open review", async () => {
    const token = await analyst();
    const [p1, p2, , p4] = demo.proposals;
    const [c1, c2] = demo.communities;
    const year = (await call("GET", `/v1/proposals/${p1!.id}`, { token })).body.year;
    const budget = async (c: string) =>
      (await call("GET", `/v1/budgets/${c}/${year}`, { token })).body;
    const [b1, b2] = [await budget(c1!), await budget(c2!)];
    // the ledger holds programme money only (self-raised money is not the district's)
    const budgetOf = async (id: string) =>
      (await call("GET", `/v1/proposals/${id}`, { token })).body.funding.programmeFen as number;
    // p1 approved and paid in part; p2 only reported; c2's p4 and p7 paid in full (the
    // evaluated pair is the third community's)
    expect(b1.committedFen).toBe(await budgetOf(p1!.id));
    expect(b1.disbursedFen).toBeGreaterThan(0);
    expect(b1.disbursedFen).toBeLessThan(b1.committedFen);
    const p7 = demo.proposals[6]!;
    expect(b2.committedFen).toBe((await budgetOf(p4!.id)) + (await budgetOf(p7.id)));
    expect(b2.disbursedFen).toBe(b2.committedFen);

    const geo: Geo = (await call("GET", "/v1/geo")).body;
    const district = geo.districts.find((d) =>
      d.streets.some((s) => s.communities.some((c) => c.id === c1)),
    )!;
    const sla = (await call("GET", `/v1/sla?districtId=${district.id}&limit=200`, { token })).body
      .items as { proposalId: string; kind: string; state: string }[];
    const of = (id: string) =>
      sla
        .filter((x) => x.proposalId === id)
        .map((x) => `${x.kind}:${x.state}`)
        .sort();
    expect(of(p1!.id)).toEqual(["disbursement:open", "review:met"]);
    expect(of(p2!.id)).toEqual(["review:open"]);
    expect(of(p4!.id)).toEqual(["disbursement:met", "review:met"]);

    const pub = (await call("GET", `/v1/public/proposals/${p4!.id}`)).body;
    expect(pub.status).toBe("implementing");
    expect(pub.sla.map((x: { state: string }) => x.state)).toEqual(["met", "met"]);
  });

  it("shows delivery publicly: payments, completion, a passed and a failed panel, self-raised money", async () => {
    const [, , , p4, , , p7, p8, p9] = demo.proposals;
    const pub = async (id: string) => (await call("GET", `/v1/public/proposals/${id}`)).body;
    const implementing = await pub(p4!.id);
    expect(implementing.implementation.payments.length).toBeGreaterThan(0);
    expect(implementing.implementation.percent).toBeLessThan(100);
    const completed = await pub(p7!.id);
    expect(completed.implementation).toMatchObject({ percent: 100 });
    expect(completed.implementation.completedAt).toBeDefined();
    const [passed, failed] = [await pub(p8!.id), await pub(p9!.id)];
    expect(passed.effect.passed).toBe(true);
    expect(failed.effect.passed).toBe(false);
    expect(failed.effect.satisfactionRate).toBeLessThan(passed.effect.satisfactionRate);
    // the spending notice: self-raised money in beside the programme's, all of it paid out
    const spending = (await call("GET", `/v1/public/proposals/${p8!.id}/spending`)).body;
    expect(spending.in.bySource.self_raised).toBeGreaterThan(0);
    expect(spending.in.bySource.programme).toBe(spending.funding.programmeFen);
    expect(spending.in.totalFen).toBe(spending.budgetFen);
    expect(spending.balanceFen).toBe(0);
    expect(spending.in.entries.map((e: { source: string }) => e.source).sort()).toEqual([
      "programme",
      "self_raised",
    ]);
  });
});
