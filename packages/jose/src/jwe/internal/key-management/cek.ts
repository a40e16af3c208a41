import { randomBytes } from '../../../lib/backend/encryption.js'
import { assertEpkShape } from '../epk.js'
import { checkAesGcmKwHeader, unwrapAesGcmKw, wrapAesGcmKw } from './aes-gcm-kw.js'
import { unwrapAesKw, wrapAesKw } from './aes-kw.js'
import { unwrapDir, wrapDir } from './dir.js'
import { unwrapEcdh, wrapEcdh } from './ecdh-es.js'
import { readPbes2Parameters, unwrapPbes2, wrapPbes2 } from './pbes2.js'
import { unwrapRsaOaep, wrapRsaOaep } from './rsa-oaep.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

export type { EncryptHooks, UnwrapInput, WrapInput, WrapResult } from './types.js'

/** A fresh CEK for the key-wrapping algorithms (RFC 7516 §5.1 step 2), or the test hook's. */
export function generateCEK(input: Pick<WrapInput, 'enc' | 'hooks'>): Uint8Array {
  return input.hooks.cek ?? randomBytes(input.enc.cekBytes)
}

/**
 * Determines the CEK for one recipient and encrypts it (RFC 7516 §5.1 steps 1-5). `input.cek` is the
 * CEK shared by all recipients; the direct algorithms (dir, ECDH-ES) produce their own.
 */
export async function wrapCEK(input: WrapInput): Promise<WrapResult> {
  const cek = input.cek as Uint8Array
  switch (input.alg.family) {
    case 'dir':
      return wrapDir(input)
    case 'ecdh-es':
      return wrapEcdh(input, input.cek)
    case 'rsa-oaep':
      return wrapRsaOaep(input, cek)
    case 'aes-kw':
      return wrapAesKw(input, cek)
    case 'aes-gcm-kw':
      return wrapAesGcmKw(input, cek)
    case 'pbes2':
      return wrapPbes2(input, cek)
  }
}

/**
 * Header parameters each family needs, checked before any key is resolved, so malformed tokens are
 * refused without touching a key or running PBKDF2.
 */
export function checkKeyManagementHeader(input: Pick<UnwrapInput, 'alg' | 'header' | 'maxPBES2Count'>): void {
  switch (input.alg.family) {
    case 'ecdh-es':
      assertEpkShape(input.header.epk)
      return
    case 'aes-gcm-kw':
      checkAesGcmKwHeader(input.header)
      return
    case 'pbes2':
      readPbes2Parameters(input.header, input.maxPBES2Count)
      return
    default:
      return
  }
}

/**
 * Recovers the CEK (RFC 7516 §5.2 steps 9-10). When unwrapping fails, or yields a CEK of the wrong
 * length, a random CEK is returned instead (RFC 7516 §11.5): decryption then fails at the tag exactly
 * as it would for a tampered ciphertext, so neither a timing nor an error difference tells an
 * attacker which step failed (Bleichenbacher/Manger-style oracles need that difference).
 */
export async function unwrapCEK(input: UnwrapInput): Promise<Uint8Array> {
  let cek: Uint8Array | null
  switch (input.alg.family) {
    case 'dir':
      cek = unwrapDir(input)
      break
    case 'ecdh-es':
      cek = unwrapEcdh(input)
      break
    case 'rsa-oaep':
      cek = unwrapRsaOaep(input)
      break
    case 'aes-kw':
      cek = unwrapAesKw(input)
      break
    case 'aes-gcm-kw':
      cek = unwrapAesGcmKw(input)
      break
    case 'pbes2':
      cek = await unwrapPbes2(input)
      break
  }
  const random = randomBytes(input.enc.cekBytes)
  return cek !== null && cek.length === input.enc.cekBytes ? cek : random
}
