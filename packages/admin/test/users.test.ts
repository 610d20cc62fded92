import { readFileSync } from "node:fs";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { setCurrentCity } from "@pencai/config";
import { loadCityFile } from "@pencai/config/load";
import { principalOf } from "@pencai/runtime/auth";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyImport, ImportConflict, planImport } from "../src/cognito-import.js";
import { type CsvUser, idTokenClaimsOf, parseUsersCsv } from "../src/users-csv.js";

const city = loadCityFile(new URL("../../../infra/cities/demo.json", import.meta.url).pathname);
const example = readFileSync(new URL("../users.demo.csv", import.meta.url), "utf8");
const HEADER = "username,name,email,phone,roles,district,street,community,household,organisation";
const POOL = "ap-east-1_test";

// biome-ignore lint/suspicious/noExplicitAny: any command class
type Cmd = new (...args: any[]) => any;

function users(text: string): CsvUser[] {
  const r = parseUsersCsv(text, city);
  if ("errors" in r) throw new Error(JSON.stringify(r.errors));
  return r.users;
}

describe("parseUsersCsv", () => {
  beforeAll(() => setCurrentCity(city));

  it("reads the demo example, and the authorizer reads its claims as the roles and places given", () => {
    const all = users(example);
    expect(all.map((u) => u.username)).toContain("resident.zhou");
    const zhou = all.find((u) => u.username === "resident.zhou") as CsvUser;
    expect(principalOf(idTokenClaimsOf(zhou))).toEqual({
      sub: "resident.zhou",
      roles: ["resident", "council_member"],
      districtId: "futian",
      streetId: "yuanling",
      communityId: "baihua",
      householdId: "hh-baihua-1",
    });
    const admin = all.find((u) => u.username === "admin.li") as CsvUser;
    expect(principalOf(idTokenClaimsOf(admin))).toMatchObject({ roles: ["admin"], cityWide: true });
    for (const u of all) expect(() => principalOf(idTokenClaimsOf(u))).not.toThrow();
  });

  it("refuses unknown roles and places, with their line numbers, and returns no users", () => {
    const text = [
      HEADER,
      "ok.one,甲,a@example.org,,resident,,,baihua,hh-1,",
      "bad.role,乙,b@example.org,,mayor,,,baihua,,",
      "",
      "bad.place,丙,c@example.org,,street_staff,futian,nowhere,,,",
      "wrong.street,丁,d@example.org,,resident,,huafu,baihua,,",
      "no.level,戊,e@example.org,,community_staff,futian,,,,",
      "ok.one,己,f@example.org,,resident,,,baihua,,",
      "same.mail,庚,A@Example.org,,resident,,,baihua,,",
    ].join("\n");
    const r = parseUsersCsv(text, city);
    expect(r).toEqual({
      errors: [
        { line: 3, message: 'unknown role "mayor"' },
        { line: 5, message: 'unknown street "nowhere" in demo' },
        { line: 6, message: "community baihua is in street yuanling, not huafu" },
        { line: 7, message: "role community_staff needs a community" },
        { line: 8, message: "username ok.one is already on line 2" },
        { line: 9, message: "email A@Example.org is already on line 2" },
      ],
    });
  });

  it("keeps city-wide for admins and analysts, and asks every user for a way to reach them", () => {
    const r = parseUsersCsv(
      [HEADER, "x.y,甲,,,community_staff,*,,,,", "org.z,乙,o@example.org,,org,,,baihua,,"].join(
        "\n",
      ),
      city,
    );
    expect("errors" in r && r.errors).toEqual([
      { line: 2, message: "give an email or a phone" },
      {
        line: 2,
        message: "district * (city-wide) is only for admin, analyst, not community_staff",
      },
      { line: 3, message: "role org needs an organisation" },
    ]);
  });
});

