import { describe, expect, it } from 'vitest'
import {
  JWTClaimValidationError,
  type JWTPayload,
  signJWTSync,
  type VerifyJWTOptions,
  verifyJWT,
} from '../../src/index.js'
import { forge } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const NOW = 1_893_456_000
const currentDate = new Date(NOW * 1000)
const key = secretFor('HS256')

function token(claims: JWTPayload, header: Record<string, unknown> = {}): string {
  return forge({ alg: 'HS256', ...header }, claims, key)
}

function verify(
  claims: JWTPayload,
  options: Partial<VerifyJWTOptions> = {},
  header?: Record<string, unknown>,
) {
  return verifyJWT(token({ exp: NOW + 60, ...claims }, header), key, {
    algorithms: ['HS256'],
    currentDate,
    ...options,
  })
}

describe('JWT claims validation', () => {
  describe('iss', () => {
    it('accepts the exact issuer or one of several', async () => {
      await expect(verify({ iss: 'https://a' }, { issuer: 'https://a' })).resolves.toBeDefined()
      await expect(
        verify({ iss: 'https://b' }, { issuer: ['https://a', 'https://b'] }),
      ).resolves.toBeDefined()
    })

    it.each([
      ['another issuer', { iss: 'https://c' }],
      ['a prefix', { iss: 'https://a/' }],
      ['a different case', { iss: 'HTTPS://A' }],
      ['no issuer', {}],
    ])('refuses %s as ERR_JWT_ISSUER_MISMATCH', async (_what, claims) => {
      const error = await verify(claims, { issuer: 'https://a' }).catch((e) => e)
      expect(error).toBeInstanceOf(JWTClaimValidationError)
      expect(error).toMatchObject({ code: 'ERR_JWT_ISSUER_MISMATCH', claim: 'iss' })
    })
  })

  describe('aud', () => {
    it.each([
      ['a matching string', 'api', 'api'],
      ['an array naming it', ['other', 'api'], 'api'],
      ['a string among several accepted', 'b', ['a', 'b']],
      ['an array overlapping several accepted', ['x', 'b'], ['a', 'b']],
    ] as const)('accepts %s', async (_what, aud, audience) => {
      await expect(verify({ aud: aud as string | string[] }, { audience })).resolves.toBeDefined()
    })

    it.each([
      ['another audience', 'web'],
      ['an array without it', ['web', 'app']],
      ['no audience', undefined],
      ['a case variant', 'API'],
    ] as const)('refuses %s as ERR_JWT_AUDIENCE_MISMATCH', async (_what, aud) => {
      const claims = aud === undefined ? {} : { aud: aud as string | string[] }
      await expect(verify(claims, { audience: 'api' })).rejects.toMatchObject({
        code: 'ERR_JWT_AUDIENCE_MISMATCH',
        claim: 'aud',
      })
    })

    it('does not check aud when no audience option is given, but still checks its type', async () => {
      await expect(verify({ aud: 'anything' })).resolves.toBeDefined()
      await expect(verify({ aud: 5 as never })).rejects.toMatchObject({
        code: 'ERR_JWT_INVALID',
        claim: 'aud',
      })
    })
  })

  describe('sub', () => {
    it('accepts the expected subject and refuses another or none', async () => {
      await expect(verify({ sub: 'user-1' }, { subject: 'user-1' })).resolves.toBeDefined()
      await expect(verify({ sub: 'user-2' }, { subject: 'user-1' })).rejects.toMatchObject({
        code: 'ERR_JWT_SUBJECT_MISMATCH',
        claim: 'sub',
      })
      await expect(verify({}, { subject: 'user-1' })).rejects.toMatchObject({
        code: 'ERR_JWT_SUBJECT_MISMATCH',
      })
    })
  })

  describe('exp', () => {
    it('accepts a token until the second before exp', async () => {
      await expect(verify({ exp: NOW + 1 })).resolves.toBeDefined()
    })

    it.each([NOW, NOW - 1, 0])('refuses exp %i as ERR_JWT_EXPIRED', async (exp) => {
      const error = await verify({ exp }).catch((e) => e)
      expect(error).toMatchObject({ code: 'ERR_JWT_EXPIRED', claim: 'exp' })
      expect(error.payload).toMatchObject({ exp })
    })

    it('applies clockTolerance in seconds or as a duration', async () => {
      await expect(verify({ exp: NOW - 30 }, { clockTolerance: 31 })).resolves.toBeDefined()
      await expect(verify({ exp: NOW - 30 }, { clockTolerance: 30 })).rejects.toMatchObject({
        code: 'ERR_JWT_EXPIRED',
      })
      await expect(verify({ exp: NOW - 59 }, { clockTolerance: '1m' })).resolves.toBeDefined()
      await expect(verify({ exp: NOW - 61 }, { clockTolerance: '1m' })).rejects.toMatchObject({
        code: 'ERR_JWT_EXPIRED',
      })
    })
  })

  describe('nbf', () => {
    it('accepts nbf now or in the past, refuses it in the future', async () => {
      await expect(verify({ nbf: NOW })).resolves.toBeDefined()
      await expect(verify({ nbf: NOW - 100 })).resolves.toBeDefined()
      await expect(verify({ nbf: NOW + 1 })).rejects.toMatchObject({
        code: 'ERR_JWT_NOT_YET_VALID',
        claim: 'nbf',
      })
    })

    it('applies clockTolerance', async () => {
      await expect(verify({ nbf: NOW + 10 }, { clockTolerance: 10 })).resolves.toBeDefined()
      await expect(verify({ nbf: NOW + 11 }, { clockTolerance: 10 })).rejects.toMatchObject({
        code: 'ERR_JWT_NOT_YET_VALID',
      })
    })
  })

  describe('iat', () => {
    it('refuses iat in the future, within clockTolerance', async () => {
      await expect(verify({ iat: NOW })).resolves.toBeDefined()
      await expect(verify({ iat: NOW + 1 })).rejects.toMatchObject({
        code: 'ERR_JWT_ISSUED_IN_FUTURE',
        claim: 'iat',
      })
      await expect(verify({ iat: NOW + 5 }, { clockTolerance: 5 })).resolves.toBeDefined()
    })
  })

  describe('maxTokenAge', () => {
    it('refuses tokens older than maxTokenAge, in seconds or as a duration', async () => {
      await expect(verify({ iat: NOW - 300 }, { maxTokenAge: 300 })).resolves.toBeDefined()
      await expect(verify({ iat: NOW - 301 }, { maxTokenAge: 300 })).rejects.toMatchObject({
        code: 'ERR_JWT_TOO_OLD',
        claim: 'iat',
      })
      await expect(verify({ iat: NOW - 301 }, { maxTokenAge: '5m' })).rejects.toMatchObject({
        code: 'ERR_JWT_TOO_OLD',
      })
      await expect(
        verify({ iat: NOW - 301 }, { maxTokenAge: '5m', clockTolerance: 1 }),
      ).resolves.toBeDefined()
    })

    it('requires iat', async () => {
      await expect(verify({}, { maxTokenAge: 300 })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_MISSING',
        claim: 'iat',
      })
    })
  })

  describe('requiredClaims', () => {
    it('refuses a token missing a required claim and names it', async () => {
      await expect(verify({ jti: 'j', sid: 's' }, { requiredClaims: ['jti', 'sid'] })).resolves.toBeDefined()
      const error = await verify({ jti: 'j' }, { requiredClaims: ['jti', 'sid'] }).catch((e) => e)
      expect(error).toMatchObject({ code: 'ERR_JWT_CLAIM_MISSING', claim: 'sid', reason: 'is required' })
    })

    it('does not count inherited properties as present', async () => {
      await expect(verify({}, { requiredClaims: ['constructor'] })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_MISSING',
        claim: 'constructor',
      })
      await expect(verify({}, { requiredClaims: ['toString'] })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_MISSING',
      })
    })

    it('requires exp by default and names it', async () => {
      const noExp = token({ sub: 's' })
      await expect(verifyJWT(noExp, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_MISSING',
        claim: 'exp',
      })
    })
  })

  describe('typ (explicit typing, RFC 8725 §3.11)', () => {
    it.each([
      ['at+jwt', 'at+jwt'],
      ['application/at+JWT', 'at+jwt'],
      ['AT+JWT', 'application/at+jwt'],
      ['application/at+jwt', 'Application/AT+JWT'],
    ])('accepts header typ %s for expected typ %s', async (headerTyp, typ) => {
      await expect(verify({}, { typ }, { typ: headerTyp })).resolves.toBeDefined()
    })

    it.each([
      ['JWT', 'at+jwt'],
      ['jwt', 'at+jwt'],
      ['application/jwt', 'at+jwt'],
      ['text/at+jwt', 'at+jwt'],
      ['at+jwt', 'application/jwt'],
    ])('refuses header typ %s when %s is expected', async (headerTyp, typ) => {
      await expect(verify({}, { typ }, { typ: headerTyp })).rejects.toMatchObject({
        code: 'ERR_JWT_TYPE_MISMATCH',
        claim: 'typ',
      })
    })

    it('refuses a token without typ when one is expected, and accepts any typ otherwise', async () => {
      await expect(verify({}, { typ: 'at+jwt' })).rejects.toMatchObject({ code: 'ERR_JWT_TYPE_MISMATCH' })
      await expect(verify({}, {}, { typ: 'whatever' })).resolves.toBeDefined()
    })

    it('accepts what signJWT issues with typ at+jwt', async () => {
      const jwt = signJWTSync({}, key, { alg: 'HS256', typ: 'at+jwt', expiresIn: 60, currentDate })
      await expect(
        verifyJWT(jwt, key, { algorithms: ['HS256'], currentDate, typ: 'application/at+jwt' }),
      ).resolves.toBeDefined()
    })
  })

  describe('registered claim types', () => {
    it.each([
      ['iss', 1],
      ['sub', { id: 1 }],
      ['jti', 7],
      ['exp', '1893456060'],
      ['nbf', -1],
      ['iat', true],
      ['exp', null],
      ['aud', ['a', 1]],
      ['aud', []],
      ['aud', { a: 1 }],
    ])('refuses %s = %j as ERR_JWT_INVALID', async (claim, value) => {
      const error = await verify({ [claim]: value }).catch((e) => e)
      expect(error).toMatchObject({ code: 'ERR_JWT_INVALID', claim })
    })

    it('accepts fractional NumericDates', async () => {
      await expect(verify({ exp: NOW + 0.5, iat: NOW - 0.5 })).resolves.toBeDefined()
    })
  })

  describe('currentDate', () => {
    it('defaults to the clock and refuses an invalid date', async () => {
      const now = Math.floor(Date.now() / 1000)
      await expect(verifyJWT(token({ exp: now + 60 }), key, { algorithms: ['HS256'] })).resolves.toBeDefined()
      await expect(verify({}, { currentDate: new Date(Number.NaN) })).rejects.toThrow(/"currentDate"/)
      await expect(verify({}, { currentDate: NOW as never })).rejects.toThrow(TypeError)
    })
  })

  describe('option types', () => {
    it.each([
      ['subject', { subject: 1 }],
      ['typ', { typ: '' }],
      ['requiredClaims', { requiredClaims: 'exp' }],
      ['requiredClaims', { requiredClaims: [1] }],
    ])('throws a TypeError naming %s', async (name, options) => {
      await expect(verify({}, options as never)).rejects.toThrow(TypeError)
      await expect(verify({}, options as never)).rejects.toThrow(`"${name}"`)
    })
  })
})
