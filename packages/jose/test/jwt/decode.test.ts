import { describe, expect, it } from 'vitest'
import { decodeProtectedHeader, signJWT, unsafeDecodeJWT } from '../../src/index.js'
import { b64u, forge, withSegment } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

describe('decodeProtectedHeader', () => {
  it('reads the header of a JWS and of a compact JWE without verifying anything', () => {
    const jws = forge({ alg: 'ES256', kid: 'k' }, { a: 1 }, secretFor('HS256'), 'HS256')
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'ES256', kid: 'k' })
    const jwe = `${b64u('{"alg":"dir","enc":"A256GCM"}')}..AAAA.AAAA.AAAA`
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'dir', enc: 'A256GCM' })
  })

  it.each([
    ['a token with two parts', 'a.b', 'ERR_JWS_INVALID'],
    ['a token with four parts', 'a.b.c.d', 'ERR_JWS_INVALID'],
    ['a non-string', 42, 'ERR_JWS_INVALID'],
    ['a padded header', `${b64u('{"alg":"HS256"}')}=.e30.`, 'ERR_JOSE_INVALID_ENCODING'],
    ['a header array', `${b64u('[]')}.e30.`, 'ERR_JOSE_INVALID_HEADER'],
    ['a header that is not JSON', `${b64u('{alg')}.e30.`, 'ERR_JOSE_INVALID_JSON'],
    [
      'a header with duplicate names',
      `${b64u('{"alg":"HS256","alg":"none"}')}.e30.`,
      'ERR_JOSE_INVALID_JSON',
    ],
  ])('refuses %s with %s', (_what, token, code) => {
    expect(() => decodeProtectedHeader(token as string)).toThrow(expect.objectContaining({ code }))
  })
})

describe('unsafeDecodeJWT', () => {
  it('returns header and claims of an expired, wrongly signed token: it verifies nothing', async () => {
    const token = await signJWT({ sub: 's' }, secretFor('HS256'), { alg: 'HS256', iat: 1, expiresIn: 1 })
    const forged = withSegment(token, 2, 'AAAA')
    expect(unsafeDecodeJWT(forged)).toEqual({
      protectedHeader: { alg: 'HS256', typ: 'JWT' },
      payload: { sub: 's', iat: 1, exp: 2 },
    })
  })

  it.each([
    ['a JWE', 'a.b.c.d.e', 'ERR_JWS_INVALID'],
    ['a claims array', `${b64u('{"alg":"HS256"}')}.${b64u('[1]')}.`, 'ERR_JWT_INVALID'],
    ['claims with whitespace', `${b64u('{"alg":"HS256"}')}.e30 .`, 'ERR_JOSE_INVALID_ENCODING'],
    [
      'claims with duplicate names',
      `${b64u('{"alg":"HS256"}')}.${b64u('{"a":1,"a":2}')}.`,
      'ERR_JOSE_INVALID_JSON',
    ],
  ])('refuses %s with %s', (_what, token, code) => {
    expect(() => unsafeDecodeJWT(token)).toThrow(expect.objectContaining({ code }))
  })

  it('refuses a token over its size limit', () => {
    expect(() => unsafeDecodeJWT(`e30.${'A'.repeat(2 * 1024 * 1024)}.`)).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_TOKEN_TOO_LARGE' }),
    )
  })
})
