import { defineConfig } from "vitest/config";

// Two projects: fast unit tests (no emulators) and integration/end-to-end
// tests that share one local cloud started by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "packages/*/test/**/*.test.ts",
            "services/*/test/**/*.test.ts",
            "infra/test/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts", "test/e2e/**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/setup/local-cloud.ts"],
          // One shared local cloud: files run one after another so table counts stay meaningful.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
