/**
 * The keys and the claims set every contender uses. One access token shape (RFC 9068 style claims), one
 * key per algorithm, generated once per run; each library receives the key in the form it is fastest
 * with (a KeyObject-backed Key, a CryptoKey, PEM text, raw secret bytes).
 */
import type { Buffer } from 'node:buffer'
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'

export const ALGORITHMS = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'Ed25519'] as const
export type BenchAlgorithm = (typeof ALGORITHMS)[number]

/** The polymorphic name, for libraries that do not know RFC 9864's fully specified `Ed25519`. */
export function legacyName(alg: BenchAlgorithm): Exclude<BenchAlgorithm, 'Ed25519'> | 'EdDSA' {
  return alg === 'Ed25519' ? 'EdDSA' : alg
}

export const ISSUER = 'https://issuer.example.com'
export const AUDIENCE = 'https://api.example.com'
export const LIFETIME = 900

/** What a caller passes per token; each library adds iss, aud, iat and exp from its own options. */
export const PER_TOKEN_CLAIMS = Object.freeze({
  sub: 'user-4f1c2b9e-7a1d-4c8e-9b2f-3d5e6a7b8c9d',
  jti: 'b6f0d1a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
  scope: 'openid profile email orders:read orders:write',
})

/** The complete claims set, for libraries that take it whole and for the verify fixtures. */
export function fullClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { ...PER_TOKEN_CLAIMS, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + LIFETIME }
}

export interface KeyMaterial {
  alg: BenchAlgorithm
  /** node:crypto objects: the private (or secret) key and the public key. */
  privateKey: KeyObject
  publicKey: KeyObject
  /** PEM (PKCS#8 / SPKI) for asymmetric keys; for HS256 both are the raw secret. */
  privatePem: string | Buffer
  publicPem: string | Buffer
}

export function makeKeys(alg: BenchAlgorithm): KeyMaterial {
  if (alg === 'HS256') {
    const secret = randomBytes(32)
    const keyObject = createSecretKey(secret)
    return { alg, privateKey: keyObject, publicKey: keyObject, privatePem: secret, publicPem: secret }
  }
  const pair =
    alg === 'RS256' || alg === 'PS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'ES384'
          ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
          : generateKeyPairSync('ed25519')
  return {
    alg,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privatePem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  }
}
