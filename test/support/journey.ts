import { createHash } from "node:crypto";
import { ulid } from "ulid";
import { expect } from "vitest";
import type { startCityCloud } from "./city-cloud.js";
import { eventually, verifyChain } from "./http.js";
import {
  fund as fundOn,
  type Officials,
  officialsOf,
  type Place,
  untilStatus,
} from "./lifecycle.js";

// One programme's journey on a local cloud of its own (infra/cities/<city>.json): the verbs every
// preset's end-to-end test shares, from a need to the last stage. What differs between
// programmes (rosters, organisations, consent, packages, the ladder) the city's own test does
// between these steps.

const EVENTS_MS = 30_000;

export type Journey = Awaited<ReturnType<typeof journeyOn>>;

type CityCloud = Awaited<ReturnType<typeof startCityCloud>>;

export async function journeyOn(local: CityCloud) {
  const { call, token } = local;
  const post = (path: string, tok: string, body?: unknown) =>
    call("POST", path, { token: tok, ...(body !== undefined && { body }) });
  const put = (path: string, tok: string, body: unknown) => call("PUT", path, { token: tok, body });
  const settled = <T>(probe: () => Promise<T>, ok: (v: T) => boolean) =>
    eventually(probe, ok, EVENTS_MS);
  /** retries while the answer is one of `statuses` (a consumer has not seen the event yet) */
  const until = (probe: () => ReturnType<typeof post>, statuses: number[]) =>
    settled(probe, (r) => !statuses.includes(r.status));

  const rules = (await call("GET", "/v1/rules")).body;
  const geo = (await call("GET", "/v1/geo")).body;
  const d0 = geo.districts[0];
  const s0 = d0.streets[0];
  const home: Place = { districtId: d0.id, streetId: s0.id, communityId: s0.communities[0].id };

  /** The officials of a place, with fresh subjects. */
  const officials = (place: Place = home) =>
    officialsOf(place, ulid().slice(-8).toLowerCase(), local);
  const status = (id: string, want: string, tok: string) => untilStatus(id, want, tok, local);

  /** A category the city allows for `kind` (the positive list, or any not on the negative one). */
  function category(prefer?: string): string {
    const listed: string[] = rules.categoryList.categories;
    const ok = (c: string) =>
      rules.categoryList.mode === "positive" ? listed.includes(c) : !listed.includes(c);
    if (prefer && ok(prefer)) return prefer;
    const pick = rules.categories.map((c: { id: string }) => c.id).find(ok);
    if (!pick) throw new Error("no allowed category");
    return pick;
  }

  /** Uploads `text` as a PDF of the proposal and confirms it; returns the verified evidence id. */
  async function evidence(id: string, tok: string, text: string): Promise<string> {
    const bytes = Buffer.from(`%PDF-1.4 ${text}`);
    const ev = await post(`/v1/proposals/${id}/evidence`, tok, {
      purpose: "photo",
      fileName: "evidence.pdf",
      contentType: "application/pdf",
      sizeBytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    expect(ev.status, JSON.stringify(ev.body)).toBe(201);
    const put = await fetch(ev.body.upload.url, {
      method: "PUT",
      headers: ev.body.upload.headers,
      body: bytes,
    });
    expect(put.ok).toBe(true);
    const ok = await post(`/v1/proposals/${id}/evidence/${ev.body.evidenceId}/confirm`, tok);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    return ev.body.evidenceId;
  }

  /** Report, forward, approve, disburse all; returns the committed amount. */
  const fund = (id: string, o: Officials) => fundOn(id, o, local);

  /**
   * The street implements (one owner, milestones 50/100), reports progress with verified
   * evidence, pays against it, completes, and the city's panel rates it; returns the close.
   */
  async function implementAndEvaluate(args: {
    id: string;
    o: Officials;
    programmeFen: number;
    year: number;
    implementer?: { kind: "street" | "community" | "org"; orgId?: string };
    /** who reports progress (default: the street) */
    reporter?: string;
    payee?: string;
    /** the payments, in order (default: all of `programmeFen` at the 100% milestone) */
    payments?: { milestonePercent: number; amountFen: number }[];
  }) {
    const { id, o } = args;
    const owner = { sub: `owner-${ulid().slice(-8).toLowerCase()}`, name: "项目负责人" };
    const plan = await until(
      () =>
        post(`/v1/proposals/${id}/implementation`, o.street, {
          owner,
          implementer: args.implementer ?? { kind: "street" },
          milestones: [
            { percent: 50, description: "施工过半", dueOn: `${args.year}-06-30` },
            { percent: 100, description: "验收交付", dueOn: `${args.year}-11-30` },
          ],
        }),
      [404, 409],
    );
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    for (const percent of [50, 100]) {
      const proof = await evidence(id, o.street, `进度 ${percent}`);
      // evaluation learns that the evidence is verified from intake's event
      const report = await settled(
        () =>
          post(`/v1/proposals/${id}/progress`, args.reporter ?? o.street, {
            percent,
            note: `完成 ${percent}%`,
            evidenceIds: [proof],
          }),
        (r) => r.body?.code !== "evidence_not_verified",
      );
      expect(report.status, JSON.stringify(report.body)).toBe(201);
    }
    for (const p of args.payments ?? [{ milestonePercent: 100, amountFen: args.programmeFen }]) {
      const pay = await post(`/v1/proposals/${id}/payments`, o.street, {
        ...p,
        payee: args.payee ?? "施工单位有限公司",
        reference: `ZF-${ulid().slice(-6)}`,
      });
      expect(pay.status, JSON.stringify(pay.body)).toBe(201);
    }
    const done = await post(`/v1/proposals/${id}/complete`, o.street);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await until(
      () => call("GET", `/v1/proposals/${id}/implementation`, { token: o.street }),
      [404],
    );
    // the city's panel: every required type once, then resident representatives up to its size
    const required: string[] = rules.evaluation.panelRequiredTypes;
    const types = [...required];
    while (types.length < rules.evaluation.panelMinSize) types.push("resident_rep");
    const panel = types.map((type, i) => ({ sub: `panel-${ulid().slice(-8)}-${i}`, type }));
    const opened = await until(
      () => post(`/v1/proposals/${id}/evaluation`, o.street, { panel }),
      [409],
    );
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    for (const m of panel) {
      const rated = await post(
        `/v1/proposals/${id}/evaluation/ratings`,
        await token({ sub: m.sub, roles: ["evaluator"] }),
        { rating: "satisfied" },
      );
      expect(rated.status, JSON.stringify(rated.body)).toBe(201);
    }
    const closed = await post(`/v1/proposals/${id}/evaluation/close`, o.street);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.passed).toBe(true);
    return closed.body;
  }

  /** The public record: its timeline's chain verifies and no secret string shows in it. */
  async function publicRecord(id: string, secrets: string[]) {
    const pub = await call("GET", `/v1/public/proposals/${id}`);
    expect(pub.status).toBe(200);
    expect(verifyChain(pub.body.timeline)).toBeNull();
    const text = JSON.stringify(pub.body);
    for (const s of secrets) expect(text).not.toContain(s);
    return pub.body;
  }

  /** The current step's id (the city's process), as the public view shows it. */
  async function stepOf(id: string): Promise<string | undefined> {
    return (await call("GET", `/v1/public/proposals/${id}`)).body.step?.id;
  }

  return {
    call,
    token,
    post,
    put,
    settled,
    until,
    rules,
    geo,
    home,
    officials,
    status,
    category,
    evidence,
    fund,
    implementAndEvaluate,
    publicRecord,
    stepOf,
  };
}
