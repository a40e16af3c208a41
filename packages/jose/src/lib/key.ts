import { Buffer } from 'node:buffer'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { isSmallOrderEdwardsPoint } from './small-order.js'

export type KeyKind = 'secret' | 'public' | 'private'
export type KeyTypeName = 'RSA' | 'EC' | 'OKP' | 'oct'
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

export function describeKeyObject(handle: KeyObject): {
  kty: KeyTypeName
  crv: string | undefined
  bits: number
} {
  if (handle.type === 'secret') {
    return { kty: 'oct', crv: undefined, bits: (handle.symmetricKeySize ?? 0) * 8 }
  }
  const type = handle.asymmetricKeyType
  const details = handle.asymmetricKeyDetails ?? {}
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      // With e = 1 anyone can forge signatures, and no RSA key has an even exponent: node:crypto takes both.
      const e = details.publicExponent
      if (e !== undefined && (e < 3n || e % 2n === 0n)) {
        throw new JOSEError('ERR_KEY_INVALID', 'the RSA public exponent must be odd and at least 3')
      }
      return { kty: 'RSA', crv: undefined, bits: details.modulusLength ?? 0 }
    }
    case 'ec': {
      const crv = NODE_CURVES[details.namedCurve ?? '']
      if (!crv) throw new JOSEError('ERR_JOSE_NOT_SUPPORTED', `unsupported EC curve ${details.namedCurve}`)
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
