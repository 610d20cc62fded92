import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../src/cursor.js";

describe("list cursors", () => {
  const key = {
    gsi1pk: "PROPOSAL#C#c1",
    gsi1sk: "2026#submitted#2026-03-01#01J",
    pk: "PROPOSAL#01J",
    sk: "PROPOSAL",
  };

  it("round-trips a LastEvaluatedKey as base64url; null at the end", () => {
    const cursor = encodeCursor(key)!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, { gsi1pk: "PROPOSAL#C#c1" })).toEqual(key);
    expect(encodeCursor(undefined)).toBeNull();
    expect(decodeCursor(undefined, {})).toBeUndefined();
  });

  it("refuses a cursor of another list or a forged one (400)", () => {
    const cursor = encodeCursor(key)!;
    expect(() => decodeCursor(cursor, { gsi1pk: "PROPOSAL#C#c2" })).toThrow(/cursor/);
    const forged = Buffer.from(JSON.stringify({ gsi1pk: "PROPOSAL#C#c1", other: "x" })).toString(
      "base64url",
    );
    expect(() => decodeCursor(forged, { gsi1pk: "PROPOSAL#C#c1" })).toThrow(/cursor/);
    expect(() => decodeCursor("not json!", {})).toThrow(/cursor/);
    // a key that is not the query's key schema would make DynamoDB refuse the start key (500)
    const partial = (k: Record<string, string>) =>
      Buffer.from(JSON.stringify(k)).toString("base64url");
    const partialKeys: Record<string, string>[] = [
      { gsi1pk: "PROPOSAL#C#c1" },
      { gsi1pk: "PROPOSAL#C#c1", gsi1sk: "x" },
      { pk: "P", sk: "S", gsi1pk: "PROPOSAL#C#c1" },
      { ...key, gsi2pk: "x", gsi2sk: "y" },
    ];
    for (const k of partialKeys) {
      expect(
        () => decodeCursor(partial(k), { gsi1pk: "PROPOSAL#C#c1" }),
        JSON.stringify(k),
      ).toThrow(/cursor/);
    }
    // on the table itself: exactly pk and sk
    expect(decodeCursor(partial({ pk: "P#1", sk: "TL#2" }), { pk: "P#1" })).toEqual({
      pk: "P#1",
      sk: "TL#2",
    });
    expect(() => decodeCursor(cursor, { pk: "PROPOSAL#01J" })).toThrow(/cursor/);
    expect(() => decodeCursor(Buffer.from("[1]").toString("base64url"), {})).toThrow(/cursor/);
  });

  it("never throws anything but a validation problem on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          decodeCursor(s, { gsi1pk: "PROPOSAL#C#c1" });
        } catch (err) {
          expect((err as { code?: string }).code).toBe("validation_failed");
        }
      }),
    );
  });
});
