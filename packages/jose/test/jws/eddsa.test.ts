/**
 * Polymorphic `EdDSA` names no curve (RFC 9864 deprecates it for Ed25519 and Ed448). It verifies only
 * when the caller's allowlist names it, and then only with an Ed25519 or Ed448 key: never X25519/X448,
 * never another key type.
 */
import { Buffer } from 'node:buffer'
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactVerify,
  createJWTVerifier,
  exportJWK,
  generateKeyPair,
  importJWK,
  importKeyObject,
  importPEM,
  verifyJWT,
} from '../../src/index.js'
import { b64u, forge } from '../helpers/hostile-tokens.js'
import { keyPairFor, secretFor } from '../helpers/unit-keys.js'

const claims = { sub: 'admin', exp: 4102444800 }

describe('EdDSA', () => {
  it('is refused as ERR_JOSE_ALG_NOT_ALLOWED unless the allowlist names it', async () => {
    const { privateKey, publicKey } = await keyPairFor('EdDSA')
    const token = forge({ alg: 'EdDSA' }, claims, privateKey)
    for (const algorithms of [['Ed25519'], ['Ed448'], ['Ed25519', 'Ed448'], ['ES256']]) {
      await expect(verifyJWT(token, publicKey, { algorithms })).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
      await expect(compactVerify(token, publicKey, { algorithms })).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
      await expect(createJWTVerifier({ key: publicKey, algorithms })(token)).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
    }
    await expect(verifyJWT(token, publicKey, { algorithms: ['EdDSA'] })).resolves.toBeDefined()
  })

  it('verifies with Ed25519 and Ed448 keys when allowed', async () => {
    for (const crv of ['Ed25519', 'Ed448']) {
      const { privateKey, publicKey } = await keyPairFor('EdDSA', crv)
      const token = forge({ alg: 'EdDSA' }, claims, privateKey)
      await expect(verifyJWT(token, publicKey, { algorithms: ['EdDSA'] })).resolves.toMatchObject({
        key: publicKey,
      })
    }
  })

  it.each([
    ['an X25519 key', () => importKeyObject(generateKeyPairSync('x25519').publicKey)],
    ['an X448 key', () => importKeyObject(generateKeyPairSync('x448').publicKey)],
    ['a P-256 key', async () => (await keyPairFor('ES256')).publicKey],
    ['an RSA key', async () => (await keyPairFor('RS256')).publicKey],
    ['an HMAC secret', () => secretFor('HS512')],
  ])('refuses %s for EdDSA as ERR_KEY_ALG_MISMATCH', async (_what, makeKey) => {
    const key = await makeKey()
    const signer = (await keyPairFor('EdDSA')).privateKey
    const token = forge({ alg: 'EdDSA' }, claims, signer)
    await expect(verifyJWT(token, key, { algorithms: ['EdDSA'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(verifyJWT(token, key.toKeyObject(), { algorithms: ['EdDSA'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })

  it('refuses to sign EdDSA with a key agreement key', async () => {
    const x25519 = importKeyObject(generateKeyPairSync('x25519').privateKey)
    await expect(compactSign('x', x25519, { alg: 'EdDSA' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })

  it('keeps the fully specified names to their curves', async () => {
    const ed25519 = await keyPairFor('Ed25519')
    const ed448 = await keyPairFor('Ed448')
    const token25519 = forge({ alg: 'Ed25519' }, claims, ed25519.privateKey)
    const token448 = forge({ alg: 'Ed448' }, claims, ed448.privateKey)
    const both = { algorithms: ['Ed25519', 'Ed448'] }
    await expect(verifyJWT(token25519, ed448.publicKey, both)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(verifyJWT(token448, ed25519.publicKey, both)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    // A token relabelled from Ed25519 to Ed448 keeps its (64-byte) signature: refused, not verified.
    await expect(
      verifyJWT(token25519.replace(/^[^.]+/, 'eyJhbGciOiJFZDQ0OCJ9'), ed25519.privateKey, both),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })

  it('honours key bindings across the polymorphic and the fully specified names', async () => {
    const polymorphic448 = await generateKeyPair('EdDSA', { crv: 'Ed448' })
    const token448 = forge({ alg: 'Ed448' }, claims, polymorphic448.privateKey)
    await expect(
      verifyJWT(token448, polymorphic448.publicKey, { algorithms: ['Ed448'] }),
    ).resolves.toBeDefined()
    const tokenEd25519 = forge({ alg: 'Ed25519' }, claims, (await keyPairFor('Ed25519')).privateKey)
    await expect(
      verifyJWT(tokenEd25519, polymorphic448.publicKey, { algorithms: ['Ed25519'] }),
    ).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    const specific = await keyPairFor('Ed25519')
    const polymorphicToken = forge({ alg: 'EdDSA' }, claims, specific.privateKey)
    await expect(
      verifyJWT(polymorphicToken, specific.publicKey, { algorithms: ['EdDSA'] }),
    ).resolves.toBeDefined()
  })
})

describe('small-order Edwards public keys', () => {
  const identity25519 = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)])
  const SMALL_ORDER_25519 = [
    identity25519.toString('hex'),
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ]

  it('are refused: with the identity as the key, R = identity and S = 0 verify any message', async () => {
    const weak = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: identity25519.toString('base64url') },
      format: 'jwk',
    })
    const header = b64u(JSON.stringify({ alg: 'Ed25519' }))
    const payload = b64u(JSON.stringify(claims))
    const signature = Buffer.concat([identity25519, Buffer.alloc(32)])
    // node:crypto alone accepts this "signature" for any input: the check must be ours.
    expect(verify(null, Buffer.from(`${header}.${payload}`), weak, signature)).toBe(true)
    const token = `${header}.${payload}.${b64u(signature)}`
    await expect(verifyJWT(token, weak, { algorithms: ['Ed25519'] })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    await expect(
      importPEM(weak.export({ format: 'pem', type: 'spki' }) as string, 'Ed25519'),
    ).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it.each(SMALL_ORDER_25519)('refuses the Ed25519 JWK x = %s as ERR_JWK_INVALID', async (hex) => {
    const x = Buffer.from(hex, 'hex').toString('base64url')
    await expect(importJWK({ kty: 'OKP', crv: 'Ed25519', x })).rejects.toMatchObject({
      code: 'ERR_JWK_INVALID',
    })
  })

  it.each([`01${'00'.repeat(56)}`, `${'00'.repeat(57)}`, `${'ff'.repeat(28)}fe${'ff'.repeat(27)}00`])(
    'refuses the Ed448 JWK x = %s as ERR_JWK_INVALID',
    async (hex) => {
      const x = Buffer.from(hex, 'hex').toString('base64url')
      await expect(importJWK({ kty: 'OKP', crv: 'Ed448', x })).rejects.toMatchObject({
        code: 'ERR_JWK_INVALID',
      })
    },
  )

  it('accepts ordinary keys (the baseline)', async () => {
    for (const alg of ['Ed25519', 'Ed448']) {
      const jwk = await exportJWK((await keyPairFor(alg)).publicKey)
      await expect(importJWK(jwk)).resolves.toMatchObject({ crv: alg })
    }
  })
})
