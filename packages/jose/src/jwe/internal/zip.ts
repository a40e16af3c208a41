import { Buffer } from 'node:buffer'
import { deflateRaw, inflateRaw } from 'node:zlib'
import { JOSEError } from '../../errors.js'

/**
 * 256 KiB: far above any honest token's claims or document (the largest compact JWE this library
 * accepts by default is 1 MiB of ciphertext text, and JSON compresses about 3:1) and far below what a
 * zip bomb wants. DEFLATE reaches about 1032:1, so without a limit a 1 MiB token could become 1 GiB.
 */
export const DEFAULT_MAX_DECOMPRESSED_LENGTH = 256 * 1024

/** `zip: "DEF"` (RFC 7516 §4.1.3): raw DEFLATE (RFC 1951). */
export function deflate(plaintext: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    deflateRaw(plaintext, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

/**
 * Inflates with zlib's `maxOutputLength`, which zlib checks chunk by chunk WHILE inflating and aborts
 * the stream as soon as the output would pass it: a bomb never gets to allocate its full size.
 */
export function inflate(compressed: Uint8Array, maxLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    inflateRaw(compressed, { maxOutputLength: maxLength }, (error, result) => {
      if (!error) {
        resolve(Buffer.from(result.buffer, result.byteOffset, result.byteLength))
        return
      }
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new JOSEError('ERR_JWE_DECOMPRESSION_LIMIT', `the plaintext inflates past ${maxLength} bytes`))
      } else {
        reject(new JOSEError('ERR_JWE_ZIP_INVALID', 'the plaintext is not valid DEFLATE data'))
      }
    })
  })
}
