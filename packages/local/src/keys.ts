/**
 * The local token issuer: an RS256 key generated at start, served as a JWKS at
 * `/.well-known/jwks.json`; `/dev/token` signs with it. Handlers verify these tokens
 * through the same jose code path they use against Cognito in AWS.
 */
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";

export interface LocalIssuer {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  /** Sign `claims`; `nowMs` is the local clock (tokens stay valid across `/dev/clock` moves). */
  sign(claims: Record<string, unknown> & { sub: string }, nowMs?: number): Promise<string>;
  /** Verified payload, or undefined for a bad token. */
  verify(token: string): Promise<JWTPayload | undefined>;
}

const TOKEN_LIFETIME_S = 12 * 3600;

export async function createLocalIssuer(opts: {
  issuer: string;
  audience: string;
}): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `local-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return {
    issuer: opts.issuer,
    audience: opts.audience,
    jwks: { keys: [jwk] },
    async sign(claims, nowMs = Date.now()) {
      // Valid both for verifiers using the real clock and for those using the shifted one.
      const real = Math.floor(Date.now() / 1000);
      const shifted = Math.floor(nowMs / 1000);
      const { sub, ...rest } = claims;
      // an ID token, like the Cognito ones handlers accept (they refuse access tokens)
      return new SignJWT({ token_use: "id", ...rest })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setSubject(sub)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setIssuedAt(Math.min(real, shifted))
        .setExpirationTime(Math.max(real, shifted) + TOKEN_LIFETIME_S)
        .setJti(randomUUID())
        .sign(privateKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: opts.issuer,
          audience: opts.audience,
        });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
