import { Buffer } from 'node:buffer'
import { JOSEError } from '../errors.js'
import { decodeBase64url } from '../lib/base64url.js'
import { assertHeaderMembers } from '../lib/header.js'
import { parseJSONObject } from '../lib/json.js'
import { assertKnownOptions, omitOptions } from '../lib/options.js'
import { JWT_CLAIMS_OPTIONS, resolveClaimsOptions, validateClaims } from './internal/claims.js'
import { DEFAULT_MAX_JWT_LENGTH } from './internal/verify.js'
import { resolveSignOptions, SIGN_JWT_OPTIONS, type SignJWTOptions } from './sign.js'
import type { JWTClaimsOptions, JWTPayload } from './types.js'

const ENCODE_UNSECURED_OPTIONS = omitOptions(SIGN_JWT_OPTIONS, 'alg', 'kid')

/**
 * Encodes an Unsecured JWT (RFC 7519 §6, `alg: "none"`): no signature, no integrity. It exists for
 * tests and for channels secured by other means; no verify function in this library accepts it.
 */
export function encodeUnsecuredJWT(
  claims: JWTPayload,
  options: Omit<SignJWTOptions, 'alg' | 'kid'> = {},
): string {
  assertKnownOptions(options, ENCODE_UNSECURED_OPTIONS, 'encodeUnsecuredJWT')
  const { header, build } = resolveSignOptions({ ...options, alg: 'none' })
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
  return `${encode(header)}.${encode(build(claims))}.`
}

/**
 * Decodes an Unsecured JWT and validates its claims. Only tokens with `alg: "none"` (exactly) and an
 * empty signature are accepted here, so a signed token cannot be downgraded through this door either.
 */
export function decodeUnsecuredJWT(
  token: string,
  options: JWTClaimsOptions = {},
): { payload: JWTPayload; header: Record<string, unknown> } {
  assertKnownOptions(options, JWT_CLAIMS_OPTIONS, 'decodeUnsecuredJWT')
  if (typeof token !== 'string') throw new JOSEError('ERR_JWS_INVALID', 'a token must be a string')
  if (token.length > DEFAULT_MAX_JWT_LENGTH) throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE')
  const parts = token.split('.')
  if (parts.length !== 3 || parts[2] !== '')
    throw new JOSEError('ERR_JWS_INVALID', 'an unsecured JWT has an empty third part')
  const header = parseJSONObject(
    decodeBase64url(parts[0] as string, 'the header'),
    'the header',
    'ERR_JOSE_INVALID_HEADER',
  )
  assertHeaderMembers(header)
  if (header.alg !== 'none') throw new JOSEError('ERR_JWS_INVALID', 'not an unsecured JWT')
  if (header.crit !== undefined)
    throw new JOSEError('ERR_JOSE_CRIT_INVALID', 'an unsecured JWT cannot have "crit"')
  const payload = parseJSONObject(
    decodeBase64url(parts[1] as string, 'the payload'),
    'the JWT claims set',
    'ERR_JWT_INVALID',
  )
  validateClaims(payload, header, resolveClaimsOptions(options))
  return { payload, header }
}
