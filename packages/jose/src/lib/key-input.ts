import { Buffer } from 'node:buffer'
import { createSecretKey, KeyObject, type webcrypto } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { Key, type KeyBinding } from './key.js'

/**
 * What the public functions accept as a key: a Key from this library, a node:crypto KeyObject, a
 * WebCrypto CryptoKey, or — for HMAC and direct encryption only — secret bytes or a UTF-8 string.
 */
export type KeyInput = Key | KeyObject | webcrypto.CryptoKey | Uint8Array | string

const fromKeyObjects = new WeakMap<KeyObject, Key>()
// With a copy of the bytes each Key was made from: a buffer reused for another secret must not
// keep verifying with the first one it held.
const fromBytes = new WeakMap<Uint8Array, { key: Key; bytes: Buffer }>()
// Secrets passed as strings cannot key a WeakMap; a small bounded map spares the hot path the guard.
const fromStrings = new Map<string, Key>()
const STRING_CACHE_LIMIT = 64

/**
 * Wraps secret bytes as a Key. The Key constructor refuses anything that looks like asymmetric key
 * material (for every secret, however it was made), so it is not repeated here.
 */
export function secretKeyFromBytes(bytes: Uint8Array, binding?: KeyBinding): Key {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return new Key(createSecretKey(Buffer.from(buffer)), binding)
}

export function keyFromKeyObject(keyObject: KeyObject, binding?: KeyBinding): Key {
  return new Key(keyObject, binding)
}

function isCryptoKey(input: unknown): input is webcrypto.CryptoKey {
  const CryptoKeyClass = (globalThis as { CryptoKey?: abstract new () => webcrypto.CryptoKey }).CryptoKey
  return CryptoKeyClass !== undefined && input instanceof CryptoKeyClass
}

export function toKey(input: unknown, option = 'key'): Key {
  if (input instanceof Key) return input
  if (input instanceof KeyObject) {
    let key = fromKeyObjects.get(input)
    if (!key) {
      key = keyFromKeyObject(input)
      fromKeyObjects.set(input, key)
    }
    return key
  }
  if (isCryptoKey(input)) return toKey(KeyObject.from(input), option)
  if (input instanceof Uint8Array) {
    const cached = fromBytes.get(input)
    if (cached?.bytes.equals(input)) return cached.key
    const key = secretKeyFromBytes(input)
    fromBytes.set(input, { key, bytes: Buffer.from(input) })
    return key
  }
  if (typeof input === 'string') {
    let key = fromStrings.get(input)
    if (!key) {
      key = secretKeyFromBytes(Buffer.from(input, 'utf8'))
      if (fromStrings.size >= STRING_CACHE_LIMIT) fromStrings.clear()
      fromStrings.set(input, key)
    }
    return key
  }
  throw new TypeError(`"${option}" must be a Key, KeyObject, CryptoKey, Uint8Array or string`)
}

/** What a key resolver returned, as a Key: nothing or a non-key is a resolution failure, not a TypeError. */
export function resolvedKey(input: unknown): Key {
  if (input === undefined || input === null) {
    throw new JOSEError('ERR_JOSE_KEY_RESOLUTION_FAILED', 'the key resolver returned no key')
  }
  try {
    return toKey(input)
  } catch (error) {
    if (error instanceof TypeError) {
      throw new JOSEError(
        'ERR_JOSE_KEY_RESOLUTION_FAILED',
        'the key resolver returned something that is not a key',
      )
    }
    throw error
  }
}
