import { createHash } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { isPlainObject } from '../lib/json.js'
import { Key } from '../lib/key.js'
import { exportJWKSync } from './export-jwk.js'
import type { JWK } from './types.js'

/** The hash of an RFC 7638 thumbprint. */
export type ThumbprintDigest = 'sha256' | 'sha384' | 'sha512'

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
}

const URI_NAMES: Readonly<Record<ThumbprintDigest, string>> = {
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
}

/**
 * The RFC 7638 JWK thumbprint: a hash of the key's required members in canonical JSON, base64url.
 * Accepts a JWK object or a Key (its public members are used for asymmetric keys).
 *
 * @example
 * import { calculateJwkThumbprint } from '@tessera/jose'
 * const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: '…', y: '…' })
 */
export async function calculateJwkThumbprint(
  jwk: JWK | Key,
  digest: ThumbprintDigest = 'sha256',
): Promise<string> {
  return calculateJwkThumbprintSync(jwk, digest)
}

/**
 * calculateJwkThumbprint on the calling thread: the RFC 7638 thumbprint as base64url, for code that
 * cannot await (a key set indexing its members).
 */
export function calculateJwkThumbprintSync(input: JWK | Key, digest: ThumbprintDigest = 'sha256'): string {
  // Own members only here and below: `in` and plain lookups also find Object.prototype's members.
  if (!Object.hasOwn(URI_NAMES, digest)) throw new TypeError('"digest" must be sha256, sha384 or sha512')
  const jwk = input instanceof Key ? exportJWKSync(input, { publicOnly: input.type === 'private' }) : input
  if (!isPlainObject(jwk)) throw new JOSEError('ERR_JWK_INVALID', 'a JWK must be an object')
  const required = Object.hasOwn(REQUIRED, jwk.kty as string) ? REQUIRED[jwk.kty as string] : undefined
  if (!required) throw new JOSEError('ERR_JWK_INVALID', `unsupported "kty" ${JSON.stringify(jwk.kty)}`)
  const canonical: Record<string, string> = {}
  for (const name of required) {
    const value = jwk[name]
    if (typeof value !== 'string' || value.length === 0) {
      throw new JOSEError('ERR_JWK_INVALID', `"${name}" must be a non-empty string`)
    }
    canonical[name] = value
  }
  return createHash(digest).update(JSON.stringify(canonical)).digest('base64url')
}

/**
 * The RFC 9278 JWK thumbprint URI: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:<thumbprint>`.
 *
 * @example
 * import { calculateJwkThumbprintUri } from '@tessera/jose'
 * const uri = await calculateJwkThumbprintUri(publicJwk)
 */
export async function calculateJwkThumbprintUri(
  jwk: JWK | Key,
  digest: ThumbprintDigest = 'sha256',
): Promise<string> {
  return `urn:ietf:params:oauth:jwk-thumbprint:${URI_NAMES[digest]}:${calculateJwkThumbprintSync(jwk, digest)}`
}
