/**
 * CVE-2015-9235, CVE-2016-10555, CVE-2023-48223 and relatives: the verifier holds an RSA or EC public
 * key, the attacker signs an HS256 token with that public key's text as the HMAC secret. Whatever form
 * the public key arrives in, the forged token must be refused before any HMAC is computed.
 */
import { Buffer } from 'node:buffer'
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  flattenedVerify,
  generalVerify,
  importJWK,
  importKeyObject,
  importPEM,
  importSecret,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { b64u, forge } from '../helpers/hostile-tokens.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
const ed = generateKeyPairSync('ed25519').publicKey

/** Every spelling of a public key an application might hold, and so might pass as "the key". */
function materials(key: KeyObject): Array<[string, Uint8Array]> {
  const pem = key.export({ format: 'pem', type: 'spki' }) as string
  const der = key.export({ format: 'der', type: 'spki' })
  const jwk = JSON.stringify(key.export({ format: 'jwk' }))
  const utf8 = (value: string) => new Uint8Array(Buffer.from(value, 'utf8'))
  const base64 = der.toString('base64')
  const hex = der.toString('hex')
  const list: Array<[string, Uint8Array]> = [
    ['SPKI PEM', utf8(pem)],
    ['SPKI PEM with CRLF line ends', utf8(pem.replace(/\n/g, '\r\n'))],
    ['SPKI PEM after whitespace', utf8(`\n\t  ${pem}`)],
    ['SPKI PEM after a BOM', utf8(`\ufeff${pem}`)],
    ['SPKI PEM after leading bytes', new Uint8Array([0, 1, 2, 0xff, ...utf8(pem)])],
    ['SPKI PEM in lower case', utf8(pem.toLowerCase())],
    ['the base64 body of the PEM', utf8(pem.replace(/-----[A-Z ]+-----/g, ''))],
    ['the base64 body on one line', utf8(base64)],
    ['the base64 body with padding removed', utf8(base64.replace(/=+$/, ''))],
    ['the base64url body', utf8(der.toString('base64url'))],
    ['the base64 body after a base64 character', utf8(`A${base64}`)],
    ['the base64 body after two base64 characters', utf8(`AB${base64}`)],
    ['the base64 body after three base64 characters', utf8(`ABC${base64}`)],
    ['a PEM whose armour lines were mangled', utf8(pem.replace(/-----/g, '----'))],
    ['SPKI DER', new Uint8Array(der)],
    ['SPKI DER after leading bytes', new Uint8Array([0x30, 0x00, 0x13, ...der])],
    ['SPKI DER with trailing bytes', new Uint8Array([...der, 0, 0, 0])],
    ['hex DER', utf8(hex)],
    ['upper-case hex DER', utf8(hex.toUpperCase())],
    ['hex DER after one hex character', utf8(`a${hex}`)],
    ['hex DER with 0x', utf8(`0x${hex}`)],
    ['the JWK JSON', utf8(jwk)],
    ['the JWK JSON pretty-printed', utf8(JSON.stringify(JSON.parse(jwk), null, 2))],
    ['the JWK JSON after whitespace', utf8(`  \n${jwk}`)],
    ['the JWK JSON in base64url', utf8(Buffer.from(jwk).toString('base64url'))],
    ['the PEM in base64', utf8(Buffer.from(pem).toString('base64'))],
    ['the PEM in UTF-16', new Uint8Array(Buffer.from(pem, 'utf16le'))],
    ['the JWK JSON in UTF-16', new Uint8Array(Buffer.from(jwk, 'utf16le'))],
    [
      'the JWK JSON with escaped member names',
      utf8(
        jwk.replace(
          /"(\w+)":/g,
          (_m, name: string) => `"\\u00${name.charCodeAt(0).toString(16)}${name.slice(1)}":`,
        ),
      ),
    ],
    ['the JWK JSON without kty', utf8(JSON.stringify({ ...JSON.parse(jwk), kty: undefined }))],
    [
      'the JWK JSON without kty after leading bytes',
      new Uint8Array([0, 0xff, 0x22, ...utf8(JSON.stringify({ ...JSON.parse(jwk), kty: undefined }))]),
    ],
    ['a JWK set without kty', utf8(JSON.stringify({ keys: [{ ...JSON.parse(jwk), kty: undefined }] }))],
    ['the PEM in hex', utf8(Buffer.from(pem).toString('hex'))],
  ]
  if (key.asymmetricKeyType === 'rsa') {
    list.push(['PKCS#1 PEM', utf8(key.export({ format: 'pem', type: 'pkcs1' }) as string)])
    list.push(['PKCS#1 DER', new Uint8Array(key.export({ format: 'der', type: 'pkcs1' }))])
  }
  return list
}

const cases = [
  ...materials(rsa).map(([what, bytes]) => [`RSA ${what}`, bytes] as const),
  ...materials(ec).map(([what, bytes]) => [`EC ${what}`, bytes] as const),
  ...materials(ed).map(([what, bytes]) => [`Ed25519 ${what}`, bytes] as const),
]

const claims = { sub: 'admin', exp: Math.floor(Date.now() / 1000) + 3600 }
const asSecret = { code: 'ERR_KEY_ASYMMETRIC_AS_SECRET' }

