import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { compactSignSync, compactVerify, compactVerifySync } from '../../src/index.js'

/*
 * Secrets passed as bytes were cached by the identity of the Uint8Array. A buffer reused for another
 * secret (a per-tenant resolver filling one buffer, a pool) kept verifying with the first secret it
 * ever held: tokens made with tenant A's secret passed where tenant B's was meant, and B's own tokens
 * failed. The cache now also remembers the bytes it was made from and rebuilds the key when they change.
 */
describe('a secret Uint8Array changed in place', () => {
  const secretA = Buffer.alloc(32, 0x41)
  const secretB = Buffer.alloc(32, 0x42)
  const tokenA = compactSignSync('a', secretA, { alg: 'HS256' })
  const tokenB = compactSignSync('b', secretB, { alg: 'HS256' })

  it('verifies with the bytes it holds now, not those it held first', async () => {
    const shared = Buffer.from(secretA)
    await expect(compactVerify(tokenA, shared, { algorithms: ['HS256'] })).resolves.toBeDefined()
    shared.set(secretB)
    await expect(compactVerify(tokenA, shared, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    await expect(compactVerify(tokenB, shared, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it('the same holds for the synchronous path and for a resolver returning one buffer', () => {
    const shared = Buffer.from(secretA)
    const resolver = () => shared
    expect(compactVerifySync(tokenA, resolver, { algorithms: ['HS256'] }).payload).toBeDefined()
    shared.set(secretB)
    expect(() => compactVerifySync(tokenA, resolver, { algorithms: ['HS256'] })).toThrow(
      expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_INVALID' }),
    )
  })

  it('bytes overwritten with key material after first use are refused, not served from the cache', () => {
    const shared = Buffer.alloc(64, 0x41)
    compactSignSync('x', shared, { alg: 'HS256' })
    shared.set(Buffer.from('-----BEGIN PUBLIC KEY-----\nMFkw'))
    expect(() => compactSignSync('x', shared, { alg: 'HS256' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ASYMMETRIC_AS_SECRET' }),
    )
  })
})
