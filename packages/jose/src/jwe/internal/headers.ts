import { JOSEError } from '../../errors.js'
import {
  type ContentEncryptionAlgorithm,
  getContentEncryptionAlgorithm,
} from '../../jwa/content-encryption-algorithms.js'
import {
  getKeyManagementAlgorithm,
  isRSA1_5,
  type KeyManagementAlgorithm,
  RSA1_5_MESSAGE,
} from '../../jwa/key-management-algorithms.js'
import { assertCrit, assertDisjoint, assertHeaderMembers } from '../../lib/header.js'

/** The three header sets of a JWE recipient (RFC 7516 §7.2.1): protected, shared and per-recipient. */
export interface JWEHeaderSets {
  readonly protectedHeader: Readonly<Record<string, unknown>> | undefined
  readonly sharedUnprotectedHeader: Readonly<Record<string, unknown>> | undefined
  readonly unprotectedHeader: Readonly<Record<string, unknown>> | undefined
}

/** RFC 7516 §7.2.1: header parameter names must be disjoint across the three sets. */
export function joinJWEHeaders(sets: JWEHeaderSets): Readonly<Record<string, unknown>> {
  const { protectedHeader, sharedUnprotectedHeader, unprotectedHeader } = sets
  if (!protectedHeader && !sharedUnprotectedHeader && !unprotectedHeader) {
    throw new JOSEError('ERR_JWE_INVALID', 'a JWE needs at least one header')
  }
  assertDisjoint(protectedHeader, sharedUnprotectedHeader, unprotectedHeader)
  const joined = Object.freeze({ ...protectedHeader, ...sharedUnprotectedHeader, ...unprotectedHeader })
  assertHeaderMembers(joined)
  return joined
}

/**
 * `zip` (RFC 7516 §4.1.3) must be integrity protected: a recipient that honoured an unprotected `zip`
 * would inflate whatever an attacker chose. Only "DEF" exists.
 */
export function readZip(sets: JWEHeaderSets, joined: Readonly<Record<string, unknown>>): boolean {
  if (joined.zip === undefined) return false
  if (sets.protectedHeader?.zip === undefined) {
    throw new JOSEError('ERR_JWE_ZIP_INVALID', '"zip" must be in the protected header')
  }
  if (joined.zip !== 'DEF')
    throw new JOSEError('ERR_JWE_ZIP_INVALID', `unsupported "zip" ${JSON.stringify(joined.zip)}`)
  return true
}

/** The algorithms a decrypt accepts: RSA1_5 refused with its own code, then the caller's allowlists. */
export function readAllowedAlgorithms(
  joined: Readonly<Record<string, unknown>>,
  keyManagementAlgorithms: ReadonlySet<string>,
  contentEncryptionAlgorithms: ReadonlySet<string>,
): { alg: KeyManagementAlgorithm; enc: ContentEncryptionAlgorithm } {
  const { alg, enc } = joined
  if (typeof alg !== 'string')
    throw new JOSEError('ERR_JOSE_INVALID_HEADER', 'a JWE needs an "alg" header parameter')
  if (typeof enc !== 'string')
    throw new JOSEError('ERR_JOSE_INVALID_HEADER', 'a JWE needs an "enc" header parameter')
  if (isRSA1_5(alg)) throw new JOSEError('ERR_JWE_RSA1_5_REFUSED', RSA1_5_MESSAGE)
  if (!keyManagementAlgorithms.has(alg)) {
    throw new JOSEError('ERR_JOSE_ALG_NOT_ALLOWED', `"alg" ${JSON.stringify(alg)} is not allowed`)
  }
  if (!contentEncryptionAlgorithms.has(enc)) {
    throw new JOSEError('ERR_JOSE_ALG_NOT_ALLOWED', `"enc" ${JSON.stringify(enc)} is not allowed`)
  }
  return {
    alg: getKeyManagementAlgorithm(alg) as KeyManagementAlgorithm,
    enc: getContentEncryptionAlgorithm(enc) as ContentEncryptionAlgorithm,
  }
}

/**
 * `crit` as for JWS (RFC 7516 §4.1.13), except that RFC 7797 `b64` is a JWS-only extension: listing
 * it in a JWE would claim an understanding that changes nothing.
 */
export function assertJWECrit(
  protectedHeader: Readonly<Record<string, unknown>> | undefined,
  joined: Readonly<Record<string, unknown>>,
  declared: readonly string[] | undefined,
): void {
  assertCrit(protectedHeader, joined, declared)
  if (Array.isArray(joined.crit) && joined.crit.includes('b64') && !declared?.includes('b64')) {
    throw new JOSEError('ERR_JOSE_CRIT_INVALID', '"b64" is a JWS extension and means nothing in a JWE')
  }
}
