import type { SigningAlgorithm } from '../../jwa/signing-algorithms.js'
import type { Key } from '../../lib/key.js'

// Group orders, big-endian, padded to the r||s half length of each curve.
const ORDERS: Readonly<Record<string, Uint8Array>> = {
  'P-256': hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  'P-384': hex(
    'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  ),
  'P-521': hex(
    '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  ),
  secp256k1: hex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
}

function hex(value: string): Uint8Array {
  return Uint8Array.from(value.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16))
}

/** 0 < value < order, comparing big-endian bytes of equal length. */
function inOpenRange(signature: Uint8Array, offset: number, order: Uint8Array): boolean {
  let nonZero = false
  let decided = false
  let below = false
  for (let i = 0; i < order.length; i++) {
    const byte = signature[offset + i] as number
    if (byte !== 0) nonZero = true
    if (!decided && byte !== order[i]) {
      decided = true
      below = byte < (order[i] as number)
    }
  }
  return nonZero && below
}

/**
 * Checks a signature's shape before the primitive sees it: ECDSA must be raw r||s of exactly the curve's
 * length with 0 < r, s < n (CVE-2022-21449 accepted r = s = 0; DER is refused by the length), EdDSA
 * exactly 64 or 114 bytes, RSA exactly the modulus length.
 */
export function hasValidSignatureShape(alg: SigningAlgorithm, key: Key, signature: Uint8Array): boolean {
  switch (alg.family) {
    case 'ecdsa': {
      if (signature.length !== alg.size) return false
      const order = ORDERS[key.crv as string]
      if (!order) return false
      const half = alg.size / 2
      return inOpenRange(signature, 0, order) && inOpenRange(signature, half, order)
    }
    case 'eddsa':
      return signature.length === (key.crv === 'Ed448' ? 114 : 64)
    case 'rsa':
    case 'rsa-pss':
      return signature.length === Math.ceil(key.bits / 8)
    default:
      return true
  }
}
