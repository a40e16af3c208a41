import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  decodeUnsecuredJWT,
  encodeUnsecuredJWT,
  signJWT,
  verifyJWT,
} from '../../src/index.js'
import { b64u } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const NOW = 1_893_456_000
const currentDate = new Date(NOW * 1000)

describe('encodeUnsecuredJWT / decodeUnsecuredJWT', () => {
  it('encodes a token with alg none and an empty signature, and decodes it', () => {
    const token = encodeUnsecuredJWT({ sub: 's' }, { issuer: 'i', expiresIn: 60, currentDate })
    const [header, , signature] = token.split('.')
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({
      alg: 'none',
      typ: 'JWT',
    })
    expect(signature).toBe('')
    const decoded = decodeUnsecuredJWT(token, { issuer: 'i', currentDate })
    expect(decoded.header).toEqual({ alg: 'none', typ: 'JWT' })
    expect(decoded.payload).toEqual({ sub: 's', iss: 'i', iat: NOW, exp: NOW + 60 })
  })

  it('validates claims like verifyJWT does', () => {
    const token = encodeUnsecuredJWT({}, { issuer: 'i', expiresIn: 60, currentDate })
    expect(() => decodeUnsecuredJWT(token, { issuer: 'other', currentDate })).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_ISSUER_MISMATCH' }),
    )
    expect(() => decodeUnsecuredJWT(token, { currentDate: new Date((NOW + 60) * 1000) })).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_EXPIRED' }),
    )
    const noExp = encodeUnsecuredJWT({}, { currentDate })
    expect(() => decodeUnsecuredJWT(noExp, { currentDate })).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_CLAIM_MISSING' }),
    )
    expect(decodeUnsecuredJWT(noExp, { currentDate, allowMissingExpiration: true }).payload).toEqual({
      iat: NOW,
    })
  })

  it('refuses a signed token, so a signed token cannot be downgraded through it', async () => {
    const signed = await signJWT({}, secretFor('HS256'), { alg: 'HS256', expiresIn: 60 })
    expect(() => decodeUnsecuredJWT(signed)).toThrow(expect.objectContaining({ code: 'ERR_JWS_INVALID' }))
    const [header, payload] = signed.split('.')
    expect(() => decodeUnsecuredJWT(`${header}.${payload}.`)).toThrow(
      expect.objectContaining({ code: 'ERR_JWS_INVALID' }),
    )
  })

  it.each(['None', 'NONE', 'nOnE'])('refuses alg %s: only the exact "none" is an unsecured JWT', (alg) => {
    const token = `${b64u(JSON.stringify({ alg }))}.${b64u('{}')}.`
    expect(() => decodeUnsecuredJWT(token, { allowMissingExpiration: true })).toThrow(
      expect.objectContaining({ code: 'ERR_JWS_INVALID' }),
    )
  })

  it('refuses crit, malformed structure and oversize tokens', () => {
    const crit = `${b64u('{"alg":"none","crit":["x"],"x":1}')}.${b64u('{}')}.`
    expect(() => decodeUnsecuredJWT(crit, { allowMissingExpiration: true })).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_CRIT_INVALID' }),
    )
    expect(() => decodeUnsecuredJWT('a.b')).toThrow(expect.objectContaining({ code: 'ERR_JWS_INVALID' }))
    expect(() => decodeUnsecuredJWT(`${b64u('{"alg":"none"}')}.${'A'.repeat(20_000)}.`)).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_TOKEN_TOO_LARGE' }),
    )
    expect(() => decodeUnsecuredJWT(`${b64u('{"alg":"none","kid":1}')}.${b64u('{}')}.`)).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_INVALID_HEADER' }),
    )
  })

  it('is never accepted by the verify functions', async () => {
    const token = encodeUnsecuredJWT({}, { expiresIn: 60 })
    const key = secretFor('HS256')
    await expect(verifyJWT(token, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NONE',
    })
    await expect(compactVerify(token, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NONE',
    })
    await expect(createJWTVerifier({ key, algorithms: ['HS256'] })(token)).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NONE',
    })
  })

  it('cannot be given another alg (or a kid): they are not its options', () => {
    expect(() => encodeUnsecuredJWT({}, { alg: 'HS256' } as never)).toThrow(
      new TypeError('"alg" is not an option of encodeUnsecuredJWT'),
    )
    expect(() => encodeUnsecuredJWT({}, { kid: 'k1' } as never)).toThrow(
      new TypeError('"kid" is not an option of encodeUnsecuredJWT'),
    )
    const token = encodeUnsecuredJWT({}, {})
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toEqual({
      alg: 'none',
      typ: 'JWT',
    })
  })
})
