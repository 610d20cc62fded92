/**
 * What a front-end team outside this repository gets: the packed tarball, installed into a
 * directory outside the repository (`npm install --offline`: the tarball, and openapi-fetch from
 * the npm cache), imported by plain Node, and the README's module compiled against it with `tsc`
 * (a browser project and a NodeNext one) and run against a stub fetch.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientBundles, clientTargetGzipBytes } from "../../../test/bench/client.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The README block after `<!-- checked: <name> -->`. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const at = readme.indexOf(`<!-- checked: ${name} -->`);
  if (at < 0) throw new Error(`README.md has no block marked "checked: ${name}"`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block?.[1]) throw new Error(`README.md: no ts block after "checked: ${name}"`);
  return block[1];
}

// Sets a stub fetch, then uses the README's module as an app would.
const runner = `import { myProposals, pencai, propose } from "./pencai.js";

const seen: string[] = [];
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  const body = request.method === "POST" ? await request.json() : undefined;
  seen.push([request.method, request.url, request.headers.get("authorization"),
    request.headers.get("idempotency-key"), JSON.stringify(body?.needIds)].join(" "));
  if (request.method === "GET")
    return Response.json({ items: [{ title: "7栋加装无障碍扶手", status: "submitted" }] });
  return Response.json(
    { type: "about:blank", title: "Validation failed", status: 400, code: "validation_failed",
      detail: "1 field", errors: [{ path: "body.needIds.0", message: "Invalid ULID" }] },
    { status: 400, headers: { "content-type": "application/problem+json" } },
  );
};

const api = pencai("https://api.example/", () => "tok");
const mine = await myProposals(api);
const proposed = await propose(api, "n-1", "try-1");
console.log(JSON.stringify({ mine, proposed, seen }));
`;

const compilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: [],
  skipLibCheck: false,
};

describe("the packed client, installed outside the repository", () => {
  let work: string;
  let app: string;
  let packed: { filename: string; files: { path: string }[] };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "pencai-client-"));
    app = join(work, "app");
    mkdirSync(app);
    run("npm", ["run", "compile"], packageDir);
    [packed] = JSON.parse(
      run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], packageDir),
    ) as [typeof packed];
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "front-end", private: true, type: "module" }),
    );
    run(
      "npm",
      [
        "install",
        "--offline",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        join(work, packed.filename),
      ],
      app,
    );
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("is installed from a directory outside the repository", () => {
    expect(work.startsWith(repoRoot)).toBe(false);
    expect(readdirSync(join(app, "node_modules/@pencai/client")).sort()).toEqual(
      ["README.md", "dist", "openapi.json", "package.json"].sort(),
    );
  });

  it("carries JavaScript, declarations and the OpenAPI document, no TypeScript sources", () => {
    const files = packed.files.map((f) => f.path).sort();
    expect(files).toEqual(
      expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/api.d.ts", "openapi.json"]),
    );
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("brings openapi-fetch and no zod", () => {
    const installed = readdirSync(join(app, "node_modules"));
    expect(installed).toContain("openapi-fetch");
    expect(installed).not.toContain("zod");
    const manifest = JSON.parse(
      readFileSync(join(app, "node_modules/@pencai/client/package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toEqual(["openapi-fetch"]);
  });

  it("is imported by plain Node, with the OpenAPI document", () => {
    const script = `
      import { createRequire } from "node:module";
      import { ApiProblem, createPencaiClient, data } from "@pencai/client";
      const doc = createRequire(import.meta.url)("@pencai/client/openapi.json");
      const api = createPencaiClient({ baseUrl: "https://api.example", token: "t",
        fetch: async () => Response.json({ code: "forbidden", status: 403, detail: "no" }, { status: 403 }) });
      const thrown = await data(api.GET("/v1/rules")).catch((e) => e);
      console.log(JSON.stringify({ openapi: doc.openapi, problem: thrown instanceof ApiProblem, code: thrown.code }));
    `;
    const out = run(process.execPath, ["--input-type=module", "-e", script], app);
    expect(JSON.parse(out)).toEqual({ openapi: "3.1.0", problem: true, code: "forbidden" });
  });

  it("compiles the README's module in a browser project and a NodeNext one, and runs it", () => {
    writeFileSync(join(app, "pencai.ts"), readmeBlock("pencai.ts"));
    writeFileSync(join(app, "run.ts"), runner);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...compilerOptions,
          module: "ESNext",
          moduleResolution: "Bundler",
          outDir: "out",
        },
        files: ["pencai.ts", "run.ts"],
      }),
    );
    writeFileSync(
      join(app, "tsconfig.node.json"),
      JSON.stringify({
        // the declarations themselves are checked once, by the browser project
        compilerOptions: {
          ...compilerOptions,
          module: "NodeNext",
          noEmit: true,
          skipLibCheck: true,
        },
        files: ["pencai.ts", "run.ts"],
      }),
    );

    const compile = (config: string) => {
      try {
        run(process.execPath, [tsc, "-p", config], app);
      } catch (e) {
        throw new Error(`tsc -p ${config}:\n${(e as { stdout?: string }).stdout ?? e}`);
      }
    };
    compile("tsconfig.json");
    compile("tsconfig.node.json");

    const out = JSON.parse(run(process.execPath, ["out/run.js"], app));
    expect(out).toEqual({
      mine: ["7栋加装无障碍扶手: submitted"],
      proposed: "body.needIds.0: Invalid ULID",
      seen: [
        "GET https://api.example/v1/proposals?mine=true Bearer tok  ",
        'POST https://api.example/v1/proposals Bearer tok try-1 ["n-1"]',
      ],
    });
  }, 120_000);

  it(`gives a browser bundle of at most ${clientTargetGzipBytes / 1024} KB gzipped`, async () => {
    // bundled from the installed package, as the front-end's own build would
    const [client] = await clientBundles(join(work, "bundle"), {
      client: "@pencai/client",
      resolveDir: app,
    });
    expect(client?.name).toBe("@pencai/client");
    expect(client?.gzipped).toBeLessThanOrEqual(clientTargetGzipBytes);
  });
});
