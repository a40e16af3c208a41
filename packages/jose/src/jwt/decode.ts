import { JOSEError } from '../errors.js'
import { decodeBase64url } from '../lib/base64url.js'
import type { JOSEHeaderParameters } from '../lib/header.js'
import { parseJSONObject } from '../lib/json.js'
import { DEFAULT_MAX_JWT_LENGTH } from './internal/verify.js'
import type { JWTPayload } from './types.js'

function firstSegments(token: unknown): string[] {
  if (typeof token !== 'string') throw new JOSEError('ERR_JWS_INVALID', 'a token must be a string')
  if (token.length > DEFAULT_MAX_JWT_LENGTH * 64) throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE')
  const parts = token.split('.')
  if (parts.length !== 3 && parts.length !== 5)
    throw new JOSEError('ERR_JWS_INVALID', 'a token has three or five parts')
  return parts
}

/**
 * Reads the protected header of a JWS or JWE **without verifying anything** — for routing and key
 * selection only. Never act on what it returns.
 */
export function decodeProtectedHeader(token: string): JOSEHeaderParameters {
  const [header] = firstSegments(token)
  return parseJSONObject(
    decodeBase64url(header as string, 'the protected header'),
    'the protected header',
    'ERR_JOSE_INVALID_HEADER',
  )
}

/**
 * Decodes a signed JWT's header and claims **without verifying the signature or any claim**: for
 * debugging and inspection. Named so nobody mistakes it for verification.
 */
export function unsafeDecodeJWT(token: string): {
  protectedHeader: JOSEHeaderParameters
  payload: JWTPayload
} {
  const parts = firstSegments(token)
  if (parts.length !== 3)
    throw new JOSEError('ERR_JWS_INVALID', 'an encrypted JWT cannot be decoded without its key')
  return {
    protectedHeader: decodeProtectedHeader(token),
    payload: parseJSONObject(
      decodeBase64url(parts[1] as string, 'the payload'),
      'the JWT claims set',
      'ERR_JWT_INVALID',
    ),
  }
}
