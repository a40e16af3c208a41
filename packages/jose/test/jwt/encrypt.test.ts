/**
 * encryptJWT / decryptJWT: claims directly in a JWE, validated exactly as verifyJWT validates them.
 */
import { describe, expect, it } from 'vitest'
import {
  compactEncrypt,
  decodeProtectedHeader,
  decryptJWT,
  encryptJWT,
  generateKeyPair,
  generateSecret,
  JWTClaimValidationError,
} from '../../src/index.js'

const NOW = new Date('2026-01-01T00:00:00Z')
const NOW_S = NOW.getTime() / 1000
const DECRYPT = {
  keyManagementAlgorithms: ['RSA-OAEP-256', 'dir'],
  contentEncryptionAlgorithms: ['A256GCM'],
  currentDate: NOW,
}

describe('encryptJWT → decryptJWT', () => {
  it('round-trips the claims, with the registered claims and header set from options', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256')
    const token = await encryptJWT({ patient: 'p-42' }, publicKey, {
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      kid: 'app-key',
      issuer: 'https://issuer.example',
      audience: 'app',
      subject: 'user-1',
      expiresIn: '15m',
      jti: 'id-1',
      currentDate: NOW,
    })
    expect(token.split('.')).toHaveLength(5)
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A256GCM',
      typ: 'JWT',
      kid: 'app-key',
    })
    const { payload, protectedHeader, key } = await decryptJWT(token, privateKey, {
      ...DECRYPT,
      issuer: 'https://issuer.example',
      audience: 'app',
      subject: 'user-1',
      typ: 'JWT',
    })
    expect(payload).toEqual({
      patient: 'p-42',
      iss: 'https://issuer.example',
      aud: 'app',
      sub: 'user-1',
      jti: 'id-1',
      iat: NOW_S,
      exp: NOW_S + 900,
    })
    expect(protectedHeader.enc).toBe('A256GCM')
    expect(key).toBe(privateKey)
  })

  it.each([
    ['issuer', { issuer: 'https://other.example' }, 'ERR_JWT_ISSUER_MISMATCH'],
    ['audience', { audience: 'other' }, 'ERR_JWT_AUDIENCE_MISMATCH'],
    ['subject', { subject: 'user-2' }, 'ERR_JWT_SUBJECT_MISMATCH'],
    ['typ', { typ: 'at+jwt' }, 'ERR_JWT_TYPE_MISMATCH'],
    ['expiry', { currentDate: new Date(NOW.getTime() + 3600_000) }, 'ERR_JWT_EXPIRED'],
    ['maxTokenAge', { maxTokenAge: 10, currentDate: new Date(NOW.getTime() + 60_000) }, 'ERR_JWT_TOO_OLD'],
    ['requiredClaims', { requiredClaims: ['nonce'] }, 'ERR_JWT_CLAIM_MISSING'],
  ])('refuses a %s mismatch with the same code as verifyJWT', async (_, options, code) => {
    const secret = await generateSecret('A256GCM')
    const token = await encryptJWT({}, secret, {
      alg: 'dir',
      enc: 'A256GCM',
      issuer: 'https://issuer.example',
      audience: 'app',
      subject: 'user-1',
      expiresIn: 600,
      currentDate: NOW,
    })
    const error = await decryptJWT(token, secret, { ...DECRYPT, ...options }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(JWTClaimValidationError)
    expect(error).toMatchObject({ code })
  })

  it('refuses a token without exp unless allowMissingExpiration, and a not-yet-valid one', async () => {
    const secret = await generateSecret('A256GCM')
    const token = await encryptJWT({}, secret, { alg: 'dir', enc: 'A256GCM', currentDate: NOW })
    await expect(decryptJWT(token, secret, DECRYPT)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
      claim: 'exp',
    })
    expect((await decryptJWT(token, secret, { ...DECRYPT, allowMissingExpiration: true })).payload.iat).toBe(
      NOW_S,
    )
    const later = await encryptJWT({}, secret, {
      alg: 'dir',
      enc: 'A256GCM',
      notBefore: '1h',
      expiresIn: '2h',
      currentDate: NOW,
    })
    await expect(decryptJWT(later, secret, DECRYPT)).rejects.toMatchObject({ code: 'ERR_JWT_NOT_YET_VALID' })
  })

  it('refuses a plaintext that is not a JSON object, and a claim of the wrong type (ERR_JWT_INVALID)', async () => {
    const secret = await generateSecret('A256GCM')
    for (const plaintext of ['[1,2]', '"string"', JSON.stringify({ exp: '2030' })]) {
      const token = await compactEncrypt(plaintext, secret, { alg: 'dir', enc: 'A256GCM' })
      await expect(decryptJWT(token, secret, DECRYPT)).rejects.toMatchObject({ code: 'ERR_JWT_INVALID' })
    }
    // As with verifyJWT, text that is not JSON at all (or repeats a member) is ERR_JOSE_INVALID_JSON.
    for (const plaintext of ['not json', '{"exp":1,"exp":2}']) {
      const token = await compactEncrypt(plaintext, secret, { alg: 'dir', enc: 'A256GCM' })
      await expect(decryptJWT(token, secret, DECRYPT)).rejects.toMatchObject({
        code: 'ERR_JOSE_INVALID_JSON',
      })
    }
  })

  it('refuses a nested JWT (cty JWT): its signature must be verified with decryptThenVerifyJWT', async () => {
    const secret = await generateSecret('A256GCM')
    const token = await compactEncrypt('{"exp":9999999999}', secret, {
      alg: 'dir',
      enc: 'A256GCM',
      cty: 'JWT',
    })
    await expect(decryptJWT(token, secret, DECRYPT)).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
      message: expect.stringMatching(/decryptThenVerifyJWT/),
    })
  })

  it('requires the allowlists and alg/enc options (TypeError naming the option)', async () => {
    const secret = await generateSecret('A256GCM')
    await expect(encryptJWT({}, secret, { alg: 'dir' } as never)).rejects.toThrow(/"enc"/)
    await expect(encryptJWT({}, secret, { enc: 'A256GCM' } as never)).rejects.toThrow(/"alg"/)
    const token = await encryptJWT({}, secret, { alg: 'dir', enc: 'A256GCM', expiresIn: 60 })
    await expect(
      decryptJWT(token, secret, { contentEncryptionAlgorithms: ['A256GCM'] } as never),
    ).rejects.toThrow(/"keyManagementAlgorithms"/)
    await expect(decryptJWT(token, secret, undefined as never)).rejects.toThrow(TypeError)
  })

  it('bounds encrypted JWTs at 32 KiB by default', async () => {
    const secret = await generateSecret('A256GCM')
    const token = await encryptJWT({ blob: 'x'.repeat(30_000) }, secret, {
      alg: 'dir',
      enc: 'A256GCM',
      expiresIn: 60,
      currentDate: NOW,
    })
    await expect(decryptJWT(token, secret, DECRYPT)).rejects.toMatchObject({
      code: 'ERR_JOSE_TOKEN_TOO_LARGE',
    })
    expect(
      (await decryptJWT(token, secret, { ...DECRYPT, maxTokenLength: 64 * 1024 })).payload.blob,
    ).toHaveLength(30_000)
  })
})
