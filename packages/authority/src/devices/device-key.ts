import { calculateJwkThumbprintSync, importJWKSync, type JWK, type Key } from '@tessera/jose'
import { OAuthError } from '../lib/oauth-error.js'

/** Curves a device may sign with, and the one JWS algorithm each implies. */
const DEVICE_CURVES: Readonly<Record<string, { kty: string; alg: string; members: readonly string[] }>> = {
  'P-256': { kty: 'EC', alg: 'ES256', members: ['crv', 'kty', 'x', 'y'] },
  Ed25519: { kty: 'OKP', alg: 'Ed25519', members: ['crv', 'kty', 'x'] },
}

/** Members that only a private (or symmetric) JWK has: their presence means a key leaked into the request. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

export interface DevicePublicKey {
  /** The public members only, in RFC 7638 order, as stored. */
  readonly jwk: JWK
  readonly alg: string
  readonly thumbprint: string
}

function invalid(message: string): never {
  throw new OAuthError('invalid_request', `"jwk": ${message}`)
}

/**
 * Validates a device's public key: an ES256 (P-256) or Ed25519 JWK, never one with private members.
 * Only the public members are kept, so stray `use`, `key_ops` or `alg` cannot widen what the key may
 * do, and the stored key is exactly the one the RFC 7638 thumbprint names.
 */
export function parseDeviceJwk(input: unknown): DevicePublicKey {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalid('must be a JWK object')
  const jwk = input as Record<string, unknown>
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    invalid('must be a public key; private key members are refused (keep the private key on the device)')
  }
  const curve = typeof jwk.crv === 'string' && Object.hasOwn(DEVICE_CURVES, jwk.crv) ? jwk.crv : undefined
  const spec = curve === undefined ? undefined : DEVICE_CURVES[curve]
  if (!spec || jwk.kty !== spec.kty) invalid('must be an EC P-256 (ES256) or OKP Ed25519 public key')
  const alg = jwk.alg
  if (alg !== undefined && alg !== spec.alg && !(spec.alg === 'Ed25519' && alg === 'EdDSA')) {
    invalid(`"alg" must be ${spec.alg} for this key`)
  }
  const publicJwk: Record<string, string> = {}
  for (const member of spec.members) {
    const value = jwk[member]
    if (typeof value !== 'string' || value.length === 0 || value.length > 200)
      invalid(`"${member}" is required`)
    publicJwk[member] = value
  }
  try {
    importJWKSync(publicJwk as JWK, spec.alg)
    return { jwk: publicJwk as JWK, alg: spec.alg, thumbprint: calculateJwkThumbprintSync(publicJwk as JWK) }
  } catch (error) {
    invalid(`unusable key (${(error as Error).message})`)
  }
}

/** Imports a stored device key, bound to its algorithm. */
export function importDeviceKey(publicJwk: string, alg: string): Key {
  return importJWKSync(JSON.parse(publicJwk) as JWK, alg)
}
