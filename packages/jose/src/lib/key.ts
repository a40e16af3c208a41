import { Buffer } from 'node:buffer'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { assertNotAsymmetricMaterial } from './secret-guard.js'
import { isSmallOrderEdwardsPoint } from './small-order.js'

/** Which half of a key a Key holds: a shared secret, a public key or a private key. */
export type KeyKind = 'secret' | 'public' | 'private'
/** The JWK `kty` of a Key. */
export type KeyTypeName = 'RSA' | 'EC' | 'OKP' | 'oct'
/** A JWK `key_ops` value (RFC 7517 §4.3): what a key may be used for, enforced on every use. */
export type KeyOperation =
  | 'sign'
  | 'verify'
  | 'encrypt'
  | 'decrypt'
  | 'wrapKey'
  | 'unwrapKey'
  | 'deriveKey'
  | 'deriveBits'

/** What a key may be used for, from its JWK members or the options it was imported with. */
export interface KeyBinding {
  /** The one algorithm this key may be used with. */
  alg?: string
  /** `sig` or `enc` (RFC 7517 §4.2). */
  use?: string
  /** Permitted operations (RFC 7517 §4.3). */
  keyOps?: readonly KeyOperation[]
  kid?: string
}

const NODE_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
}

const OKP_CURVES: Readonly<Record<string, string>> = {
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  x25519: 'X25519',
  x448: 'X448',
}

/** OpenSSL's own ceiling for RSA operations; larger moduli only cost time before failing. */
export const MAX_RSA_BITS = 16384
export const MAX_RSA_PUBLIC_EXPONENT = 0xffffffffn

const handles = new WeakMap<Key, KeyObject>()
const publicHandles = new WeakMap<Key, KeyObject>()

/**
 * A key that knows what it is: its type, curve, size, and what it is bound to. Created only by the
 * import and generate functions, so every Key in circulation has passed their checks.
 */
export class Key {
  readonly type: KeyKind
  readonly kty: KeyTypeName
  /** Curve name for EC and OKP keys (`P-256`, `Ed25519`, …). */
  readonly crv: string | undefined
  /** RSA modulus length or secret length, in bits. */
  readonly bits: number
  readonly alg: string | undefined
  readonly use: string | undefined
  readonly keyOps: readonly KeyOperation[] | undefined
  readonly kid: string | undefined

  /** @internal Use importJWK, importPEM, importKeyObject, importSecret or the generate functions. */
  constructor(handle: KeyObject, binding: KeyBinding = {}) {
    const { kty, crv, bits } = describeKeyObject(handle)
    this.type = handle.type
    this.kty = kty
    this.crv = crv
    this.bits = bits
    this.alg = binding.alg
    this.use = binding.use
    this.keyOps = binding.keyOps ? Object.freeze([...binding.keyOps]) : undefined
    this.kid = binding.kid
    handles.set(this, handle)
    Object.freeze(this)
  }

  /** The node:crypto KeyObject behind this key, for use with node:crypto directly. */
  toKeyObject(): KeyObject {
    return keyObjectOf(this)
  }

  get [Symbol.toStringTag](): string {
    return 'Key'
  }
}

export function keyObjectOf(key: Key): KeyObject {
  const handle = handles.get(key)
  if (!handle) throw new TypeError('"key" is not a Key created by @tessera/jose')
  return handle
}

/** The public half of a key (a private key may verify; the public key object is derived once). */
export function publicKeyObjectOf(key: Key): KeyObject {
  const handle = keyObjectOf(key)
  if (handle.type !== 'private') return handle
  let derived = publicHandles.get(key)
  if (!derived) {
    derived = createPublicKey(handle)
    publicHandles.set(key, derived)
  }
  return derived
}

// Group orders: a private scalar must be in [1, n-1] (the JWK path checks this through createECDH).
const EC_ORDERS: Readonly<Record<string, bigint>> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521':
    0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
}

