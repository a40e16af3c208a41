import { Buffer } from 'node:buffer'
import { createSecretKey, KeyObject, type webcrypto } from 'node:crypto'
import { Key, type KeyBinding } from './key.js'
import { assertNotAsymmetricMaterial } from './secret-guard.js'

/**
 * What the public functions accept as a key: a Key from this library, a node:crypto KeyObject, a
 * WebCrypto CryptoKey, or — for HMAC and direct encryption only — secret bytes or a UTF-8 string.
 */
export type KeyInput = Key | KeyObject | webcrypto.CryptoKey | Uint8Array | string

const fromKeyObjects = new WeakMap<KeyObject, Key>()
const fromBytes = new WeakMap<Uint8Array, Key>()
// Secrets passed as strings cannot key a WeakMap; a small bounded map spares the hot path the guard.
const fromStrings = new Map<string, Key>()
const STRING_CACHE_LIMIT = 64

/** Wraps secret bytes as a Key after refusing anything that looks like asymmetric key material. */
export function secretKeyFromBytes(bytes: Uint8Array, binding?: KeyBinding): Key {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  assertNotAsymmetricMaterial(buffer)
  return new Key(createSecretKey(Buffer.from(buffer)), binding)
}

export function keyFromKeyObject(keyObject: KeyObject, binding?: KeyBinding): Key {
  if (keyObject.type === 'secret') assertNotAsymmetricMaterial(keyObject.export())
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
    let key = fromBytes.get(input)
    if (!key) {
      key = secretKeyFromBytes(input)
      fromBytes.set(input, key)
    }
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
