import { describe, expect, it, vi } from 'vitest'
import { type JOSEHeaderParameters, signJWT, verifyJWT, verifyJWTSync } from '../../src/index.js'
import { b64u, forge, forgeSignature } from '../helpers/hostile-tokens.js'
import { keyPairFor, secretFor } from '../helpers/unit-keys.js'

const NOW = 1_893_456_000
const currentDate = new Date(NOW * 1000)
const exp = NOW + 60

describe('verifyJWT', () => {
  it('returns the payload, the protected header and the key', async () => {
    const { privateKey, publicKey } = await keyPairFor('RS256')
    const token = await signJWT({ sub: 'u', exp }, privateKey, { alg: 'RS256', kid: 'r', currentDate })
    const result = await verifyJWT(token, publicKey, { algorithms: ['RS256'], currentDate })
    expect(result.payload).toEqual({ sub: 'u', exp, iat: NOW })
    expect(result.protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'r' })
    expect(result.key).toBe(publicKey)
    expect(verifyJWTSync(token, publicKey, { algorithms: ['RS256'], currentDate })).toEqual(result)
  })

  it('calls a resolver (header, token) => key, synchronous or asynchronous', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES384')
    const token = await signJWT({ exp }, privateKey, { alg: 'ES384', kid: 'es', currentDate })
    const resolver = vi.fn((header: JOSEHeaderParameters, received: string) => {
      expect(received).toBe(token)
      return header.kid === 'es' ? publicKey : secretFor('HS256')
    })
    await expect(verifyJWT(token, resolver, { algorithms: ['ES384'], currentDate })).resolves.toMatchObject({
      key: publicKey,
    })
    expect(resolver).toHaveBeenCalledWith({ alg: 'ES384', typ: 'JWT', kid: 'es' }, token)
    await expect(
      verifyJWT(token, async () => publicKey, { algorithms: ['ES384'], currentDate }),
    ).resolves.toBeDefined()
    expect(verifyJWTSync(token, resolver, { algorithms: ['ES384'], currentDate }).key).toBe(publicKey)
    expect(() => verifyJWTSync(token, async () => publicKey, { algorithms: ['ES384'], currentDate })).toThrow(
      TypeError,
    )
  })

  it('refuses a token whose resolver finds no key', async () => {
    const key = secretFor('HS256')
    const token = await signJWT({ exp }, key, { alg: 'HS256', currentDate })
    await expect(
      verifyJWT(token, () => undefined as never, { algorithms: ['HS256'], currentDate }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_KEY_RESOLUTION_FAILED',
    })
  })

  it('refuses a token without exp unless allowMissingExpiration is set', async () => {
    const key = secretFor('HS256')
    const token = await signJWT({}, key, { alg: 'HS256', currentDate })
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
      claim: 'exp',
    })
    await expect(
      verifyJWT(token, key, { algorithms: ['HS256'], currentDate, allowMissingExpiration: true }),
    ).resolves.toBeDefined()
  })

  it('checks the signature before the claims', async () => {
    const key = secretFor('HS256')
    const expired = forge({ alg: 'HS256' }, { exp: 1 }, secretFor('HS384'), 'HS256')
    await expect(verifyJWT(expired, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"claims"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses a claims set that is %s as ERR_JWT_INVALID', async (_what, claims) => {
    const key = secretFor('HS256')
    const token = forge({ alg: 'HS256' }, claims, key)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    })
  })

  it('refuses a claims set that is not JSON', async () => {
    const key = secretFor('HS256')
    const token = forge({ alg: 'HS256' }, '{"exp":', key)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_JSON',
    })
    const input = `${b64u('{"alg":"HS256"}')}.${b64u(new Uint8Array([0x7b, 0xff, 0x7d]))}`
    const notUtf8 = `${input}.${b64u(forgeSignature(input, key, 'HS256'))}`
    await expect(verifyJWT(notUtf8, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_JSON',
    })
  })

  it('needs an allowlist and refuses algorithms outside it', async () => {
    const key = secretFor('HS256')
    const token = await signJWT({ exp }, key, { alg: 'HS256', currentDate })
    await expect(verifyJWT(token, key, {} as never)).rejects.toThrow(/"algorithms"/)
    await expect(verifyJWT(token, key, undefined as never)).rejects.toThrow(TypeError)
    await expect(verifyJWT(token, key, { algorithms: ['HS512'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
  })

  it('refuses a token that is not a string', async () => {
    await expect(verifyJWT({} as never, secretFor('HS256'), { algorithms: ['HS256'] })).rejects.toMatchObject(
      {
        code: 'ERR_JWS_INVALID',
      },
    )
  })
})
