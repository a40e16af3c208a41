import type { Buffer } from 'node:buffer'
import { aesGcmDecrypt, aesGcmEncrypt } from '../../../lib/backend/encryption.js'

/**
 * AES-GCM content encryption (RFC 7518 §5.3): the CEK is the AES key, the 96-bit IV and 128-bit tag
 * travel as the `iv` and `tag` members, and the AAD is the encoded protected header (and `aad`).
 */
export function gcmEncrypt(
  cek: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  return aesGcmEncrypt(cek, iv, plaintext, aad)
}

/** `null` when the tag does not authenticate; callers have checked the IV and tag lengths. */
export function gcmDecrypt(
  cek: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | null {
  return aesGcmDecrypt(cek, iv, ciphertext, tag, aad)
}
