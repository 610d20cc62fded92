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
  /**
   * Sign `claims`; `nowMs` is the local clock (tokens stay valid across `/dev/clock` moves).
   * `opts` make the tokens tests need to see refused: an access token, another audience or
   * issuer, and `raw` claims signed exactly as given (`exp: null` / `iat: null` leave them out).
   */
  sign(
    claims: Record<string, unknown> & { sub: string },
    nowMs?: number,
    opts?: SignOptions,
  ): Promise<string>;
  /** Verified payload, or undefined for a bad token. */
  verify(token: string): Promise<JWTPayload | undefined>;
}

const TOKEN_LIFETIME_S = 12 * 3600;

export interface SignOptions {
  tokenUse?: "id" | "access";
  audience?: string;
  issuer?: string;
  raw?: Record<string, unknown>;
}

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
    async sign(claims, nowMs = Date.now(), extra = {}) {
      // Valid both for verifiers using the real clock and for those using the shifted one.
      const real = Math.floor(Date.now() / 1000);
      const shifted = Math.floor(nowMs / 1000);
      const { sub, ...rest } = claims;
      const { exp, iat, sub: rawSub, ...raw } = extra.raw ?? {};
      // an ID token, like the Cognito ones handlers accept (they refuse access tokens)
      let jwt = new SignJWT({ token_use: extra.tokenUse ?? "id", ...rest, ...raw })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setSubject(typeof rawSub === "string" ? rawSub : sub)
        .setIssuer(extra.issuer ?? opts.issuer)
        .setAudience(extra.audience ?? opts.audience)
        .setJti(randomUUID());
      if (iat !== null)
        jwt = jwt.setIssuedAt(typeof iat === "number" ? iat : Math.min(real, shifted));
      if (exp !== null) {
        jwt = jwt.setExpirationTime(
          typeof exp === "number" ? exp : Math.max(real, shifted) + TOKEN_LIFETIME_S,
        );
      }
      return jwt.sign(privateKey);
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
