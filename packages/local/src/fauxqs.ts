import "./quiet-sqlite.js";

// Loaded only once quiet-sqlite has run: a static import would load node:sqlite (and warn) while
// the module graph links, before any module body runs.
const fauxqs = await import("fauxqs");

export type { FauxqsServer } from "fauxqs";
export const startFauxqs: typeof fauxqs.startFauxqs = fauxqs.startFauxqs;
