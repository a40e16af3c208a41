import { Buffer } from 'node:buffer'
import { JOSEError } from '../../../errors.js'
import type { KeyManagementAlgorithm } from '../../../jwa/key-management-algorithms.js'
import {
  aesKeyUnwrap,
  aesKeyWrap,
  pbkdf2Derive,
  randomBytes,
  secretBytes,
} from '../../../lib/backend/encryption.js'
import { isStrictBase64url } from '../../../lib/base64url.js'
import { keyObjectOf } from '../../../lib/key.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

/** RFC 7518 §4.8.1.2 asks for at least 1000 iterations; fewer makes offline guessing cheap. */
export const MIN_PBES2_COUNT = 1000
/** Each iteration costs the recipient an HMAC: an unbounded p2c is a denial of service by header. */
export const DEFAULT_MAX_PBES2_COUNT = 100_000
/** What encrypt uses when the caller sets no p2c. */
export const DEFAULT_PBES2_COUNT = 10_000
/** RFC 7518 §4.8.1.1: the salt input must be at least 8 bytes. */
export const MIN_PBES2_SALT_BYTES = 8

function invalid(message: string): never {
  throw new JOSEError('ERR_JWE_PBES2_INVALID', message)
}

/** Checks p2s and p2c before any key is resolved or any iteration runs. */
export function readPbes2Parameters(
  header: Readonly<Record<string, unknown>>,
  maxCount: number,
): { salt: Buffer; count: number } {
  const { p2s, p2c } = header
  if (typeof p2s !== 'string' || !isStrictBase64url(p2s)) invalid('"p2s" must be a base64url string')
  const salt = Buffer.from(p2s, 'base64url')
  if (salt.length < MIN_PBES2_SALT_BYTES) invalid(`"p2s" must be at least ${MIN_PBES2_SALT_BYTES} bytes`)
  if (typeof p2c !== 'number' || !Number.isSafeInteger(p2c)) invalid('"p2c" must be an integer')
  if (p2c < MIN_PBES2_COUNT) invalid(`"p2c" must be at least ${MIN_PBES2_COUNT}`)
  if (p2c > maxCount) invalid(`"p2c" is above the maximum of ${maxCount}`)
  return { salt, count: p2c }
}

function deriveKek(alg: KeyManagementAlgorithm, password: Uint8Array, saltInput: Uint8Array, count: number) {
  // RFC 7518 §4.8.1.1: Salt = UTF8(Alg) || 0x00 || Salt Input.
  const salt = Buffer.concat([Buffer.from(alg.name, 'utf8'), Buffer.from([0]), saltInput])
  return pbkdf2Derive(password, salt, count, alg.kekBytes, alg.hash as string)
}

export async function wrapPbes2(input: WrapInput, cek: Uint8Array): Promise<WrapResult> {
  const saltInput = input.hooks.p2s ?? randomBytes(16)
  const kek = await deriveKek(input.alg, secretBytes(keyObjectOf(input.key)), saltInput, input.p2c)
  return {
    cek,
    encryptedKey: aesKeyWrap(kek, cek),
    parameters: { p2s: Buffer.from(saltInput).toString('base64url'), p2c: input.p2c },
  }
}

export async function unwrapPbes2(input: UnwrapInput): Promise<Uint8Array | null> {
  const { salt, count } = readPbes2Parameters(input.header, input.maxPBES2Count)
  const kek = await deriveKek(input.alg, secretBytes(keyObjectOf(input.key)), salt, count)
  return aesKeyUnwrap(kek, input.encryptedKey)
}
