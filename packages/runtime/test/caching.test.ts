import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cacheControl,
  entityTag,
  NO_STORE,
  noneMatch,
  PUBLIC_MAX_AGE,
  withCaching,
} from "../src/caching.js";

const publicGet = { auth: "public", method: "GET" } as const;
const staffGet = { auth: ["community_staff"], method: "GET" } as const;
const ok = (body: string) => ({
  statusCode: 200,
  headers: { "content-type": "application/json", "x-correlation-id": "c-1" },
  body,
});

describe("cacheControl", () => {
  it("lets public GETs be kept for their maxAge, the default otherwise", () => {
    expect(cacheControl(publicGet)).toBe(`public, max-age=${PUBLIC_MAX_AGE}`);
    expect(cacheControl({ ...publicGet, maxAge: 3600 })).toBe("public, max-age=3600");
  });

  it("never lets a token's view or a write be kept", () => {
    expect(cacheControl(staffGet)).toBe(NO_STORE);
    expect(cacheControl({ auth: "public", method: "POST" })).toBe(NO_STORE);
    expect(cacheControl({ auth: ["resident"], method: "POST", maxAge: 60 })).toBe(NO_STORE);
  });
});

describe("entityTag", () => {
  it("is a quoted, strong prefix of the body's SHA-256", () => {
    const body = '{"cityId":"深圳"}';
    const full = createHash("sha256").update(body, "utf8").digest("base64url");
    expect(entityTag(body)).toBe(`"${full.slice(0, 22)}"`);
    expect(entityTag(body)).not.toMatch(/^W\//);
  });

  it("differs when the body differs", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(entityTag(a)).not.toBe(entityTag(b));
      }),
    );
  });
});

describe("noneMatch (RFC 9110 §13.1.2, weak comparison)", () => {
  const tag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc" , "y"', true],
    ["*", true],
    [" * ", true],
    ['"abcd"', false],
    ['"ab"', false],
    ["abc", false],
    ["", false],
    ['"x", "y"', false],
  ])("%s -> %s", (header, matches) => {
    expect(noneMatch(header, tag)).toBe(matches);
  });

  it("matches nothing when the header is absent", () => {
    expect(noneMatch(undefined, tag)).toBe(false);
  });

  it("finds the tag wherever it sits in a list, and only then", () => {
    const other = fc.stringMatching(/^[A-Za-z0-9_-]{1,22}$/).filter((t) => `"${t}"` !== tag);
    fc.assert(
      fc.property(fc.array(other), fc.array(other), fc.boolean(), (before, after, weak) => {
        const quoted = (ts: string[]) => ts.map((t) => `"${t}"`);
        const list = [...quoted(before), `${weak ? "W/" : ""}${tag}`, ...quoted(after)];
        expect(noneMatch(list.join(", "), tag)).toBe(true);
        expect(noneMatch(quoted([...before, ...after]).join(", "), tag)).toBe(false);
      }),
    );
  });
});

describe("withCaching", () => {
  it("gives a public 200 its Cache-Control and ETag, keeping the body and other headers", () => {
    const res = withCaching({ ...publicGet, maxAge: 600 }, undefined, ok('{"a":1}'));
    expect(res).toEqual({
      statusCode: 200,
      headers: {
        "content-type": "application/json",
        "x-correlation-id": "c-1",
        "cache-control": "public, max-age=600",
        etag: entityTag('{"a":1}'),
      },
      body: '{"a":1}',
    });
  });

  it("answers a matching If-None-Match with a 304: same validators, no body", () => {
    const etag = entityTag('{"a":1}');
    const res = withCaching(publicGet, `"old", ${etag}`, ok('{"a":1}'));
    expect(res).toEqual({
      statusCode: 304,
      headers: {
        "x-correlation-id": "c-1",
        "cache-control": `public, max-age=${PUBLIC_MAX_AGE}`,
        etag,
      },
    });
  });

  it("sends the whole reply when the body changed since the tag", () => {
    const res = withCaching(publicGet, entityTag('{"a":1}'), ok('{"a":2}'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"a":2}');
    expect(res.headers?.etag).toBe(entityTag('{"a":2}'));
  });

  it("marks authenticated replies, errors and unknown routes no-store and never 304s them", () => {
    const body = '{"a":1}';
    const star = "*";
    expect(withCaching(staffGet, star, ok(body))).toEqual({
      ...ok(body),
      headers: { ...ok(body).headers, "cache-control": NO_STORE },
    });
    const missing = { statusCode: 404, headers: {}, body: "{}" };
    expect(withCaching(publicGet, star, missing)).toEqual({
      ...missing,
      headers: { "cache-control": NO_STORE },
    });
    expect(withCaching(undefined, star, ok(body)).statusCode).toBe(200);
  });

  it("leaves a Cache-Control a handler set itself on a reply that is not cacheable", () => {
    const own = { statusCode: 201, headers: { "cache-control": "private, max-age=5" }, body: "{}" };
    expect(withCaching(staffGet, undefined, own).headers?.["cache-control"]).toBe(
      "private, max-age=5",
    );
  });
});
