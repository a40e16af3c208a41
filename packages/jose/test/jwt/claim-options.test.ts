/**
 * `issuer` and `audience` options are strings or arrays of strings, compared exactly. A RegExp is the
 * stateful-`lastIndex` trap (a /g pattern matches every other call) and an object could match anything,
 * so both are TypeErrors. Claims must have their registered types: an `aud` of the wrong type, or an
 * `iss` array whose toString equals the expected issuer, is ERR_JWT_INVALID.
 */
import { describe, expect, it } from 'vitest'
import { createJWTVerifier, decodeUnsecuredJWT, encodeUnsecuredJWT, verifyJWT } from '../../src/index.js'
import { forge } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const exp = 4102444800
const token = forge({ alg: 'HS256' }, { iss: 'https://issuer.example', aud: 'api', exp }, key)

const BAD_VALUES: Array<[string, unknown]> = [
  ['a stateful /g RegExp', /issuer|api/g],
  ['a RegExp', /.*/],
  ['an array of numbers', [1, 2]],
  ['an array mixing strings and numbers', ['https://issuer.example', 'api', 1]],
  ['an array holding a RegExp', ['x', /.*/]],
  ['an empty array', []],
  ['an object', { includes: () => true }],
  ['a Set', new Set(['api'])],
  ['a String object', Object('api')],
  ['a function', () => true],
  ['a number', 1],
  ['null', null],
]

describe('issuer and audience options', () => {
  it.each(BAD_VALUES)('refuses issuer = %s as a TypeError naming it', async (_what, issuer) => {
    const options = { algorithms: ['HS256'], issuer: issuer as string }
    await expect(verifyJWT(token, key, options)).rejects.toThrow(TypeError)
    await expect(verifyJWT(token, key, options)).rejects.toThrow(/"issuer"/)
    expect(() => createJWTVerifier({ key, ...options })).toThrow(/"issuer"/)
    expect(() => decodeUnsecuredJWT(encodeUnsecuredJWT({ exp }), { issuer: issuer as string })).toThrow(
      /"issuer"/,
    )
  })

  it.each(BAD_VALUES)('refuses audience = %s as a TypeError naming it', async (_what, audience) => {
    const options = { algorithms: ['HS256'], audience: audience as string }
    await expect(verifyJWT(token, key, options)).rejects.toThrow(TypeError)
    await expect(verifyJWT(token, key, options)).rejects.toThrow(/"audience"/)
    expect(() => createJWTVerifier({ key, ...options })).toThrow(/"audience"/)
  })

  it.each([
    ['subject', { subject: /admin/ }],
    ['subject', { subject: ['admin'] }],
    ['typ', { typ: /jwt/i }],
    ['typ', { typ: ['at+jwt'] }],
  ])('refuses a non-string %s option as a TypeError', async (name, extra) => {
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], ...(extra as object) })).rejects.toThrow(
      `"${name}"`,
    )
  })
})

describe('claims of the wrong type', () => {
  it.each([
    ['a number', 5],
    ['an object', { aud: 'api' }],
    ['an array with a number', ['api', 5]],
    ['an array with null', ['api', null]],
    ['a nested array', [['api']]],
    ['an empty array', []],
    ['null', null],
    ['true', true],
  ])(
    'refuses an aud that is %s as ERR_JWT_INVALID, with or without an audience option',
    async (_what, aud) => {
      const hostile = forge({ alg: 'HS256' }, { aud, exp }, key)
      await expect(verifyJWT(hostile, key, { algorithms: ['HS256'], audience: 'api' })).rejects.toMatchObject(
        {
          code: 'ERR_JWT_INVALID',
          claim: 'aud',
        },
      )
      await expect(verifyJWT(hostile, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
        code: 'ERR_JWT_INVALID',
        claim: 'aud',
      })
    },
  )

  it.each([
    ['iss', ['https://issuer.example'], { issuer: 'https://issuer.example' }],
    ['iss', { toString: 'https://issuer.example' }, { issuer: 'https://issuer.example' }],
    ['sub', ['admin'], { subject: 'admin' }],
    ['sub', 1, { subject: '1' }],
    ['jti', 1, {}],
  ])('refuses %s = %j as ERR_JWT_INVALID even when its text would match', async (claim, value, options) => {
    const hostile = forge({ alg: 'HS256' }, { [claim]: value, exp }, key)
    await expect(verifyJWT(hostile, key, { algorithms: ['HS256'], ...options })).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
      claim,
    })
  })
})

describe('claims hidden behind __proto__', () => {
  it('are not read as claims: a "__proto__" member is data, not a prototype', async () => {
    const hidden = forge({ alg: 'HS256' }, `{"__proto__":{"exp":${exp},"iss":"https://issuer.example"}}`, key)
    await expect(verifyJWT(hidden, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_MISSING',
      claim: 'exp',
    })
    const withExp = forge(
      { alg: 'HS256' },
      `{"exp":${exp},"__proto__":{"iss":"https://issuer.example","aud":"api"}}`,
      key,
    )
    await expect(
      verifyJWT(withExp, key, { algorithms: ['HS256'], issuer: 'https://issuer.example' }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_ISSUER_MISMATCH' })
    await expect(verifyJWT(withExp, key, { algorithms: ['HS256'], audience: 'api' })).rejects.toMatchObject({
      code: 'ERR_JWT_AUDIENCE_MISMATCH',
    })
    const { payload } = await verifyJWT(withExp, key, { algorithms: ['HS256'] })
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).iss).toBeUndefined()
  })

  it('cannot smuggle a header parameter either', async () => {
    const token = forge('{"__proto__":{"alg":"none"},"alg":"HS256","kid":"k"}', { exp }, key, 'HS256')
    const { protectedHeader } = await verifyJWT(token, key, { algorithms: ['HS256'] })
    expect(protectedHeader.alg).toBe('HS256')
    const noAlg = forge('{"__proto__":{"alg":"HS256"}}', { exp }, key, 'HS256')
    await expect(verifyJWT(noAlg, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
  })
})
