// Deep imports keep the city schema and presets out of Lambda bundles.
import { currentCity } from "@pencai/config/current";
import { geoIndex } from "@pencai/config/geo";
import { forbidden, unauthenticated } from "@pencai/contracts/errors";
import { isRole, type Role, SUBJECT_PATTERN } from "@pencai/contracts/roles";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { env } from "./clients.js";
import type { Scope } from "./places.js";
import type { Principal } from "./reach.js";

export type { Principal } from "./reach.js";

/**
 * How long a fetched key set is trusted: a key the identity provider removed (rotated out after
 * a leak) stops verifying tokens within this time. Unknown `kid`s refetch at once (rate-limited
 * by jose's cooldown), so a new key is picked up immediately.
 */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** Clock skew tolerated on `exp` and on an `iat` slightly in the future. */
export const CLOCK_SKEW_S = 60;
/** Oldest `iat` accepted: Cognito ID tokens live at most a day. */
const MAX_TOKEN_AGE = "24h";

let keySet: { url: string; get: ReturnType<typeof createRemoteJWKSet> } | undefined;
function jwks() {
  const url = env("JWKS_URL");
  if (keySet?.url !== url) {
    keySet = { url, get: createRemoteJWKSet(new URL(url), { cacheMaxAge: JWKS_MAX_AGE_MS }) };
  }
  return keySet.get;
}

/**
 * Verifies `Authorization: Bearer <JWT>`: an RS256 ID token (`token_use: "id"`) of issuer
 * `JWT_ISSUER` for audience `JWT_AUDIENCE` (`aud`), with `exp`, `iat` (not in the future beyond
 * the skew) and `sub`. Access tokens are refused: they carry groups but none of the
 * jurisdiction claims, so accepting one would widen its holder's reach. No header -> `null`;
 * anything wrong -> 401.
 */
export async function verifyBearer(authorization: string | undefined): Promise<Principal | null> {
  if (authorization === undefined || authorization === "") return null;
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/.exec(authorization.trim());
  if (!match) throw unauthenticated("expected 'Authorization: Bearer <token>'");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1]!, jwks(), {
      issuer: env("JWT_ISSUER"),
      audience: env("JWT_AUDIENCE"),
      algorithms: ["RS256"],
      requiredClaims: ["exp", "iat", "sub", "token_use"],
      maxTokenAge: MAX_TOKEN_AGE,
      clockTolerance: CLOCK_SKEW_S,
    }));
  } catch (err) {
    // A bad token is the caller's problem (401); an unreachable key set is ours (500).
    if (err instanceof errors.JOSEError && !serverSide.has(err.code)) {
      throw unauthenticated("invalid or expired token").because(err);
    }
    throw err;
  }
  if (payload.token_use !== "id") throw unauthenticated("only ID tokens are accepted");
  return principalOf(payload);
}

const serverSide = new Set(["ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID"]);

const placeClaims = ["districtId", "streetId", "communityId"] as const;
const memberClaims = ["householdId", "orgId"] as const;

/**
 * Maps verified claims to a principal, strictly: roles come from `roles` and/or Cognito's
 * `cognito:groups`, each an array of strings (a string is refused, not split), and when both
 * are given they must agree; every other claim may come plain or as Cognito's `custom:` form,
 * and when both are given they must agree. `cityWide` is `true` or Cognito's string `"true"`,
 * and never comes with a place claim. Group names that are not roles are ignored.
 */
export function principalOf(claims: Record<string, unknown>): Principal {
  const sub = claims.sub;
  if (typeof sub !== "string" || !SUBJECT_PATTERN.test(sub)) {
    throw unauthenticated("token subject is not a user id");
  }
  const p: Principal = { sub, roles: rolesOf(claims) };
  for (const name of [...placeClaims, ...memberClaims]) {
    const value = claimOf(claims, name, (v) => typeof v === "string" && v !== "" && v.length <= 64);
    if (value !== undefined) p[name] = value as string;
  }
  const cityWide = claimOf(
    claims,
    "cityWide",
    (v) => v === true || v === "true" || v === false || v === "false",
  );
  if (cityWide === true || cityWide === "true") {
    if (placeClaims.some((c) => p[c] !== undefined)) {
      throw unauthenticated("a city-wide token names no district, street or community");
    }
    p.cityWide = true;
  }
  return withDerivedScope(p);
}

function rolesOf(claims: Record<string, unknown>): Role[] {
  const lists = (["roles", "cognito:groups"] as const).flatMap((name) => {
    const v = claims[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((r) => typeof r === "string")) {
      throw unauthenticated(`token claim ${name} must be a list of names`);
    }
    return [new Set(v as string[])];
  });
  const [first, second] = lists;
  if (first && second && (first.size !== second.size || [...first].some((r) => !second.has(r)))) {
    throw unauthenticated("token claims roles and cognito:groups disagree");
  }
  return [...(first ?? [])].filter(isRole);
}

/** One claim given plain or as `custom:<name>`; both forms must agree; a bad value is a 401. */
function claimOf(
  claims: Record<string, unknown>,
  name: string,
  valid: (v: unknown) => boolean,
): unknown {
  const forms = [claims[name], claims[`custom:${name}`]].filter((v) => v !== undefined);
  for (const v of forms) if (!valid(v)) throw unauthenticated(`token claim ${name} is malformed`);
  if (forms.length === 2 && String(forms[0]) !== String(forms[1])) {
    throw unauthenticated(`token claim ${name} is given twice with different values`);
  }
  return forms[0];
}

// Narrower claims imply the wider ones; a contradiction means a broken token, not a wider right.
function withDerivedScope(p: Principal): Principal {
  const geo = geoIndex(currentCity());
  let derived: Scope | undefined;
  if (p.communityId) {
    derived = geo.scopeOfCommunity(p.communityId);
    if (!derived) throw unauthenticated(`token names community ${p.communityId}, not of this city`);
  } else if (p.streetId) {
    derived = geo.scopeOfStreet(p.streetId);
    if (!derived) throw unauthenticated(`token names street ${p.streetId}, not of this city`);
  } else if (p.districtId) {
    if (!geo.districtById(p.districtId)) {
      throw unauthenticated(`token names district ${p.districtId}, not of this city`);
    }
    return p;
  }
  if (!derived) return p;
  for (const [k, v] of Object.entries(derived) as [keyof Scope, string][]) {
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
