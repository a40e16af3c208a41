import { Buffer } from 'node:buffer'
import type { JsonWebKey, KeyObject } from 'node:crypto'
import { JOSEError } from '../../errors.js'
import { importPublicJWK } from '../../lib/backend/encryption.js'
import { isStrictBase64url } from '../../lib/base64url.js'
import { isPlainObject } from '../../lib/json.js'
import type { Key } from '../../lib/key.js'

// Exact coordinate lengths per curve (RFC 7518 §6.2.1.2, RFC 8037 §2).
const LENGTHS: Readonly<Record<string, number>> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
  X25519: 32,
  X448: 56,
}

function littleEndian(value: bigint, length: number): string {
  const out = Buffer.alloc(length)
  let rest = value
  for (let i = 0; i < length; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out.toString('hex')
}

const P25519 = 2n ** 255n - 19n
const P448 = 2n ** 448n - 2n ** 224n - 1n

/**
 * The u-coordinates of low-order points (and their non-canonical encodings), after libsodium's
 * blocklist. Any of them forces the shared secret to zero whatever the recipient's private key is.
 */
const LOW_ORDER: Readonly<Record<string, ReadonlySet<string>>> = {
  X25519: new Set(
    [
      0n,
      1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
      P25519 - 1n,
      P25519,
      P25519 + 1n,
    ].map((u) => littleEndian(u, 32)),
  ),
  X448: new Set([0n, 1n, P448 - 1n, P448, P448 + 1n].map((u) => littleEndian(u, 56))),
}

function invalid(message: string): never {
  throw new JOSEError('ERR_JWE_EPK_INVALID', message)
}

function coordinate(epk: Record<string, unknown>, name: string, length: number): string {
  const value = epk[name]
  if (typeof value !== 'string' || !isStrictBase64url(value))
    invalid(`"epk" member "${name}" must be base64url`)
  if (Buffer.from(value, 'base64url').length !== length)
    invalid(`"epk" member "${name}" must be ${length} bytes`)
  return value
}

/** Structure only, before any key is resolved: `epk` must be a JWK object. */
export function assertEpkShape(epk: unknown): asserts epk is Record<string, unknown> {
  if (!isPlainObject(epk)) invalid('ECDH-ES needs an "epk" header parameter that is a JWK object')
}

/**
 * Validates the sender's ephemeral public key against the recipient's key: the same key type and curve
 * (a P-256 point against a P-384 key is refused, not silently reinterpreted), exact coordinate lengths,
 * no private member, on its curve (OpenSSL checks when importing), and not a low-order X25519/X448 point.
 */
export function readEphemeralPublicKey(epk: unknown, recipient: Key): KeyObject {
  assertEpkShape(epk)
  const { kty, crv } = epk
  if (kty !== recipient.kty || crv !== recipient.crv) {
    invalid(
      `"epk" is a ${String(kty)} ${String(crv)} key; the recipient's key is ${recipient.kty} ${String(recipient.crv)}`,
    )
  }
  if (epk.d !== undefined) invalid('"epk" must not carry a private key')
  const length = LENGTHS[crv as string] as number
  const jwk: JsonWebKey = { kty: kty as string, crv: crv as string, x: coordinate(epk, 'x', length) }
  if (kty === 'EC') jwk.y = coordinate(epk, 'y', length)
  else {
    const x = Buffer.from(jwk.x as string, 'base64url')
    // RFC 7748 §5: the top bit of an X25519 u-coordinate is ignored, so it must not hide a blocked value.
    if (crv === 'X25519') x[31] = (x[31] as number) & 0x7f
    if (LOW_ORDER[crv as string]?.has(x.toString('hex'))) invalid('"epk" is a low-order point')
  }
  const key = importPublicJWK(jwk)
  if (!key) invalid('"epk" is not a point on its curve')
  return key
}

/** RFC 7748 §6: an all-zero shared secret means a low-order point; refuse it whatever produced it. */
export function assertNonZeroSecret(secret: Uint8Array | null): asserts secret is Uint8Array {
  if (secret === null) invalid('the ECDH key agreement failed (low-order or invalid "epk")')
  let bits = 0
  for (const byte of secret) bits |= byte
  if (bits === 0) invalid('the ECDH shared secret is all zero ("epk" is a low-order point)')
}
