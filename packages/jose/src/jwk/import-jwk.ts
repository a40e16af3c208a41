import { Buffer } from 'node:buffer'
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { assertAlgorithmFitsKey } from '../lib/algorithm-fit.js'
import { MIN_RSA_BITS } from '../lib/assert-key.js'
import { rsaPrivateKeyIsConsistent } from '../lib/backend/signing.js'
import { decodeBase64url } from '../lib/base64url.js'
import { isPlainObject } from '../lib/json.js'
import { Key, type KeyBinding, type KeyOperation, MAX_RSA_BITS } from '../lib/key.js'
import { secretKeyFromBytes } from '../lib/key-input.js'
import { isSmallOrderEdwardsPoint } from '../lib/small-order.js'
import type { JWK } from './types.js'

// Exact byte lengths of coordinates and private scalars per curve (RFC 7518 §6.2.1.2, RFC 8037 §2).
const EC_LENGTHS: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, secp256k1: 32 }
const OKP_LENGTHS: Readonly<Record<string, number>> = { Ed25519: 32, Ed448: 57, X25519: 32, X448: 56 }
const KEY_OPS = new Set<string>([
  'sign',
  'verify',
  'encrypt',
  'decrypt',
  'wrapKey',
  'unwrapKey',
  'deriveKey',
  'deriveBits',
])
const RSA_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const

function invalid(message: string): never {
  throw new JOSEError('ERR_JWK_INVALID', message)
}

function member(jwk: JWK, name: string, length?: number): Uint8Array {
  const value = jwk[name]
  if (typeof value !== 'string') invalid(`"${name}" must be a string`)
  let bytes: Uint8Array
  try {
    bytes = decodeBase64url(value, `"${name}"`)
  } catch {
    invalid(`"${name}" is not strict base64url`)
  }
  if (length !== undefined && bytes.length !== length)
    invalid(`"${name}" must be ${length} bytes, not ${bytes.length}`)
  return bytes
}

function readBinding(jwk: JWK, alg: string | undefined): KeyBinding {
  const binding: KeyBinding = {}
  if (jwk.alg !== undefined) {
    if (typeof jwk.alg !== 'string') invalid('"alg" must be a string')
    if (alg !== undefined && alg !== jwk.alg) {
      throw new JOSEError('ERR_KEY_ALG_MISMATCH', `the JWK is for ${jwk.alg}, not ${alg}`)
    }
  }
  const boundAlg = alg ?? jwk.alg
  if (boundAlg !== undefined) binding.alg = boundAlg
  if (jwk.use !== undefined) {
    if (jwk.use !== 'sig' && jwk.use !== 'enc') invalid('"use" must be "sig" or "enc"')
    binding.use = jwk.use
  }
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops
    if (!Array.isArray(ops) || ops.some((op) => typeof op !== 'string' || !KEY_OPS.has(op))) {
      invalid('"key_ops" must be an array of RFC 7517 operations')
    }
    if (new Set(ops).size !== ops.length) invalid('"key_ops" must not repeat an operation')
    binding.keyOps = ops as KeyOperation[]
  }
  if (jwk.kid !== undefined) {
    if (typeof jwk.kid !== 'string') invalid('"kid" must be a string')
    binding.kid = jwk.kid
  }
  return binding
}

const ECDH_CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
}

/**
 * OpenSSL keeps an EC private JWK's x and y as given without checking them against `d`, and derives an
 * OKP public key from `d` alone, ignoring `x`. Either way the JWK's public members could name another
 * key (its kid and thumbprint would, and EC signatures would not verify under them), so the public
 * key is derived from `d` and compared. RSA members are not cross-checked here.
 */
function assertPrivateMatchesPublic(jwk: JWK, handle: KeyObject): void {
  let matches: boolean
  if (jwk.kty === 'EC') {
    let point: Buffer
    try {
      const ecdh = createECDH(ECDH_CURVES[jwk.crv as string] as string)
      ecdh.setPrivateKey(Buffer.from(jwk.d as string, 'base64url'))
      point = ecdh.getPublicKey()
    } catch {
      invalid('"d" is not a valid private scalar for the curve')
    }
    const size = (point.length - 1) / 2
    matches =
      point.subarray(1, 1 + size).toString('base64url') === jwk.x &&
      point.subarray(1 + size).toString('base64url') === jwk.y
  } else if (jwk.kty === 'OKP') {
    matches = createPublicKey(handle).export({ format: 'jwk' }).x === jwk.x
  } else {
    matches = rsaPrivateKeyIsConsistent(handle)
  }
  if (!matches) invalid('the private key "d" does not belong to the public members of the JWK')
}

