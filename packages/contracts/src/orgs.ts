import * as z from "zod/mini";
import { defineInbox } from "./event-data.js";
import { defineRoute } from "./http.js";
import { cityIdSchema, ulidSchema } from "./intake.js";
import { once } from "./lazy.js";
import { orgStatuses, orgTracks } from "./orgs-events.js";
import type { Role } from "./roles.js";
import { text } from "./text.js";

export * from "./orgs-events.js";

// The organisation registry (API.md "Organisations"): social organisations (社会组织) enter on
// Jinjiang's two tracks, registered (登记) or filed (备案), after a public notice (公示) in which
// residents of their area may object and a district review (群众评审, 审核); the district may
// suspend them or see them exit (可进可退). The public list carries each one's record of
// evaluated projects.

// ---------------------------------------------------------------- unified social credit code

/** GB 32100-2015's 31 code characters (no I, O, S, V, Z), each worth its index. */
const CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/** The weights of positions 1..17: 3^(i-1) mod 31. */
const CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Whether `code` is a unified social credit code (统一社会信用代码, GB 32100-2015): 18 code
 * characters, the last the check character, 31 - (Σ value × weight mod 31), 31 written as 0.
 */
export function isCreditCode(code: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code) && code[17] === checkChar(code.slice(0, 17));
}

function checkChar(body: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CODE_CHARS.indexOf(body[i]!) * CODE_WEIGHTS[i]!;
  return CODE_CHARS[(31 - (sum % 31)) % 31]!;
}

/** The credit code of 17 code characters: them and their check character (demo data, tests). */
export function creditCodeOf(body: string): string {
  if (!/^[0-9A-HJ-NPQRTUWXY]{17}$/.test(body)) throw new RangeError("17 code characters expected");
  return body + checkChar(body);
}

// ---------------------------------------------------------------- building blocks

export const MAX_ORG_SERVICES = 20;
const reason = /* @__PURE__ */ once(() => text(1000, { multiline: true }));
const idParams = /* @__PURE__ */ once(() => z.object({ id: ulidSchema }));
const count = /* @__PURE__ */ once(() => z.int().check(z.minimum(0)));

const createOrgBody = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      name: text(60),
      track: z.enum(orgTracks),
      /** registered only: its 18-character unified social credit code */
      creditCode: z.optional(
        z
          .string()
          .check(z.refine(isCreditCode, "must be a unified social credit code (GB 32100-2015)")),
      ),
      /** filed only: the active registered organisation that sponsors it (its 业务指导) */
      sponsorOrgId: z.optional(ulidSchema),
      /** its area: one community, or one street */
      communityId: z.optional(cityIdSchema),
      streetId: z.optional(cityIdSchema),
      services: z.array(cityIdSchema).check(z.minLength(1), z.maxLength(MAX_ORG_SERVICES)),
    })
    .check(
      z.superRefine((b, ctx) => {
        const issue = (path: string, message: string) =>
          ctx.addIssue({ code: "custom", path: [path], message, input: b });
        if ((b.communityId === undefined) === (b.streetId === undefined)) {
          issue("communityId", "give exactly one of communityId, streetId");
        }
        if (b.track === "registered") {
          if (b.creditCode === undefined)
            issue("creditCode", "a registered organisation needs its credit code");
          if (b.sponsorOrgId !== undefined)
            issue("sponsorOrgId", "only a filed organisation has a sponsor");
        } else {
          if (b.sponsorOrgId === undefined)
            issue("sponsorOrgId", "a filed organisation needs a sponsor");
          if (b.creditCode !== undefined)
            issue("creditCode", "a filed organisation has no credit code");
        }
        if (new Set(b.services).size !== b.services.length) issue("services", "repeated category");
      }),
    ),
);
export const createOrgBodySchema = /* @__PURE__ */ createOrgBody();
export type CreateOrgBody = z.output<typeof createOrgBodySchema>;

const orgCreated = /* @__PURE__ */ once(() =>
  z.object({ id: z.string(), status: z.enum(orgStatuses), noticeEndsAt: z.string() }),
);

const objectionBody = /* @__PURE__ */ once(() => z.strictObject({ reason: reason() }));
export type ObjectionBody = z.output<ReturnType<typeof objectionBody>>;
const objectionCreated = /* @__PURE__ */ once(() =>
  z.object({ orgId: z.string(), objections: count(), at: z.string() }),
);

const reviewBody = /* @__PURE__ */ once(() =>
  z.strictObject({ decision: z.enum(["admit", "refuse"]), reason: z.optional(reason()) }),
);
export type ReviewBody = z.output<ReturnType<typeof reviewBody>>;

const statusBody = /* @__PURE__ */ once(() =>
  z.strictObject({ status: z.enum(["suspended", "active", "exited"]), reason: reason() }),
);
export type StatusBody = z.output<ReturnType<typeof statusBody>>;

/** An organisation as officials see it: objections without the objectors. */
const org = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    track: z.enum(orgTracks),
    status: z.enum(orgStatuses),
    creditCode: z.optional(z.string()),
    sponsorOrgId: z.optional(z.string()),
    districtId: z.string(),
    streetId: z.optional(z.string()),
    communityId: z.optional(z.string()),
    services: z.array(z.string()),
    noticeEndsAt: z.string(),
    objections: count(),
    statusReason: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const orgSchema = /* @__PURE__ */ org();
export type Org = z.output<typeof orgSchema>;

