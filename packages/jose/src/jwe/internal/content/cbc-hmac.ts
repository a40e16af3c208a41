import { Buffer } from 'node:buffer'
import type { ContentEncryptionAlgorithm } from '../../../jwa/content-encryption-algorithms.js'
import { aesCbcDecrypt, aesCbcEncrypt, constantTimeEqual, hmac } from '../../../lib/backend/encryption.js'

/**
 * AL of RFC 7518 §5.2.2.1: the AAD length in bits as a 64-bit big-endian integer. `length * 8` in a
 * double is exact only below 2^53 bits, and a 32-bit shift would wrap, so the high and low words are
 * computed separately with BigInt.
 */
export function aadLengthBlock(aadBytes: number): Buffer {
  const block = Buffer.alloc(8)
  block.writeBigUInt64BE(BigInt(aadBytes) * 8n)
  return block
}

/** T of RFC 7518 §5.2.2.1: the first half of HMAC(MAC_KEY, A || IV || E || AL). */
function computeTag(
  enc: ContentEncryptionAlgorithm,
  macKey: Uint8Array,
  aad: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Buffer {
  const full = hmac(enc.hash as string, macKey, [aad, iv, ciphertext, aadLengthBlock(aad.length)])
  return full.subarray(0, enc.tagBytes)
}

export function cbcHmacEncrypt(
  enc: ContentEncryptionAlgorithm,
  cek: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const half = cek.length / 2
  const ciphertext = aesCbcEncrypt(cek.subarray(half), iv, plaintext)
  return { ciphertext, tag: computeTag(enc, cek.subarray(0, half), aad, iv, ciphertext) }
}

/**
 * Verifies the full-length tag in constant time and only then decrypts, so a padding error can never
 * be observed for a forged ciphertext (no padding oracle). Callers have checked the tag length.
 */
export function cbcHmacDecrypt(
  enc: ContentEncryptionAlgorithm,
  cek: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | null {
  const half = cek.length / 2
  const expected = computeTag(enc, cek.subarray(0, half), aad, iv, ciphertext)
  if (tag.length !== enc.tagBytes || !constantTimeEqual(expected, tag)) return null
  return aesCbcDecrypt(cek.subarray(half), iv, ciphertext)
}
