import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { commonsCopies } from "../../../test/bench/bundles.js";

// The runtime rides in every Lambda: a handler using the whole HTTP stack must stay within
// 1.5x of a bundle that only imports the DynamoDB client (the size target).
const bundleSize = async (entry: string) => {
  const out = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node22",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.contents.byteLength;
};

describe("bundle size", () => {
  it("a tiny handler on the runtime is within 1.5x of the DynamoDB-client floor", async () => {
    const [floor, tiny] = await Promise.all([
      bundleSize("./fixtures/floor-handler.ts"),
      bundleSize("./fixtures/tiny-handler.ts"),
    ]);
    console.info(
      `bundle: floor ${floor} B, tiny handler ${tiny} B, ratio ${(tiny / floor).toFixed(2)}`,
    );
    expect(tiny / floor).toBeLessThanOrEqual(1.5);
  });

  it("holds one copy of Powertools commons (batch, logger and metrics at one version)", async () => {
    // consumer.ts brings batch and logger, http.ts logger and metrics: a version skew between
    // them nests a second commons that esbuild bundles twice.
    const out = await build({
      stdin: {
        contents: 'export * from "./consumer.ts"; export * from "./http.ts";',
        resolveDir: fileURLToPath(new URL("../src", import.meta.url)),
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      mainFields: ["module", "main"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((i) => i.includes("@aws-lambda-powertools/batch/"))).toBe(true);
    expect(commonsCopies(inputs)).toBe(1);
    // what a skew looks like: batch's own nested commons beside the hoisted one
    const nested = "node_modules/@aws-lambda-powertools/batch/node_modules/";
    const commons = "@aws-lambda-powertools/commons/lib/esm/index.js";
    expect(commonsCopies([`node_modules/${commons}`, `${nested}${commons}`])).toBe(2);
  });
});
