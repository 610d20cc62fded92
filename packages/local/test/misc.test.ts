import { describe, expect, it } from "vitest";
import { loadCity } from "../src/cloud.js";
import { clockOffsetFrom, validateTokenRequest } from "../src/dev-routes.js";
import { matchesAny, matchesPattern } from "../src/filter-pattern.js";
import { nextDelayMs, parseCron, rateMs } from "../src/scheduler.js";

describe("event filter patterns (FilterCriteria)", () => {
  // what CDK writes for the outbox relay's stream mapping
  const outbox = {
    eventName: ["INSERT"],
    dynamodb: { NewImage: { outboxPending: { S: [{ exists: true }] } } },
  };
  const record = (eventName: string, image: Record<string, unknown>) => ({
    eventName,
    dynamodb: { NewImage: image },
  });

  it("matches eventName equality and nested exists", () => {
    expect(matchesPattern(outbox, record("INSERT", { outboxPending: { S: "PENDING" } }))).toBe(
      true,
    );
    expect(matchesPattern(outbox, record("MODIFY", { outboxPending: { S: "PENDING" } }))).toBe(
      false,
    );
    expect(matchesPattern(outbox, record("INSERT", { other: { S: "x" } }))).toBe(false);
    expect(matchesPattern({ a: [{ exists: false }] }, {})).toBe(true);
  });

  it("supports prefix, anything-but, numeric and any-of-several patterns", () => {
    expect(matchesPattern({ t: [{ prefix: "Prop" }] }, { t: "ProposalSubmitted" })).toBe(true);
    expect(matchesPattern({ t: [{ "anything-but": ["A", "B"] }] }, { t: "B" })).toBe(false);
    expect(matchesPattern({ n: [{ numeric: [">", 0, "<=", 5] }] }, { n: 5 })).toBe(true);
    expect(matchesAny([{ t: ["A"] }, { t: ["B"] }], { t: "B" })).toBe(true);
    expect(matchesAny([], { t: "anything" })).toBe(true);
  });
});

describe("schedule expressions", () => {
  it("parses rates", () => {
    expect(rateMs("rate(1 minute)")).toBe(60_000);
    expect(rateMs("rate(5 minutes)")).toBe(300_000);
    expect(rateMs("rate(2 days)")).toBe(172_800_000);
    expect(nextDelayMs("rate(1 minute)", new Date(), 60)).toBe(1000);
  });

  it("computes the next cron time in UTC (AWS's six fields)", () => {
    const at = new Date("2026-11-22T15:39:10Z"); // a Sunday
    expect(parseCron("cron(0 18 * * ? *)")?.next(at).toISOString()).toBe(
      "2026-11-22T18:00:00.000Z",
    );
    expect(parseCron("cron(0 1 ? * MON-FRI *)")?.next(at).toISOString()).toBe(
      "2026-11-23T01:00:00.000Z",
    );
    expect(parseCron("cron(*/15 * * * ? *)")?.next(at).toISOString()).toBe(
      "2026-11-22T15:45:00.000Z",
    );
    expect(parseCron("cron(0 0 1 JAN ? *)")?.next(at).toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
    expect(() => nextDelayMs("every day", at)).toThrow(/unsupported/);
  });
});

describe("/dev/token and /dev/clock input", () => {
  it("accepts a valid principal and rejects bad ones field by field", () => {
    expect(
      validateTokenRequest({
        sub: "u1",
        roles: ["resident"],
        communityId: "baihua",
        householdId: "h1",
      }),
    ).toEqual({
      options: {},
      claims: { sub: "u1", roles: ["resident"], communityId: "baihua", householdId: "h1" },
    });
    const bad = validateTokenRequest({ sub: "", roles: ["king"], communityId: 7, extra: 1 });
    expect("issues" in bad && bad.issues.map((i) => i.path).sort()).toEqual([
      "communityId",
      "extra",
      "roles.0",
      "sub",
    ]);
    expect(validateTokenRequest([])).toHaveProperty("issues");
    expect(validateTokenRequest({ sub: "u", roles: [] })).toHaveProperty("issues");
    // subjects are user ids (no '#', '/' or spaces), as the API requires
    expect(validateTokenRequest({ sub: "a#b", roles: ["resident"] })).toHaveProperty("issues");
  });

  it("mints what tests need to see refused: access tokens, raw claims, city-wide roles", () => {
    expect(
      validateTokenRequest({
        sub: "a1",
        roles: ["admin"],
        cityWide: true,
        tokenUse: "access",
        raw: { exp: null },
      }),
    ).toEqual({
      claims: { sub: "a1", roles: ["admin"], cityWide: true },
      options: { tokenUse: "access", raw: { exp: null } },
    });
    const bad = validateTokenRequest({
      sub: "a1",
      roles: ["admin"],
      cityWide: "yes",
      tokenUse: "refresh",
      raw: "x",
    });
    expect("issues" in bad && bad.issues.map((i) => i.path).sort()).toEqual([
      "cityWide",
      "raw",
      "tokenUse",
    ]);
  });

  it("sets or advances the clock offset", () => {
    const real = Date.parse("2026-11-22T00:00:00Z");
    expect(clockOffsetFrom({ now: "2026-11-25T00:00:00Z" }, 0, real)).toEqual({
      offsetMs: 3 * 86_400_000,
    });
    expect(clockOffsetFrom({ advanceDays: 2 }, 1000, real)).toEqual({
      offsetMs: 1000 + 2 * 86_400_000,
    });
    expect(clockOffsetFrom({ now: "yesterday" }, 0, real)).toHaveProperty("issues");
    expect(
      clockOffsetFrom({ now: "2026-01-01T00:00:00Z", advanceDays: 1 }, 0, real),
    ).toHaveProperty("issues");
    expect(clockOffsetFrom({ advanceDays: "1" }, 0, real)).toHaveProperty("issues");
  });
});

describe("npm start --city", () => {
  it("loads a city of infra/cities by its id", () => {
    expect(loadCity("panlong").preset).toBe("panlong");
  });

  it("names the cities there when the id is not one of them, and reads no path outside", () => {
    for (const bad of ["shenzen", "../infra/cities/demo", "demo.json"]) {
      expect(() => loadCity(bad)).toThrow(
        /no city ".*": pick one of demo, jinjiang, longgang, luohu, ningbo, panlong \(files in infra\/cities\/\)/,
      );
    }
  });
});
