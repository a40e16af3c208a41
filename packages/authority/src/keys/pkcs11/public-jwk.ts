import type { JWK } from '@tessera/jose'

/** Reads one DER length at `offset`; returns the length and where the content starts. */
function derLength(der: Buffer, offset: number): { length: number; start: number } {
  const first = der[offset]
  if (first === undefined) throw new Error('truncated DER')
  if (first < 0x80) return { length: first, start: offset + 1 }
  const count = first & 0x7f
  if (count === 0 || count > 2) throw new Error('unsupported DER length')
  let length = 0
  for (let i = 1; i <= count; i++) length = (length << 8) | (der[offset + i] ?? 0)
  return { length, start: offset + 1 + count }
}

/**
 * CKA_EC_POINT is the uncompressed point (0x04 || X || Y), wrapped in a DER OCTET STRING by most
 * tokens (SoftHSM included) and bare by a few; both are accepted.
 */
export function ecPublicJwk(ecPoint: Buffer, curve: string, size: number): JWK {
  let point = ecPoint
  if (point[0] === 0x04 && point.length !== 1 + 2 * size) {
    const { length, start } = derLength(point, 1)
    point = point.subarray(start, start + length)
  }
  if (point.length !== 1 + 2 * size || point[0] !== 0x04)
    throw new Error('the token returned an unexpected EC point')
  return {
    kty: 'EC',
    crv: curve,
    x: point.subarray(1, 1 + size).toString('base64url'),
    y: point.subarray(1 + size).toString('base64url'),
  }
}

export function rsaPublicJwk(modulus: Buffer, exponent: Buffer): JWK {
  // Big-endian unsigned integers; a leading zero byte (sign padding) is not part of base64url-encoded n.
  const strip = (value: Buffer) => {
    let i = 0
    while (i < value.length - 1 && value[i] === 0) i++
    return value.subarray(i)
  }
  return { kty: 'RSA', n: strip(modulus).toString('base64url'), e: strip(exponent).toString('base64url') }
}
