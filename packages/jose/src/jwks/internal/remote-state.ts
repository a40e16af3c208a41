import { isJOSEError, JOSEError } from '../../errors.js'
import type { JOSEHeaderParameters } from '../../lib/header.js'
import type { Key } from '../../lib/key.js'
import type { JWKSFetchReason } from '../types.js'
import type { Backoff } from './backoff.js'
import {
  type CachePolicy,
  type CacheWindow,
  cacheWindow,
  clampMaxAge,
  requestedMaxAgeMs,
} from './cache-policy.js'
import { fetchJWKS, type JWKSFetchOptions } from './fetch.js'
import { KeySetIndex, type KeySetIndexOptions } from './select.js'
import type { JWKSTelemetry } from './stats.js'

export interface RemoteStateConfig {
  readonly url: URL
  readonly fetch: JWKSFetchOptions
  readonly policy: CachePolicy
  readonly cooldownMs: number
  readonly backoff: Backoff
  readonly index: KeySetIndexOptions
  readonly telemetry: JWKSTelemetry
  readonly now: () => number
}

export interface Snapshot {
  readonly index: KeySetIndex
  readonly window: CacheWindow
}

/**
 * The life of one remote JWK set: which version is current, when it must be refetched, and what to
 * do when the issuer fails. Every fetch goes through #refresh, so concurrent callers share one
 * request (single flight) whatever made them fetch.
 */
export class RemoteKeySetState {
  readonly #config: RemoteStateConfig
  #snapshot: Snapshot | undefined
  #inflight: Promise<Snapshot> | undefined
  #lastKidRefetchAt = Number.NEGATIVE_INFINITY

  constructor(config: RemoteStateConfig) {
    this.#config = config
  }

  get snapshot(): Snapshot | undefined {
    return this.#snapshot
  }

  /** Resolves a header to its key(s), fetching when the set is missing, expired, or lacks the kid. */
  async resolve(header: JOSEHeaderParameters): Promise<Key | Key[]> {
    const { telemetry } = this.#config
    const snapshot = await this.#usable()
    try {
      const found = snapshot.index.select(header)
      telemetry.count('cacheHits')
      return found
    } catch (error) {
      if (!isJOSEError(error, 'ERR_JWKS_NO_MATCHING_KEY')) throw error
      return this.#afterMiss(header, snapshot, error)
    }
  }

  /** A miss may be a rotation the cached set has not seen: refetch at once, at most once per cooldown. */
  async #afterMiss(header: JOSEHeaderParameters, snapshot: Snapshot, miss: JOSEError): Promise<Key | Key[]> {
    const { telemetry, cooldownMs, backoff } = this.#config
    const now = this.#config.now()
    const { kid } = header
    const joining = this.#inflight !== undefined
    const refetch = joining || (now - this.#lastKidRefetchAt >= cooldownMs && backoff.allows(now))
    if (kid !== undefined && !snapshot.index.hasKid(kid)) {
      telemetry.count('unknownKids')
      telemetry.emit({ type: 'unknown-kid', kid, refetch })
    }
    if (!refetch) {
      telemetry.count('refetchesSuppressed')
      throw miss
    }
    if (!joining) this.#lastKidRefetchAt = now
    let fresh: Snapshot
    try {
      fresh = await this.#refresh('unknown-kid')
    } catch (error) {
      throw new JOSEError('ERR_JWKS_NO_MATCHING_KEY', `${miss.message}, and refetching the set failed`, {
        cause: error,
      })
    }
    return fresh.index.select(header)
  }

  /** The set to select from: fresh, just refetched, or stale within the stale-if-error window. */
  async #usable(): Promise<Snapshot> {
    const { telemetry, backoff, now } = this.#config
    const current = this.#snapshot
    if (current && now() < current.window.freshUntil) return current
    if (this.#inflight || backoff.allows(now())) {
      try {
        return await this.#refresh(current ? 'expired' : 'initial')
      } catch {
        // Judged below, from the cached set and the stale-if-error window.
      }
    }
    const last = this.#snapshot
    if (last && now() < last.window.staleUntil) {
      telemetry.count('staleServed')
      telemetry.emit({ type: 'stale-served', staleUntil: last.window.staleUntil })
      return last
    }
    const cause = backoff.lastError
    const code = cause instanceof JOSEError ? cause.code : undefined
    telemetry.count('unavailable')
    telemetry.emit({ type: 'unavailable', code })
    const reason = code ? ` (${code})` : ''
    throw new JOSEError(
      'ERR_JWKS_UNAVAILABLE',
      `the JWK set at ${this.#config.url.href} is unavailable${reason}`,
      {
        cause,
      },
    )
  }

  /** Fetches the set, or joins the fetch already under way. */
  refresh(reason: JWKSFetchReason): Promise<Snapshot> {
    return this.#refresh(reason)
  }

  #refresh(reason: JWKSFetchReason): Promise<Snapshot> {
    if (this.#inflight) return this.#inflight
    const promise = this.#fetch(reason).finally(() => {
      if (this.#inflight === promise) this.#inflight = undefined
    })
    this.#inflight = promise
    return promise
  }

  async #fetch(reason: JWKSFetchReason): Promise<Snapshot> {
    const { telemetry, backoff, policy, now } = this.#config
    const started = now()
    telemetry.count('fetches')
    try {
      const response = await fetchJWKS(this.#config.url, this.#config.fetch)
      const index = new KeySetIndex(response.jwks, this.#config.index, this.#snapshot?.index)
      const maxAgeMs = clampMaxAge(requestedMaxAgeMs(response.cacheControl), policy)
      const fetchedAt = now()
      const snapshot = { index, window: cacheWindow(fetchedAt, maxAgeMs, policy) }
      this.install(snapshot)
      backoff.succeeded()
      const keys = index.jwks.keys.length
      telemetry.emit({ type: 'fetch', reason, keys, maxAgeMs, durationMs: fetchedAt - started })
      return snapshot
    } catch (error) {
      const code = error instanceof JOSEError ? error.code : 'ERR_JWKS_FETCH_FAILED'
      backoff.failed(now(), error)
      telemetry.countFailure(code)
      telemetry.emit({ type: 'fetch-failed', reason, code, error, nextAttemptAt: backoff.nextAttemptAt })
      throw error
    }
  }

  /** Makes `snapshot` current and reports the keys the new version no longer holds. */
  install(snapshot: Snapshot): void {
    const previous = this.#snapshot
    this.#snapshot = snapshot
    if (!previous) return
    const removed = previous.index.importedKeys().filter((key) => !snapshot.index.has(key))
    if (removed.length > 0) {
      this.#config.telemetry.emit({ type: 'keys-removed', kids: removed.map((key) => key.kid) })
    }
  }

  /** Whether `key` is in the current, fresh set: a cached verification is only as good as its key. */
  hasKey(key: Key): boolean {
    const current = this.#snapshot
    return current !== undefined && this.#config.now() < current.window.freshUntil && current.index.has(key)
  }
}
