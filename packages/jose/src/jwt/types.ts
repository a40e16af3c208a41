import type { JWSVerifyOptions } from '../jws/types.js'
import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'

/** A JWT claims set: the registered claims of RFC 7519 typed, anything else as JSON values. */
export interface JWTPayload {
  iss?: string
  sub?: string
  aud?: string | string[]
  exp?: number
  nbf?: number
  iat?: number
  jti?: string
  [claim: string]: unknown
}

/** What verifyJWT checks beyond the signature (RFC 7519 §4.1, RFC 8725 §3). */
export interface JWTClaimsOptions {
  /** Accepted issuer(s), compared exactly. */
  issuer?: string | readonly string[]
  /** Accepted audience(s); the token passes when its `aud` names any of them. */
  audience?: string | readonly string[]
  /** The expected `sub`. */
  subject?: string
  /** The expected `typ` header (explicit typing, RFC 8725 §3.11), e.g. `at+jwt`. */
  typ?: string
  /** Leeway for exp, nbf and iat, in seconds or as a duration string. Default 0. */
  clockTolerance?: number | string
  /** Refuse tokens whose `iat` is older than this (requires `iat`). */
  maxTokenAge?: number | string
  /** Claims that must be present. */
  requiredClaims?: readonly string[]
  /** Accept tokens without `exp`. Default false: a token that never expires is refused. */
  allowMissingExpiration?: boolean
  /** "Now", for tests. */
  currentDate?: Date
}

/**
 * Options of verifyJWT: the algorithm allowlist and every claim check (`issuer`, `audience`, `typ`,
 * clock tolerance, age, required claims).
 */
export interface VerifyJWTOptions extends JWTClaimsOptions, Omit<JWSVerifyOptions, 'detachedPayload'> {}

/** Options of the opt-in verified-token cache of createJWTVerifier (`tokenCache`). */
export interface TokenCacheOptions {
  /** The most tokens remembered; the least recently used is dropped first. Default 1000. */
  maxEntries?: number
  /**
   * Remember failed tokens for this many ms, so a replayed bad token costs no signature check.
   * Default 0: failures are not cached. Failures that time can cure (nbf, an unavailable or
   * rotating key set) are never cached.
   */
  negativeTtlMs?: number
}

/** What verifyJWT returns: the validated claims, the protected header and the key that verified. */
export interface VerifyJWTResult {
  payload: JWTPayload
  protectedHeader: JOSEHeaderParameters
  key: Key
}

/**
 * A verifier made by createJWTVerifier: call it (async) or, with a local key or key set, its `.sync`
 * form.
 */
export interface JWTVerifier {
  /** Verifies on the thread pool for asymmetric algorithms. */
  (token: string): Promise<VerifyJWTResult>
  /** Verifies on the calling thread (node, with a local key or a synchronous resolver). */
  sync(token: string): VerifyJWTResult
}
