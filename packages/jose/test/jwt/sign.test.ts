import { describe, expect, it } from 'vitest'
import { signJWT, signJWTSync, unsafeDecodeJWT, verifyJWT } from '../../src/index.js'
import { keyPairFor, secretFor } from '../helpers/unit-keys.js'

const NOW = 1_893_456_000 // 2030-01-01T00:00:00Z
const currentDate = new Date(NOW * 1000)
const key = secretFor('HS256')

describe('signJWT', () => {
  it('issues a token with the registered claims from the options', async () => {
    const token = await signJWT({ scope: 'read' }, key, {
      alg: 'HS256',
      kid: 'k1',
      issuer: 'https://issuer.example',
      subject: 'user-1',
      audience: 'api',
      expiresIn: '15m',
      notBefore: 30,
      jti: 'id-1',
      currentDate,
    })
    const { protectedHeader, payload } = unsafeDecodeJWT(token)
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
    expect(payload).toEqual({
      scope: 'read',
      iss: 'https://issuer.example',
      sub: 'user-1',
      aud: 'api',
      jti: 'id-1',
      iat: NOW,
      exp: NOW + 900,
      nbf: NOW + 30,
    })
  })

  it.each([
    [60, 60],
    ['30s', 30],
    ['2 hours', 7200],
    ['1.5h', 5400],
    ['1d', 86_400],
    ['1w', 604_800],
    ['1y', 31_557_600],
  ] as const)('reads expiresIn %j as %i seconds', async (expiresIn, seconds) => {
    const token = await signJWT({}, key, { alg: 'HS256', expiresIn, currentDate })
    expect(unsafeDecodeJWT(token).payload.exp).toBe(NOW + seconds)
  })

  it('takes an audience array, a random jti, a custom typ and extra header parameters', async () => {
    const token = await signJWT({}, key, {
      alg: 'HS256',
      audience: ['a', 'b'],
      jti: true,
      typ: 'at+jwt',
      header: { cty: 'x' },
      currentDate,
    })
    const { protectedHeader, payload } = unsafeDecodeJWT(token)
    expect(protectedHeader).toEqual({ cty: 'x', alg: 'HS256', typ: 'at+jwt' })
    expect(payload.aud).toEqual(['a', 'b'])
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    const other = unsafeDecodeJWT(await signJWT({}, key, { alg: 'HS256', jti: true, currentDate })).payload
      .jti
    expect(other).not.toBe(payload.jti)
  })

  it('lets the option alg win over a header alg', async () => {
    const token = await signJWT({}, key, { alg: 'HS256', header: { alg: 'none' }, currentDate })
    expect(unsafeDecodeJWT(token).protectedHeader.alg).toBe('HS256')
  })

  it('uses an explicit iat, a claims iat, or none at all', async () => {
    const explicit = await signJWT({}, key, { alg: 'HS256', iat: 1000, expiresIn: 10 })
    expect(unsafeDecodeJWT(explicit).payload).toMatchObject({ iat: 1000, exp: 1010 })
    const fromClaims = await signJWT({ iat: 2000 }, key, { alg: 'HS256', expiresIn: 10 })
    expect(unsafeDecodeJWT(fromClaims).payload).toMatchObject({ iat: 2000, exp: 2010 })
    const without = await signJWT({}, key, { alg: 'HS256', iat: false, expiresIn: 10, currentDate })
    const { payload } = unsafeDecodeJWT(without)
    expect(payload.iat).toBeUndefined()
    expect(payload.exp).toBe(NOW + 10)
  })

  it('lets the options override claims of the same name', async () => {
    const token = await signJWT({ iss: 'claims', sub: 'claims' }, key, {
      alg: 'HS256',
      issuer: 'options',
      subject: 'options',
      currentDate,
    })
    expect(unsafeDecodeJWT(token).payload).toMatchObject({ iss: 'options', sub: 'options' })
  })

  it('is identical sync and async for a deterministic algorithm', async () => {
    const options = { alg: 'HS256', issuer: 'i', expiresIn: 60, currentDate }
    expect(signJWTSync({ a: 1 }, key, options)).toBe(await signJWT({ a: 1 }, key, options))
  })

  it('issues tokens that verifyJWT accepts, for asymmetric keys too', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const token = signJWTSync({ sub: 's' }, privateKey, { alg: 'ES256', expiresIn: '5m' })
    await expect(verifyJWT(token, publicKey, { algorithms: ['ES256'], subject: 's' })).resolves.toBeDefined()
  })

  it.each([
    ['no options', undefined, '"options"'],
    ['no alg', {}, '"alg"'],
    ['a numeric kid', { alg: 'HS256', kid: 1 }, '"kid"'],
    ['a numeric typ', { alg: 'HS256', typ: 1 }, '"typ"'],
    ['a numeric issuer', { alg: 'HS256', issuer: 1 }, '"issuer"'],
    ['a numeric subject', { alg: 'HS256', subject: 1 }, '"subject"'],
    ['an audience of numbers', { alg: 'HS256', audience: [1] }, '"audience"'],
    ['a numeric jti', { alg: 'HS256', jti: 1 }, '"jti"'],
    ['an iat string', { alg: 'HS256', iat: '1' }, '"iat"'],
    ['a negative iat', { alg: 'HS256', iat: -1 }, '"iat"'],
    ['an unknown expiresIn unit', { alg: 'HS256', expiresIn: '5 fortnights' }, '"expiresIn"'],
    ['a negative expiresIn', { alg: 'HS256', expiresIn: '-5m' }, '"expiresIn"'],
    ['a NaN notBefore', { alg: 'HS256', notBefore: Number.NaN }, '"notBefore"'],
    ['an invalid currentDate', { alg: 'HS256', currentDate: new Date('x') }, '"currentDate"'],
    ['a header that is not an object', { alg: 'HS256', header: 'x' }, '"header"'],
  ])('throws a TypeError for %s', async (_what, options, name) => {
    await expect(signJWT({}, key, options as never)).rejects.toThrow(TypeError)
    await expect(signJWT({}, key, options as never)).rejects.toThrow(name)
    expect(() => signJWTSync({}, key, options as never)).toThrow(name)
  })

  it.each([
    ['an array', []],
    ['a string', 'claims'],
    ['an exp string', { exp: '1' }],
    ['an infinite nbf', { nbf: Number.POSITIVE_INFINITY }],
    ['a negative iat', { iat: -5 }],
  ])('refuses claims with %s', async (_what, claims) => {
    await expect(signJWT(claims as never, key, { alg: 'HS256' })).rejects.toThrow(TypeError)
  })

  it('refuses alg none: unsecured JWTs have their own function', async () => {
    await expect(signJWT({}, key, { alg: 'none' })).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NONE' })
  })

  it('refuses a key that does not fit the algorithm', async () => {
    const { privateKey } = await keyPairFor('ES256')
    await expect(signJWT({}, privateKey, { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})
