import { rsaOaepDecrypt, rsaOaepEncrypt } from '../../../lib/backend/encryption.js'
import { keyObjectOf, publicKeyObjectOf } from '../../../lib/key.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

/** RSAES-OAEP (RFC 7518 §4.3) with the algorithm's digest for both OAEP and MGF1. */
export function wrapRsaOaep(input: WrapInput, cek: Uint8Array): WrapResult {
  return {
    cek,
    encryptedKey: rsaOaepEncrypt(publicKeyObjectOf(input.key), input.alg.hash as string, cek),
    parameters: {},
  }
}

/** `null` on any failure; the caller then continues with a random CEK so no OAEP error is observable. */
export function unwrapRsaOaep(input: UnwrapInput): Uint8Array | null {
  return rsaOaepDecrypt(keyObjectOf(input.key), input.alg.hash as string, input.encryptedKey)
}
