/**
 * How long a fetched JWK set stays fresh, and how long it may be served stale when the issuer fails.
 * Times are milliseconds since the epoch, from the set's clock.
 */
export interface CachePolicy {
  /** Lower bound on freshness: a `max-age=0` cannot turn every verification into a fetch. */
  readonly minCacheAgeMs: number
  /** Upper bound on freshness: an "eternal" max-age cannot keep a rotated key alive forever. */
  readonly maxCacheAgeMs: number
  /** Freshness when the issuer sends no usable max-age. */
  readonly defaultCacheAgeMs: number
  /** How long after freshness ends the last good set may still be served while fetches fail. */
  readonly staleIfErrorMs: number
}

export interface CacheWindow {
  readonly fetchedAt: number
  readonly freshUntil: number
  readonly staleUntil: number
}

const MAX_AGE = /(?:^|,)\s*(?:s-)?max-age\s*=\s*"?(\d{1,15})"?\s*(?:,|$)/i
const NO_STORE = /(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i

/**
 * The freshness lifetime the issuer asked for, in ms, or undefined when it did not say.
 * `no-store`/`no-cache` ask for none at all; the minimum then applies (RFC 9111 §5.2.2).
 */
export function requestedMaxAgeMs(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined
  if (NO_STORE.test(cacheControl)) return 0
  const match = MAX_AGE.exec(cacheControl)
  return match ? Number(match[1]) * 1000 : undefined
}

export function clampMaxAge(requested: number | undefined, policy: CachePolicy): number {
  const age = requested ?? policy.defaultCacheAgeMs
  return Math.min(policy.maxCacheAgeMs, Math.max(policy.minCacheAgeMs, age))
}

export function cacheWindow(fetchedAt: number, maxAgeMs: number, policy: CachePolicy): CacheWindow {
  const freshUntil = fetchedAt + maxAgeMs
  return { fetchedAt, freshUntil, staleUntil: freshUntil + policy.staleIfErrorMs }
}

/** Checks the window options once, when the set is made: misuse is a TypeError naming the option. */
export function resolveCachePolicy(options: Partial<CachePolicy>): CachePolicy {
  const policy: CachePolicy = {
    minCacheAgeMs: options.minCacheAgeMs ?? 30_000,
    maxCacheAgeMs: options.maxCacheAgeMs ?? 24 * 3600_000,
    defaultCacheAgeMs: options.defaultCacheAgeMs ?? 10 * 60_000,
    staleIfErrorMs: options.staleIfErrorMs ?? 3600_000,
  }
  for (const [name, value] of Object.entries(policy)) assertDuration(value, name)
  if (policy.minCacheAgeMs > policy.maxCacheAgeMs) {
    throw new TypeError('"minCacheAgeMs" must not be greater than "maxCacheAgeMs"')
  }
  return Object.freeze(policy)
}

export function assertDuration(value: unknown, option: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`"${option}" must be a whole number of milliseconds >= 0`)
  }
}
