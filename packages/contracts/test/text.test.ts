import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { dayIn, instantIn, text } from "../src/text.js";

// The shared field schemas: whatever a client sends, they answer with issues, never throw (a
// throw inside a check is a 500 at the edge, not a 400).

const verdict = (schema: z.ZodMiniType, value: unknown) => {
  const r = z.safeParse(schema, value);
  return r.success ? { ok: true as const, value: r.data } : { ok: false as const };
};

describe("dayIn", () => {
  const day = dayIn(2015, 2100);
  it("takes a day that exists within the years", () => {
    expect(verdict(day, "2050-06-30")).toEqual({ ok: true, value: "2050-06-30" });
    expect(verdict(day, "2048-02-29").ok).toBe(true);
  });
  it.each([
    "2050/06/30",
    "2050-6-30",
    "2050-06-30T00:00:00Z",
    "2050-06-31",
    "2049-02-29",
    "2101-01-01",
    "2014-12-31",
    "",
    "2050",
    "next spring",
    "2050-13-01",
  ])("refuses %j without throwing", (s) => {
    expect(verdict(day, s).ok).toBe(false);
  });
});

describe("instantIn", () => {
  const at = instantIn(2015, 2100);
  it("takes an instant with an offset within the years", () => {
    expect(verdict(at, "2050-06-30T09:00:00+08:00").ok).toBe(true);
  });
  it.each(["2050-06-30T09:00:00", "2101-01-01T00:00:00Z", "2050-06-30", "soon"])(
    "refuses %j without throwing",
    (s) => {
      expect(verdict(at, s).ok).toBe(false);
    },
  );
});

describe("text", () => {
  it("trims and normalises to NFC", () => {
    expect(verdict(text(10), "  Cafe\u0301 ")).toEqual({ ok: true, value: "Café" });
  });
  it.each(["a\u202Eb", "a\nb", "\u200B\u3000", "a\uD800", ""])("refuses %j on one line", (s) => {
    expect(verdict(text(10), s).ok).toBe(false);
  });
  it("takes line breaks only where it is multiline, and counts the limit after trimming", () => {
    expect(verdict(text(10, { multiline: true }), "a\nb").ok).toBe(true);
    expect(verdict(text(3), " abc ").ok).toBe(true);
    expect(verdict(text(3), "abcd").ok).toBe(false);
  });
});