describe("import into Cognito", () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  beforeEach(() => cognito.on(ListUsersCommand).resolves({ Users: [] }));
  afterEach(() => cognito.reset());
  const client = new CognitoIdentityProviderClient({ region: "ap-east-1" });
  const inputs = (c: Cmd) => cognito.commandCalls(c).map((call) => call.args[0].input);
  const zhou = users(
    `${HEADER}\nresident.zhou,周芳,,+8613800000004,resident;council_member,,,baihua,hh-baihua-1,`,
  );

  it("creates a new user with its attributes and groups; a dry run (plan only) writes nothing", async () => {
    cognito
      .on(AdminGetUserCommand)
      .rejects(new UserNotFoundException({ message: "no", $metadata: {} }));
    const plans = await planImport(client, POOL, zhou);
    expect(plans[0]).toMatchObject({ outcome: "created", noInvitation: true });
    const writes = cognito.calls().filter((c) => !(c.args[0] instanceof AdminGetUserCommand));
    expect(writes).toHaveLength(0);

    await applyImport(client, POOL, plans);
    expect(inputs(AdminCreateUserCommand)).toContainEqual(
      expect.objectContaining({
        UserPoolId: POOL,
        Username: "resident.zhou",
        MessageAction: "SUPPRESS",
        UserAttributes: expect.arrayContaining([
          { Name: "custom:communityId", Value: "baihua" },
          { Name: "custom:streetId", Value: "yuanling" },
          { Name: "custom:districtId", Value: "futian" },
          { Name: "custom:householdId", Value: "hh-baihua-1" },
          { Name: "phone_number", Value: "+8613800000004" },
          { Name: "phone_number_verified", Value: "true" },
        ]),
      }),
    );
    expect(inputs(AdminAddUserToGroupCommand)).toContainEqual(
      expect.objectContaining({
        GroupName: "resident",
      }),
    );
    expect(inputs(AdminAddUserToGroupCommand)).toContainEqual(
      expect.objectContaining({
        GroupName: "council_member",
      }),
    );
  });

  it("updates only what changed: attributes set and removed, role groups added and removed", async () => {
    cognito.on(AdminGetUserCommand).resolves({
      Username: "resident.zhou",
      UserAttributes: [
        { Name: "sub", Value: "uuid-1" },
        { Name: "name", Value: "周芳" },
        { Name: "phone_number", Value: "+8613800000004" },
        { Name: "custom:districtId", Value: "futian" },
        { Name: "custom:streetId", Value: "yuanling" },
        { Name: "custom:communityId", Value: "changcheng" },
        { Name: "custom:householdId", Value: "hh-baihua-1" },
        { Name: "custom:orgId", Value: "org-old" },
      ],
    });
    cognito.on(AdminListGroupsForUserCommand).resolves({
      Groups: [{ GroupName: "resident" }, { GroupName: "community_staff" }, { GroupName: "pilot" }],
    });
    const plans = await planImport(client, POOL, zhou);
    expect(plans[0]).toMatchObject({
      outcome: "updated",
      set: { "custom:communityId": "baihua" },
      remove: ["custom:orgId"],
      addGroups: ["council_member"],
      removeGroups: ["community_staff"],
    });
    await applyImport(client, POOL, plans);
    expect(inputs(AdminCreateUserCommand)).toHaveLength(0);
    expect(inputs(AdminUpdateUserAttributesCommand)).toContainEqual(
      expect.objectContaining({
        UserAttributes: [{ Name: "custom:communityId", Value: "baihua" }],
      }),
    );
    expect(inputs(AdminDeleteUserAttributesCommand)).toContainEqual(
      expect.objectContaining({
        UserAttributeNames: ["custom:orgId"],
      }),
    );
    expect(inputs(AdminAddUserToGroupCommand)).toHaveLength(1);
    expect(inputs(AdminRemoveUserFromGroupCommand)).toHaveLength(1);
    expect(inputs(AdminRemoveUserFromGroupCommand)).toContainEqual(
      expect.objectContaining({
        GroupName: "community_staff",
      }),
    );
  });

  it("reports a user already as the CSV says as unchanged and writes nothing", async () => {
    cognito.on(AdminGetUserCommand).resolves({
      UserAttributes: Object.entries((zhou[0] as CsvUser).attributes).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    });
    cognito
      .on(AdminListGroupsForUserCommand)
      .resolves({ Groups: [{ GroupName: "council_member" }, { GroupName: "resident" }] });
    const plans = await planImport(client, POOL, zhou);
    expect(plans[0]?.outcome).toBe("unchanged");
    await applyImport(client, POOL, plans);
    expect(cognito.calls()).toHaveLength(2);
  });

  it("asks the pool who has a planned email: the user's own is fine, another user's stops the plan", async () => {
    const li = users(`${HEADER}\nadmin.li,李明,li@example.org,,admin,*,,,,`);
    cognito
      .on(AdminGetUserCommand)
      .rejects(new UserNotFoundException({ message: "no", $metadata: {} }));
    cognito
      .on(ListUsersCommand, { UserPoolId: POOL, Filter: 'email = "li@example.org"' })
      .resolves({ Users: [{ Username: "Admin.Li" }] });
    await expect(planImport(client, POOL, li)).resolves.toHaveLength(1);

    cognito
      .on(ListUsersCommand, { UserPoolId: POOL, Filter: 'email = "li@example.org"' })
      .resolves({ Users: [{ Username: "old.li" }] });
    const refused = await planImport(client, POOL, li).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ImportConflict);
    expect((refused as ImportConflict).errors).toEqual([
      { line: 2, message: "email li@example.org belongs to user old.li" },
    ]);
  });
});
