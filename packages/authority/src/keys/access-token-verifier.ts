import { createJWTVerifier, isJOSEError, JOSEError, type JWTPayload, type JWTVerifier } from '@tessera/jose'
import type { AuthorityContext } from '../authority-context.js'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { encryptedTokenHash } from '../encryption/protect-access-token.js'

const CACHE_LIMIT = 10_000
/** Longer than any token this authority encrypts; a longer one is not ours, and is not hashed. */
const MAX_ENCRYPTED_LENGTH = 16 * 1024

/** A compact JWE has five parts (four dots); a JWS three. */
function isCompactJWE(token: string): boolean {
  return token.split('.', 6).length === 5
}

/**
 * An encrypted access token (issued to a resource with an encryption key) cannot be decrypted here;
 * its claims were kept by hash when it was issued. Expiry and the signing key's status are checked
 * as for a signed token.
 */
async function lookUpEncrypted(ctx: AuthorityContext, token: string) {
  const record = await ctx.storage.findEncryptedToken(encryptedTokenHash(token), ctx.clock.now())
  if (!record || ctx.keys.ring.verificationKey(record.kid) === undefined) return undefined
  const payload = JSON.parse(record.claims) as JWTPayload
  if (typeof payload.exp !== 'number' || payload.exp <= ctx.clock.now() / 1000) return undefined
  return { payload, kid: record.kid }
}

/**
 * Verifies this authority's own access tokens for introspection and revocation: signature under a
 * published key (a revoked or removed key resolves to nothing), `typ: at+jwt`, `iss`, `exp` on the
 * authority's clock — or, for an encrypted one, its record from issuance. Returns undefined for any
 * token that is not a valid one of ours.
 */
export function createAccessTokenVerifier(
  ctx: AuthorityContext,
): (token: string) => Promise<JWTPayload | undefined> {
  const verify: JWTVerifier = createJWTVerifier({
    key: (header) => {
      const key = ctx.keys.ring.verificationKey(header.kid)
      if (!key) throw new JOSEError('ERR_JOSE_KEY_RESOLUTION_FAILED', 'unknown or revoked kid')
      return key
    },
    // Each published key is bound to its own algorithm on import, so the list cannot be abused.
    algorithms: ALLOWED_ALGORITHMS,
    issuer: ctx.config.issuer,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'jti', 'client_id'],
    ...(ctx.clock.date ? { currentDate: ctx.clock.date } : {}),
  })
  // Resource servers introspect the same token on every call they receive. A token that verified
  // once is the same bytes next time: only the time and its key's status can change, and both are
  // checked on every hit. Bounded, and cleared when full rather than tracking recency.
  const verified = new Map<string, { payload: JWTPayload; kid: string }>()
  return async (token) => {
    const hit = verified.get(token)
    if (hit !== undefined) {
      const live =
        (hit.payload.exp as number) > ctx.clock.now() / 1000 &&
        ctx.keys.ring.verificationKey(hit.kid) !== undefined
      if (live) return hit.payload
      verified.delete(token)
      return undefined
    }
    if (isCompactJWE(token)) {
      const found = token.length <= MAX_ENCRYPTED_LENGTH ? await lookUpEncrypted(ctx, token) : undefined
      if (found === undefined) return undefined
      if (verified.size >= CACHE_LIMIT) verified.clear()
      verified.set(token, found)
      return found.payload
    }
    try {
      const { payload, protectedHeader } = await verify(token)
      if (verified.size >= CACHE_LIMIT) verified.clear()
      verified.set(token, { payload, kid: protectedHeader.kid as string })
      return payload
    } catch (error) {
      if (isJOSEError(error)) return undefined
      throw error
    }
  }
}
