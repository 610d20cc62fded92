import * as z from "zod/mini";

/**
 * Data of the domain events the organisation registry (services/orgs) emits. An organisation is
 * public (its name, track, status and services are on the public list); the staff who registered
 * it and the residents who objected never appear here. `seq` counts the organisation's changes:
 * a consumer keeps the state of the highest `seq` it has seen, so events may arrive in any order.
 */

const text = /* @__PURE__ */ z.string().check(z.minLength(1));
const time = /* @__PURE__ */ z.iso.datetime({ offset: true });
const seq = /* @__PURE__ */ z.int().check(z.minimum(1));

export const orgTracks = ["registered", "filed"] as const;
export type OrgTrack = (typeof orgTracks)[number];
/** in_notice -> active | refused; active <-> suspended; active | suspended -> exited (final) */
export const orgStatuses = ["in_notice", "active", "refused", "suspended", "exited"] as const;
export type OrgStatus = (typeof orgStatuses)[number];

const orgState = {
  orgId: text,
  districtId: text,
  streetId: z.optional(text),
  communityId: z.optional(text),
  name: text,
  track: z.enum(orgTracks),
  status: z.enum(orgStatuses),
  /** categories of service the organisation offers */
  services: z.array(text),
  seq,
};

/** A new organisation entered the public notice (公示). */
export const orgRegisteredDataSchema = /* @__PURE__ */ (() =>
  z.object({ ...orgState, noticeEndsAt: time, registeredAt: time }))();
export type OrgRegisteredData = z.infer<typeof orgRegisteredDataSchema>;

/** The district admitted or refused it after the notice, suspended, restored or exited it. */
export const orgStatusChangedDataSchema = /* @__PURE__ */ (() =>
  z.object({
    ...orgState,
    previousStatus: z.enum(orgStatuses),
    reason: z.optional(text),
    changedAt: time,
  }))();
export type OrgStatusChangedData = z.infer<typeof orgStatusChangedDataSchema>;

/** Data schema of each event the registry emits, by type. */
export const orgsEventDataSchemas = {
  OrgRegistered: orgRegisteredDataSchema,
  OrgStatusChanged: orgStatusChangedDataSchema,
} as const;
