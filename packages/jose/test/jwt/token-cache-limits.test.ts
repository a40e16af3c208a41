import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { createJWTVerifier, importSecret, JOSEError, signJWTSync } from '../../src/index.js'
import { resolveClaimsOptions } from '../../src/jwt/internal/claims.js'
import { VerifiedTokenCache } from '../../src/jwt/internal/token-cache.js'

/*
 * With negative caching on, every failed token was remembered keyed by its full text, including
 * tokens refused only for being too large. An attacker could pin maxEntries × (any size) bytes:
 * a thousand 1 MB strings is a gigabyte held for negativeTtlMs. Oversized tokens are never cached,
 * so every cached key is at most maxTokenLength characters.
 */
const claims = resolveClaimsOptions({})

describe('negative token cache and oversized tokens', () => {
  it('does not remember a failure for a token refused as too large', () => {
    const cache = new VerifiedTokenCache({ negativeTtlMs: 60_000, maxEntries: 10 }, claims, undefined)
    const huge = 'x'.repeat(2_000_000)
    cache.rememberFailure(huge, new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE'))
    expect(cache.size).toBe(0)
    expect(cache.lookup(huge)).toBeUndefined()
  })

  it('still remembers an ordinary permanent failure', () => {
    const cache = new VerifiedTokenCache({ negativeTtlMs: 60_000, maxEntries: 10 }, claims, undefined)
    cache.rememberFailure('a.b.c', new JOSEError('ERR_JWS_SIGNATURE_INVALID'))
    expect(cache.size).toBe(1)
    expect(() => cache.lookup('a.b.c')).toThrow(
      expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_INVALID' }),
    )
  })

  it('a verifier with negative caching keeps refusing oversized tokens with the exact code', async () => {
    const key = importSecret(Buffer.alloc(32, 0x61), 'HS256')
    const verify = createJWTVerifier({
      key,
      algorithms: ['HS256'],
      tokenCache: { negativeTtlMs: 60_000 },
    })
    const huge = `${signJWTSync({}, key, { alg: 'HS256', expiresIn: 60 })}${'A'.repeat(20_000)}`
    for (let i = 0; i < 2; i++) {
      expect(() => verify.sync(huge)).toThrow(expect.objectContaining({ code: 'ERR_JOSE_TOKEN_TOO_LARGE' }))
      await expect(verify(huge)).rejects.toMatchObject({ code: 'ERR_JOSE_TOKEN_TOO_LARGE' })
    }
  })
})
