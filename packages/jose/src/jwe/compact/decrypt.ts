import { JOSEError } from '../../errors.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import { decryptJWEParts } from '../internal/decrypt.js'
import { JWE_DECRYPT_OPTIONS, type ResolvedJWEOptions, resolveJWEOptions } from '../internal/options.js'
import type {
  CompactDecryptResult,
  JWEDecryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from '../types.js'

/** Splits a compact JWE into its five parts, refusing anything else (a JWS, extra dots, oversize). */
export function splitCompactJWE(jwe: unknown, maxLength: number): string[] {
  if (typeof jwe !== 'string') throw new JOSEError('ERR_JWE_INVALID', 'a compact JWE must be a string')
  if (jwe.length > maxLength)
    throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE', `the token is longer than ${maxLength} characters`)
  const parts = jwe.split('.')
  if (parts.length === 3) {
    throw new JOSEError(
      'ERR_JWE_INVALID',
      'this is a JWS (three parts), not a JWE; verify it with a JWS function',
    )
  }
  if (parts.length !== 5) throw new JOSEError('ERR_JWE_INVALID', 'a compact JWE has exactly five parts')
  if (parts[0] === '') throw new JOSEError('ERR_JWE_INVALID', 'a compact JWE needs a protected header')
  return parts
}

/**
 * Decrypts a JWE Compact Serialization under explicit `alg` and `enc` allowlists.
 *
 * @example
 * import { compactDecrypt } from '@tessera/jose'
 * const { plaintext } = await compactDecrypt(jwe, privateKey, {
 *   keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A256GCM'],
 * })
 */
export async function compactDecrypt(
  jwe: string,
  keyOrResolver: KeyInput | JWEKeyResolver<string>,
  options: JWEDecryptOptions,
): Promise<CompactDecryptResult> {
  assertKnownOptions(options, JWE_DECRYPT_OPTIONS, 'compactDecrypt')
  return decryptCompact(jwe, keyOrResolver, resolveJWEOptions(options))
}

/** compactDecrypt with options already checked and resolved (decryptJWT adds its own defaults). */
export async function decryptCompact(
  jwe: string,
  keyOrResolver: KeyInput | JWEKeyResolver<string>,
  resolved: ResolvedJWEOptions,
): Promise<CompactDecryptResult> {
  const [protectedPart, encryptedKey, iv, ciphertext, tag] = splitCompactJWE(jwe, resolved.maxTokenLength)
  const result = await decryptJWEParts(
    { protected: protectedPart, encrypted_key: encryptedKey, iv, ciphertext, tag },
    (header) =>
      typeof keyOrResolver === 'function' ? keyOrResolver(header as JWEHeaderParameters, jwe) : keyOrResolver,
    resolved,
  )
  return {
    plaintext: result.plaintext,
    protectedHeader: result.joinedHeader as JWEHeaderParameters,
    key: result.key,
  }
}
