/**
 * Every node:crypto call of JWE lives here (signing.ts holds those of JWS), so a WebCrypto backend for
 * browsers and edge runtimes can replace this folder alone. Functions take descriptors, KeyObjects and
 * bytes; they know nothing of headers or serializations. Failures of authenticated primitives return
 * `null` instead of throwing, so callers cannot leak OpenSSL's reasons.
 */
import { Buffer } from 'node:buffer'
import {
  type CipherGCMTypes,
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes as nodeRandomBytes,
  pbkdf2,
  privateDecrypt,
  publicEncrypt,
  timingSafeEqual,
} from 'node:crypto'

export function randomBytes(length: number): Buffer {
  return nodeRandomBytes(length)
}

export function secretBytes(key: KeyObject): Buffer {
  return key.export()
}

export function digest(hash: 'sha256' | 'sha384' | 'sha512', data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest()
}

export function hmac(hash: string, key: Uint8Array, data: readonly Uint8Array[]): Buffer {
  const mac = createHmac(hash, key)
  for (const part of data) mac.update(part)
  return mac.digest()
}

/** Constant-time equality of two byte strings of the same length (callers check lengths first). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

// RFC 3394 §2.2.3.1 default initial value.
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex')

/** AES Key Wrap (RFC 3394) of `cek` under a 16, 24 or 32-byte `kek`. */
export function aesKeyWrap(kek: Uint8Array, cek: Uint8Array): Buffer {
  const cipher = createCipheriv(`id-aes${kek.length * 8}-wrap`, kek, KW_IV)
  return Buffer.concat([cipher.update(cek), cipher.final()])
}

/** AES Key Unwrap; `null` when the integrity check fails. */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer | null {
  try {
    const decipher = createDecipheriv(`id-aes${kek.length * 8}-wrap`, kek, KW_IV)
    return Buffer.concat([decipher.update(wrapped), decipher.final()])
  } catch {
    return null
  }
}

function gcmName(key: Uint8Array): CipherGCMTypes {
  return `aes-${key.length * 8}-gcm` as CipherGCMTypes
}

export function aesGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(gcmName(key), key, iv, { authTagLength: 16 })
  cipher.setAAD(aad)
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { ciphertext, tag: cipher.getAuthTag() }
}

/** AES-GCM decryption; `null` when the tag does not verify. IV and tag lengths are checked by callers. */
export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array,
): Buffer | null {
  try {
    const decipher = createDecipheriv(gcmName(key), key, iv, { authTagLength: 16 })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    return null
  }
}

export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv)
  return Buffer.concat([cipher.update(plaintext), cipher.final()])
}

/** AES-CBC decryption with PKCS#7 padding; `null` on bad padding. Only ever called after the MAC verified. */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer | null {
  try {
    const decipher = createDecipheriv(`aes-${key.length * 8}-cbc`, key, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()])
  } catch {
    return null
  }
}

export function rsaOaepEncrypt(publicKey: KeyObject, hash: string, data: Uint8Array): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data)
}

/** RSA-OAEP decryption; `null` on any failure, so the caller can continue with a random CEK (RFC 7516 §11.5). */
export function rsaOaepDecrypt(privateKey: KeyObject, hash: string, data: Uint8Array): Buffer | null {
  try {
    return privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
      data,
    )
  } catch {
    return null
  }
}

const NODE_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
}

/** A fresh ephemeral key pair on `crv` (P-256, P-384, P-521, X25519, X448). */
export function generateEphemeralKey(crv: string): KeyObject {
  const namedCurve = NODE_CURVES[crv]
  if (namedCurve) return generateKeyPairSync('ec', { namedCurve }).privateKey
  if (crv === 'X25519') return generateKeyPairSync('x25519').privateKey
  if (crv === 'X448') return generateKeyPairSync('x448').privateKey
  throw new TypeError(`unsupported ECDH curve ${crv}`)
}

/** Imports public key members (kty, crv, x, y) as a KeyObject; `null` when OpenSSL refuses the point. */
export function importPublicJWK(jwk: JsonWebKey): KeyObject | null {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' })
  } catch {
    return null
  }
}

export function exportPublicJWK(key: KeyObject): JsonWebKey {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' })
}

/** The raw ECDH / X25519 / X448 shared secret; `null` when the derivation fails (OpenSSL refuses low order). */
export function ecdhSharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer | null {
  try {
    return diffieHellman({ privateKey, publicKey })
  } catch {
    return null
  }
}

/** PBKDF2 on the thread pool: PBES2 with a high count is the slowest thing JWE does. */
export function pbkdf2Derive(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
  hash: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, hash, (error, key) => (error ? reject(error) : resolve(key)))
  })
}
