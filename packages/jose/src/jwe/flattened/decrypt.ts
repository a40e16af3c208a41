import { JOSEError } from '../../errors.js'
import { readJSONSerialization } from '../../lib/json-serialization.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import { decryptJWEParts, decryptResult } from '../internal/decrypt.js'
import { JWE_DECRYPT_OPTIONS, resolveJWEOptions } from '../internal/options.js'
import type {
  FlattenedDecryptResult,
  FlattenedJWE,
  JWEDecryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from '../types.js'

/**
 * Decrypts a JWE Flattened JSON Serialization (an object, or its JSON text) under explicit `alg` and
 * `enc` allowlists.
 *
 * @example
 * import { flattenedDecrypt } from '@tessera/jose'
 * const { plaintext } = await flattenedDecrypt(jwe, secret, {
 *   keyManagementAlgorithms: ['A256KW'], contentEncryptionAlgorithms: ['A256GCM'],
 * })
 */
export async function flattenedDecrypt(
  jwe: FlattenedJWE | string,
  keyOrResolver: KeyInput | JWEKeyResolver<FlattenedJWE>,
  options: JWEDecryptOptions,
): Promise<FlattenedDecryptResult> {
  assertKnownOptions(options, JWE_DECRYPT_OPTIONS, 'flattenedDecrypt')
  const resolved = resolveJWEOptions(options)
  const token = readJSONSerialization(jwe, resolved.maxTokenLength, 'ERR_JWE_INVALID')
  if ('recipients' in token)
    throw new JOSEError('ERR_JWE_INVALID', 'this is a General JSON JWE; use generalDecrypt')
  if ('signature' in token || 'signatures' in token || 'payload' in token) {
    throw new JOSEError('ERR_JWE_INVALID', 'this is a JWS, not a JWE; verify it with a JWS function')
  }
  const result = await decryptJWEParts(
    token,
    (header) =>
      typeof keyOrResolver === 'function'
        ? keyOrResolver(header as JWEHeaderParameters, token as unknown as FlattenedJWE)
        : keyOrResolver,
    resolved,
  )
  return decryptResult(result)
}
