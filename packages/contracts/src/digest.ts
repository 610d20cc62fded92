import * as z from "zod/mini";
import { defineRoute } from "./http.js";
import { ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { MAX_YEAR, MIN_YEAR } from "./limits.js";
import { MERKLE_ALGORITHM } from "./merkle.js";
import { dayIn } from "./text.js";

// The daily digest of every public proposal's timeline head (a Merkle root over the heads, see
// merkle.ts), written once a day by intake to an object-locked bucket: anyone can prove that a
// timeline they saw has not been rewritten since, operators included.

/** S3 key of a day's digest in the digest bucket. */
export const digestKey = (date: string) => `digests/${date}.json`;

const hex64 = /* @__PURE__ */ once(() =>
  z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256")),
);

const leaf = /* @__PURE__ */ once(() =>
  z.object({ proposalId: z.string(), seq: z.int(), hash: hex64() }),
);

const summaryShape = /* @__PURE__ */ once(() => ({
  /** the day (Asia/Shanghai) the digest was made */
  date: z.string(),
  root: hex64(),
  /** number of leaves (proposals) */
  count: z.int(),
  createdAt: z.string(),
  algorithm: z.literal(MERKLE_ALGORITHM),
}));

const digestSummary = /* @__PURE__ */ once(() => z.object(summaryShape()));
export const digestSummarySchema = /* @__PURE__ */ digestSummary();
export type DigestSummary = z.output<typeof digestSummarySchema>;

/** The whole digest, as stored in `digests/YYYY-MM-DD.json`: the leaves in tree order. */
const digestDocument = /* @__PURE__ */ once(() =>
  z.object({ ...summaryShape(), leaves: z.array(leaf()) }),
);
export const digestDocumentSchema = /* @__PURE__ */ digestDocument();
export type DigestDocument = z.output<typeof digestDocumentSchema>;

const proof = /* @__PURE__ */ once(() =>
  z.object({
    date: z.string(),
    root: hex64(),
    leaf: leaf(),
    index: z.int(),
    path: z.array(z.object({ side: z.enum(["left", "right"]), hash: hex64() })),
  }),
);
export const digestProofSchema = /* @__PURE__ */ proof();

export const getLatestDigest = /* @__PURE__ */ defineRoute({
  operationId: "getLatestDigest",
  method: "GET",
  path: "/v1/public/digests/latest",
  summary: "The latest daily digest of the timeline heads (Merkle root); 404 before the first",
  tags: ["public"],
  auth: "public",
  get response() {
    return digestSummary();
  },
  status: 200,
  errors: ["not_found"],
});

export const getDigest = /* @__PURE__ */ defineRoute({
  operationId: "getDigest",
  method: "GET",
  path: "/v1/public/digests/{date}",
  summary: "One day's digest with every leaf (proposal, timeline seq and head hash) in order",
  tags: ["public"],
  auth: "public",
  get params() {
    return z.object({ date: dayIn(MIN_YEAR, MAX_YEAR) });
  },
  get response() {
    return digestDocument();
  },
  status: 200,
  errors: ["not_found"],
  // a day's digest never changes once written (object lock): keep it an hour, CloudFront's cap
  maxAge: 3600,
});

export const getProposalProof = /* @__PURE__ */ defineRoute({
  operationId: "getProposalProof",
  method: "GET",
  path: "/v1/public/proposals/{id}/proof",
  summary: "The proposal's leaf in the latest digest and its Merkle path to the root",
  tags: ["public"],
  auth: "public",
  get params() {
    return z.object({ id: ulidSchema });
  },
  get response() {
    return proof();
  },
  status: 200,
  errors: ["not_found"],
});

/** Routes served by intake's digest function (reads the digest bucket). */
export const intakeDigestRoutes = [getLatestDigest, getDigest, getProposalProof] as const;
