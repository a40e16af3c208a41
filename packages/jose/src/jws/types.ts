import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'
import type { KeyInput } from '../lib/key-input.js'

export type { JOSEHeaderParameters as JWSHeaderParameters } from '../lib/header.js'

/** RFC 7515 §7.2.2: one signature, JSON members as transmitted. */
export interface FlattenedJWS {
  protected?: string
  header?: JOSEHeaderParameters
  payload: string
  signature: string
}

/** RFC 7515 §7.2.1: one payload, several signatures. */
export interface GeneralJWS {
  payload: string
  signatures: Array<{ protected?: string; header?: JOSEHeaderParameters; signature: string }>
}

/** What compactVerify returns: the payload bytes, the protected header and the key that verified. */
export interface CompactVerifyResult {
  payload: Uint8Array
  protectedHeader: JOSEHeaderParameters
  key: Key
}

/** What flattenedVerify returns: the payload, both header sets as sent and the key that verified. */
export interface FlattenedVerifyResult {
  payload: Uint8Array
  protectedHeader: JOSEHeaderParameters | undefined
  unprotectedHeader: JOSEHeaderParameters | undefined
  key: Key
}

/** What generalVerify returns: a flattened result plus which signature verified. */
export interface GeneralVerifyResult extends FlattenedVerifyResult {
  /** Which entry of `signatures` verified. */
  signatureIndex: number
}

/**
 * What a resolver returns: a key, or (when it cannot tell them apart, like a JWK set lookup for a
 * token without `kid`) a short list of candidates tried in order, at most MAX_KEY_CANDIDATES.
 */
export type KeyResolution = KeyInput | readonly KeyInput[]

/** A key, or a function that picks one from the header (a JWK set lookup, a per-tenant key…). */
export type KeyResolver<Token> = (
  protectedHeader: JOSEHeaderParameters,
  token: Token,
) => KeyResolution | Promise<KeyResolution>

/**
 * Options every JWS verify function takes: the required algorithm allowlist, the `crit` parameters the
 * caller understands, detached content and the size limit.
 */
export interface JWSVerifyOptions {
  /** The algorithms this call accepts. Required: no default accepts everything. */
  algorithms: readonly string[]
  /** Extension header parameters the caller understands and enforces, so `crit` may list them. */
  crit?: readonly string[]
  /** Refuse serialized tokens longer than this many characters. */
  maxTokenLength?: number
  /** The payload of a detached-content JWS (RFC 7515 Appendix F), when the token carries none. */
  detachedPayload?: Uint8Array | string
}
