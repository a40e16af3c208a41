/**
 * A key refuses what it is not: an algorithm of another key type or curve (ERR_KEY_ALG_MISMATCH), a
 * JWK whose use/key_ops/alg forbid the operation (ERR_KEY_USAGE_MISMATCH / ERR_KEY_ALG_MISMATCH), JWK
 * points off their curve or coordinates of the wrong length (ERR_JWK_INVALID), and keys too short for
 * the algorithm (ERR_KEY_TOO_SHORT).
 */
import { Buffer } from 'node:buffer'
import {
  createHash,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  verify,
} from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactVerify,
  createJWTSigner,
  createJWTVerifier,
  exportJWK,
  importJWK,
  importKeyObject,
  importPEM,
  importSecret,
  type JWK,
  signJWT,
  verifyJWT,
} from '../../src/index.js'
import { b64u, forge } from '../helpers/hostile-tokens.js'
import { keyPairFor } from '../helpers/unit-keys.js'

const claims = { exp: 4102444800 }

describe('algorithm and key type or curve', () => {
  it.each([
    ['ES256', 'ES384'],
    ['ES256', 'ES512'],
    ['ES256', 'ES256K'],
    ['ES384', 'ES256'],
    ['ES512', 'ES384'],
    ['ES256K', 'ES256'],
    ['RS256', 'ES256'],
    ['PS256', 'Ed25519'],
    ['ES256', 'RS256'],
    ['Ed25519', 'ES256'],
  ] as const)('a %s token verified with a %s key fails with ERR_KEY_ALG_MISMATCH', async (alg, keyAlg) => {
    const signer = await keyPairFor(alg)
    const token = forge({ alg }, claims, signer.privateKey)
    const { publicKey } = await keyPairFor(keyAlg)
    const code = { code: 'ERR_KEY_ALG_MISMATCH' }
    const options = { algorithms: [alg] }
    await expect(verifyJWT(token, publicKey, options)).rejects.toMatchObject(code)
    await expect(verifyJWT(token, publicKey.toKeyObject(), options)).rejects.toMatchObject(code)
    await expect(compactVerify(token, publicKey, options)).rejects.toMatchObject(code)
    await expect(
      createJWTVerifier({ key: publicKey.toKeyObject(), ...options })(token),
    ).rejects.toMatchObject(code)
    await expect(
      signJWT({}, (await keyPairFor(keyAlg)).privateKey.toKeyObject(), { alg }),
    ).rejects.toMatchObject(code)
  })

  it('refuses an RSA-PSS-only key for RS256', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
    await expect(compactSign('x', privateKey, { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const token = forge({ alg: 'RS256' }, claims, (await keyPairFor('RS256')).privateKey)
    await expect(verifyJWT(token, publicKey, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})

describe('keys too short', () => {
  it('refuses RSA keys below 2048 bits for signing and verifying', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    await expect(compactSign('x', privateKey, { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_TOO_SHORT',
    })
    const token = forge({ alg: 'RS256' }, claims, privateKey)
    await expect(verifyJWT(token, publicKey, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_TOO_SHORT',
    })
    await expect(verifyJWT(token, publicKey, { algorithms: ['PS256', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_TOO_SHORT',
    })
  })

  it.each([
    ['HS256', 31],
    ['HS256', 16],
    ['HS384', 47],
    ['HS384', 32],
    ['HS512', 63],
    ['HS512', 48],
  ] as const)(
    'refuses a %s secret of %i bytes as ERR_KEY_TOO_SHORT, however it is given',
    async (alg, bytes) => {
      const secret = Buffer.alloc(bytes, 0x6b)
      const token = forge({ alg }, claims, new Uint8Array(secret))
      const code = { code: 'ERR_KEY_TOO_SHORT' }
      const options = { algorithms: [alg] }
      for (const key of [
        new Uint8Array(secret),
        secret.toString('latin1'),
        createSecretKey(secret),
        importKeyObject(createSecretKey(secret)),
      ]) {
        await expect(verifyJWT(token, key, options)).rejects.toMatchObject(code)
        await expect(compactSign('x', key, { alg })).rejects.toMatchObject(code)
      }
      expect(() => importSecret(secret, alg)).toThrow(expect.objectContaining(code))
      await expect(importJWK({ kty: 'oct', k: secret.toString('base64url') }, alg)).rejects.toMatchObject(
        code,
      )
      expect(() => createJWTSigner({ key: secret, alg })).toThrow(expect.objectContaining(code))
    },
  )

  it('refuses the classic "secret" string', async () => {
    await expect(signJWT({}, 'secret', { alg: 'HS256' })).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
  })
})

describe('JWK use, key_ops and alg', () => {
  async function jwkOf(alg: string, extra: Partial<JWK>, which: 'publicKey' | 'privateKey' = 'publicKey') {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor(alg))[which])
    return importJWK({ ...jwk, ...extra })
  }

  it('refuses a key whose use is enc for signatures', async () => {
    const token = forge({ alg: 'ES256' }, claims, (await keyPairFor('ES256')).privateKey)
    const key = await jwkOf('ES256', { use: 'enc' })
    await expect(verifyJWT(token, key, { algorithms: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
    const signing = await jwkOf('ES256', { use: 'enc' }, 'privateKey')
    await expect(compactSign('x', signing, { alg: 'ES256' })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
  })

  it('refuses an operation key_ops does not list', async () => {
    const token = forge({ alg: 'ES256' }, claims, (await keyPairFor('ES256')).privateKey)
    const signOnly = await jwkOf('ES256', { key_ops: ['sign'] }, 'privateKey')
    await expect(verifyJWT(token, signOnly, { algorithms: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
    const verifyOnly = await jwkOf('ES256', { key_ops: ['verify'] }, 'privateKey')
    await expect(compactSign('x', verifyOnly, { alg: 'ES256' })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
    await expect(verifyJWT(token, verifyOnly, { algorithms: ['ES256'] })).resolves.toBeDefined()
    const encryptOnly = await jwkOf('ES256', { key_ops: ['encrypt', 'deriveBits'] })
    await expect(verifyJWT(token, encryptOnly, { algorithms: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
  })

  it('refuses an algorithm other than the JWK alg, even one the key could run', async () => {
    const rsa = await keyPairFor('RS256')
    const psToken = forge({ alg: 'PS256' }, claims, rsa.privateKey)
    const rs256Only = await jwkOf('RS256', { alg: 'RS256' })
    await expect(verifyJWT(psToken, rs256Only, { algorithms: ['PS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const hs = { kty: 'oct', k: Buffer.alloc(64, 1).toString('base64url'), alg: 'HS256' }
    const hsKey = await importJWK(hs)
    await expect(compactSign('x', hsKey, { alg: 'HS512' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const hs512Token = forge({ alg: 'HS512' }, claims, new Uint8Array(Buffer.alloc(64, 1)))
    await expect(verifyJWT(hs512Token, hsKey, { algorithms: ['HS512'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })

  it('refuses a JWK alg that does not fit its key type', async () => {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor('ES256')).publicKey)
    await expect(importJWK({ ...jwk, alg: 'ES384' })).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    await expect(importJWK({ ...jwk, alg: 'HS256' })).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })
})

describe('JWK points and coordinates', () => {
  const EC = [
    ['ES256', 32],
    ['ES384', 48],
    ['ES512', 66],
    ['ES256K', 32],
  ] as const

  function flipLastBit(value: string): string {
    const bytes = Buffer.from(value, 'base64url')
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1
    return bytes.toString('base64url')
  }

  const invalidJwk = { code: 'ERR_JWK_INVALID' }

  it.each(EC)('refuses %s points off the curve', async (alg, size) => {
    const jwk = await exportJWK((await keyPairFor(alg)).publicKey)
    await expect(importJWK({ ...jwk, y: flipLastBit(jwk.y as string) })).rejects.toMatchObject(invalidJwk)
    await expect(importJWK({ ...jwk, x: flipLastBit(jwk.x as string) })).rejects.toMatchObject(invalidJwk)
    const zero = Buffer.alloc(size).toString('base64url')
    await expect(importJWK({ ...jwk, x: zero, y: zero })).rejects.toMatchObject(invalidJwk)
    const max = Buffer.alloc(size, 0xff).toString('base64url')
    await expect(importJWK({ ...jwk, x: max, y: max })).rejects.toMatchObject(invalidJwk)
  })

  it.each(EC)('refuses %s coordinates that are not exactly %i bytes', async (alg, size) => {
    const jwk = await exportJWK((await keyPairFor(alg)).privateKey)
    const x = Buffer.from(jwk.x as string, 'base64url')
    const longer = Buffer.concat([Buffer.alloc(1), x]).toString('base64url')
    const shorter = x.subarray(1).toString('base64url')
    const d = Buffer.from(jwk.d as string, 'base64url')
    expect(x.length).toBe(size)
    const { d: _d, ...publicJwk } = jwk
    await expect(importJWK({ ...publicJwk, x: longer })).rejects.toMatchObject(invalidJwk)
    await expect(importJWK({ ...publicJwk, x: shorter })).rejects.toMatchObject(invalidJwk)
    await expect(importJWK({ ...publicJwk, y: longer })).rejects.toMatchObject(invalidJwk)
    await expect(
      importJWK({ ...jwk, d: Buffer.concat([Buffer.alloc(1), d]).toString('base64url') }),
    ).rejects.toMatchObject(invalidJwk)
    const { y: _y, ...noY } = publicJwk
    await expect(importJWK(noY)).rejects.toMatchObject(invalidJwk)
  })

  it('refuses a P-256 point given with a P-384 curve name, and the reverse', async () => {
    const p256 = await exportJWK((await keyPairFor('ES256')).publicKey)
    await expect(importJWK({ ...p256, crv: 'P-384', alg: 'ES384' })).rejects.toMatchObject(invalidJwk)
    const p384 = await exportJWK((await keyPairFor('ES384')).publicKey)
    await expect(importJWK({ ...p384, crv: 'P-256', alg: 'ES256' })).rejects.toMatchObject(invalidJwk)
  })

  it.each([
    ['Ed25519', 32],
    ['Ed448', 57],
    ['X25519', 32],
    ['X448', 56],
  ] as const)('refuses %s keys whose x is not exactly %i bytes', async (crv, size) => {
    const x = Buffer.alloc(size, 9)
    for (const wrong of [x.subarray(1), Buffer.concat([x, Buffer.alloc(1)]), Buffer.alloc(0)]) {
      await expect(importJWK({ kty: 'OKP', crv, x: wrong.toString('base64url') })).rejects.toMatchObject(
        invalidJwk,
      )
    }
  })

  it.each([
    ['P-256', (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['secp256k1', (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey],
    ['Ed25519', (): KeyObject => generateKeyPairSync('ed25519').privateKey],
    ['X448', (): KeyObject => generateKeyPairSync('x448').privateKey],
  ] as const)('refuses a %s private JWK whose d belongs to another public key', async (_crv, make) => {
    const a = make().export({ format: 'jwk' }) as JWK
    const b = make().export({ format: 'jwk' }) as JWK
    await expect(importJWK({ ...a, d: b.d as string })).rejects.toMatchObject(invalidJwk)
    await expect(importJWK(a)).resolves.toBeDefined()
  })
})

describe('RSA public exponents', () => {
  /** With e = 1 the "signature" is the padded digest itself: anyone can sign anything. */
  function forgeWithExponentOne(input: string): Buffer {
    const digest = createHash('sha256').update(input).digest()
    const info = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest])
    return Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - info.length - 3, 0xff),
      Buffer.from([0]),
      info,
    ])
  }

  async function weakJwk(e: string): Promise<JWK> {
    const { alg: _alg, ...jwk } = await exportJWK((await keyPairFor('RS256')).publicKey)
    return { ...jwk, e }
  }

  it('refuses e = 1, which lets anyone forge signatures', async () => {
    const jwk = await weakJwk('AQ')
    const weak = createPublicKey({ key: jwk as never, format: 'jwk' })
    const header = b64u(JSON.stringify({ alg: 'RS256' }))
    const payload = b64u(JSON.stringify(claims))
    const token = `${header}.${payload}.${b64u(forgeWithExponentOne(`${header}.${payload}`))}`
    // node:crypto alone accepts the forgery: the check must be ours.
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        weak,
        forgeWithExponentOne(`${header}.${payload}`),
      ),
    ).toBe(true)
    await expect(verifyJWT(token, weak, { algorithms: ['RS256'] })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    await expect(importJWK(jwk)).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
    await expect(
      importPEM(weak.export({ format: 'pem', type: 'spki' }) as string, 'RS256'),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it.each([
    ['zero', 'AA'],
    ['empty', ''],
    ['even', 'AQAA'],
    ['two', 'Ag'],
    ['with a leading zero byte', 'AAEAAQ'],
  ])('refuses a JWK exponent that is %s', async (_what, e) => {
    await expect(importJWK(await weakJwk(e))).rejects.toMatchObject({ code: 'ERR_JWK_INVALID' })
  })

  it('refuses an even modulus', async () => {
    const jwk = await weakJwk('AQAB')
    const n = Buffer.from(jwk.n as string, 'base64url')
    n[n.length - 1] = (n[n.length - 1] as number) & 0xfe
    await expect(importJWK({ ...jwk, n: n.toString('base64url') })).rejects.toMatchObject({
      code: 'ERR_JWK_INVALID',
    })
  })

  it('accepts the usual exponents 3 and 65537', async () => {
    await expect(importJWK(await weakJwk('Aw'))).resolves.toMatchObject({ kty: 'RSA' })
    await expect(importJWK(await weakJwk('AQAB'))).resolves.toMatchObject({ kty: 'RSA' })
  })
})
