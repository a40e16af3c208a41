import { generateKeyPair as nodeGenerateKeyPair, randomBytes } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { getKeyManagementAlgorithm, type KeyManagementAlgorithm } from '../jwa/key-management-algorithms.js'
import { getSigningAlgorithm } from '../jwa/signing-algorithms.js'
import { MIN_RSA_BITS } from '../lib/assert-key.js'
import { Key, type KeyBinding, MAX_RSA_BITS } from '../lib/key.js'
import { secretKeyFromBytes } from '../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../lib/options.js'

/** Options of generateKeyPair: the curve or modulus, and the `kid`/`use` the keys carry. */
export interface GenerateKeyPairOptions {
  /** Curve for `EdDSA` (Ed25519 or Ed448) and for `ECDH-ES*` (P-256, the default, P-384, P-521, X25519, X448). */
  crv?: string
  /** RSA modulus length in bits; at least 2048, default 2048. */
  modulusLength?: number
  kid?: string
}

const GENERATE_KEY_PAIR_OPTIONS = declareOptions<GenerateKeyPairOptions>({
  crv: true,
  modulusLength: true,
  kid: true,
})
const GENERATE_SECRET_OPTIONS = declareOptions<{ kid?: string }>({ kid: true })

/** The pair generateKeyPair returns, both halves bound to the algorithm they were made for. */
export interface GeneratedKeyPair {
  privateKey: Key
  publicKey: Key
}

type NodeKeySpec =
  | { type: 'rsa'; modulusLength: number }
  | { type: 'ec'; namedCurve: string }
  | { type: 'ed25519' | 'ed448' | 'x25519' | 'x448' }

const EC_CURVES: Readonly<Record<string, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
  ES256K: 'secp256k1',
}

// JWE key pairs: RSA-OAEP* need RSA, ECDH-ES* a curve chosen with `crv` (default P-256).
const ECDH_NODE_CURVES: Readonly<Record<string, NodeKeySpec>> = {
  'P-256': { type: 'ec', namedCurve: 'prime256v1' },
  'P-384': { type: 'ec', namedCurve: 'secp384r1' },
  'P-521': { type: 'ec', namedCurve: 'secp521r1' },
  X25519: { type: 'x25519' },
  X448: { type: 'x448' },
}

function encryptionKeySpec(alg: KeyManagementAlgorithm, options: GenerateKeyPairOptions): NodeKeySpec {
  if (alg.family === 'rsa-oaep') return rsaSpec(options)
  if (alg.family !== 'ecdh-es') throw new TypeError(`"${alg.name}" uses a secret; use generateSecret`)
  const spec = ECDH_NODE_CURVES[options.crv ?? 'P-256']
  if (!spec)
    throw new TypeError(`"crv" must be one of ${Object.keys(ECDH_NODE_CURVES).join(', ')} for ${alg.name}`)
  return spec
}

function rsaSpec(options: GenerateKeyPairOptions): NodeKeySpec {
  const modulusLength = options.modulusLength ?? MIN_RSA_BITS
  if (
    !Number.isSafeInteger(modulusLength) ||
    modulusLength < MIN_RSA_BITS ||
    modulusLength > MAX_RSA_BITS ||
    modulusLength % 8 !== 0
  ) {
    throw new TypeError(`"modulusLength" must be a multiple of 8 from ${MIN_RSA_BITS} to ${MAX_RSA_BITS}`)
  }
  return { type: 'rsa', modulusLength }
}

function keySpec(alg: string, options: GenerateKeyPairOptions): NodeKeySpec {
  const keyManagement = getKeyManagementAlgorithm(alg)
  if (keyManagement) return encryptionKeySpec(keyManagement, options)
  const signing = getSigningAlgorithm(alg)
  if (!signing) throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `cannot generate a key pair for "${alg}"`)
  switch (signing.family) {
    case 'rsa':
    case 'rsa-pss': {
      const modulusLength = options.modulusLength ?? MIN_RSA_BITS
      if (
        !Number.isSafeInteger(modulusLength) ||
        modulusLength < MIN_RSA_BITS ||
        modulusLength > MAX_RSA_BITS ||
        modulusLength % 8 !== 0
      ) {
        throw new TypeError(`"modulusLength" must be a multiple of 8 from ${MIN_RSA_BITS} to ${MAX_RSA_BITS}`)
      }
      return { type: 'rsa', modulusLength }
    }
    case 'ecdsa':
      return { type: 'ec', namedCurve: EC_CURVES[alg] as string }
    case 'eddsa': {
      const crv = alg === 'EdDSA' ? (options.crv ?? 'Ed25519') : alg
      if (crv !== 'Ed25519' && crv !== 'Ed448')
        throw new TypeError('"crv" must be Ed25519 or Ed448 for EdDSA')
      return { type: crv === 'Ed25519' ? 'ed25519' : 'ed448' }
    }
    default:
      throw new TypeError(`"${alg}" uses a secret; use generateSecret`)
  }
}

/**
 * Generates a key pair for `alg` off the main thread. Both keys are bound to `alg`.
 *
 * @example
 * import { generateKeyPair } from '@tessera/jose'
 * const { privateKey, publicKey } = await generateKeyPair('Ed25519')
 */
export function generateKeyPair(
  alg: string,
  options: GenerateKeyPairOptions = {},
): Promise<GeneratedKeyPair> {
  if (typeof alg !== 'string') throw new TypeError('"alg" must be a string')
  assertKnownOptions(options, GENERATE_KEY_PAIR_OPTIONS, 'generateKeyPair')
  const spec = keySpec(alg, options)
  const binding: KeyBinding = { alg }
  if (options.kid !== undefined) binding.kid = options.kid
  return new Promise((resolve, reject) => {
    const callback = (
      error: Error | null,
      publicKey: import('node:crypto').KeyObject,
      privateKey: import('node:crypto').KeyObject,
    ) => {
      if (error) reject(error)
      else resolve({ privateKey: new Key(privateKey, binding), publicKey: new Key(publicKey, binding) })
    }
    const { type, ...params } = spec
    nodeGenerateKeyPair(type as 'ec', params as never, callback)
  })
}

/** Secret lengths for algorithms keyed by a secret, in bytes. */
const SECRET_BYTES: Record<string, number> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
  // JWE key wrapping keys and, for dir, content encryption keys (RFC 7518 §4.4, §4.7, §5).
  A128KW: 16,
  A192KW: 24,
  A256KW: 32,
  A128GCMKW: 16,
  A192GCMKW: 24,
  A256GCMKW: 32,
  A128GCM: 16,
  A192GCM: 24,
  A256GCM: 32,
  'A128CBC-HS256': 32,
  'A192CBC-HS384': 48,
  'A256CBC-HS512': 64,
}

/** Registers the secret length for an algorithm family outside JWS (JWE key wrap, content encryption). */
export function registerSecretLength(alg: string, bytes: number): void {
  SECRET_BYTES[alg] = bytes
}

/**
 * Generates a random secret of the length `alg` needs (the hash length for HMAC).
 *
 * @example
 * import { generateSecret } from '@tessera/jose'
 * const secret = await generateSecret('HS256')
 */
export async function generateSecret(alg: string, options: { kid?: string } = {}): Promise<Key> {
  assertKnownOptions(options, GENERATE_SECRET_OPTIONS, 'generateSecret')
  const bytes = SECRET_BYTES[alg]
  if (bytes === undefined)
    throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `cannot generate a secret for "${alg}"`)
  const binding: KeyBinding = { alg }
  if (options.kid !== undefined) binding.kid = options.kid
  return secretKeyFromBytes(randomBytes(bytes), binding)
}
