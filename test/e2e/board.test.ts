import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { merkleProof, merkleRoot, sortLeaves } from "@pencai/contracts/merkle";
import { type LocalCloud, startLocalCloud } from "@pencai/local";
import type { DemoSummary } from "@pencai/local/demo-data";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The public board in a real browser: Debian's Chromium (no browser is downloaded), driven by
// playwright-core, against a local cloud with the demo data, on a phone and a desktop screen.
// Screenshots go to .artifacts/board/ (gitignored). The shared test cloud has no demo data, so
// this file starts its own.

const CHROMIUM = process.env.PENCAI_CHROMIUM ?? "/usr/bin/chromium";
const artifacts = join(import.meta.dirname, "../../.artifacts/board");

let cloud: LocalCloud;
let browser: Browser;
let demo: DemoSummary;

// biome-ignore lint/suspicious/noExplicitAny: reply bodies are arbitrary JSON that the assertions check
async function api(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${cloud.url}${path}`);
  return { status: res.status, body: res.status === 200 ? await res.json() : undefined };
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  cloud = await startLocalCloud({ port: 0, schedules: false, quiet: true, throttling: false });
  demo = cloud.demo as DemoSummary;
  if (!demo) throw new Error("the local cloud started without its demo data (see its log)");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // the machine's network is closed: no background connections, no first-run, no sandbox (root)
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

/** An evaluated demo project: it has a vote, deadlines, money, progress and satisfaction. */
async function evaluatedProject() {
  const id = demo.proposals.find((p) => p.status === "evaluated")?.id as string;
  const { body: proposal } = await api(`/v1/public/proposals/${id}`);
  return proposal;
}

async function phonePage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    // WeChat's in-app browser on Android announces itself like this
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN",
    locale: "zh-CN",
  });
  return context.newPage();
}

async function axeSerious(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected into the page above
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return result.violations as { id: string; impact: string; nodes: unknown[] }[];
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
}

/** Yuan as shown ("¥1,234.50") back to fen. */
const fen = (text: string | null) => Math.round(Number((text ?? "").replace(/[^\d.]/g, "")) * 100);

describe("the public board in Chromium", () => {
  it("walks district -> street -> community -> project, showing what the API says", async () => {
    const project = await evaluatedProject();
    // today's digest of the demo's heads, so the page proves the project against the real routes
    const run = await fetch(`${cloud.url}/dev/run/digest`, { method: "POST" });
    expect(run.status).toBe(200);
    const { body: geo } = await api("/v1/geo");
    // biome-ignore lint/suspicious/noExplicitAny: geo JSON
    const district = geo.districts.find((d: any) => d.id === project.districtId);
    // biome-ignore lint/suspicious/noExplicitAny: geo JSON
    const street = district.streets.find((s: any) => s.id === project.streetId);
    // biome-ignore lint/suspicious/noExplicitAny: geo JSON
    const community = street.communities.find((c: any) => c.id === project.communityId);

    const page = await phonePage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // every request the page makes succeeds, but the digest's 404 before the first digest
    page.on("response", (r) => {
      const path = new URL(r.url()).pathname;
      const digest = path.endsWith("/proof") || path.startsWith("/v1/public/digests/");
      if (r.status() >= 400 && !(digest && r.status() === 404))
        errors.push(`${r.status()} ${path}`);
    });
    await page.goto(`${cloud.url}/`);

    // the picker: Chinese first, names from /v1/geo
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await page.selectOption("#district", project.districtId);
    await page.selectOption("#street", project.streetId);
    await page.selectOption("#community", project.communityId);
    await page.getByRole("button", { name: "查看项目" }).click();

    // the community's projects, the same as the public list
    await expect.poll(() => page.getByTestId("community-name").textContent()).toBe(community.name);
    const { body: list } = await api(
      `/v1/public/proposals?communityId=${project.communityId}&limit=200`,
    );
    await page.getByTestId("project-link").first().waitFor();
    const shown = await page
      .getByTestId("project-link")
      .evaluateAll((as) => as.map((a) => a.getAttribute("data-id")));
    // biome-ignore lint/suspicious/noExplicitAny: list JSON
    expect(shown.sort()).toEqual(list.items.map((p: any) => p.id).sort());
    const effect = page.getByTestId("stage_effect");
    expect(await effect.getByTestId("project-link").count()).toBe(
      // biome-ignore lint/suspicious/noExplicitAny: list JSON
      list.items.filter((p: any) => p.stage === "effect" && p.status !== "rejected").length,
    );

    await page.screenshot({ path: join(artifacts, "phone.png") });

    // the project page: its facts against /v1/public/proposals/{id} and its spending notice
    await page.locator(`[data-id="${project.id}"]`).click();
    await expect.poll(() => page.getByTestId("project-title").textContent()).toBe(project.title);
    expect(fen(await page.getByTestId("project-budget").textContent())).toBe(project.budgetFen);
    const { body: rules } = await api("/v1/rules");
    // biome-ignore lint/suspicious/noExplicitAny: rules JSON
    const category = rules.categories.find((c: any) => c.id === project.category);
    expect(await page.getByTestId("project-category").textContent()).toBe(category.name);
    const council = project.decision.council;
    expect(await page.getByTestId("tally-yes").textContent()).toBe(String(council.yes));
    expect(await page.getByTestId("tally-no").textContent()).toBe(String(council.no));
    expect(await page.getByTestId("tally-abstain").textContent()).toBe(String(council.abstain));
    expect(await page.getByTestId("timeline").locator("li").count()).toBe(project.timeline.length);
    expect(await page.getByTestId("sla").locator("li").count()).toBe(project.sla.length);
    expect(
      await page
        .getByTestId("sla")
        .locator("li")
        .evaluateAll((li) => li.map((l) => l.getAttribute("data-state"))),
    ).toEqual(project.sla.map((s: { state: string }) => s.state));
    expect(await page.getByTestId("progress-percent").textContent()).toBe(
      `${project.implementation.percent}%`,
    );
    expect(await page.getByTestId("satisfaction").textContent()).toBe(
      `${Math.round(project.effect.satisfactionRate * 100)}%`,
    );
    const { body: spending } = await api(`/v1/public/proposals/${project.id}/spending`);
    expect(fen(await page.getByTestId("balance").textContent())).toBe(spending.balanceFen);
    for (const source of ["programme", "self_raised", "sponsor", "street_subsidy"]) {
      expect(fen(await page.locator(`td[data-source="${source}"]`).textContent())).toBe(
        spending.in.bySource[source],
      );
    }

    // verify: the chain recomputed in the page, and the project in the latest digest
    await page.getByRole("button", { name: "验证记录链" }).click();
    await expect.poll(() => page.getByTestId("chain-result").getAttribute("data-ok")).toBe("true");
    const proof = await api(`/v1/public/proposals/${project.id}/proof`);
    expect(proof.status).toBe(200);
    await expect
      .poll(() => page.getByTestId("digest-result").getAttribute("data-state"))
      .toBe("proven");
    expect(await page.getByTestId("digest-result").textContent()).toContain(
      proof.body.root.slice(0, 12),
    );
    await page.screenshot({ path: join(artifacts, "phone-project.png"), fullPage: true });

    expect(await axeSerious(page)).toEqual([]);
    expect(errors).toEqual([]);
    // nothing personal: the page shows no proposer, and none of the demo's person ids
    expect(await page.content()).not.toMatch(/demo-(council|panel|resident)|proposer|hh-\d/);
    await page.context().close();
  });

  it("shows a broken chain when an entry was changed on the way", async () => {
    const project = await evaluatedProject();
    const page = await phonePage();
    await page.route(`**/v1/public/proposals/${project.id}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.timeline[1].data = { ...body.timeline[1].data, forged: true };
      await route.fulfill({ response: res, json: body });
    });
    await page.goto(`${cloud.url}/#/p/${project.id}`);
    await page.getByRole("button", { name: "验证记录链" }).click();
    await expect.poll(() => page.getByTestId("chain-result").getAttribute("data-ok")).toBe("false");
    expect(await page.getByTestId("chain-result").textContent()).toContain("第 2 条");
    await page.context().close();
  });

  it("proves the project in a digest in the page (a digest of the demo's heads, served by a stub)", async () => {
    // A digest the test makes itself (merkle.ts over every demo head), so it can also serve the
    // same proof against a wrong root and see the page refuse it.
    const project = await evaluatedProject();
    // every demo proposal the public can see, at its head now
    const heads = [];
    for (const p of demo.proposals) {
      const { status, body } = await api(`/v1/public/proposals/${p.id}`);
      if (status === 200)
        heads.push({ proposalId: p.id, seq: body.timelineSeq, hash: body.timelineHash });
    }
    expect(heads.length).toBeGreaterThan(2);
    const leaves = sortLeaves(heads);
    const root = await merkleRoot(leaves);
    const index = leaves.findIndex((l) => l.proposalId === project.id);
    const date = "2026-12-02";
    const proof = { date, root, leaf: leaves[index], ...(await merkleProof(leaves, index)) };
    const latest = {
      date,
      root,
      count: leaves.length,
      createdAt: `${date}T16:00:00.000Z`,
      algorithm: "sha256-merkle-v1",
    };
    const page = await phonePage();
    await page.route(`**/v1/public/proposals/${project.id}/proof`, (r) =>
      r.fulfill({ json: proof }),
    );
    await page.route("**/v1/public/digests/latest", (r) => r.fulfill({ json: latest }));
    await page.goto(`${cloud.url}/#/p/${project.id}`);
    await page.getByRole("button", { name: "验证记录链" }).click();
    await expect
      .poll(() => page.getByTestId("digest-result").getAttribute("data-state"))
      .toBe("proven");
    expect(await page.getByTestId("digest-result").textContent()).toContain(root.slice(0, 12));

    // the same proof against another root: the page says it does not match
    await page.unroute("**/v1/public/digests/latest");
    await page.route("**/v1/public/digests/latest", (r) =>
      r.fulfill({ json: { ...latest, root: "0".repeat(64) } }),
    );
    await page.reload();
    await page.getByRole("button", { name: "验证记录链" }).click();
    await expect
      .poll(() => page.getByTestId("digest-result").getAttribute("data-state"))
      .toBe("failed");
    await page.context().close();
  });

  it("switches to English and remembers it; a desktop screen passes axe too", async () => {
    const project = await evaluatedProject();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${cloud.url}/#/c/${project.communityId}`);
    await page.getByRole("button", { name: "Switch to English" }).click();
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("en");
    await page.reload();
    await page.getByTestId("project-link").first().waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.getByRole("link", { name: "Change community" }).count()).toBe(1);
    await page.screenshot({ path: join(artifacts, "desktop.png"), fullPage: true });
    expect(await axeSerious(page)).toEqual([]);
    await page.goto(`${cloud.url}/#/p/${project.id}`);
    await page.getByRole("button", { name: "Verify this chain" }).click();
    await expect.poll(() => page.getByTestId("chain-result").getAttribute("data-ok")).toBe("true");
    await page.screenshot({ path: join(artifacts, "desktop-project.png"), fullPage: true });
    expect(await axeSerious(page)).toEqual([]);
    await context.close();
  });
});
