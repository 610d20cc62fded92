import * as z from "zod/mini";

/**
 * Free text from people (titles, summaries, reasons, comments): one schema for every field, so
 * every route treats text the same way. It is trimmed and normalised to NFC (so the same words
 * are stored as the same code points), and refused when it holds control characters, bidi
 * overrides or isolates (Trojan-source tricks that make a public timeline read differently from
 * what it says), lone surrogates, or nothing visible at all (only spaces, zero-width or format
 * characters, fillers).
 */

/** C0/C1 controls except tab and newlines, bidi embeddings/overrides/isolates, annotation marks. */
const CONTROL_MULTILINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFFF9-\uFFFB]/u;
/** The same plus tab, newlines and the Unicode line/paragraph separators. */
const CONTROL_LINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFF9-\uFFFB]/u;
/** A UTF-16 code unit of half a surrogate pair, alone (JSON can carry one: "\ud800"). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Characters that show nothing: white space, format characters (zero-width space and joiners,
 * bidi marks, BOM, soft hyphen, ...), the combining grapheme joiner, variation selectors and the
 * Hangul and Braille fillers.
 */
const INVISIBLE =
  /[\p{White_Space}\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]|\u034F|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/gu;

/** The text without its invisible characters (what a reader sees; used to compare and de-duplicate). */
export const visibleText = (s: string) => s.replace(INVISIBLE, "");

/** Why a text is refused, or undefined when it is fine (after trim and NFC). */
export function textProblem(s: string, multiline: boolean): string | undefined {
  if (LONE_SURROGATE.test(s)) return "must be well-formed Unicode (a lone surrogate)";
  if ((multiline ? CONTROL_MULTILINE : CONTROL_LINE).test(s)) {
    return multiline
      ? "must not contain control characters or bidi overrides"
      : "must be one line without control characters or bidi overrides";
  }
  if (visibleText(s) === "") return "must contain visible text";
  return undefined;
}

/**
 * A text field of at most `max` characters (after trim and NFC). `multiline` allows tabs and
 * line breaks (summaries, plans, comments); otherwise it is one line (titles, names, references).
 */
export function text(max: number, opts: { multiline?: boolean } = {}) {
  const multiline = opts.multiline ?? false;
  return z.string().check(
    z.trim(),
    z.normalize("NFC"),
    z.minLength(1),
    z.maxLength(max),
    z.superRefine((s, ctx) => {
      const problem = textProblem(s, multiline);
      if (problem) ctx.issues.push({ code: "custom", message: problem, input: s });
    }),
  );
}

/**
 * An ISO-8601 date-time with an offset, within the years `fromYear` to `toYear` (UTC): a meeting
 * in year 9999 or 0001 is a typing error, not a plan.
 */
export function instantIn(fromYear: number, toYear: number) {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear + 1, 0, 1);
  return z.iso.datetime({ offset: true }).check(
    z.refine((s) => {
      const t = Date.parse(s);
      return t >= from && t < to;
    }, `must be between ${fromYear} and ${toYear}`),
  );
}

/** A calendar day `YYYY-MM-DD` that exists, within the years `fromYear` to `toYear`. */
export function dayIn(fromYear: number, toYear: number) {
  return z.iso.date().check(
    z.refine((s) => {
      // runs after a failed format check too (zod reports every issue): never throw on junk
      const year = Number(s.slice(0, 4));
      const t = Date.parse(`${s}T00:00:00Z`);
      return (
        year >= fromYear &&
        year <= toYear &&
        !Number.isNaN(t) &&
        new Date(t).toISOString().startsWith(s)
      );
    }, `must be a day between ${fromYear} and ${toYear}`),
  );
}

/**
 * Orders strings by UTF-16 code units, the same in every locale and runtime (unlike
 * `localeCompare`): what a published, reproducible order (a draw, a research file) needs.
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
