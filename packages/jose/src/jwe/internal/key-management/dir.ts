import { secretBytes } from '../../../lib/backend/encryption.js'
import { keyObjectOf } from '../../../lib/key.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

/**
 * Direct encryption (RFC 7518 §4.5): the shared symmetric key is the CEK, and the encrypted key is
 * empty. Its length was checked against `enc` by assertEncryptionKey.
 */
export function wrapDir(input: WrapInput): WrapResult {
  return { cek: secretBytes(keyObjectOf(input.key)), encryptedKey: new Uint8Array(0), parameters: {} }
}

export function unwrapDir(input: UnwrapInput): Uint8Array {
  return secretBytes(keyObjectOf(input.key))
}
