import type { KeyObject } from 'node:crypto'
import { assertAlgorithmFitsKey } from '../lib/algorithm-fit.js'
import type { Key, KeyBinding } from '../lib/key.js'
import { keyFromKeyObject, secretKeyFromBytes } from '../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../lib/options.js'

/** What a caller may bind a key to besides `alg`, which has its own argument. */
const BINDING_OPTIONS = declareOptions<Omit<KeyBinding, 'alg'>>({ use: true, keyOps: true, kid: true })

/**
 * Wraps secret bytes (or a UTF-8 string) as a key for `alg`. Refuses secrets shorter than the
 * algorithm needs and anything that looks like asymmetric key material (a PEM, DER or JWK text used
 * as an HMAC secret is the algorithm-confusion attack).
 *
 * @example
 * import { importSecret } from '@tessera/jose'
 * const key = importSecret(process.env.JWT_SECRET, 'HS256')
 */
export function importSecret(
  secret: Uint8Array | string,
  alg: string,
  binding: Omit<KeyBinding, 'alg'> = {},
): Key {
  if (typeof alg !== 'string') throw new TypeError('"alg" must be a string')
  assertKnownOptions(binding, BINDING_OPTIONS, 'importSecret')
  let bytes: Uint8Array
  if (typeof secret === 'string') bytes = new TextEncoder().encode(secret)
  else if (secret instanceof Uint8Array) bytes = secret
  else throw new TypeError('"secret" must be a Uint8Array or a string')
  const key = secretKeyFromBytes(bytes, { ...binding, alg })
  assertAlgorithmFitsKey(key, alg)
  return key
}

/** Wraps a node:crypto KeyObject, optionally bound to `alg` (checked to fit). */
export function importKeyObject(
  keyObject: KeyObject,
  alg?: string,
  binding: Omit<KeyBinding, 'alg'> = {},
): Key {
  assertKnownOptions(binding, BINDING_OPTIONS, 'importKeyObject')
  const key = keyFromKeyObject(keyObject, alg === undefined ? binding : { ...binding, alg })
  if (alg !== undefined) assertAlgorithmFitsKey(key, alg)
  return key
}
