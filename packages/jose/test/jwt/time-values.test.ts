/**
 * NaN, Infinity and negative numbers in time options are programmer errors (TypeError naming the option);
 * in claims they are hostile input (ERR_JWT_INVALID). `1e400` parses to Infinity, and a NaN or Infinity
 * in a comparison silently passes every `exp <= now` check.
 */
import { describe, expect, it } from 'vitest'
import {
  createJWTSigner,
  createJWTVerifier,
  decodeUnsecuredJWT,
  encodeUnsecuredJWT,
  signJWT,
  signJWTSync,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { forge } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const exp = 4102444800
const good = forge({ alg: 'HS256' }, { exp, iat: 1_700_000_000 }, key)

const BAD_SPANS: Array<[string, unknown]> = [
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-1', -1],
  ['-0.5', -0.5],
  ['"-1m"', '-1m'],
  ['"NaN"', 'NaN'],
  ['"Infinity s"', 'Infinity s'],
  ['"1e400s"', '1e400s'],
  ['"10 parsecs"', '10 parsecs'],
  ['an empty string', ''],
  ['an object', { seconds: 1 }],
  ['null', null],
  ['a bigint', 10n],
]

describe('time options', () => {
  it.each(BAD_SPANS)('refuses clockTolerance %s as a TypeError naming it', async (_what, value) => {
    const options = { algorithms: ['HS256'], clockTolerance: value as number }
    await expect(verifyJWT(good, key, options)).rejects.toThrow(TypeError)
    await expect(verifyJWT(good, key, options)).rejects.toThrow(/"clockTolerance"/)
    expect(() => verifyJWTSync(good, key, options)).toThrow(/"clockTolerance"/)
    expect(() => createJWTVerifier({ key, ...options })).toThrow(/"clockTolerance"/)
    expect(() =>
      decodeUnsecuredJWT(encodeUnsecuredJWT({ exp }), { clockTolerance: value as number }),
    ).toThrow(/"clockTolerance"/)
  })

  it.each(BAD_SPANS)('refuses maxTokenAge %s as a TypeError naming it', async (_what, value) => {
    const options = { algorithms: ['HS256'], maxTokenAge: value as number }
    await expect(verifyJWT(good, key, options)).rejects.toThrow(TypeError)
    await expect(verifyJWT(good, key, options)).rejects.toThrow(/"maxTokenAge"/)
    expect(() => createJWTVerifier({ key, ...options })).toThrow(/"maxTokenAge"/)
  })

  it.each(BAD_SPANS)(
    'refuses expiresIn and notBefore %s as a TypeError naming them',
    async (_what, value) => {
      await expect(signJWT({}, key, { alg: 'HS256', expiresIn: value as number })).rejects.toThrow(
        /"expiresIn"/,
      )
      expect(() => signJWTSync({}, key, { alg: 'HS256', notBefore: value as number })).toThrow(/"notBefore"/)
      expect(() => createJWTSigner({ key, alg: 'HS256', expiresIn: value as number })).toThrow(/"expiresIn"/)
      expect(() => encodeUnsecuredJWT({}, { notBefore: value as number })).toThrow(/"notBefore"/)
    },
  )

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-1', -1],
    ['a string', '1700000000'],
  ])('refuses the iat option %s as a TypeError', async (_what, iat) => {
    await expect(signJWT({}, key, { alg: 'HS256', iat: iat as number })).rejects.toThrow(/"iat"/)
  })

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a number', Date.now()],
    ['a string', '2030-01-01'],
  ])('refuses currentDate %s as a TypeError', async (_what, currentDate) => {
    await expect(
      verifyJWT(good, key, { algorithms: ['HS256'], currentDate: currentDate as Date }),
    ).rejects.toThrow(/"currentDate"/)
    await expect(signJWT({}, key, { alg: 'HS256', currentDate: currentDate as Date })).rejects.toThrow(
      /"currentDate"/,
    )
  })

  it('refuses NaN, Infinity and negative NumericDates in claims given to signJWT', async () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -1]) {
      for (const claim of ['exp', 'nbf', 'iat']) {
        await expect(signJWT({ [claim]: value }, key, { alg: 'HS256' })).rejects.toThrow(TypeError)
      }
    }
  })
})

describe('time claims', () => {
  it.each([
    ['exp 1e400 (Infinity: never expires)', '{"exp":1e400}'],
    ['exp -1e400 (-Infinity)', '{"exp":-1e400}'],
    ['exp negative', '{"exp":-1}'],
    ['exp as a string', '{"exp":"4102444800"}'],
    ['exp as a numeric string with spaces', '{"exp":" 4102444800"}'],
    ['exp as an array', '{"exp":[4102444800]}'],
    ['exp as null', '{"exp":null}'],
    ['exp as a boolean', '{"exp":true}'],
    ['exp as an object', '{"exp":{"valueOf":4102444800}}'],
    ['nbf 1e400', `{"exp":${exp},"nbf":1e400}`],
    ['nbf -1e400 (-Infinity: always valid)', `{"exp":${exp},"nbf":-1e400}`],
    ['nbf negative', `{"exp":${exp},"nbf":-5}`],
    ['iat 1e400', `{"exp":${exp},"iat":1e400}`],
    ['iat -1e400', `{"exp":${exp},"iat":-1e400}`],
    ['iat negative', `{"exp":${exp},"iat":-1}`],
    ['iat as a string', `{"exp":${exp},"iat":"now"}`],
  ])('refuses %s as ERR_JWT_INVALID', async (_what, payload) => {
    const token = forge({ alg: 'HS256' }, payload, key)
    const options = { algorithms: ['HS256'], maxTokenAge: '1y' }
    await expect(verifyJWT(token, key, options)).rejects.toMatchObject({ code: 'ERR_JWT_INVALID' })
    expect(() => verifyJWTSync(token, key, { ...options, allowMissingExpiration: true })).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_INVALID' }),
    )
    await expect(createJWTVerifier({ key, ...options })(token)).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    })
  })

  it('still accepts very large finite dates and fractions', async () => {
    const token = forge({ alg: 'HS256' }, '{"exp":1e300,"iat":1.5e9,"nbf":0}', key)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })
})
