import { JOSEError } from '../errors.js'
import { getSigningAlgorithm } from '../jwa/signing-algorithms.js'
import { assertSigningKeyShape } from './assert-key.js'
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
  throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported algorithm "${alg}"`)
}
