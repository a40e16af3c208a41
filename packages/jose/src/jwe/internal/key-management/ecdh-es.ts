import { Buffer } from 'node:buffer'
import { JOSEError } from '../../../errors.js'
import {
  aesKeyUnwrap,
  aesKeyWrap,
  ecdhSharedSecret,
  exportPublicJWK,
  generateEphemeralKey,
} from '../../../lib/backend/encryption.js'
import { decodeBase64url } from '../../../lib/base64url.js'
import { keyObjectOf, publicKeyObjectOf } from '../../../lib/key.js'
import { assertNonZeroSecret, readEphemeralPublicKey } from '../epk.js'
import { concatKdf } from './concat-kdf.js'
import type { UnwrapInput, WrapInput, WrapResult } from './types.js'

const EMPTY = Buffer.alloc(0)

function partyInfo(header: Readonly<Record<string, unknown>>, name: 'apu' | 'apv'): Buffer {
  const value = header[name]
  if (value === undefined) return EMPTY
  if (typeof value !== 'string')
    throw new JOSEError('ERR_JOSE_INVALID_HEADER', `"${name}" must be a base64url string`)
  return decodeBase64url(value, `the "${name}" header parameter`)
}

/**
 * RFC 7518 §4.6.2: direct ECDH-ES derives a key of the content encryption algorithm's length and
 * names `enc` as AlgorithmID; ECDH-ES+AxxxKW derives the key-wrapping key and names `alg`.
 */
function deriveKey(input: WrapInput | UnwrapInput, sharedSecret: Uint8Array): Buffer {
  const { alg, enc, header } = input
  const bytes = alg.direct ? enc.cekBytes : alg.kekBytes
  const id = alg.direct ? enc.name : alg.name
  return concatKdf(sharedSecret, bytes, id, partyInfo(header, 'apu'), partyInfo(header, 'apv'))
}

export function wrapEcdh(input: WrapInput, cek: Uint8Array | undefined): WrapResult {
  const ephemeral = input.hooks.ephemeralKey ?? generateEphemeralKey(input.key.crv as string)
  const secret = ecdhSharedSecret(ephemeral, publicKeyObjectOf(input.key))
  if (secret === null)
    throw new JOSEError('ERR_KEY_INVALID', 'the ECDH key agreement with the recipient key failed')
  assertNonZeroSecret(secret)
  const { kty, crv, x, y } = exportPublicJWK(ephemeral)
  const epk = kty === 'EC' ? { kty, crv, x, y } : { kty, crv, x }
  const derived = deriveKey(input, secret)
  if (input.alg.direct) return { cek: derived, encryptedKey: EMPTY, parameters: { epk } }
  const wrapped = cek as Uint8Array
  return { cek: wrapped, encryptedKey: aesKeyWrap(derived, wrapped), parameters: { epk } }
}

export function unwrapEcdh(input: UnwrapInput): Uint8Array | null {
  const epk = readEphemeralPublicKey(input.header.epk, input.key)
  const secret = ecdhSharedSecret(keyObjectOf(input.key), epk)
  assertNonZeroSecret(secret)
  const derived = deriveKey(input, secret)
  return input.alg.direct ? derived : aesKeyUnwrap(derived, input.encryptedKey)
}
