import { JOSEError } from '../../errors.js'
import type { JWKSCacheExport } from '../types.js'
import type { CachePolicy } from './cache-policy.js'
import type { Snapshot } from './remote-state.js'
import { KeySetIndex, type KeySetIndexOptions } from './select.js'

export function exportSnapshot(url: URL, snapshot: Snapshot): JWKSCacheExport {
  return {
    url: url.href,
    jwks: JSON.parse(JSON.stringify(snapshot.index.jwks)) as { keys: unknown[] },
    fetchedAt: snapshot.window.fetchedAt,
    freshUntil: snapshot.window.freshUntil,
  }
}

function invalid(message: string): never {
  throw new JOSEError('ERR_JWKS_INVALID', `the cache cannot be imported: ${message}`)
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Rebuilds a snapshot from an export, which comes from disk or another process and is checked like
 * any input. Its freshness is held to this set's policy: an export cannot buy more than maxCacheAgeMs,
 * counted from its fetch time, nor from a fetch time in the future.
 */
export function importSnapshot(
  url: URL,
  data: unknown,
  policy: CachePolicy,
  options: KeySetIndexOptions,
  now: number,
  previous: KeySetIndex | undefined,
): Snapshot {
  if (typeof data !== 'object' || data === null) invalid('it must be an object')
  const { url: cachedUrl, jwks, fetchedAt, freshUntil } = data as Partial<JWKSCacheExport>
  if (cachedUrl !== url.href) invalid(`it is for ${JSON.stringify(cachedUrl)}, not ${url.href}`)
  if (!isTime(fetchedAt) || !isTime(freshUntil) || freshUntil < fetchedAt) invalid('its times are not valid')
  const index = new KeySetIndex(jwks, options, previous)
  const fetched = Math.min(fetchedAt, now)
  const fresh = Math.min(freshUntil, fetched + policy.maxCacheAgeMs)
  return {
    index,
    window: { fetchedAt: fetched, freshUntil: fresh, staleUntil: fresh + policy.staleIfErrorMs },
  }
}
