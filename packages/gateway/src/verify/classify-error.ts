import { type ErrorCode, isJOSEError } from '@tessera/jose'
import { DiscoveryError, type RefusalReason } from '../errors.js'

const BY_CODE: Partial<Record<ErrorCode, RefusalReason>> = {
  ERR_JOSE_TOKEN_TOO_LARGE: 'token_too_large',
  ERR_JOSE_INVALID_ENCODING: 'malformed_token',
  ERR_JOSE_INVALID_JSON: 'malformed_token',
  ERR_JOSE_INVALID_HEADER: 'malformed_token',
  ERR_JOSE_CRIT_INVALID: 'malformed_token',
  ERR_JWS_INVALID: 'malformed_token',
  ERR_JWT_INVALID: 'malformed_token',
  ERR_JOSE_ALG_NONE: 'alg_none',
  ERR_JOSE_ALG_NOT_ALLOWED: 'alg_not_allowed',
  ERR_JOSE_NOT_SUPPORTED: 'alg_not_allowed',
  ERR_KEY_ALG_MISMATCH: 'alg_not_allowed',
  ERR_JWS_SIGNATURE_INVALID: 'bad_signature',
  ERR_JOSE_KEY_RESOLUTION_FAILED: 'unknown_key',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'unknown_key',
  ERR_KEY_USAGE_MISMATCH: 'unknown_key',
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWT_NOT_YET_VALID: 'not_yet_valid',
  ERR_JWT_ISSUED_IN_FUTURE: 'issued_in_future',
  ERR_JWT_TOO_OLD: 'too_old',
  ERR_JWT_CLAIM_MISSING: 'claim_missing',
  ERR_JWT_ISSUER_MISMATCH: 'wrong_issuer',
  ERR_JWT_AUDIENCE_MISMATCH: 'wrong_audience',
  ERR_JWT_TYPE_MISMATCH: 'wrong_type',
  ERR_JWKS_UNAVAILABLE: 'keys_unavailable',
  ERR_JWKS_TIMEOUT: 'keys_unavailable',
  ERR_JWKS_TOO_LARGE: 'keys_unavailable',
  ERR_JWKS_CONTENT_TYPE: 'keys_unavailable',
  ERR_JWKS_FETCH_FAILED: 'keys_unavailable',
  ERR_JWKS_INVALID: 'keys_unavailable',
}

/**
 * Maps a verification failure to its refusal reason. Anything unrecognised is a plain bad token:
 * hostile input must get a 4xx, never a 500, and failing closed is the safe side of a surprise.
 */
export function classifyError(error: unknown): RefusalReason {
  if (isJOSEError(error)) return BY_CODE[error.code] ?? 'invalid_token'
  if (error instanceof DiscoveryError) return 'keys_unavailable'
  return 'invalid_token'
}
