// Deep imports keep the city schema and presets out of Lambda bundles.
import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import { isRole, type Role } from "@pencai/contracts/roles";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { env } from "./clients.js";
import { forbidden, notFound, unauthenticated } from "./errors.js";

/** The caller, from a verified token. Wider jurisdiction claims are derived from narrower ones. */
export interface Principal {
  sub: string;
  roles: Role[];
  districtId?: string;
  streetId?: string;
  communityId?: string;
  householdId?: string;
  orgId?: string;
}

// One remote key set per container: jose fetches the JWKS once and keeps it (no age limit),
// refetching only for an unknown `kid` (key rotation), so verifying costs no network round trip.
let keySet: { url: string; get: ReturnType<typeof createRemoteJWKSet> } | undefined;
function jwks() {
  const url = env("JWKS_URL");
  if (keySet?.url !== url) {
    keySet = {
      url,
      get: createRemoteJWKSet(new URL(url), { cacheMaxAge: Number.POSITIVE_INFINITY }),
    };
  }
  return keySet.get;
}

/**
 * Verifies `Authorization: Bearer <JWT>` (RS256, issuer `JWT_ISSUER`, audience `JWT_AUDIENCE`
 * as `aud` or Cognito's `client_id`). No header -> `null`; anything wrong -> 401.
 */
export async function verifyBearer(authorization: string | undefined): Promise<Principal | null> {
  if (authorization === undefined || authorization === "") return null;
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/.exec(authorization.trim());
  if (!match) throw unauthenticated("expected 'Authorization: Bearer <token>'");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1]!, jwks(), {
      issuer: env("JWT_ISSUER"),
      algorithms: ["RS256"],
    }));
  } catch (err) {
    // A bad token is the caller's problem (401); an unreachable key set is ours (500).
    if (err instanceof errors.JOSEError && !serverSide.has(err.code)) {
      throw unauthenticated("invalid or expired token");
    }
    throw err;
  }
  const audience = env("JWT_AUDIENCE");
  const aud = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
  if (!aud.includes(audience) && payload.client_id !== audience) {
    throw unauthenticated("token audience does not match");
  }
  return principalOf(payload);
}

const serverSide = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID"]);

const jurisdictionClaims = [
  "districtId",
  "streetId",
  "communityId",
  "householdId",
  "orgId",
] as const;

/** Maps verified claims to a principal: `roles` and/or `cognito:groups`, claims with or without `custom:`. */
export function principalOf(claims: Record<string, unknown>): Principal {
  if (typeof claims.sub !== "string" || claims.sub === "")
    throw unauthenticated("token has no subject");
  const granted = new Set<Role>();
  for (const source of [claims.roles, claims["cognito:groups"]]) {
    const list = typeof source === "string" ? source.split(/[\s,]+/) : source;
    if (Array.isArray(list)) for (const r of list) if (isRole(r)) granted.add(r);
  }
  const p: Principal = { sub: claims.sub, roles: [...granted] };
  for (const name of jurisdictionClaims) {
    const value = claims[name] ?? claims[`custom:${name}`];
    if (typeof value === "string" && value !== "") p[name] = value;
  }
  return withDerivedScope(p);
}

// Narrower claims imply the wider ones; a contradiction means a broken token, not a wider right.
function withDerivedScope(p: Principal): Principal {
  const geo = geoIndex(currentCity());
  const derived = p.communityId
    ? geo.scopeOfCommunity(p.communityId)
    : p.streetId
      ? geo.scopeOfStreet(p.streetId)
      : undefined;
  if (!derived) return p;
  for (const [k, v] of Object.entries(derived) as [keyof Principal, string][]) {
    if (p[k] !== undefined && p[k] !== v)
      throw unauthenticated(`token claim ${k} contradicts its narrower claims`);
  }
  return { ...p, ...derived };
}

/** 401 without a principal, 403 without one of the allowed roles; public routes always pass. */
export function requireRoles(p: Principal | null, allowed: "public" | readonly Role[]): void {
  if (allowed === "public") return;
  if (!p) throw unauthenticated();
  if (!p.roles.some((r) => allowed.includes(r)))
    throw forbidden(`requires one of: ${allowed.join(", ")}`);
}

/** Where something lives (a community's scope has all three; a street's or district's fewer). */
export interface Scope {
  districtId: string;
  streetId?: string;
  communityId?: string;
}

export function scopeOfCommunity(communityId: string): Scope {
  const scope = geoIndex(currentCity()).scopeOfCommunity(communityId);
  if (!scope) throw notFound(`community ${communityId}`);
  return scope;
}

export function scopeOfStreet(streetId: string): Scope {
  const scope = geoIndex(currentCity()).scopeOfStreet(streetId);
  if (!scope) throw notFound(`street ${streetId}`);
  return scope;
}

export function scopeOfDistrict(districtId: string): Scope {
  if (!geoIndex(currentCity()).districtById(districtId)) throw notFound(`district ${districtId}`);
  return { districtId };
}

/** Roles that act city-wide when their token carries no jurisdiction claim. */
const cityWideRoles: readonly Role[] = ["admin", "analyst"];

/**
 * Whether the principal may act on the target. A community claim covers that community only;
 * a street claim, every community of the street; a district claim, the whole district. A
 * principal without any jurisdiction claim acts nowhere, unless it is city-wide (admin, analyst).
 */
export function inJurisdiction(p: Principal, target: Scope): boolean {
  if (p.communityId) return target.communityId === p.communityId;
  if (p.streetId) return target.streetId === p.streetId;
  if (p.districtId) return target.districtId === p.districtId;
  return p.roles.some((r) => cityWideRoles.includes(r));
}

export function requireJurisdiction(p: Principal, target: Scope): void {
  if (!inJurisdiction(p, target)) throw forbidden("outside your jurisdiction");
}
