import { aesKeyUnwrap, aesKeyWrap, secretBytes } from '../../../lib/backend/encryption.js'
import { keyObjectOf } from '../../../lib/key.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

/** AES Key Wrap (RFC 7518 §4.4); the key length was checked against the algorithm by assertEncryptionKey. */
export function wrapAesKw(input: WrapInput, cek: Uint8Array): WrapResult {
  return { cek, encryptedKey: aesKeyWrap(secretBytes(keyObjectOf(input.key)), cek), parameters: {} }
}

export function unwrapAesKw(input: UnwrapInput): Uint8Array | null {
  return aesKeyUnwrap(secretBytes(keyObjectOf(input.key)), input.encryptedKey)
}
