import { createJWTVerifier, isJOSEError, JOSEError, type JWTPayload, type JWTVerifier } from '@tessera/jose'
import type { AuthorityContext } from '../authority-context.js'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'

const CACHE_LIMIT = 10_000

/**
 * Verifies this authority's own access tokens for introspection and revocation: signature under a
 * published key (a revoked or removed key resolves to nothing), `typ: at+jwt`, `iss`, `exp` on the
 * authority's clock. Returns undefined for any token that is not a valid one of ours.
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
