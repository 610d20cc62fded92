import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BoardSite, buildBoardSite, serveBoard } from "../src/board.js";

// npm start's board: built once, `/` and its hashed assets served, every other path left to the API.

let site: BoardSite;
beforeAll(async () => {
  site = await buildBoardSite();
});
afterAll(() => site?.remove());

const get = (path: string, method = "GET") => serveBoard(site.dir, { method, path });

describe("the board beside the API", () => {
  it("serves index.html at / with the assets it names, which are cached for good", () => {
    const index = get("/");
    expect(index?.status).toBe(200);
    expect(index?.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index?.headers["cache-control"]).toBe("no-cache");
    const html = index?.body.toString() ?? "";
    const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => `/${m[1]}`);
    expect(assets).toHaveLength(2);
    for (const path of assets) {
      const asset = get(path);
      expect(asset?.status, path).toBe(200);
      expect(asset?.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(asset?.headers["content-type"]).toMatch(/^text\/(javascript|css); charset=utf-8$/);
    }
    expect(get(assets[0] as string, "HEAD")?.status).toBe(200);
  });

  it("forbids inline script through its CSP, so the page runs on a strict policy", () => {
    expect(get("/")?.headers["content-security-policy"]).toContain("script-src 'self';");
  });

  it("leaves API paths, other methods, unknown files and escapes to the gateway", () => {
    for (const path of [
      "/v1/geo",
      "/health",
      "/assets/nope-123.js",
      "/assets/../index.html",
      "/dist/index.html",
    ])
      expect(get(path), path).toBeUndefined();
    expect(get("/", "POST")).toBeUndefined();
  });
});
