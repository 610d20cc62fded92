import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runUsers } from "../src/users-cli.js";

const example = new URL("../users.demo.csv", import.meta.url).pathname;
const POOL = "ap-east-1_demo";

describe("npm run users -- import", () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const cfn = mockClient(CloudFormationClient);
  let out: string[];
  let err: string[];
  const io = { log: (l: string) => out.push(l), error: (l: string) => err.push(l) };
  beforeEach(() => {
    out = [];
    err = [];
    cognito
      .on(AdminGetUserCommand)
      .rejects(new UserNotFoundException({ message: "User does not exist.", $metadata: {} }));
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cfn.on(DescribeStacksCommand, { StackName: "Pencai-demo" }).resolves({
      Stacks: [
        {
          StackName: "Pencai-demo",
          CreationTime: new Date(0),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [{ OutputKey: "UserPoolId", OutputValue: POOL }],
        },
      ],
    });
  });
  afterEach(() => {
    cognito.reset();
    cfn.reset();
  });
  const writes = () =>
    cognito
      .calls()
      .filter(
        (c) => !(c.args[0] instanceof AdminGetUserCommand || c.args[0] instanceof ListUsersCommand),
      ).length;

  it("--dry-run finds the pool in the stack's outputs, reads, reports and writes nothing", async () => {
    expect(await runUsers(["import", example, "--city", "demo", "--dry-run"], io)).toBe(0);
    expect(writes()).toBe(0);
    expect(out.at(-1)).toBe(
      `dry run, nothing written (6 created, 0 updated, 0 unchanged) in ${POOL}`,
    );
    expect(out[0]).toMatch(
      /^created +admin\.li \(line 2\): set name, set email, set custom:cityWide/,
    );
  });

  it("imports into the pool named with --user-pool-id, without asking CloudFormation", async () => {
    expect(await runUsers(["import", example, "--user-pool-id", "ap-east-1_other"], io)).toBe(0);
    expect(cfn.calls()).toHaveLength(0);
    const created = cognito.commandCalls(AdminCreateUserCommand).map((c) => c.args[0].input);
    expect(created).toHaveLength(6);
    expect(created.every((i) => i.UserPoolId === "ap-east-1_other")).toBe(true);
  });

  it("refuses a file with a bad line before reading or writing Cognito", async () => {
    const bad = join(tmpdir(), `pencai-users-cli-${process.pid}.csv`);
    writeFileSync(
      bad,
      "username,email,roles,community\nok.one,a@example.org,resident,baihua\nx.y,x@example.org,mayor,baihua\n",
    );
    expect(await runUsers(["import", bad, "--user-pool-id", POOL], io)).toBe(1);
    expect(err).toEqual([
      `${bad}:3: unknown role "mayor"`,
      `nothing imported: 1 problem(s) in ${bad}`,
    ]);
    expect(cognito.calls()).toHaveLength(0);
  });

  it("refuses, before any write, an email another user of the pool signs in with", async () => {
    cognito
      .on(ListUsersCommand, { Filter: 'email = "civil.zhao@example.org"' })
      .resolves({ Users: [{ Username: "someone.else" }] });
    expect(await runUsers(["import", example, "--user-pool-id", POOL], io)).toBe(1);
    expect(err[0]).toMatch(
      /users\.demo\.csv:3: email civil\.zhao@example\.org belongs to user someone\.else$/,
    );
    expect(err.at(-1)).toBe("nothing imported: 1 problem(s) against the pool");
    expect(writes()).toBe(0);
  });

  it("names the cities on an unknown --city", async () => {
    expect(await runUsers(["import", example, "--city", "atlantis"], io)).toBe(2);
    expect(err[0]).toContain("cities: demo,");
  });
});
