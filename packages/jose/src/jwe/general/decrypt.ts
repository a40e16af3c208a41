import { JOSEError } from '../../errors.js'
import { readJSONSerialization } from '../../lib/json-serialization.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions, assertPositiveInteger, combineOptions } from '../../lib/options.js'
import { decryptJWEParts, decryptResult } from '../internal/decrypt.js'
import { JWE_DECRYPT_OPTIONS, resolveJWEOptions } from '../internal/options.js'
import type {
  GeneralDecryptResult,
  GeneralJWE,
  JWEDecryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from '../types.js'

/** Options of generalDecrypt: the decrypt allowlists and limits, plus a bound on the recipients tried. */
export interface GeneralDecryptOptions extends JWEDecryptOptions {
  /** Refuse JWEs with more recipients than this; each one may cost a key unwrap. Default 10. */
  maxRecipients?: number
}

const GENERAL_DECRYPT_OPTIONS = combineOptions(JWE_DECRYPT_OPTIONS, 'maxRecipients')

const SHARED = ['protected', 'unprotected', 'iv', 'ciphertext', 'tag', 'aad'] as const

/**
 * Decrypts a JWE General JSON Serialization: succeeds with the first recipient whose algorithms are
 * allowed and whose key decrypts, and says which one in `recipientIndex`.
 *
 * @example
 * import { generalDecrypt } from '@tessera/jose'
 * const { plaintext, recipientIndex } = await generalDecrypt(jwe, ecPrivateKey, {
 *   keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'],
 * })
 */
export async function generalDecrypt(
  jwe: GeneralJWE | string,
  keyOrResolver: KeyInput | JWEKeyResolver<GeneralJWE>,
  options: GeneralDecryptOptions,
): Promise<GeneralDecryptResult> {
  assertKnownOptions(options, GENERAL_DECRYPT_OPTIONS, 'generalDecrypt')
  const resolved = resolveJWEOptions(options)
  const maxRecipients = options.maxRecipients ?? 10
  assertPositiveInteger(maxRecipients, 'maxRecipients')
  const token = readJSONSerialization(jwe, resolved.maxTokenLength, 'ERR_JWE_INVALID')
  if ('signatures' in token || 'payload' in token) {
    throw new JOSEError('ERR_JWE_INVALID', 'this is a JWS, not a JWE; verify it with a JWS function')
  }
  const { recipients } = token
  if (!Array.isArray(recipients)) throw new JOSEError('ERR_JWE_INVALID', '"recipients" must be an array')
  if (recipients.length === 0) throw new JOSEError('ERR_JWE_INVALID', '"recipients" must not be empty')
  if (recipients.length > maxRecipients)
    throw new JOSEError('ERR_JWE_INVALID', `more than ${maxRecipients} recipients`)

  const shared: Record<string, unknown> = {}
  for (const name of SHARED) if (token[name] !== undefined) shared[name] = token[name]
  const errors: unknown[] = []
  for (const [index, entry] of recipients.entries()) {
    try {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new JOSEError('ERR_JWE_INVALID', 'each recipient must be an object')
      }
      const { header, encrypted_key } = entry as Record<string, unknown>
      const result = await decryptJWEParts(
        { ...shared, header, encrypted_key },
        (joined) =>
          typeof keyOrResolver === 'function'
            ? keyOrResolver(joined as JWEHeaderParameters, token as unknown as GeneralJWE)
            : keyOrResolver,
        resolved,
      )
      return { ...decryptResult(result), recipientIndex: index }
    } catch (error) {
      if (error instanceof TypeError) throw error
      errors.push(error)
    }
  }
  if (errors.length === 1) throw errors[0]
  throw new JOSEError('ERR_JWE_DECRYPTION_FAILED', 'decryption failed', {
    cause: new AggregateError(errors, 'no recipient decrypted'),
  })
}
