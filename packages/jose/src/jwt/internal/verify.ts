import { JOSEError } from '../../errors.js'
import { splitCompactJWS } from '../../jws/internal/split-compact.js'
import {
  type CheckedHeaders,
  checkHeaders,
  type PreparedSignature,
  prepareSignature,
} from '../../jws/internal/verify.js'
import {
  JWS_VERIFY_OPTIONS,
  type ResolvedJWSOptions,
  resolveJWSOptions,
} from '../../jws/internal/verify-options.js'
import { parseJSONObject } from '../../lib/json.js'
import { combineOptions, omitOptions } from '../../lib/options.js'
import type { JWTPayload, VerifyJWTOptions } from '../types.js'
import {
  JWT_CLAIMS_OPTIONS,
  type ResolvedClaimsOptions,
  resolveClaimsOptions,
  validateClaims,
} from './claims.js'

/** verifyJWT and verifyJWTSync; createJWTVerifier adds `key` and `tokenCache`. */
export const VERIFY_JWT_OPTIONS = combineOptions(
  JWT_CLAIMS_OPTIONS,
  omitOptions(JWS_VERIFY_OPTIONS, 'detachedPayload'),
)

export interface ResolvedJWTOptions {
  readonly jws: ResolvedJWSOptions
  readonly claims: ResolvedClaimsOptions
}

/** JWTs travel in headers and URLs; 16 KiB is far above any honest token and far below a DoS. */
export const DEFAULT_MAX_JWT_LENGTH = 16 * 1024

export function resolveJWTOptions(options: VerifyJWTOptions): ResolvedJWTOptions {
  return { jws: resolveJWSOptions(options, DEFAULT_MAX_JWT_LENGTH), claims: resolveClaimsOptions(options) }
}

/**
 * Headers repeat across tokens from one issuer; a verifier created once keeps the outcome of checking
 * each distinct protected header, so the hot path parses only the claims set.
 */
export class HeaderCache {
  readonly #entries = new Map<string, CheckedHeaders>()
  readonly #limit: number

  constructor(limit = 128) {
    this.#limit = limit
  }

  get(protectedPart: string, options: ResolvedJWSOptions): CheckedHeaders {
    let checked = this.#entries.get(protectedPart)
    if (checked === undefined) {
      checked = checkHeaders(protectedPart, undefined, options)
      if (this.#entries.size >= this.#limit) this.#entries.clear()
      this.#entries.set(protectedPart, checked)
    }
    return checked
  }
}

export function prepareJWT(
  token: unknown,
  options: ResolvedJWTOptions,
  cache?: HeaderCache,
): PreparedSignature {
  const [protectedPart, payloadPart, signature] = splitCompactJWS(token, options.jws.maxTokenLength)
  // The same answer compactVerify gives: a compact JWS always has a protected header.
  if (protectedPart === '') throw new JOSEError('ERR_JWS_INVALID', 'a compact JWS needs a protected header')
  const checked = cache
    ? cache.get(protectedPart, options.jws)
    : checkHeaders(protectedPart, undefined, options.jws)
  if (!checked.b64)
    throw new JOSEError('ERR_JWT_INVALID', 'a JWT cannot use an unencoded ("b64": false) payload')
  return prepareSignature(
    { protected: protectedPart, signature },
    payloadPart,
    undefined,
    options.jws,
    checked,
  )
}

export function readClaims(prepared: PreparedSignature, options: ResolvedJWTOptions): JWTPayload {
  const payload = parseJSONObject(prepared.payload, 'the JWT claims set', 'ERR_JWT_INVALID') as JWTPayload
  validateClaims(payload, prepared.joinedHeader, options.claims)
  return payload
}