function invalidECKey(): never {
  throw new JOSEError(
    'ERR_KEY_INVALID',
    'the EC key is not a valid key (a point at infinity, or a private scalar outside [1, n-1])',
  )
}

function assertEncodableECKey(handle: KeyObject): void {
  try {
    handle.export({ type: handle.type === 'private' ? 'pkcs8' : 'spki', format: 'der' })
  } catch {
    invalidECKey()
  }
}

/** d = 0 or d >= n parse from PEM and sign; d = n + 1 is the key 1, whose public key is G. */
function assertScalarInRange(handle: KeyObject, crv: string): void {
  let d: unknown
  try {
    d = handle.export({ format: 'jwk' }).d
  } catch {
    invalidECKey()
  }
  if (typeof d !== 'string') invalidECKey()
  const scalar = BigInt(`0x0${Buffer.from(d, 'base64url').toString('hex')}`)
  const order = EC_ORDERS[crv]
  if (order === undefined || scalar === 0n || scalar >= order) invalidECKey()
}

export function describeKeyObject(handle: KeyObject): {
  kty: KeyTypeName
  crv: string | undefined
  bits: number
} {
  if (handle.type === 'secret') {
    // Here, not only in the import functions: `Key` is exported, and `new Key(createSecretKey(pem))`
    // must not make an HMAC key of a public key's text (CVE-2015-9235).
    assertNotAsymmetricMaterial(handle.export())
    return { kty: 'oct', crv: undefined, bits: (handle.symmetricKeySize ?? 0) * 8 }
  }
  const type = handle.asymmetricKeyType
  // node:crypto accepts an EC public key at infinity from DER, then aborts the process (a C++
  // assertion) when its details or JWK are read; OpenSSL's DER encoder refuses it catchably first.
  if (type === 'ec') assertEncodableECKey(handle)
  const details = handle.asymmetricKeyDetails ?? {}
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      // With e = 1 anyone can forge signatures, and no RSA key has an even exponent: node:crypto takes both.
      const e = details.publicExponent
      if (e !== undefined && (e < 3n || e % 2n === 0n)) {
        throw new JOSEError('ERR_KEY_INVALID', 'the RSA public exponent must be odd and at least 3')
      }
      // Verification cost grows with e and n: a key's owner could make each check as slow as a
      // private-key operation (e near n) or far slower (a huge n). Honest keys use e = 65537.
      if (e !== undefined && e > MAX_RSA_PUBLIC_EXPONENT) {
        throw new JOSEError('ERR_KEY_INVALID', 'the RSA public exponent must be at most 32 bits')
      }
      if ((details.modulusLength ?? 0) > MAX_RSA_BITS) {
        throw new JOSEError('ERR_KEY_INVALID', `RSA keys must be at most ${MAX_RSA_BITS} bits`)
      }
      return { kty: 'RSA', crv: undefined, bits: details.modulusLength ?? 0 }
    }
    case 'ec': {
      const crv = NODE_CURVES[details.namedCurve ?? '']
      if (!crv) throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported EC curve ${details.namedCurve}`)
      if (handle.type === 'private') assertScalarInRange(handle, crv)
      return { kty: 'EC', crv, bits: 0 }
    }
    case 'ed25519':
    case 'ed448': {
      const crv = OKP_CURVES[type]
      // A private key's public half is derived from its seed and never of small order.
      if (handle.type === 'public') {
        const { x } = handle.export({ format: 'jwk' })
        if (typeof x === 'string' && isSmallOrderEdwardsPoint(crv, Buffer.from(x, 'base64url'))) {
          throw new JOSEError('ERR_KEY_INVALID', `the ${crv} public key is a point of small order`)
        }
      }
      return { kty: 'OKP', crv, bits: 0 }
    }
    case 'x25519':
    case 'x448':
      return { kty: 'OKP', crv: OKP_CURVES[type], bits: 0 }
    default:
      throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported key type ${String(type)}`)
  }
}
