/**
 * RFC 7520 §3: the cookbook's keys, loaded from ../shared/vectors/rfc7520/jwk. Each one imports, keeps
 * its `kid` and `use`, exports back to the same JWK, and does what its `use` says and nothing else.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { compactSign, compactVerify, exportJWK, importJWK, importJWKSync, type JWK } from '../../src/index.js'
import { loadJWK, publicJWK, utf8 } from '../helpers/vectors.js'

const ecPublic = loadJWK('jwk/3_1.ec_public_key.json')
const ecPrivate = loadJWK('jwk/3_2.ec_private_key.json')
const rsaPublic = loadJWK('jwk/3_3.rsa_public_key.json')
const rsaPrivate = loadJWK('jwk/3_4.rsa_private_key.json')
const macKey = loadJWK('jwk/3_5.symmetric_key_mac_computation.json')
const encKey = loadJWK('jwk/3_6.symmetric_key_encryption.json')

const PAYLOAD = 'RFC 7520 §3 key check'

describe('RFC 7520 §3.1 EC public key', () => {
  it('imports as a P-521 public key carrying its kid and use', async () => {
    const key = await importJWK(ecPublic)
    expect(key).toMatchObject({
      type: 'public',
      kty: 'EC',
      crv: 'P-521',
      kid: 'bilbo.baggins@hobbiton.example',
      use: 'sig',
      alg: undefined,
    })
  })

  it('exports back to exactly the example JWK', async () => {
    expect(await exportJWK(await importJWK(ecPublic))).toEqual(ecPublic)
  })

  it('fits ES512 only: another ECDSA algorithm is refused at import', async () => {
    await expect(importJWK(ecPublic, 'ES512')).resolves.toMatchObject({ alg: 'ES512' })
    await expect(importJWK(ecPublic, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    await expect(importJWK(ecPublic, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('cannot sign: it has no private part', async () => {
    const key = await importJWK(ecPublic)
    await expect(compactSign(PAYLOAD, key, { alg: 'ES512' })).rejects.toThrow(TypeError)
  })

  it('refuses a copy whose x coordinate was changed (the point leaves the curve)', () => {
    const x = ecPublic.x as string
    const moved = { ...ecPublic, x: `${x.slice(0, -2)}${x.endsWith('AA') ? 'AB' : 'AA'}` }
    expect(() => importJWKSync(moved)).toThrow(expect.objectContaining({ code: 'ERR_JWK_INVALID' }))
  })
})

describe('RFC 7520 §3.2 EC private key', () => {
  it('imports as a P-521 private key carrying its kid and use', async () => {
    const key = await importJWK(ecPrivate)
    expect(key).toMatchObject({
      type: 'private',
      kty: 'EC',
      crv: 'P-521',
      kid: 'bilbo.baggins@hobbiton.example',
    })
  })

  it('exports back to exactly the example JWK, and its public part to exactly §3.1', async () => {
    const key = await importJWK(ecPrivate)
    expect(await exportJWK(key)).toEqual(ecPrivate)
    expect(await exportJWK(key, { publicOnly: true })).toEqual(ecPublic)
    expect(publicJWK(ecPrivate)).toEqual(ecPublic)
  })

  it('signs ES512 that the §3.1 public key verifies', async () => {
    const jws = await compactSign(PAYLOAD, await importJWK(ecPrivate), { alg: 'ES512' })
    const { payload } = await compactVerify(jws, await importJWK(ecPublic), { algorithms: ['ES512'] })
    expect(utf8(payload)).toBe(PAYLOAD)
  })
})

describe('RFC 7520 §3.3 RSA public key', () => {
  it('imports as a 2048-bit RSA public key carrying its kid and use', async () => {
    const key = await importJWK(rsaPublic)
    expect(key).toMatchObject({
      type: 'public',
      kty: 'RSA',
      bits: 2048,
      kid: 'bilbo.baggins@hobbiton.example',
      use: 'sig',
    })
  })

  it('exports back to exactly the example JWK', async () => {
    expect(await exportJWK(await importJWK(rsaPublic))).toEqual(rsaPublic)
  })

  it('fits the RS and PS families, not ECDSA or HMAC', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
      await expect(importJWK(rsaPublic, alg)).resolves.toMatchObject({ alg })
    }
    await expect(importJWK(rsaPublic, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    await expect(importJWK(rsaPublic, 'HS256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('refuses the same modulus cut below 2048 bits with ERR_KEY_TOO_SHORT', async () => {
    const n = Buffer.from(rsaPublic.n as string, 'base64url')
    const short = { ...rsaPublic, n: n.subarray(0, 255).toString('base64url') }
    await expect(importJWK(short)).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
  })
})

describe('RFC 7520 §3.4 RSA private key', () => {
  it('imports as a 2048-bit RSA private key carrying its kid and use', async () => {
    const key = await importJWK(rsaPrivate)
    expect(key).toMatchObject({
      type: 'private',
      kty: 'RSA',
      bits: 2048,
      kid: 'bilbo.baggins@hobbiton.example',
    })
  })

  it('exports back to exactly the example JWK, and its public part to exactly §3.3', async () => {
    const key = await importJWK(rsaPrivate)
    expect(await exportJWK(key)).toEqual(rsaPrivate)
    expect(await exportJWK(key, { publicOnly: true })).toEqual(rsaPublic)
  })

  it('signs PS256 that the §3.3 public key verifies, and RS256 that it refuses under another key', async () => {
    const privateKey = await importJWK(rsaPrivate)
    const publicKey = await importJWK(rsaPublic)
    const jws = await compactSign(PAYLOAD, privateKey, { alg: 'PS256' })
    await expect(compactVerify(jws, publicKey, { algorithms: ['PS256'] })).resolves.toMatchObject({
      protectedHeader: { alg: 'PS256' },
    })
    const otherKey = await importJWK(ecPublic)
    const rs = await compactSign(PAYLOAD, privateKey, { alg: 'RS256' })
    await expect(compactVerify(rs, otherKey, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})

describe('RFC 7520 §3.5 symmetric key (MAC computation)', () => {
  it('imports as a 256-bit secret bound to HS256 for signatures', async () => {
    const key = await importJWK(macKey)
    expect(key).toMatchObject({
      type: 'secret',
      kty: 'oct',
      bits: 256,
      alg: 'HS256',
      use: 'sig',
      kid: '018c0ae5-4d9b-471b-bfd6-eef314bc7037',
    })
  })

  it('exports back to exactly the example JWK', async () => {
    expect(await exportJWK(await importJWK(macKey))).toEqual(macKey)
  })

  it('is bound by its "alg" (HS512 is refused at import) and too short for HS384', async () => {
    await expect(importJWK(macKey, 'HS512')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    const key = await importJWK(macKey)
    await expect(compactSign(PAYLOAD, key, { alg: 'HS384' })).rejects.toMatchObject({
      code: 'ERR_KEY_TOO_SHORT',
    })
  })
})

describe('RFC 7520 §3.6 symmetric key (encryption)', () => {
  it('is an encryption key: importing it for HS256 is refused because its "alg" is A256GCM', async () => {
    await expect(importJWK(encKey, 'HS256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('is an encryption key: even without its "alg", its "use": "enc" forbids signing', async () => {
    const { alg: _alg, ...unbound }: JWK = encKey
    const key = await importJWK(unbound)
    expect(key).toMatchObject({ kty: 'oct', bits: 256, use: 'enc', alg: undefined })
    await expect(compactSign(PAYLOAD, key, { alg: 'HS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
    const mac = await compactSign(PAYLOAD, await importJWK(macKey), { alg: 'HS256' })
    await expect(compactVerify(mac, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
  })
})
