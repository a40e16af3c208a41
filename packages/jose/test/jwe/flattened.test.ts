/**
 * flattenedEncrypt / flattenedDecrypt: the three header sets, additional authenticated data, where
 * generated parameters go, JSON text input, and what the result reports.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { flattenedDecrypt, flattenedEncrypt, generateKeyPair, generateSecret } from '../../src/index.js'
import { ALLOW_ALL } from '../helpers/jwe-keys.js'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

describe('flattenedEncrypt → flattenedDecrypt', () => {
  it('carries protected, shared and per-recipient headers and the AAD', async () => {
    const secret = await generateSecret('A256KW')
    const jwe = await flattenedEncrypt('hello', secret, {
      protectedHeader: { enc: 'A256GCM' },
      sharedUnprotectedHeader: { cty: 'text/plain' },
      unprotectedHeader: { alg: 'A256KW', kid: 'k1' },
      additionalAuthenticatedData: 'routing-info',
    })
    expect(Object.keys(jwe).sort()).toEqual([
      'aad',
      'ciphertext',
      'encrypted_key',
      'header',
      'iv',
      'protected',
      'tag',
      'unprotected',
    ])
    const result = await flattenedDecrypt(JSON.stringify(jwe), secret, ALLOW_ALL)
    expect(text(result.plaintext)).toBe('hello')
    expect(result.protectedHeader).toEqual({ enc: 'A256GCM' })
    expect(result.sharedUnprotectedHeader).toEqual({ cty: 'text/plain' })
    expect(result.unprotectedHeader).toEqual({ alg: 'A256KW', kid: 'k1' })
    expect(text(result.additionalAuthenticatedData as Uint8Array)).toBe('routing-info')
  })

  it('authenticates the AAD and the protected header, not the unprotected headers', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await flattenedEncrypt('hello', secret, {
      protectedHeader: { alg: 'A128KW', enc: 'A128CBC-HS256' },
      sharedUnprotectedHeader: { note: 'unauthenticated' },
      additionalAuthenticatedData: 'aad',
    })
    const failed = { code: 'ERR_JWE_DECRYPTION_FAILED', message: 'decryption failed' }
    await expect(flattenedDecrypt({ ...jwe, aad: 'YWFi' }, secret, ALLOW_ALL)).rejects.toMatchObject(failed)
    const { aad: _aad, ...withoutAad } = jwe
    await expect(flattenedDecrypt(withoutAad, secret, ALLOW_ALL)).rejects.toMatchObject(failed)
    const protectedHeader = Buffer.from(
      JSON.stringify({ alg: 'A128KW', enc: 'A128CBC-HS256', x: 1 }),
    ).toString('base64url')
    await expect(
      flattenedDecrypt({ ...jwe, protected: protectedHeader }, secret, ALLOW_ALL),
    ).rejects.toMatchObject(failed)
    const changed = await flattenedDecrypt({ ...jwe, unprotected: { note: 'changed' } }, secret, ALLOW_ALL)
    expect(text(changed.plaintext)).toBe('hello')
  })

  it('puts generated parameters in the per-recipient header when there is no protected header', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES+A128KW', { crv: 'P-384' })
    const jwe = await flattenedEncrypt('hello', publicKey, {
      unprotectedHeader: { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' },
    })
    expect(jwe.protected).toBeUndefined()
    expect(jwe.header?.epk).toMatchObject({ kty: 'EC', crv: 'P-384' })
    expect(text((await flattenedDecrypt(jwe, privateKey, ALLOW_ALL)).plaintext)).toBe('hello')
  })

  it('puts them in the protected header when there is one', async () => {
    const jwe = await flattenedEncrypt(
      'hello',
      'password',
      {
        protectedHeader: { alg: 'PBES2-HS384+A192KW', enc: 'A192GCM' },
        unprotectedHeader: { kid: 'pw' },
      },
      { p2c: 2000 },
    )
    expect(jwe.header).toEqual({ kid: 'pw' })
    expect(JSON.parse(Buffer.from(jwe.protected as string, 'base64url').toString())).toMatchObject({
      p2c: 2000,
    })
    expect(text((await flattenedDecrypt(jwe, 'password', ALLOW_ALL)).plaintext)).toBe('hello')
  })

  it('refuses header names that appear in more than one header set (ERR_JOSE_INVALID_HEADER)', async () => {
    const secret = await generateSecret('A128KW')
    await expect(
      flattenedEncrypt('x', secret, {
        protectedHeader: { alg: 'A128KW', enc: 'A128GCM' },
        unprotectedHeader: { enc: 'A128GCM' },
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_INVALID_HEADER' })
  })

  it('requires a headers object (TypeError)', async () => {
    const secret = await generateSecret('A128KW')
    await expect(flattenedEncrypt('x', secret, undefined as never)).rejects.toThrow(/"headers"/)
    await expect(flattenedEncrypt('x', secret, { protectedHeader: [] as never })).rejects.toThrow(
      /"protectedHeader"/,
    )
    await expect(
      flattenedEncrypt(42 as never, secret, { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } }),
    ).rejects.toThrow(/"plaintext"/)
  })

  it('sends a general JWE to generalDecrypt (ERR_JWE_INVALID)', async () => {
    await expect(
      flattenedDecrypt({ recipients: [], iv: '', ciphertext: '', tag: '' } as never, 'x', ALLOW_ALL),
    ).rejects.toMatchObject({ code: 'ERR_JWE_INVALID', message: expect.stringMatching(/generalDecrypt/) })
  })
})
