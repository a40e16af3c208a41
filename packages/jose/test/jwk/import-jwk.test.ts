import { Buffer } from 'node:buffer'
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactSignSync,
  compactVerify,
  exportJWK,
  importJWK,
  importJWKSync,
  type JWK,
  Key,
} from '../../src/index.js'
import { ASYMMETRIC_ALGS, keyPairFor, RFC7515_A1, RFC8037, text } from '../helpers/unit-keys.js'

describe('importJWK', () => {
  it.each(ASYMMETRIC_ALGS)(
    'imports the public and private JWK of a %s key and they work together',
    async (alg) => {
      const pair = await keyPairFor(alg)
      const privateJwk = await exportJWK(pair.privateKey)
      const publicJwk = await exportJWK(pair.publicKey)
      expect(publicJwk.d).toBeUndefined()
      const privateKey = await importJWK(privateJwk, alg)
      const publicKey = await importJWK(publicJwk, alg)
      expect(privateKey).toBeInstanceOf(Key)
      expect(privateKey.type).toBe('private')
      expect(publicKey.type).toBe('public')
      expect(publicKey.kty).toBe(pair.publicKey.kty)
      expect(publicKey.crv).toBe(pair.publicKey.crv)
      const jws = await compactSign('hi', privateKey, { alg })
      await expect(compactVerify(jws, publicKey, { algorithms: [alg] })).resolves.toMatchObject({
        key: publicKey,
      })
    },
  )

  it.each(['X25519', 'X448'] as const)(
    'imports %s public and private JWKs (key agreement keys)',
    async (crv) => {
      const pair = crv === 'X25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448')
      const privateJwk = pair.privateKey.export({ format: 'jwk' }) as JWK
      const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK
      const privateKey = await importJWK(privateJwk)
      const publicKey = await importJWK(publicJwk)
      expect(privateKey).toMatchObject({ type: 'private', kty: 'OKP', crv })
      expect(publicKey).toMatchObject({ type: 'public', kty: 'OKP', crv })
      expect(await exportJWK(publicKey)).toEqual(publicJwk)
    },
  )

  it('imports an oct JWK as a secret', async () => {
    const key = await importJWK(RFC7515_A1.jwk, 'HS256')
    expect(key).toMatchObject({ type: 'secret', kty: 'oct', bits: 512, alg: 'HS256' })
    const { payload } = await compactVerify(RFC7515_A1.jws, key, { algorithms: ['HS256'] })
    expect(text(payload)).toContain('"iss":"joe"')
  })

  it('reproduces the RFC 8037 A.4 Ed25519 signature exactly', async () => {
    const key = await importJWK(RFC8037.jwk, 'EdDSA')
    expect(await compactSign(RFC8037.payload, key, { alg: 'EdDSA' })).toBe(RFC8037.jws)
    const publicKey = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: RFC8037.jwk.x })
    const { payload } = await compactVerify(RFC8037.jws, publicKey, { algorithms: ['EdDSA'] })
    expect(text(payload)).toBe(RFC8037.payload)
  })

  it('keeps kid, use, key_ops and alg from the JWK', async () => {
    const jwk = { ...(await exportJWK((await keyPairFor('ES256')).publicKey)) }
    const key = await importJWK({ ...jwk, kid: 'k', use: 'sig', key_ops: ['verify'] })
    expect(key).toMatchObject({ kid: 'k', use: 'sig', keyOps: ['verify'], alg: 'ES256' })
  })

  it('binds the key to the alg argument when the JWK has none', async () => {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor('PS256')).publicKey)
    expect((await importJWK(jwk)).alg).toBeUndefined()
    expect((await importJWK(jwk, 'PS384')).alg).toBe('PS384')
  })

  it('refuses an alg argument that contradicts the JWK alg', async () => {
    const jwk = await exportJWK((await keyPairFor('RS256')).publicKey)
    await expect(importJWK(jwk, 'RS384')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it.each([
    ['ES256', 'RS256'],
    ['ES384', 'ES256'],
    ['Ed25519', 'Ed448'],
    ['Ed25519', 'ES256'],
  ] as const)('refuses to bind a %s key to %s', async (keyAlg, alg) => {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor(keyAlg)).publicKey)
    await expect(importJWK(jwk, alg)).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('refuses an algorithm it does not implement', async () => {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor('RS256')).publicKey)
    await expect(importJWK(jwk, 'RS1')).rejects.toMatchObject({ code: 'ERR_JOSE_NOT_SUPPORTED' })
  })

  it('refuses RSA keys below 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = publicKey.export({ format: 'jwk' }) as JWK
    await expect(importJWK(jwk)).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
    await expect(importJWK(jwk, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
  })

  it.each([
    ['a non-object', 'not a jwk'],
    ['an array', []],
    ['null', null],
    ['no kty', { crv: 'P-256' }],
    ['a numeric kty', { kty: 1 }],
    ['an unknown kty', { kty: 'DSA' }],
    ['an unknown EC curve', { kty: 'EC', crv: 'P-192', x: 'AA', y: 'AA' }],
    ['an unknown OKP curve', { kty: 'OKP', crv: 'Ed1174', x: 'AA' }],
    ['an oct key without k', { kty: 'oct' }],
    ['a numeric k', { kty: 'oct', k: 12 }],
    ['a padded k', { kty: 'oct', k: `${Buffer.alloc(32, 1).toString('base64url')}=` }],
    ['a bad use', { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), use: 'both' }],
    [
      'unknown key_ops',
      { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), key_ops: ['sign', 'fly'] },
    ],
    [
      'repeated key_ops',
      { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), key_ops: ['sign', 'sign'] },
    ],
    ['a non-array key_ops', { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), key_ops: 'sign' }],
    ['a numeric kid', { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), kid: 7 }],
    ['a numeric alg', { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url'), alg: 256 }],
  ])('refuses a JWK with %s as ERR_JWK_INVALID', async (_what, jwk) => {
    await expect(importJWK(jwk as JWK)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
    expect(() => importJWKSync(jwk as JWK)).toThrow(expect.objectContaining({ code: 'ERR_JWK_INVALID' }))
  })

  it('refuses an RSA modulus with a leading zero byte', async () => {
    const jwk = await exportJWK((await keyPairFor('RS256')).publicKey)
    const n = Buffer.concat([Buffer.alloc(1), Buffer.from(jwk.n as string, 'base64url')]).toString(
      'base64url',
    )
    await expect(importJWK({ ...jwk, n })).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('refuses a private RSA JWK missing its CRT members', async () => {
    const { qi: _qi, ...jwk } = await exportJWK((await keyPairFor('RS256')).privateKey)
    await expect(importJWK(jwk)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('refuses a private RSA JWK whose private members belong to another key', async () => {
    const one = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    }) as JWK
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    }) as JWK
    const mixed = {
      ...one,
      d: other.d,
      p: other.p,
      q: other.q,
      dp: other.dp,
      dq: other.dq,
      qi: other.qi,
    } as JWK
    await expect(importJWK(mixed, 'RS256')).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
    await expect(importJWK(one, 'RS256')).resolves.toBeInstanceOf(Key)
  })

  it('refuses an alg argument that is not a string', async () => {
    await expect(importJWK(RFC7515_A1.jwk, 5 as unknown as string)).rejects.toThrow(TypeError)
  })

  it('importJWKSync returns the same kind of key synchronously', () => {
    const key = importJWKSync(RFC8037.jwk, 'Ed25519')
    expect(key).toMatchObject({ type: 'private', crv: 'Ed25519', alg: 'Ed25519' })
    expect(compactSignSync('x', key, { alg: 'Ed25519' })).toMatch(/^[\w-]+\.eA\.[\w-]{86}$/)
  })
})
