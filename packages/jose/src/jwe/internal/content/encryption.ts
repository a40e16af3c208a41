import type { Buffer } from 'node:buffer'
import type { ContentEncryptionAlgorithm } from '../../../jwa/content-encryption-algorithms.js'
import { randomBytes } from '../../../lib/backend/encryption.js'
import { cbcHmacDecrypt, cbcHmacEncrypt } from './cbc-hmac.js'
import { gcmDecrypt, gcmEncrypt } from './gcm.js'

export interface EncryptedContent {
  iv: Uint8Array
  ciphertext: Buffer
  tag: Buffer
}

/** Encrypts with a fresh random IV (or `iv`, a test hook for the RFC 7520 vectors). */
export function encryptContent(
  enc: ContentEncryptionAlgorithm,
  cek: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  iv: Uint8Array = randomBytes(enc.ivBytes),
): EncryptedContent {
  if (cek.length !== enc.cekBytes) throw new TypeError(`${enc.name} needs a ${enc.cekBytes}-byte CEK`)
  if (iv.length !== enc.ivBytes) throw new TypeError(`${enc.name} needs a ${enc.ivBytes}-byte IV`)
  const sealed =
    enc.family === 'gcm' ? gcmEncrypt(cek, iv, plaintext, aad) : cbcHmacEncrypt(enc, cek, iv, plaintext, aad)
  return { iv, ...sealed }
}

/** `null` when authentication fails; lengths of CEK, IV and tag are checked before this is called. */
export function decryptContent(
  enc: ContentEncryptionAlgorithm,
  cek: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | null {
  if (cek.length !== enc.cekBytes) return null
  return enc.family === 'gcm'
    ? gcmDecrypt(cek, iv, ciphertext, tag, aad)
    : cbcHmacDecrypt(enc, cek, iv, ciphertext, tag, aad)
}