describe('HS256 signed with public key material', () => {
  it.each(cases)('refuses %s as the secret in verifyJWT, as bytes and as text', async (_what, material) => {
    const forged = forge({ alg: 'HS256', typ: 'JWT' }, claims, material)
    const options = { algorithms: ['HS256', 'RS256', 'ES256'] }
    await expect(verifyJWT(forged, material, options)).rejects.toMatchObject(asSecret)
    expect(() => verifyJWTSync(forged, material, options)).toThrow(expect.objectContaining(asSecret))
    const text = Buffer.from(material).toString('utf8')
    if (Buffer.from(text, 'utf8').equals(Buffer.from(material))) {
      await expect(verifyJWT(forged, text, options)).rejects.toMatchObject(asSecret)
    }
  })

  it.each(cases)('refuses %s when imported as a secret in any way', async (_what, material) => {
    expect(() => importSecret(material, 'HS256')).toThrow(expect.objectContaining(asSecret))
    await expect(importJWK({ kty: 'oct', k: b64u(material) }, 'HS256')).rejects.toMatchObject(asSecret)
    expect(() => importKeyObject(createSecretKey(material), 'HS256')).toThrow(
      expect.objectContaining(asSecret),
    )
  })

  it('refuses the PEM in every verify function and in createJWTVerifier', async () => {
    const pem = rsa.export({ format: 'pem', type: 'spki' }) as string
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(pem))
    const options = { algorithms: ['HS256'] }
    await expect(compactVerify(forged, pem, options)).rejects.toMatchObject(asSecret)
    const [protectedPart, payload, signature] = forged.split('.') as [string, string, string]
    const flat = { protected: protectedPart, payload, signature }
    await expect(flattenedVerify(flat, pem, options)).rejects.toMatchObject(asSecret)
    await expect(
      generalVerify({ payload, signatures: [{ protected: protectedPart, signature }] }, pem, options),
    ).rejects.toMatchObject(asSecret)
    expect(() => createJWTVerifier({ key: pem, ...options })).toThrow(expect.objectContaining(asSecret))
    const resolved = createJWTVerifier({ key: () => pem, ...options })
    await expect(resolved(forged)).rejects.toMatchObject(asSecret)
    expect(() => resolved.sync(forged)).toThrow(expect.objectContaining(asSecret))
  })
})

describe('HS256 with an asymmetric Key or KeyObject', () => {
  it.each([
    ['RSA', rsa],
    ['EC', ec],
    ['Ed25519', ed],
  ] as const)('refuses the %s public KeyObject as ERR_KEY_ALG_MISMATCH', async (_what, keyObject) => {
    const pem = keyObject.export({ format: 'pem', type: 'spki' }) as string
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(pem))
    const options = { algorithms: ['HS256', 'RS256', 'ES256', 'Ed25519'] }
    await expect(verifyJWT(forged, keyObject, options)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(compactVerify(forged, keyObject, options)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(createJWTVerifier({ key: keyObject, ...options })(forged)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const key = importKeyObject(keyObject)
    await expect(verifyJWT(forged, key, options)).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('refuses a WebCrypto RSA CryptoKey, and an HMAC CryptoKey made from the PEM', async () => {
    const der = rsa.export({ format: 'der', type: 'spki' })
    const pem = rsa.export({ format: 'pem', type: 'spki' }) as string
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(pem))
    const rsaKey = await crypto.subtle.importKey(
      'spki',
      der,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    )
    await expect(verifyJWT(forged, rsaKey, { algorithms: ['HS256', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      Buffer.from(pem),
      { name: 'HMAC', hash: 'SHA-256' },
      true,
      ['verify'],
    )
    await expect(verifyJWT(forged, hmacKey, { algorithms: ['HS256'] })).rejects.toMatchObject(asSecret)
  })

  it('refuses a PEM-imported RS256 key, and an HS256 token outside an RS256-only allowlist', async () => {
    const pem = rsa.export({ format: 'pem', type: 'spki' }) as string
    const key = await importPEM(pem, 'RS256')
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(pem))
    await expect(verifyJWT(forged, key, { algorithms: ['HS256', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(verifyJWT(forged, key, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
  })

  it('refuses a JWK object passed where a key belongs', async () => {
    const jwk = rsa.export({ format: 'jwk' })
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(JSON.stringify(jwk)))
    const notAKey = { code: 'ERR_JOSE_KEY_RESOLUTION_FAILED' }
    await expect(verifyJWT(forged, jwk as never, { algorithms: ['HS256'] })).rejects.toMatchObject(notAKey)
    await expect(verifyJWT(forged, () => jwk as never, { algorithms: ['HS256'] })).rejects.toMatchObject(
      notAKey,
    )
    expect(() => createJWTVerifier({ key: jwk as never, algorithms: ['HS256'] })).toThrow(TypeError)
  })

  it('refuses a public JWK imported for RS256 when the token says HS256', async () => {
    const jwk = rsa.export({ format: 'jwk' })
    const key = await importJWK(jwk, 'RS256')
    const forged = forge({ alg: 'HS256' }, claims, Buffer.from(JSON.stringify(jwk)))
    await expect(verifyJWT(forged, key, { algorithms: ['HS256', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})

describe('ordinary secrets', () => {
  it('are not mistaken for key material', async () => {
    const secrets = [
      'a'.repeat(32),
      'correct horse battery staple and more words',
      Buffer.alloc(64, 0x30).toString('latin1'),
      'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsecret-but-not-a-key',
      '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      JSON.stringify({ secret: 'x'.repeat(40) }),
    ]
    for (const secret of secrets) {
      expect(importSecret(secret, 'HS256').kty).toBe('oct')
    }
  })

  it('accepts random secrets', () => {
    for (let i = 0; i < 500; i++) {
      expect(importSecret(randomBytes(64), 'HS512').bits).toBe(512)
      expect(importSecret(randomBytes(48).toString('base64'), 'HS512').kty).toBe('oct')
      expect(importSecret(randomBytes(48).toString('hex'), 'HS512').kty).toBe('oct')
    }
  })
})
