import { Buffer } from 'node:buffer'
import { describe, expect, it, vi } from 'vitest'
import {
  type FlattenedJWS,
  flattenedSign,
  flattenedVerify,
  type JOSEHeaderParameters,
} from '../../src/index.js'
import { keyPairFor, secretFor, text } from '../helpers/unit-keys.js'

describe('flattenedSign / flattenedVerify', () => {
  it('signs with protected and unprotected headers and verifies the object and its JSON text', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const jws = await flattenedSign('hello', privateKey, { alg: 'ES256' }, { kid: 'k1' })
    expect(Object.keys(jws).sort()).toEqual(['header', 'payload', 'protected', 'signature'])
    expect(jws.header).toEqual({ kid: 'k1' })
    for (const input of [jws, JSON.stringify(jws)]) {
      const result = await flattenedVerify(input, publicKey, { algorithms: ['ES256'] })
      expect(text(result.payload)).toBe('hello')
      expect(result.protectedHeader).toEqual({ alg: 'ES256' })
      expect(result.unprotectedHeader).toEqual({ kid: 'k1' })
      expect(result.key).toBe(publicKey)
    }
  })

  it('signs with only an unprotected header', async () => {
    const key = secretFor('HS256')
    const jws = await flattenedSign('x', key, undefined, { alg: 'HS256' })
    expect(jws.protected).toBeUndefined()
    const result = await flattenedVerify(jws, key, { algorithms: ['HS256'] })
    expect(result.protectedHeader).toBeUndefined()
    expect(result.unprotectedHeader).toEqual({ alg: 'HS256' })
  })

  it('does not integrity-protect the unprotected header, and protects the rest', async () => {
    const key = secretFor('HS256')
    const jws = await flattenedSign('x', key, { alg: 'HS256' }, { kid: 'a' })
    await expect(
      flattenedVerify({ ...jws, header: { kid: 'b' } }, key, { algorithms: ['HS256'] }),
    ).resolves.toMatchObject({
      unprotectedHeader: { kid: 'b' },
    })
    await expect(
      flattenedVerify({ ...jws, payload: Buffer.from('y').toString('base64url') }, key, {
        algorithms: ['HS256'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('refuses a header parameter present in both headers, when signing and when verifying', async () => {
    const key = secretFor('HS256')
    await expect(flattenedSign('x', key, { alg: 'HS256', kid: 'a' }, { kid: 'b' })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
    const jws = await flattenedSign('x', key, { alg: 'HS256' }, { kid: 'a' })
    await expect(
      flattenedVerify({ ...jws, header: { alg: 'HS256' } }, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_INVALID_HEADER' })
  })

  it('passes the header and the token to a resolver', async () => {
    const { privateKey, publicKey } = await keyPairFor('PS256')
    const jws = await flattenedSign('x', privateKey, { alg: 'PS256' }, { kid: 'ps' })
    const resolver = vi.fn(async (header: JOSEHeaderParameters, token: FlattenedJWS) => {
      expect(token.signature).toBe(jws.signature)
      return header.kid === 'ps' ? publicKey : privateKey
    })
    await expect(flattenedVerify(jws, resolver, { algorithms: ['PS256'] })).resolves.toMatchObject({
      key: publicKey,
    })
    expect(resolver).toHaveBeenCalledWith(
      { alg: 'PS256', kid: 'ps' },
      expect.objectContaining({ payload: jws.payload }),
    )
  })

  it('verifies a detached payload', async () => {
    const key = secretFor('HS384')
    const jws = await flattenedSign('content', key, { alg: 'HS384' })
    const detached = { ...jws, payload: '' }
    const { payload } = await flattenedVerify(detached, key, {
      algorithms: ['HS384'],
      detachedPayload: 'content',
    })
    expect(text(payload)).toBe('content')
    await expect(
      flattenedVerify(detached, key, { algorithms: ['HS384'], detachedPayload: 'contents' }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it.each([
    ['a General JSON JWS', { payload: '', signatures: [] }],
    ['a JWE', { protected: 'e30', ciphertext: 'AA', iv: 'AA', tag: 'AA' }],
    ['an array', []],
    ['a number', 42],
    ['no signature', { protected: 'eyJhbGciOiJIUzI1NiJ9', payload: '' }],
    ['a numeric signature', { protected: 'eyJhbGciOiJIUzI1NiJ9', payload: '', signature: 1 }],
    ['no payload', { protected: 'eyJhbGciOiJIUzI1NiJ9', signature: 'AA' }],
    ['a non-string protected', { protected: { alg: 'HS256' }, payload: '', signature: 'AA' }],
    ['no header at all', { payload: '', signature: 'AA' }],
  ])('refuses %s as ERR_JWS_INVALID', async (_what, jws) => {
    await expect(
      flattenedVerify(jws as never, secretFor('HS256'), { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it('refuses JSON text that does not parse', async () => {
    await expect(
      flattenedVerify('{"payload":', secretFor('HS256'), { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_JSON',
    })
  })

  it('needs an allowlist', async () => {
    const key = secretFor('HS256')
    const jws = await flattenedSign('x', key, { alg: 'HS256' })
    await expect(flattenedVerify(jws, key, {} as never)).rejects.toThrow(/"algorithms"/)
    await expect(flattenedVerify(jws, key, { algorithms: ['HS512'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
  })

  it('requires at least one header when signing', async () => {
    await expect(flattenedSign('x', secretFor('HS256'), undefined)).rejects.toThrow(/"protectedHeader"/)
  })
})
