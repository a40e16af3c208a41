import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import { encryptJWE, toBytes } from '../internal/encrypt.js'
import { JWE_ENCRYPT_OPTIONS } from '../internal/options.js'
import { toCompact } from '../internal/serialize.js'
import type { JWEEncryptOptions, JWEHeaderParameters } from '../types.js'

/**
 * Encrypts `plaintext` into a JWE Compact Serialization (RFC 7516 §7.1). Key management parameters the
 * algorithm generates (`epk`, `p2s`, `p2c`, `iv`, `tag`) are added to the protected header.
 *
 * @example
 * import { compactEncrypt, generateKeyPair } from '@tessera/jose'
 * const { publicKey } = await generateKeyPair('RSA-OAEP-256')
 * const jwe = await compactEncrypt('hello', publicKey, { alg: 'RSA-OAEP-256', enc: 'A256GCM' })
 */
export async function compactEncrypt(
  plaintext: Uint8Array | string,
  key: KeyInput,
  protectedHeader: JWEHeaderParameters,
  options?: JWEEncryptOptions,
): Promise<string> {
  if (typeof protectedHeader !== 'object' || protectedHeader === null) {
    throw new TypeError('"protectedHeader" must be an object with "alg" and "enc"')
  }
  assertKnownOptions(options, JWE_ENCRYPT_OPTIONS, 'compactEncrypt')
  const input = { plaintext: toBytes(plaintext, 'plaintext'), protectedHeader, recipients: [{ key }] }
  return toCompact(await encryptJWE({ ...input, parametersIn: 'protected' }, options))
}
