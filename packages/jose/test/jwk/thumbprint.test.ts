import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  calculateJwkThumbprint,
  calculateJwkThumbprintSync,
  calculateJwkThumbprintUri,
  exportJWK,
  importJWK,
  type JWK,
  type ThumbprintDigest,
} from '../../src/index.js'
import { keyPairFor, RFC7515_A1, RFC7638_JWK, RFC8037 } from '../helpers/unit-keys.js'

const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

describe('calculateJwkThumbprint (RFC 7638)', () => {
  it('computes the §3.1 example thumbprint', async () => {
    expect(await calculateJwkThumbprint(RFC7638_JWK)).toBe(RFC7638_THUMBPRINT)
    expect(calculateJwkThumbprintSync(RFC7638_JWK, 'sha256')).toBe(RFC7638_THUMBPRINT)
  })

  it('ignores optional members and member order', async () => {
    const { n, e } = RFC7638_JWK
    expect(await calculateJwkThumbprint({ n, e, kty: 'RSA' })).toBe(RFC7638_THUMBPRINT)
    expect(
      await calculateJwkThumbprint({ e, use: 'sig', kty: 'RSA', key_ops: ['verify'], n, x5t: 'x' }),
    ).toBe(RFC7638_THUMBPRINT)
  })

  it('gives the same thumbprint for a Key as for its JWK', async () => {
    const key = await importJWK(RFC7638_JWK)
    expect(await calculateJwkThumbprint(key)).toBe(RFC7638_THUMBPRINT)
  })

  it('computes the RFC 8037 A.3 Ed25519 thumbprint from the public and the private key', async () => {
    const { d: _d, ...publicJwk } = RFC8037.jwk
    expect(await calculateJwkThumbprint(publicJwk)).toBe(RFC8037.thumbprint)
    expect(await calculateJwkThumbprint(await importJWK(RFC8037.jwk))).toBe(RFC8037.thumbprint)
  })

  it('uses crv, kty, x, y for EC keys and the same value for private and public keys', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const jwk = await exportJWK(publicKey)
    const manual = Buffer.from(
      await crypto.subtle.digest(
        'SHA-256',
        new TextEncoder().encode(`{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`),
      ),
    ).toString('base64url')
    expect(await calculateJwkThumbprint(publicKey)).toBe(manual)
    expect(await calculateJwkThumbprint(privateKey)).toBe(manual)
    expect(await calculateJwkThumbprint(await exportJWK(privateKey))).toBe(manual)
  })

  it('hashes k and kty for oct keys', async () => {
    const manual = Buffer.from(
      await crypto.subtle.digest(
        'SHA-256',
        new TextEncoder().encode(`{"k":"${RFC7515_A1.jwk.k}","kty":"oct"}`),
      ),
    ).toString('base64url')
    expect(await calculateJwkThumbprint(RFC7515_A1.jwk)).toBe(manual)
  })

  it.each([
    ['sha384', 64],
    ['sha512', 86],
  ] as const)('supports %s', async (digest, length) => {
    const thumbprint = await calculateJwkThumbprint(RFC7638_JWK, digest)
    expect(thumbprint).toHaveLength(length)
    expect(thumbprint).not.toBe(RFC7638_THUMBPRINT)
  })

  it('refuses an unknown digest', () => {
    expect(() => calculateJwkThumbprintSync(RFC7638_JWK, 'md5' as ThumbprintDigest)).toThrow(/"digest"/)
  })

  it.each([
    ['a missing required member', { kty: 'RSA', n: RFC7638_JWK.n }],
    ['an empty required member', { kty: 'EC', crv: 'P-256', x: '', y: 'AA' }],
    ['a numeric member', { kty: 'oct', k: 5 }],
    ['an unknown kty', { kty: 'DSA', y: 'AA' }],
    ['no kty', { n: 'AA', e: 'AQAB' }],
  ])('refuses a JWK with %s as ERR_JWK_INVALID', async (_what, jwk) => {
    await expect(calculateJwkThumbprint(jwk as JWK)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })
})

describe('calculateJwkThumbprintUri (RFC 9278)', () => {
  it('computes the RFC 9278 §3 example URI', async () => {
    expect(await calculateJwkThumbprintUri(RFC7638_JWK)).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${RFC7638_THUMBPRINT}`,
    )
  })

  it.each([
    ['sha384', 'sha-384'],
    ['sha512', 'sha-512'],
  ] as const)('names %s as %s', async (digest, name) => {
    const thumbprint = await calculateJwkThumbprint(RFC7638_JWK, digest)
    expect(await calculateJwkThumbprintUri(RFC7638_JWK, digest)).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:${name}:${thumbprint}`,
    )
  })

  it('refuses an invalid JWK', async () => {
    await expect(calculateJwkThumbprintUri({ kty: 'RSA' })).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })
})
