import { Buffer } from 'node:buffer'
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, webcrypto } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { compactVerify, generateKeyPair, importJWK, importKeyObject, importPEM } from '../../src/index.js'

/*
 * RSA verification cost grows with the public exponent and the modulus. Whoever supplies the key (a
 * JWK set, a registered client's inline JWKS, a PEM) could publish e close to n (a 3072-bit exponent
 * makes each verification ~70x slower, as slow as a private-key operation) or a modulus of tens of
 * thousands of bits. Exponents above 32 bits and moduli above 16384 bits (OpenSSL's own ceiling) are
 * refused at import, on every path: JWK, PEM, KeyObject and CryptoKey.
 */
const base = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({ format: 'jwk' })

function oddBytes(length: number, top: number): Buffer {
  const bytes = randomBytes(length)
  bytes[0] = top
  bytes[length - 1] = (bytes[length - 1] as number) | 1
  return bytes
}

// e just below n: as costly as it gets while OpenSSL still runs the exponentiation.
const hugeExponent = { kty: 'RSA', n: base.n as string, e: oddBytes(384, 0x01).toString('base64url') }
const fiveByteExponent = { kty: 'RSA', n: base.n as string, e: oddBytes(5, 0x01).toString('base64url') }
const hugeModulus = { kty: 'RSA', n: oddBytes(16392 / 8, 0xc0).toString('base64url'), e: 'AQAB' }

function keyObject(jwk: Record<string, unknown>): KeyObject {
  return createPublicKey({ key: jwk as never, format: 'jwk' })
}

const token = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.${randomBytes(384).toString('base64url')}`

describe('RSA public exponent bound', () => {
  it('a JWK with a 3072-bit exponent is refused', async () => {
    await expect(importJWK(hugeExponent, 'RS256')).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('a JWK with a 33..40-bit exponent is refused', async () => {
    await expect(importJWK(fiveByteExponent)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('the same key as a KeyObject, PEM or CryptoKey is refused', async () => {
    const handle = keyObject(hugeExponent)
    expect(() => importKeyObject(handle, 'RS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
    const pem = handle.export({ type: 'spki', format: 'pem' }) as string
    await expect(importPEM(pem, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(compactVerify(token, handle, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    const spki = handle.export({ type: 'spki', format: 'der' })
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
    const cryptoKey = await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify'])
    await expect(compactVerify(token, cryptoKey, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('65537, 3 and a full 32-bit exponent are still accepted', async () => {
    await expect(importJWK({ kty: 'RSA', n: base.n as string, e: 'AQAB' }, 'RS256')).resolves.toBeDefined()
    await expect(importJWK({ kty: 'RSA', n: base.n as string, e: 'Aw' }, 'RS256')).resolves.toBeDefined()
    await expect(importJWK({ kty: 'RSA', n: base.n as string, e: '_____w' }, 'RS256')).resolves.toBeDefined()
  })
})

describe('RSA modulus upper bound (16384 bits)', () => {
  it('a 16392-bit JWK is refused', async () => {
    await expect(importJWK(hugeModulus, 'RS256')).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('a 16392-bit KeyObject or PEM is refused', async () => {
    const handle = keyObject(hugeModulus)
    expect(() => importKeyObject(handle)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }))
    const pem = handle.export({ type: 'spki', format: 'pem' }) as string
    await expect(importPEM(pem, 'PS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('generateKeyPair refuses a modulusLength above 16384 at once, instead of after minutes of generation', () => {
    for (const alg of ['RS256', 'PS256', 'RSA-OAEP-256']) {
      expect(() => generateKeyPair(alg, { modulusLength: 16392 })).toThrow(TypeError)
    }
  })

  it('a 16384-bit modulus is still accepted', async () => {
    const n = oddBytes(16384 / 8, 0xc0).toString('base64url')
    await expect(importJWK({ kty: 'RSA', n, e: 'AQAB' }, 'RS256')).resolves.toMatchObject({ bits: 16384 })
  })
})
