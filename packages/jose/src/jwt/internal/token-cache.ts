import { JOSEError } from '../../errors.js'
import type { Key } from '../../lib/key.js'
import { assertKnownOptions, assertPositiveInteger, declareOptions } from '../../lib/options.js'
import type { JWTPayload, JWTVerifier, TokenCacheOptions, VerifyJWTResult } from '../types.js'
import type { ResolvedClaimsOptions } from './claims.js'
import { validateClaims } from './claims.js'

const TOKEN_CACHE_OPTIONS = declareOptions<TokenCacheOptions>({ maxEntries: true, negativeTtlMs: true })

type Entry =
  | { readonly ok: true; readonly result: VerifyJWTResult }
  | { readonly ok: false; readonly error: unknown; readonly until: number }

// A later verification of the same token could succeed, so these failures are not remembered.
const TRANSIENT = new Set([
  // Not transient, but an oversized token must never become a cache key: nothing else bounds its size.
  'ERR_JOSE_TOKEN_TOO_LARGE',
  'ERR_JOSE_KEY_RESOLUTION_FAILED',
  'ERR_JWT_NOT_YET_VALID',
  'ERR_JWT_ISSUED_IN_FUTURE',
])

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}

/**
 * An LRU of verified tokens, keyed by the whole token string, so two different tokens can never
 * share an entry. A hit skips the signature, not the claims: exp, nbf, iat and maxTokenAge are
 * checked again against the current time, so an entry never outlives the token's `exp`; and the
 * key must still be in its key set, so a key removed from a JWK set takes its entries with it.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>()
  readonly #maxEntries: number
  readonly #negativeTtlMs: number
  readonly #claims: ResolvedClaimsOptions
  readonly #hasKey: ((key: Key) => boolean) | undefined

  constructor(
    options: TokenCacheOptions,
    claims: ResolvedClaimsOptions,
    hasKey: ((key: Key) => boolean) | undefined,
  ) {
    const { maxEntries = 1000, negativeTtlMs = 0 } = options
    assertPositiveInteger(maxEntries, 'tokenCache.maxEntries')
    if (typeof negativeTtlMs !== 'number' || !Number.isSafeInteger(negativeTtlMs) || negativeTtlMs < 0) {
      throw new TypeError('"tokenCache.negativeTtlMs" must be a whole number of milliseconds >= 0')
    }
    this.#maxEntries = maxEntries
    this.#negativeTtlMs = negativeTtlMs
    this.#claims = claims
    this.#hasKey = hasKey
  }

  get size(): number {
    return this.#entries.size
  }

  /** The remembered outcome: a result, a thrown remembered failure, or undefined for a miss. */
  lookup(token: unknown): VerifyJWTResult | undefined {
    if (typeof token !== 'string') return undefined
    const entry = this.#entries.get(token)
    if (entry === undefined) return undefined
    if (!entry.ok) {
      if (Date.now() < entry.until) throw entry.error
      this.#entries.delete(token)
      return undefined
    }
    const { payload, protectedHeader, key } = entry.result
    if (this.#hasKey && !this.#hasKey(key)) {
      this.#entries.delete(token)
      return undefined
    }
    try {
      validateClaims(payload, protectedHeader, this.#claims)
    } catch (error) {
      this.#entries.delete(token)
      throw error
    }
    this.#entries.delete(token)
    this.#entries.set(token, entry)
    return { payload, protectedHeader, key }
  }

  remember(token: string, result: VerifyJWTResult): void {
    // Shared by every later hit, so nobody may change it.
    deepFreeze(result.payload as JWTPayload)
    this.#store(token, { ok: true, result: { ...result } })
  }

  rememberFailure(token: unknown, error: unknown): void {
    if (this.#negativeTtlMs === 0 || typeof token !== 'string') return
    if (!(error instanceof JOSEError) || TRANSIENT.has(error.code) || error.code.startsWith('ERR_JWKS_'))
      return
    this.#store(token, { ok: false, error, until: Date.now() + this.#negativeTtlMs })
  }

  #store(token: string, entry: Entry): void {
    this.#entries.delete(token)
    this.#entries.set(token, entry)
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
  }
}

/** Wraps a verifier (both forms) with a token cache; the resolver's `hasKey`, if any, guards hits. */
export function withTokenCache(
  verifier: JWTVerifier,
  options: true | TokenCacheOptions,
  claims: ResolvedClaimsOptions,
  resolver: unknown,
): JWTVerifier {
  if (options !== true && (typeof options !== 'object' || options === null)) {
    throw new TypeError('"tokenCache" must be true or an object')
  }
  assertKnownOptions(options, TOKEN_CACHE_OPTIONS, 'createJWTVerifier', 'tokenCache.')
  const hasKey = (resolver as { hasKey?: unknown } | undefined)?.hasKey
  const cache = new VerifiedTokenCache(
    options === true ? {} : options,
    claims,
    typeof hasKey === 'function' ? (key) => hasKey.call(resolver, key) as boolean : undefined,
  )
  const cached = async (token: string): Promise<VerifyJWTResult> => {
    const hit = cache.lookup(token)
    if (hit) return hit
    try {
      const result = await verifier(token)
      cache.remember(token, result)
      return result
    } catch (error) {
      cache.rememberFailure(token, error)
      throw error
    }
  }
  cached.sync = (token: string): VerifyJWTResult => {
    const hit = cache.lookup(token)
    if (hit) return hit
    try {
      const result = verifier.sync(token)
      cache.remember(token, result)
      return result
    } catch (error) {
      cache.rememberFailure(token, error)
      throw error
    }
  }
  return cached
}
