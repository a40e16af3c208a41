import { Buffer } from 'node:buffer'
import { JOSEError } from '../../../errors.js'
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes, secretBytes } from '../../../lib/backend/encryption.js'
import { decodeBase64url } from '../../../lib/base64url.js'
import { keyObjectOf } from '../../../lib/key.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

const EMPTY = Buffer.alloc(0)

/** AES-GCM key wrap (RFC 7518 §4.7): the IV and tag travel as the `iv` and `tag` header parameters. */
export function wrapAesGcmKw(input: WrapInput, cek: Uint8Array): WrapResult {
  const iv = input.hooks.kwIv ?? randomBytes(12)
  const { ciphertext, tag } = aesGcmEncrypt(secretBytes(keyObjectOf(input.key)), iv, cek, EMPTY)
  return {
    cek,
    encryptedKey: ciphertext,
    parameters: { iv: Buffer.from(iv).toString('base64url'), tag: tag.toString('base64url') },
  }
}

function headerBytes(header: Readonly<Record<string, unknown>>, name: 'iv' | 'tag', length: number): Buffer {
  const value = header[name]
  if (typeof value !== 'string')
    throw new JOSEError('ERR_JWE_INVALID', `AES-GCM key wrap needs the "${name}" header parameter`)
  const bytes = decodeBase64url(value, `the "${name}" header parameter`)
  if (bytes.length !== length) {
    throw new JOSEError(
      'ERR_JWE_INVALID',
      `the "${name}" header parameter must be ${length * 8} bits for AES-GCM key wrap`,
    )
  }
  return bytes
}

/** Header checks that need no key: a 96-bit IV and a 128-bit tag, exactly. */
export function checkAesGcmKwHeader(header: Readonly<Record<string, unknown>>): void {
  headerBytes(header, 'iv', 12)
  headerBytes(header, 'tag', 16)
}

export function unwrapAesGcmKw(input: UnwrapInput): Uint8Array | null {
  const iv = headerBytes(input.header, 'iv', 12)
  const tag = headerBytes(input.header, 'tag', 16)
  return aesGcmDecrypt(secretBytes(keyObjectOf(input.key)), iv, input.encryptedKey, tag, EMPTY)
}
