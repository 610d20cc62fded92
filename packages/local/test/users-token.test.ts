import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setCurrentCity } from "@pencai/config";
import { loadCityFile } from "@pencai/config/load";
import { principalOf } from "@pencai/runtime/auth";
import { beforeAll, describe, expect, it } from "vitest";
import { loadUsers } from "../src/cloud.js";
import { type DevContext, handleLocal } from "../src/dev-routes.js";
import { createLocalIssuer } from "../src/keys.js";

const city = loadCityFile(new URL("../../../infra/cities/demo.json", import.meta.url).pathname);
const exampleCsv = new URL("../../admin/users.demo.csv", import.meta.url).pathname;

describe("npm start -- --users <file.csv>: /dev/token by user name", () => {
  let ctx: DevContext;
  beforeAll(async () => {
    setCurrentCity(city);
    const issuer = await createLocalIssuer({ issuer: "http://local", audience: "pencai-local" });
    ctx = {
      issuer,
      users: loadUsers(exampleCsv, city),
      clock: { offsetMs: () => 0, set: async () => {} },
    } as unknown as DevContext;
  });
  const token = (body: unknown) =>
    handleLocal(ctx, {
      method: "POST",
      path: "/dev/token",
      body: Buffer.from(JSON.stringify(body)),
    }).then((r) => ({ status: r?.status, json: JSON.parse(String(r?.body)) }));

  it("mints the file's person a token the authorizer reads as their roles and places", async () => {
    const r = await token({ user: "resident.zhou" });
    expect(r.status).toBe(200);
    const claims = await ctx.issuer.verify(r.json.token);
    expect(claims).toMatchObject({
      "cognito:groups": ["resident", "council_member"],
      "custom:communityId": "baihua",
    });
    // the same claims as the importer sets in Cognito (packages/admin tests them in full)
    expect(principalOf(claims as Record<string, unknown>)).toMatchObject({
      sub: "resident.zhou",
      communityId: "baihua",
      householdId: "hh-baihua-1",
    });
  });

  it("refuses an unknown user by name and keeps the claims body working", async () => {
    const unknown = await token({ user: "nobody" });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].message).toContain("admin.li");
    const plain = await token({ sub: "resident-1", roles: ["resident"], communityId: "baihua" });
    expect(plain.status).toBe(200);
    const claims = (await ctx.issuer.verify(plain.json.token)) as Record<string, unknown>;
    expect(principalOf(claims)).toMatchObject({ sub: "resident-1", roles: ["resident"] });
  });

  it("will not start on a file with a bad line, and names the line", () => {
    const bad = join(tmpdir(), `pencai-users-${process.pid}.csv`);
    writeFileSync(bad, "username,email,roles,community\nx.y,x@example.org,resident,atlantis\n");
    expect(() => loadUsers(bad, city)).toThrow(`${bad}:2: unknown community "atlantis" in demo`);
  });
});
