import { JOSEError } from '../errors.js'
import { getContentEncryptionAlgorithm } from '../jwa/content-encryption-algorithms.js'
import { getKeyManagementAlgorithm, isRSA1_5, RSA1_5_MESSAGE } from '../jwa/key-management-algorithms.js'
import { getSigningAlgorithm } from '../jwa/signing-algorithms.js'
import { assertContentKeyShape, assertEncryptionKeyShape, assertSigningKeyShape } from './assert-key.js'
import type { Key } from './key.js'

/**
 * Checks, when a key is imported or generated for `alg`, that the algorithm fits the key's type,
 * curve and size, so a misfit is reported where the key is made rather than at first use.
 */
export function assertAlgorithmFitsKey(key: Key, alg: string): void {
  const signing = getSigningAlgorithm(alg)
  if (signing) {
    assertSigningKeyShape(key, signing)
    return
  }
  const keyManagement = getKeyManagementAlgorithm(alg)
  if (keyManagement) {
    assertEncryptionKeyShape(key, keyManagement)
    return
  }
  // A dir key may be bound to the content encryption algorithm it is the CEK of (RFC 7520 §5.6).
  const contentEncryption = getContentEncryptionAlgorithm(alg)
  if (contentEncryption) {
    assertContentKeyShape(key, contentEncryption)
    return
  }
  if (isRSA1_5(alg)) throw new JOSEError('ERR_JWE_RSA1_5_REFUSED', RSA1_5_MESSAGE)
  throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported algorithm "${alg}"`)
}
