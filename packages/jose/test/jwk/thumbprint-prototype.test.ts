import { describe, expect, it } from 'vitest'
import {
  calculateJwkThumbprint,
  calculateJwkThumbprintSync,
  calculateJwkThumbprintUri,
} from '../../src/index.js'

/*
 * Thumbprints are computed over JWKs that clients send (DPoP `jwk` headers, registered client JWK
 * sets). The key type was looked up in an object literal, so `"kty": "__proto__"`, `"constructor"` or
 * `"toString"` found Object.prototype's members and the call died with an uncoded TypeError ("required
 * is not iterable") instead of ERR_JWK_INVALID: a server branching on codes answered 500, not 400.
 */
describe('thumbprints of JWKs whose kty names an Object.prototype member', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'kty %j is ERR_JWK_INVALID',
    async (kty) => {
      const jwk = { kty, crv: 'P-256', x: 'AAAA', y: 'AAAA' }
      expect(() => calculateJwkThumbprintSync(jwk)).toThrow(
        expect.objectContaining({ code: 'ERR_JWK_INVALID' }),
      )
      await expect(calculateJwkThumbprint(jwk)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
    },
  )

  it('a digest naming an Object.prototype member is a TypeError naming the option', async () => {
    const jwk = { kty: 'oct', k: 'c2VjcmV0' }
    expect(() => calculateJwkThumbprintSync(jwk, 'constructor' as never)).toThrow(/"digest"/)
    await expect(calculateJwkThumbprintUri(jwk, 'toString' as never)).rejects.toThrow(/"digest"/)
  })
})