function importAsymmetric(jwk: JWK): KeyObject {
  const isPrivate = jwk.d !== undefined
  let handle: KeyObject
  try {
    handle = isPrivate
      ? createPrivateKey({ key: jwk as never, format: 'jwk' })
      : createPublicKey({ key: jwk as never, format: 'jwk' })
  } catch {
    // OpenSSL refuses points off the curve here.
    invalid('the key material is not a valid key (point not on the curve, or inconsistent members)')
  }
  if (isPrivate) assertPrivateMatchesPublic(jwk, handle)
  return handle
}

function checkMembers(jwk: JWK): void {
  switch (jwk.kty) {
    case 'RSA': {
      const n = member(jwk, 'n')
      const e = member(jwk, 'e')
      if (n[0] === 0) invalid('"n" must not have leading zero bytes')
      // An even modulus is no RSA key; e = 1 makes the padded digest its own signature (anyone can forge).
      if (((n[n.length - 1] ?? 0) & 1) === 0) invalid('"n" must be odd')
      if (
        e.length === 0 ||
        e[0] === 0 ||
        ((e[e.length - 1] as number) & 1) === 0 ||
        (e.length === 1 && (e[0] as number) < 3)
      ) {
        invalid('"e" must be an odd exponent of at least 3, without leading zero bytes')
      }
      if (n.length * 8 < MIN_RSA_BITS)
        throw new JOSEError('ERR_KEY_TOO_SHORT', `RSA keys must be at least ${MIN_RSA_BITS} bits`)
      // Checked before OpenSSL parses the numbers; key.ts applies the same bounds to every other path.
      if (n.length * 8 > MAX_RSA_BITS) invalid(`RSA keys must be at most ${MAX_RSA_BITS} bits`)
      if (e.length > 4) invalid('"e" must be at most 32 bits')
      if (jwk.d !== undefined) for (const name of RSA_PRIVATE) member(jwk, name)
      return
    }
    case 'EC': {
      const length = EC_LENGTHS[jwk.crv as string]
      if (length === undefined) invalid(`unsupported EC curve ${JSON.stringify(jwk.crv)}`)
      member(jwk, 'x', length)
      member(jwk, 'y', length)
      if (jwk.d !== undefined) member(jwk, 'd', length)
      return
    }
    case 'OKP': {
      const length = OKP_LENGTHS[jwk.crv as string]
      if (length === undefined) invalid(`unsupported OKP curve ${JSON.stringify(jwk.crv)}`)
      const x = member(jwk, 'x', length)
      if (isSmallOrderEdwardsPoint(jwk.crv, x)) invalid('"x" is a point of small order')
      if (jwk.d !== undefined) member(jwk, 'd', length)
      return
    }
    default:
      invalid(`unsupported "kty" ${JSON.stringify(jwk.kty)}`)
  }
}

/**
 * Imports a JWK (RFC 7517). Coordinates must have their curve's exact length and lie on the curve;
 * `use`, `key_ops` and `alg` are kept and enforced on every later use. With `alg`, the key is
 * bound to that algorithm.
 *
 * @example
 * import { importJWK } from '@tessera/jose'
 * const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }, 'Ed25519')
 */
export async function importJWK(jwk: JWK, alg?: string): Promise<Key> {
  return importJWKSync(jwk, alg)
}

/** The synchronous form of importJWK. */
export function importJWKSync(jwk: JWK, alg?: string): Key {
  if (!isPlainObject(jwk)) invalid('a JWK must be an object')
  if (alg !== undefined && typeof alg !== 'string') throw new TypeError('"alg" must be a string')
  if (typeof jwk.kty !== 'string') invalid('"kty" must be a string')
  const binding = readBinding(jwk, alg)
  let key: Key
  if (jwk.kty === 'oct') {
    key = secretKeyFromBytes(member(jwk, 'k'), binding)
  } else {
    checkMembers(jwk)
    key = new Key(importAsymmetric(jwk), binding)
  }
  if (binding.alg !== undefined) assertAlgorithmFitsKey(key, binding.alg)
  return key
}
