import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'
import { assertKnownOptions, assertPositiveInteger, declareOptions } from '../lib/options.js'
import { KeySetIndex } from './internal/select.js'

/** Options of createLocalJWKSet: how many keys a token without `kid` may cost. */
export interface LocalJWKSetOptions {
  /**
   * For a token without `kid`, how many fitting keys are tried, in the set's order. Default 3: a set
   * rarely holds more than the current and the next key of one type.
   */
  maxCandidates?: number
}

const LOCAL_JWKS_SET_OPTIONS = declareOptions<LocalJWKSetOptions>({ maxCandidates: true })

/** A key resolver backed by a JWK set, usable wherever a `keyOrResolver` is accepted. */
export interface JWKSResolver<Result = Key | Key[]> {
  (protectedHeader: JOSEHeaderParameters, token?: unknown): Result
  /** True while the set still holds `key`; the verified-token cache asks before every hit. */
  hasKey(key: Key): boolean
}

/** A local set never changes, so its resolver answers synchronously (and `verifier.sync` works). */
export type LocalJWKSet = JWKSResolver<Key | Key[]>

export const DEFAULT_MAX_CANDIDATES = 3

export function resolveMaxCandidates(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_CANDIDATES
  assertPositiveInteger(value, 'maxCandidates')
  return value
}

/**
 * Makes a key resolver from a JWK set (RFC 7517 §5) held in memory. The token's `kid`, when it has
 * one, picks the key; its `alg` always rules out keys of another type, curve or binding, and keys
 * whose `use` or `key_ops` forbid verification are never tried. Two fitting keys with the token's
 * `kid` fail with ERR_JWKS_MULTIPLE_MATCHING_KEYS; none fails with ERR_JWKS_NO_MATCHING_KEY. A
 * member that does not import is skipped, and each key is imported once.
 *
 * @example
 * import { createLocalJWKSet, verifyJWT } from '@tessera/jose'
 * const jwks = createLocalJWKSet({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: '…', kid: '2026-11' }] })
 * const { payload } = await verifyJWT(token, jwks, { algorithms: ['Ed25519'], issuer: 'https://issuer.example' })
 */
export function createLocalJWKSet(jwks: unknown, options: LocalJWKSetOptions = {}): LocalJWKSet {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" must be an object')
  assertKnownOptions(options, LOCAL_JWKS_SET_OPTIONS, 'createLocalJWKSet')
  const index = new KeySetIndex(jwks, {
    maxCandidates: resolveMaxCandidates(options.maxCandidates),
    allowSymmetric: true,
  })
  const resolver = (protectedHeader: JOSEHeaderParameters): Key | Key[] => index.select(protectedHeader)
  resolver.hasKey = (key: Key): boolean => index.has(key)
  return resolver
}
