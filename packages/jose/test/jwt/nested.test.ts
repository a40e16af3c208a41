/**
 * signThenEncryptJWT / decryptThenVerifyJWT: the design notes' flow — claims signed with ES256 by the
 * issuer, encrypted to the app's public key with RSA-OAEP-256 / A128GCM, then decrypted and verified
 * on the other side — and every way it must fail.
 */
import { Buffer } from 'node:buffer'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  decodeProtectedHeader,
  decryptThenVerifyJWT,
  encodeUnsecuredJWT,
  generateKeyPair,
  type Key,
  signJWT,
  signThenEncryptJWT,
} from '../../src/index.js'

let issuer: { privateKey: Key; publicKey: Key }
let app: { privateKey: Key; publicKey: Key }
let stranger: { privateKey: Key; publicKey: Key }

beforeAll(async () => {
  issuer = await generateKeyPair('ES256')
  app = await generateKeyPair('RSA-OAEP-256')
  stranger = await generateKeyPair('ES256')
})

const decryption = () => ({
  key: app.privateKey,
  keyManagementAlgorithms: ['RSA-OAEP-256'],
  contentEncryptionAlgorithms: ['A128GCM'],
})
const verification = () => ({
  key: issuer.publicKey,
  algorithms: ['ES256'],
  issuer: 'https://issuer.example',
  audience: 'app',
})

async function issue(claims = { patient: 'p-42' }) {
  return signThenEncryptJWT(
    claims,
    {
      key: issuer.privateKey,
      alg: 'ES256',
      kid: 'issuer-1',
      issuer: 'https://issuer.example',
      audience: 'app',
      expiresIn: '5m',
    },
    { key: app.publicKey, alg: 'RSA-OAEP-256', enc: 'A128GCM', kid: 'app-1' },
  )
}

describe('sign then encrypt, decrypt then verify', () => {
  it('runs the design notes flow end to end', async () => {
    const token = await issue()
    expect(token.split('.')).toHaveLength(5)
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A128GCM',
      cty: 'JWT',
      kid: 'app-1',
    })
    const result = await decryptThenVerifyJWT(token, decryption(), verification())
    expect(result.payload).toMatchObject({ patient: 'p-42', iss: 'https://issuer.example', aud: 'app' })
    expect(result.protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'issuer-1' })
    expect(result.encryptionHeader.cty).toBe('JWT')
    expect(result.key).toBe(issuer.publicKey)
    expect(result.decryptionKey).toBe(app.privateKey)
  })

  it('the plaintext inside is the signed JWT (control)', async () => {
    const token = await issue()
    const { key: _key, ...options } = decryption()
    const { plaintext } = await compactDecrypt(token, app.privateKey, options)
    expect(Buffer.from(plaintext).toString().split('.')).toHaveLength(3)
  })

  it('verifies the inner JWS under its own allowlist', async () => {
    const token = await issue()
    await expect(
      decryptThenVerifyJWT(token, decryption(), { ...verification(), algorithms: ['ES384'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
    await expect(
      decryptThenVerifyJWT(token, decryption(), { ...verification(), key: stranger.publicKey }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  it('validates the inner claims', async () => {
    const token = await issue()
    await expect(
      decryptThenVerifyJWT(token, decryption(), { ...verification(), audience: 'other' }),
    ).rejects.toMatchObject({
      code: 'ERR_JWT_AUDIENCE_MISMATCH',
    })
    await expect(
      decryptThenVerifyJWT(token, decryption(), {
        ...verification(),
        currentDate: new Date(Date.now() + 3600_000),
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' })
  })

  it('enforces the decryption allowlists', async () => {
    const token = await issue()
    await expect(
      decryptThenVerifyJWT(
        token,
        { ...decryption(), contentEncryptionAlgorithms: ['A256GCM'] },
        verification(),
      ),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
  })

  it('requires cty "JWT" on the outer JWE (ERR_JWT_INVALID)', async () => {
    const inner = await signJWT({}, issuer.privateKey, {
      alg: 'ES256',
      issuer: 'https://issuer.example',
      audience: 'app',
      expiresIn: 60,
    })
    const noCty = await compactEncrypt(inner, app.publicKey, { alg: 'RSA-OAEP-256', enc: 'A128GCM' })
    await expect(decryptThenVerifyJWT(noCty, decryption(), verification())).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    })
    const lower = await compactEncrypt(inner, app.publicKey, {
      alg: 'RSA-OAEP-256',
      enc: 'A128GCM',
      cty: 'application/jwt',
    })
    expect((await decryptThenVerifyJWT(lower, decryption(), verification())).payload.iss).toBe(
      'https://issuer.example',
    )
  })

  it('never accepts an unsecured inner JWT, or an inner JWE', async () => {
    const unsecured = encodeUnsecuredJWT({ iss: 'https://issuer.example', aud: 'app', exp: 9_999_999_999 })
    const wrapped = await compactEncrypt(unsecured, app.publicKey, {
      alg: 'RSA-OAEP-256',
      enc: 'A128GCM',
      cty: 'JWT',
    })
    await expect(decryptThenVerifyJWT(wrapped, decryption(), verification())).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NONE',
    })
    const innerJwe = await issue()
    const doubly = await compactEncrypt(innerJwe, app.publicKey, {
      alg: 'RSA-OAEP-256',
      enc: 'A128GCM',
      cty: 'JWT',
    })
    await expect(decryptThenVerifyJWT(doubly, decryption(), verification())).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it('requires its option objects (TypeError)', async () => {
    const token = await issue()
    await expect(decryptThenVerifyJWT(token, undefined as never, verification())).rejects.toThrow(
      /"decryption"/,
    )
    await expect(decryptThenVerifyJWT(token, decryption(), undefined as never)).rejects.toThrow(
      /"verification"/,
    )
    await expect(
      signThenEncryptJWT({}, undefined as never, { key: app.publicKey, alg: 'RSA-OAEP-256', enc: 'A128GCM' }),
    ).rejects.toThrow(/"signing"/)
    await expect(
      signThenEncryptJWT({}, { key: issuer.privateKey, alg: 'ES256' }, {
        key: app.publicKey,
        alg: 'RSA-OAEP-256',
      } as never),
    ).rejects.toThrow(/"encryption.enc"/)
  })
})
