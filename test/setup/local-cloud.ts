/**
 * vitest globalSetup of the "integration" project: one local cloud (DynamoDB Local,
 * fauxqs, the synthesized stack's handlers) on a free port for every integration and
 * end-to-end test file. Tests read its URL with `inject("baseUrl")`; schedules are off
 * (tests run jobs with `POST /dev/run/{job}`) and no demo data is loaded.
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
  cloud = await startLocalCloud({ port: 0, schedules: false, demoData: false, quiet: true });
  project.provide("baseUrl", cloud.url);
  project.provide("dynamodbEndpoint", cloud.dynamodbEndpoint);
  project.provide("fauxqsEndpoint", cloud.fauxqsEndpoint);
  project.provide("tables", cloud.tables);
  return async () => {
    await cloud?.stop();
    cloud = undefined;
  };
}
