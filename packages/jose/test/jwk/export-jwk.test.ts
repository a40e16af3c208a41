import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  exportJWK,
  exportJWKSync,
  importJWK,
  importKeyObject,
  importSecret,
  type JWK,
} from '../../src/index.js'
import { ASYMMETRIC_ALGS, keyPairFor, okpAgreementKey, RFC7515_A1, RFC8037 } from '../helpers/unit-keys.js'

const PRIVATE_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['d'],
  OKP: ['d'],
}

describe('exportJWK', () => {
  it.each(ASYMMETRIC_ALGS)(
    'exports the private and public %s JWK with exactly the right members',
    async (alg) => {
      const { privateKey, publicKey } = await keyPairFor(alg)
      const privateJwk = await exportJWK(privateKey)
      const publicJwk = await exportJWK(publicKey)
      const secretMembers = PRIVATE_MEMBERS[publicKey.kty] as readonly string[]
      for (const name of secretMembers) {
        expect(typeof privateJwk[name]).toBe('string')
        expect(publicJwk).not.toHaveProperty(name)
      }
      expect(publicJwk.kty).toBe(publicKey.kty)
      if (publicKey.crv !== undefined) expect(publicJwk.crv).toBe(publicKey.crv)
      expect(publicJwk.alg).toBe(alg)
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = privateJwk
      expect(publicPart).toEqual(publicJwk)
    },
  )

  it('exports only the public members of a private key with publicOnly', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES384')
    expect(await exportJWK(privateKey, { publicOnly: true })).toEqual(await exportJWK(publicKey))
  })

  it('refuses publicOnly for a secret', () => {
    expect(() => exportJWKSync(importSecret(Buffer.alloc(32, 3), 'HS256'), { publicOnly: true })).toThrow(
      TypeError,
    )
  })

  it('exports a secret as an oct JWK with its k', async () => {
    const key = await importJWK(RFC7515_A1.jwk, 'HS256')
    expect(await exportJWK(key)).toEqual({ ...RFC7515_A1.jwk, alg: 'HS256' })
  })

  it('round-trips the RFC 8037 Ed25519 key exactly', async () => {
    expect(await exportJWK(await importJWK(RFC8037.jwk))).toEqual(RFC8037.jwk)
  })

  it('exports kid, alg, use and key_ops from the key binding', async () => {
    const jwk: JWK = { ...RFC7515_A1.jwk, kid: 'k1', alg: 'HS512', use: 'sig', key_ops: ['sign', 'verify'] }
    expect(await exportJWK(await importJWK(jwk))).toEqual(jwk)
    const secret = importSecret(Buffer.alloc(48, 1), 'HS384', { kid: 'k2', use: 'sig', keyOps: ['verify'] })
    expect(exportJWKSync(secret)).toMatchObject({ kid: 'k2', alg: 'HS384', use: 'sig', key_ops: ['verify'] })
  })

  it.each(['X25519', 'X448'] as const)('exports %s keys', async (crv) => {
    const pair = okpAgreementKey(crv)
    const privateJwk = await exportJWK(importKeyObject(pair.privateKey))
    const publicJwk = await exportJWK(importKeyObject(pair.publicKey))
    expect(privateJwk).toMatchObject({ kty: 'OKP', crv, d: expect.any(String), x: publicJwk.x })
    expect(publicJwk).toEqual({ kty: 'OKP', crv, x: expect.any(String) })
    expect(Buffer.from(publicJwk.x as string, 'base64url')).toHaveLength(crv === 'X25519' ? 32 : 56)
  })

  it('exportJWKSync gives the same result as exportJWK', async () => {
    const { privateKey } = await keyPairFor('ES256K')
    expect(exportJWKSync(privateKey)).toEqual(await exportJWK(privateKey))
  })

  it('refuses something that is not a key', () => {
    expect(() => exportJWKSync({} as never)).toThrow(TypeError)
  })
})
