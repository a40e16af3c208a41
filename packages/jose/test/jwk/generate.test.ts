import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { compactSign, compactVerify, exportJWK, generateKeyPair, generateSecret } from '../../src/index.js'
import { ASYMMETRIC_ALGS } from '../helpers/unit-keys.js'

const EXPECTED: Record<string, { kty: string; crv?: string }> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  ES256K: { kty: 'EC', crv: 'secp256k1' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  Ed448: { kty: 'OKP', crv: 'Ed448' },
}

describe('generateKeyPair', () => {
  it.each(ASYMMETRIC_ALGS)(
    'makes a %s key pair bound to its algorithm that signs and verifies',
    async (alg) => {
      const { privateKey, publicKey } = await generateKeyPair(alg)
      const expected = EXPECTED[alg] as { kty: string; crv?: string }
      expect(privateKey.type).toBe('private')
      expect(publicKey.type).toBe('public')
      for (const key of [privateKey, publicKey]) {
        expect(key.kty).toBe(expected.kty)
        expect(key.crv).toBe(expected.crv)
        expect(key.alg).toBe(alg)
      }
      const jws = await compactSign('payload', privateKey, { alg })
      const { payload } = await compactVerify(jws, publicKey, { algorithms: [alg] })
      expect(Buffer.from(payload).toString()).toBe('payload')
    },
  )

  it('makes 2048-bit RSA keys by default and honours a larger modulusLength', async () => {
    const defaults = await generateKeyPair('RS256')
    expect(defaults.publicKey.bits).toBe(2048)
    const larger = await generateKeyPair('PS256', { modulusLength: 3072 })
    expect(larger.privateKey.bits).toBe(3072)
  })

  it.each([1024, 2047, 2050, Number.NaN])('refuses an RSA modulusLength of %s', (modulusLength) => {
    expect(() => generateKeyPair('RS256', { modulusLength })).toThrow(TypeError)
    expect(() => generateKeyPair('RS256', { modulusLength })).toThrow(/"modulusLength"/)
  })

  it('makes polymorphic EdDSA keys on Ed25519 by default and on Ed448 when asked', async () => {
    const ed25519 = await generateKeyPair('EdDSA')
    expect(ed25519.publicKey.crv).toBe('Ed25519')
    expect(ed25519.publicKey.alg).toBe('EdDSA')
    const ed448 = await generateKeyPair('EdDSA', { crv: 'Ed448' })
    expect(ed448.publicKey.crv).toBe('Ed448')
  })

  it.each(['P-256', 'X25519', 'X448'])('makes %s key agreement key pairs for ECDH-ES', async (crv) => {
    const { privateKey, publicKey } = await generateKeyPair('ECDH-ES', { crv })
    expect(privateKey).toMatchObject({ type: 'private', crv, alg: 'ECDH-ES' })
    expect(publicKey).toMatchObject({ type: 'public', crv, kty: crv === 'P-256' ? 'EC' : 'OKP' })
    const jwk = await exportJWK(publicKey)
    expect(jwk).toMatchObject({ crv, alg: 'ECDH-ES' })
    expect(jwk.d).toBeUndefined()
    expect(typeof (await exportJWK(privateKey)).d).toBe('string')
  })

  it('refuses a key agreement curve for EdDSA', () => {
    expect(() => generateKeyPair('EdDSA', { crv: 'X25519' })).toThrow(/"crv"/)
  })

  it('sets the kid on both keys and exports it', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { kid: 'k-1' })
    expect(privateKey.kid).toBe('k-1')
    expect(publicKey.kid).toBe('k-1')
    expect(await exportJWK(publicKey)).toMatchObject({ kid: 'k-1', alg: 'ES256', kty: 'EC', crv: 'P-256' })
  })

  it('sends HMAC algorithms to generateSecret', () => {
    expect(() => generateKeyPair('HS256')).toThrow(TypeError)
    expect(() => generateKeyPair('HS256')).toThrow(/generateSecret/)
  })

  it.each(['none', 'PS1', 'es256'])('refuses unsupported algorithm %s', (alg) => {
    expect(() => generateKeyPair(alg)).toThrow(expect.objectContaining({ code: 'ERR_JOSE_NOT_SUPPORTED' }))
  })

  it('refuses an algorithm that is not a string', () => {
    expect(() => generateKeyPair(256 as unknown as string)).toThrow(/"alg"/)
  })
})

describe('generateSecret', () => {
  it.each([
    ['HS256', 256],
    ['HS384', 384],
    ['HS512', 512],
  ] as const)('makes a %s secret of %i bits bound to the algorithm', async (alg, bits) => {
    const secret = await generateSecret(alg)
    expect(secret.type).toBe('secret')
    expect(secret.kty).toBe('oct')
    expect(secret.bits).toBe(bits)
    expect(secret.alg).toBe(alg)
    const jws = await compactSign('x', secret, { alg })
    await expect(compactVerify(jws, secret, { algorithms: [alg] })).resolves.toBeDefined()
  })

  it('makes a different secret each time', async () => {
    const a = await exportJWK(await generateSecret('HS256'))
    const b = await exportJWK(await generateSecret('HS256'))
    expect(a.k).not.toBe(b.k)
  })

  it('sets the kid', async () => {
    expect((await generateSecret('HS384', { kid: 's-1' })).kid).toBe('s-1')
  })

  it.each(['RS256', 'none', 'HS1'])('refuses %s', async (alg) => {
    await expect(generateSecret(alg)).rejects.toMatchObject({ code: 'ERR_JOSE_NOT_SUPPORTED' })
  })
})
