/**
 * vitest globalSetup of the "integration" project: one local cloud (DynamoDB Local,
 * fauxqs, the synthesized stack's handlers) on a free port for every integration and
 * end-to-end test file. Tests read its URL with `inject("baseUrl")`; schedules are off
 * (tests run jobs with `POST /dev/run/{job}`), no demo data is loaded and the gateway does not
 * throttle.
 */

import { type LocalCloud, startLocalCloud } from "@pencai/local";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** base URL of the shared local cloud, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** DynamoDB Local endpoint of the shared local cloud */
    dynamodbEndpoint: string;
    /** fauxqs (SNS/SQS/S3) endpoint of the shared local cloud */
    fauxqsEndpoint: string;
    /** local DynamoDB table names by the template's logical id */
    tables: Record<string, string>;
  }
}

let cloud: LocalCloud | undefined;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  cloud = await startLocalCloud({
    port: 0,
    schedules: false,
    demoData: false,
    quiet: true,
    // No stage throttling here: the tests fire bursts on purpose (200 concurrent ballots,
    // parallel screenings and endorsements) to prove the tally and the conditional writes exact,
    // and the city's token bucket (demo: 50 rps, burst 100) would answer part of them 429 before
    // any handler ran. Throttling itself keeps its unit tests in packages/local (test/cors-throttle.test.ts).
    throttling: false,
  });
  project.provide("baseUrl", cloud.url);
  project.provide("dynamodbEndpoint", cloud.dynamodbEndpoint);
  project.provide("fauxqsEndpoint", cloud.fauxqsEndpoint);
  project.provide("tables", cloud.tables);
  return async () => {
    await cloud?.stop();
    cloud = undefined;
  };
}
