import { createHash } from "node:crypto";
import type { Rules } from "@pencai/config";
import { forbidden, validationFailed } from "@pencai/contracts/errors";
import type { Role } from "@pencai/contracts/roles";
import { visibleText } from "@pencai/contracts/text";
import type { Principal } from "@pencai/runtime/reach";
import { actingRole, isCommunityMember, isOfficialIn } from "./access.js";
import type { NeedRecord, Place } from "./types.js";

export const needRaiserRoles: readonly Role[] = ["resident", "community_staff"];

/**
 * The needs library de-duplicates by title: case, width (NFKC), spaces, punctuation and
 * invisible characters (zero-width spaces and joiners, bidi marks, BOM, fillers) do not make a
 * new need. `电梯 加装!`, `电梯\u200b加装` and `电梯加装` are the same need.
 */
export function normalizeTitle(title: string): string {
  return visibleText(title.normalize("NFKC"))
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\s]+/gu, "");
}

/** Fixed-length key of a normalised title (keys stay short whatever the title). */
export function titleKey(title: string): string {
  return createHash("sha256").update(normalizeTitle(title), "utf8").digest("hex").slice(0, 32);
}

/** A resident of the community, or its staff, raises a need. */
export function raiseNeed(
  body: { communityId: string; title: string; description: string; category?: string },
  ctx: { principal: Principal; place: Place; rules: Rules; id: string; now: Date },
): NeedRecord {
  const p = ctx.principal;
  const role = actingRole(p, needRaiserRoles);
  if (!isCommunityMember(p, role, ctx.place) && !isOfficialIn(p, role, ctx.place)) {
    throw forbidden(`you cannot raise needs in community ${ctx.place.communityId}`);
  }
  // a need only names a known category; eligibility is judged on the proposal
  if (body.category !== undefined && !ctx.rules.categories.some((c) => c.id === body.category)) {
    throw validationFailed("unknown category", [
      { path: "category", message: "not a category of this city" },
    ]);
  }
  return {
    id: ctx.id,
    ...ctx.place,
    title: body.title,
    description: body.description,
    ...(body.category !== undefined && { category: body.category }),
    status: "open",
    endorsements: 0,
    proposalIds: [],
    raisedBy: { sub: p.sub, role },
    createdAt: ctx.now.toISOString(),
  };
}

/** Residents endorse needs of their own community. */
export function checkEndorsement(p: Principal, need: NeedRecord): void {
  if (!isCommunityMember(p, "resident", need)) {
    throw forbidden("only residents of the need's community endorse it");
  }
}