const orgDetail = /* @__PURE__ */ once(() =>
  z.object({
    ...org().shape,
    /** the residents' objections the reviewer weighs: what and when, never who */
    objectionList: z.array(z.object({ reason: z.string(), at: z.string() })),
  }),
);

/** 一菜一评 of the projects it applied for: how many were evaluated, passed, their mean rate. */
const orgRecord = /* @__PURE__ */ once(() =>
  z.object({
    evaluated: count(),
    passed: count(),
    averageSatisfaction: z.nullable(z.number()),
  }),
);

const publicOrg = /* @__PURE__ */ once(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    track: z.enum(orgTracks),
    status: z.enum(orgStatuses),
    streetId: z.optional(z.string()),
    communityId: z.optional(z.string()),
    services: z.array(z.string()),
    noticeEndsAt: z.string(),
    record: orgRecord(),
  }),
);
export const publicOrgSchema = /* @__PURE__ */ publicOrg();
export type PublicOrg = z.output<typeof publicOrgSchema>;

const listOrgsQuery = /* @__PURE__ */ once(() =>
  z.object({
    districtId: z.optional(cityIdSchema),
    streetId: z.optional(cityIdSchema),
    communityId: z.optional(cityIdSchema),
    status: z.optional(z.enum(orgStatuses)),
  }),
);
const publicOrgsQuery = /* @__PURE__ */ once(() => z.object({ districtId: cityIdSchema }));

// ---------------------------------------------------------------- routes

const registrars = [
  "community_staff",
  "street_staff",
  "district_civil",
] as const satisfies readonly Role[];
const readers = [
  ...registrars,
  "district_group",
  "analyst",
  "admin",
] as const satisfies readonly Role[];

export const createOrg = /* @__PURE__ */ defineRoute({
  operationId: "createOrg",
  method: "POST",
  path: "/v1/orgs",
  summary: "Register (登记) or file (备案) an organisation: it enters the public notice (公示)",
  tags: ["orgs"],
  auth: registrars,
  get body() {
    return createOrgBody();
  },
  get response() {
    return orgCreated();
  },
  status: 201,
  errors: ["not_found", "ineligible_category", "sponsor_not_active"],
  idempotent: true,
});

export const objectToOrg = /* @__PURE__ */ defineRoute({
  operationId: "objectToOrg",
  method: "POST",
  path: "/v1/orgs/{id}/objections",
  summary: "A resident of the organisation's area objects during its public notice (once)",
  tags: ["orgs"],
  auth: ["resident"],
  get params() {
    return idParams();
  },
  get body() {
    return objectionBody();
  },
  get response() {
    return objectionCreated();
  },
  status: 201,
  errors: ["not_found", "notice_ended", "duplicate"],
  idempotent: true,
});

export const reviewOrg = /* @__PURE__ */ defineRoute({
  operationId: "reviewOrg",
  method: "POST",
  path: "/v1/orgs/{id}/review",
  summary: "The district admits or refuses an organisation after its public notice",
  tags: ["orgs"],
  auth: ["district_civil"],
  get params() {
    return idParams();
  },
  get body() {
    return reviewBody();
  },
  get response() {
    return org();
  },
  status: 200,
  errors: ["not_found", "notice_running", "invalid_state", "reason_required"],
  idempotent: true,
});

export const setOrgStatus = /* @__PURE__ */ defineRoute({
  operationId: "setOrgStatus",
  method: "POST",
  path: "/v1/orgs/{id}/status",
  summary: "The district suspends, restores or exits an organisation (exited is final)",
  tags: ["orgs"],
  auth: ["district_civil"],
  get params() {
    return idParams();
  },
  get body() {
    return statusBody();
  },
  get response() {
    return org();
  },
  status: 200,
  errors: ["not_found", "invalid_state"],
  idempotent: true,
});

export const listOrgs = /* @__PURE__ */ defineRoute({
  operationId: "listOrgs",
  method: "GET",
  path: "/v1/orgs",
  summary: "The organisations of a district, street or community, by status",
  tags: ["orgs"],
  auth: readers,
  get query() {
    return listOrgsQuery();
  },
  get response() {
    return z.object({ items: z.array(org()) });
  },
  status: 200,
  errors: ["not_found"],
});

export const getOrg = /* @__PURE__ */ defineRoute({
  operationId: "getOrg",
  method: "GET",
  path: "/v1/orgs/{id}",
  summary: "One organisation with the objections raised during its notice (no objectors)",
  tags: ["orgs"],
  auth: readers,
  get params() {
    return idParams();
  },
  get response() {
    return orgDetail();
  },
  status: 200,
  errors: ["not_found"],
});

export const listPublicOrgs = /* @__PURE__ */ defineRoute({
  operationId: "listPublicOrgs",
  method: "GET",
  path: "/v1/public/orgs",
  summary: "The public list: each organisation of a district with its record of evaluated projects",
  tags: ["orgs", "public"],
  auth: "public",
  get query() {
    return publicOrgsQuery();
  },
  get response() {
    return z.object({ items: z.array(publicOrg()) });
  },
  status: 200,
  errors: ["not_found"],
});

/** Routes served by the organisation registry's api function. */
export const orgsApiRoutes = [
  createOrg,
  objectToOrg,
  reviewOrg,
  setOrgStatus,
  listOrgs,
  getOrg,
  listPublicOrgs,
] as const;

/** Events the registry's inbox consumes: who applied for a project, and how it was rated. */
export const orgsInboxEventTypes = /* @__PURE__ */ defineInbox([
  "ProposalSubmitted",
  "EvaluationClosed",
]);
