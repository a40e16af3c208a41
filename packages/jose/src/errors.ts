/**
 * Every failure a token or key can cause has a stable `code`. Callers branch on the code, never on the
 * message. Programmer mistakes (a missing option, a wrong type passed by the caller) are `TypeError`s
 * naming the option instead, so they cannot be confused with hostile input.
 *
 * docs/error-codes.md's table is generated from ERROR_CODES and a test keeps the two in step.
 */
export const ERROR_CODES = {
  ERR_JOSE_INVALID_ENCODING:
    'A segment is not strict base64url (padding, whitespace, bad characters or non-canonical bits)',
  ERR_JOSE_INVALID_JSON: 'A header or payload is not valid UTF-8 JSON, or has duplicate member names',
  ERR_JOSE_INVALID_HEADER:
    'A JOSE header is not a JSON object, a member has the wrong type, or header sets overlap',
  ERR_JOSE_TOKEN_TOO_LARGE: 'The token is longer than the configured maximum',
  ERR_JOSE_ALG_NONE: 'An unsecured ("none") token was given to a function that verifies signatures',
  ERR_JOSE_ALG_NOT_ALLOWED: "The header's algorithm is not in the caller's allowlist",
  ERR_JOSE_NOT_SUPPORTED: 'The algorithm or key type is not supported',
  ERR_JOSE_CRIT_INVALID: 'The crit header is malformed, or names a parameter the caller did not declare',
  ERR_JOSE_SIGNING_UNAVAILABLE:
    'The signing threads are closed or overloaded, or a signing thread stopped or could not sign',
  ERR_JOSE_KEY_RESOLUTION_FAILED: 'The key resolver found no key, or returned something that is not a key',
  ERR_JWS_INVALID: 'The JWS does not have the structure of its serialization',
  ERR_JWS_SIGNATURE_INVALID: 'No signature verified',
  ERR_JWK_INVALID:
    'The JWK is malformed: a missing member, a wrong-length coordinate or a point off its curve',
  ERR_KEY_INVALID: 'The key material could not be parsed or is not a usable key',
  ERR_KEY_ALG_MISMATCH:
    'The algorithm does not fit the key type, curve, or the algorithm the key is bound to',
  ERR_KEY_USAGE_MISMATCH: "The key's use or key_ops forbid this operation",
  ERR_KEY_TOO_SHORT:
    'The key is shorter than the algorithm requires (RSA < 2048 bits, HMAC secret < hash length)',
  ERR_KEY_ASYMMETRIC_AS_SECRET: 'Asymmetric key material (PEM, DER, JWK) was given as an HMAC secret',
  ERR_JWE_INVALID:
    'The JWE does not have the structure of its serialization, or a member has the wrong length',
  ERR_JWE_DECRYPTION_FAILED: 'Decryption failed',
  ERR_JWE_RSA1_5_REFUSED:
    'RSA1_5 (RSAES-PKCS1-v1_5) key encryption is refused: its padding is a Bleichenbacher oracle; use RSA-OAEP-256',
  ERR_JWE_EPK_INVALID:
    'The ECDH-ES ephemeral public key is missing, malformed, off its curve, on another curve than the key, or of low order',
  ERR_JWE_PBES2_INVALID:
    'The PBES2 salt (p2s) is shorter than 8 bytes, or the count (p2c) is not an integer within bounds',
  ERR_JWE_ZIP_INVALID:
    'The zip header is not "DEF", is outside the protected header, or the content does not inflate',
  ERR_JWE_DECOMPRESSION_LIMIT: 'The decompressed plaintext is larger than the configured limit',
  ERR_JWT_INVALID: 'The JWT claims set is not a JSON object, or a registered claim has the wrong type',
  ERR_JWT_EXPIRED: 'The exp claim is in the past',
  ERR_JWT_NOT_YET_VALID: 'The nbf claim is in the future',
  ERR_JWT_ISSUED_IN_FUTURE: 'The iat claim is in the future',
  ERR_JWT_TOO_OLD: 'The token is older than maxTokenAge',
  ERR_JWT_CLAIM_MISSING: 'A required claim is absent',
  ERR_JWT_ISSUER_MISMATCH: 'The iss claim is not an accepted issuer',
  ERR_JWT_AUDIENCE_MISMATCH: 'The aud claim names none of the accepted audiences',
  ERR_JWT_SUBJECT_MISMATCH: 'The sub claim is not the expected subject',
  ERR_JWT_TYPE_MISMATCH: 'The typ header is not the expected type',
  ERR_JWKS_INVALID: 'The JWK set is not a JSON object with a "keys" array, or an exported cache is malformed',
  ERR_JWKS_NO_MATCHING_KEY: "No usable key in the JWK set fits the token's kid and algorithm",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: "Several keys in the JWK set share the token's kid and fit its algorithm",
  ERR_JWKS_UNAVAILABLE: 'The remote JWK set cannot be fetched and no cached copy is still usable',
  ERR_JWKS_TIMEOUT: 'Fetching the remote JWK set took longer than the timeout',
  ERR_JWKS_TOO_LARGE: 'The remote JWK set response is larger than the size limit',
  ERR_JWKS_CONTENT_TYPE: 'The remote JWK set response is not JSON (by its Content-Type)',
  ERR_JWKS_FETCH_FAILED: 'The remote JWK set request failed: a network error, a redirect or a non-200 status',
} as const

/**
 * The stable code of every @tessera/jose failure: the keys of ERROR_CODES. Switch on it, never on a
 * message.
 */
export type ErrorCode = keyof typeof ERROR_CODES

/** Base class of every coded failure thrown by @tessera/jose. */
export class JOSEError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? ERROR_CODES[code], options)
    this.code = code
    this.name = 'JOSEError'
  }
}

/** A claim check failed; carries the claim and the reason so callers can log without parsing text. */
export class JWTClaimValidationError extends JOSEError {
  readonly claim: string
  readonly reason: string
  readonly payload: Readonly<Record<string, unknown>>

  constructor(code: ErrorCode, claim: string, reason: string, payload: Record<string, unknown>) {
    super(code, `"${claim}" claim ${reason}`)
    this.name = 'JWTClaimValidationError'
    this.claim = claim
    this.reason = reason
    this.payload = payload
  }
}

/**
 * True when `value` is a JOSEError (with this `code`, when given): the type guard for a `catch` that
 * treats token faults apart from everything else.
 */
export function isJOSEError(value: unknown, code?: ErrorCode): value is JOSEError {
  return value instanceof JOSEError && (code === undefined || value.code === code)
}
