import type { ErrorCode } from '../errors.js'

/** Why a remote set fetched: its first use, freshness ran out, an unknown `kid`, or `reload()`. */
export type JWKSFetchReason = 'initial' | 'expired' | 'unknown-kid' | 'reload'

/** What a remote set reports as it works, for logs and metrics (verification skew after a deploy). */
export type JWKSEvent =
  | { type: 'fetch'; reason: JWKSFetchReason; keys: number; maxAgeMs: number; durationMs: number }
  | { type: 'fetch-failed'; reason: JWKSFetchReason; code: ErrorCode; error: unknown; nextAttemptAt: number }
  | { type: 'unknown-kid'; kid: string; refetch: boolean }
  | { type: 'stale-served'; staleUntil: number }
  | { type: 'keys-removed'; kids: readonly (string | undefined)[] }
  | { type: 'unavailable'; code: ErrorCode | undefined }

/** Counters since the set was made. */
export interface JWKSStats {
  /** Fetches started (one per single-flight request, however many verifications waited on it). */
  fetches: number
  fetchFailures: number
  /** Failures by their code: ERR_JWKS_TIMEOUT, ERR_JWKS_TOO_LARGE, ERR_JWKS_FETCH_FAILED, … */
  failuresByCode: Partial<Record<ErrorCode, number>>
  /** Lookups answered from the cached set without waiting for a fetch. */
  cacheHits: number
  /** Lookups for a `kid` the set does not hold. */
  unknownKids: number
  /** Unknown-kid refetches refused because the cooldown had not passed. */
  refetchesSuppressed: number
  /** Lookups answered from a stale set because the issuer was failing. */
  staleServed: number
  /** Lookups refused with ERR_JWKS_UNAVAILABLE. */
  unavailable: number
}

/** Counts and forwards events; a throwing listener must not break verification, so it is contained. */
export class JWKSTelemetry {
  readonly #listener: ((event: JWKSEvent) => void) | undefined
  readonly #stats: JWKSStats = {
    fetches: 0,
    fetchFailures: 0,
    failuresByCode: {},
    cacheHits: 0,
    unknownKids: 0,
    refetchesSuppressed: 0,
    staleServed: 0,
    unavailable: 0,
  }

  constructor(listener: ((event: JWKSEvent) => void) | undefined) {
    this.#listener = listener
  }

  count(counter: Exclude<keyof JWKSStats, 'failuresByCode'>): void {
    this.#stats[counter]++
  }

  countFailure(code: ErrorCode): void {
    this.#stats.fetchFailures++
    this.#stats.failuresByCode[code] = (this.#stats.failuresByCode[code] ?? 0) + 1
  }

  emit(event: JWKSEvent): void {
    if (!this.#listener) return
    try {
      this.#listener(event)
    } catch {
      // A listener's bug is the listener's; the verification it observes goes on.
    }
  }

  snapshot(): JWKSStats {
    return { ...this.#stats, failuresByCode: { ...this.#stats.failuresByCode } }
  }
}
