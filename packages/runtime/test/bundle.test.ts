import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

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
});
