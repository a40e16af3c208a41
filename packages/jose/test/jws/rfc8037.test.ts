/**
 * RFC 8037 Appendix A (Ed25519 in JOSE), loaded from ../shared/vectors/rfc7520/curve25519/jws.json.
 * The ECDH-ES example beside it belongs to the JWE suite. Ed25519 is deterministic, so the example is
 * reproduced exactly; polymorphic `EdDSA` verifies only where the allowlist names it (RFC 9864).
 */
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactSignSync,
  compactVerify,
  compactVerifySync,
  exportJWK,
  flattenedSign,
  flattenedVerify,
  generalSign,
  generalVerify,
  generateKeyPair,
  importJWKSync,
} from '../../src/index.js'
import {
  flattenedOutput,
  generalOutput,
  loadJWSVector,
  publicJWK,
  required,
  tamperSignature,
  utf8,
} from '../helpers/vectors.js'

describe('RFC 8037 §A.4 Ed25519 signing', () => {
  const vector = loadJWSVector('curve25519/jws.json')
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')
  const compact = required(vector.output.compact, 'compact output')
  const privateKey = importJWKSync(vector.input.key, 'EdDSA')

  it('is the EdDSA example with an Ed25519 key (RFC 8037 §A.1, §A.2)', () => {
    expect(vector.input.alg).toBe('EdDSA')
    expect(protectedHeader).toEqual({ alg: 'EdDSA' })
    expect(privateKey).toMatchObject({ type: 'private', kty: 'OKP', crv: 'Ed25519', use: 'sig' })
  })

  it('exports the private key back to the example JWK and its public part to §A.2', async () => {
    expect(await exportJWK(privateKey)).toEqual({ ...vector.input.key, alg: 'EdDSA' })
    expect(await exportJWK(privateKey, { publicOnly: true })).toEqual({
      ...publicJWK(vector.input.key),
      alg: 'EdDSA',
    })
  })

  it('reproduces the compact serialization exactly (async and sync)', async () => {
    expect(await compactSign(payload, privateKey, protectedHeader)).toBe(compact)
    expect(compactSignSync(payload, privateKey, protectedHeader)).toBe(compact)
  })

  it('reproduces the flattened and general JSON serializations exactly', async () => {
    expect(await flattenedSign(payload, privateKey, protectedHeader)).toEqual(vector.output.json_flat)
    expect(await generalSign(payload, [{ key: privateKey, protectedHeader }])).toEqual(vector.output.json)
  })
})

describe('RFC 8037 §A.5 Ed25519 validation', () => {
  const vector = loadJWSVector('curve25519/jws.json')
  const { payload } = vector.input
  const compact = required(vector.output.compact, 'compact output')
  const publicKey = importJWKSync(publicJWK(vector.input.key), 'Ed25519')

  it('verifies the given compact serialization when the allowlist names EdDSA', async () => {
    const result = await compactVerify(compact, publicKey, { algorithms: ['EdDSA'] })
    expect(utf8(result.payload)).toBe(payload)
    expect(utf8(compactVerifySync(compact, publicKey, { algorithms: ['EdDSA'] }).payload)).toBe(payload)
  })

  it('verifies the given flattened and general JSON serializations', async () => {
    const flat = await flattenedVerify(flattenedOutput(vector.output), publicKey, { algorithms: ['EdDSA'] })
    expect(utf8(flat.payload)).toBe(payload)
    const all = await generalVerify(generalOutput(vector.output), publicKey, { algorithms: ['EdDSA'] })
    expect(utf8(all.payload)).toBe(payload)
    expect(all.signatureIndex).toBe(0)
  })

  it('refuses the polymorphic EdDSA header when only the fully specified Ed25519 is allowed', async () => {
    await expect(compactVerify(compact, publicKey, { algorithms: ['Ed25519'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
  })

  it('refuses a changed signature or payload', async () => {
    const [head, body, signature] = compact.split('.') as [string, string, string]
    await expect(
      compactVerify(`${head}.${body}.${tamperSignature(signature)}`, publicKey, { algorithms: ['EdDSA'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    await expect(
      compactVerify(`${head}.${body.slice(0, -2)}Zw.${signature}`, publicKey, { algorithms: ['EdDSA'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('refuses the EdDSA signature under an Ed448 key, and an ECDSA key outright', async () => {
    const ed448 = await generateKeyPair('Ed448')
    await expect(compactVerify(compact, ed448.publicKey, { algorithms: ['EdDSA'] })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    const ecdsa = await generateKeyPair('ES256')
    await expect(compactVerify(compact, ecdsa.publicKey, { algorithms: ['EdDSA'] })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})
