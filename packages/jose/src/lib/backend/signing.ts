/**
 * lib/backend/ is the only place that calls node:crypto for JWS and JWE primitives (signing here,
 * encryption.ts for JWE). Everything above it works with descriptors and Keys, so a WebCrypto backend
 * for browsers and edge runtimes can replace this folder alone.
 *
 * Sync functions run on the calling thread (the fast path for one-at-a-time work); async functions use
 * node's callback APIs, which run on the libuv thread pool and so use every core under load. HMAC has
 * no thread-pool variant in node: it is cheaper than the hop, so both paths compute it inline.
 */
import { Buffer } from 'node:buffer'
import {
  constants,
  createHmac,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  type SignKeyObjectInput,
} from 'node:crypto'
import type { SigningAlgorithm } from '../../jwa/signing-algorithms.js'

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const

/** The key argument node:crypto wants for this family; built once per (key, alg) by the callers' caches. */
export function signingKeyInput(alg: SigningAlgorithm, key: KeyObject): KeyObject | SignKeyObjectInput {
  switch (alg.family) {
    case 'rsa':
      return { key, padding: constants.RSA_PKCS1_PADDING }
    case 'rsa-pss':
      return {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: HASH_BYTES[alg.hash as keyof typeof HASH_BYTES],
      }
    case 'ecdsa':
      return { key, dsaEncoding: 'ieee-p1363' }
    default:
      return key
  }
}

/**
 * What is signed: bytes, or the ASCII text of a compact signing input (`header.payload`). Text lets
 * HMAC read the string natively, without a Buffer allocated per token on the JWT signer's hot path.
 */
export type SigningData = Uint8Array | string

function bytesOf(data: SigningData): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data
}

export function hmac(alg: SigningAlgorithm, key: KeyObject, data: SigningData): Buffer {
  const mac = createHmac(alg.hash as string, key)
  return (typeof data === 'string' ? mac.update(data, 'latin1') : mac.update(data)).digest()
}

export function signSync(alg: SigningAlgorithm, key: KeyObject, data: SigningData): Buffer {
  if (alg.family === 'hmac') return hmac(alg, key, data)
  return nodeSign(alg.hash, bytesOf(data), signingKeyInput(alg, key))
}

/** The signature as base64url text: HMAC digests straight to text, sparing a Buffer per token. */
export function signSyncBase64url(alg: SigningAlgorithm, key: KeyObject, data: SigningData): string {
  if (alg.family !== 'hmac')
    return nodeSign(alg.hash, bytesOf(data), signingKeyInput(alg, key)).toString('base64url')
  const mac = createHmac(alg.hash as string, key)
  return (typeof data === 'string' ? mac.update(data, 'latin1') : mac.update(data)).digest('base64url')
}

export function signAsync(alg: SigningAlgorithm, key: KeyObject, data: SigningData): Promise<Buffer> {
  if (alg.family === 'hmac') return Promise.resolve(hmac(alg, key, data))
  return new Promise((resolve, reject) => {
    nodeSign(alg.hash, bytesOf(data), signingKeyInput(alg, key), (error, signature) =>
      error ? reject(error) : resolve(signature),
    )
  })
}

/** Same length and same characters, without an early exit: the compare leaks only the (public) length. */
function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

/**
 * HMAC check against the signature as transmitted: the MAC's canonical base64url text must equal it.
 * Comparing text spares decoding the signature and a Buffer per token, and equality with the
 * canonical encoding also proves the signature was spelled canonically.
 */
export function verifyHmac(
  alg: SigningAlgorithm,
  key: KeyObject,
  data: SigningData,
  signature: string,
): boolean {
  const mac = createHmac(alg.hash as string, key)
  const expected = (typeof data === 'string' ? mac.update(data, 'latin1') : mac.update(data)).digest(
    'base64url',
  )
  return equalText(expected, signature)
}

/** Asymmetric verification; `signature` is the decoded signature bytes. */
export function verifySync(
  alg: SigningAlgorithm,
  key: KeyObject,
  data: SigningData,
  signature: Uint8Array,
): boolean {
  try {
    return nodeVerify(alg.hash, bytesOf(data), signingKeyInput(alg, key), signature)
  } catch {
    return false
  }
}

/** Asymmetric verification on the thread pool. */
export function verifyAsync(
  alg: SigningAlgorithm,
  key: KeyObject,
  data: SigningData,
  signature: Uint8Array,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      nodeVerify(alg.hash, bytesOf(data), signingKeyInput(alg, key), signature, (error, valid) =>
        resolve(!error && valid),
      )
    } catch {
      resolve(false)
    }
  })
}

const CONSISTENCY_PROBE = Buffer.from('tessera private key consistency probe')

/**
 * OpenSSL takes an RSA private JWK's members as given: a `d` (or CRT member) that does not belong to
 * `n`/`e` imports fine and signs garbage. One signature over a probe, verified with the public half,
 * proves the members belong together.
 */
export function rsaPrivateKeyIsConsistent(privateKey: KeyObject): boolean {
  try {
    const signature = nodeSign('sha256', CONSISTENCY_PROBE, privateKey)
    return nodeVerify('sha256', CONSISTENCY_PROBE, createPublicKey(privateKey), signature)
  } catch {
    return false
  }
}
