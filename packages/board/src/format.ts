/** Money and dates as residents read them: yuan, and calendar days in Asia/Shanghai. */
import type { Lang } from "./i18n.js";

const locale = (lang: Lang) => (lang === "zh" ? "zh-CN" : "en-GB");

/** Integer fen as yuan, e.g. 12345600 -> "¥123,456.00". */
export function yuan(fen: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { style: "currency", currency: "CNY" }).format(
    fen / 100,
  );
}

/** An ISO time's calendar day in Asia/Shanghai, `YYYY-MM-DD` (a `YYYY-MM-DD` is kept). */
export function day(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(iso));
  return parts;
}

/** A share 0..1 as a whole percent. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
