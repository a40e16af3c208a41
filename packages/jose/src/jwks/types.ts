import type { ErrorCode } from '../errors.js'

/**
 * A remote set's cache as plain JSON, for a short-lived process (a CLI, a serverless function) to
 * start warm instead of fetching on its first verification.
 */
export interface JWKSCacheExport {
  /** The set's URL: a cache is only imported into a set for the same URL. */
  url: string
  jwks: { keys: unknown[] }
  /** When the set was fetched, in ms since the epoch. */
  fetchedAt: number
  /** Until when it is fresh, in ms since the epoch. */
  freshUntil: number
}

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
