import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'
import { assertKnownOptions, assertPositiveInteger, declareOptions } from '../lib/options.js'
import { Backoff, resolveBackoff } from './internal/backoff.js'
import { exportSnapshot, importSnapshot } from './internal/cache-export.js'
import { assertDuration, resolveCachePolicy } from './internal/cache-policy.js'
import { RemoteKeySetState } from './internal/remote-state.js'
import { JWKSTelemetry } from './internal/stats.js'
import { type JWKSResolver, resolveMaxCandidates } from './local.js'
import type { JWKSCacheExport, JWKSEvent, JWKSStats } from './types.js'

/**
 * Options of createRemoteJWKSet: the fetch limits, the cache clamps, the back-off and the hooks. Every
 * default is in docs/key-sets.md.
 */
export interface RemoteJWKSetOptions {
  /** Allow `http:` URLs. Only for tests against a loopback server: keys fetched in clear can be swapped. */
  allowInsecureHttp?: boolean
  /** Bound on one fetch: connection, headers and body. Default 5000 ms. */
  timeoutMs?: number
  /** Largest accepted response body, enforced while it streams in. Default 512 KiB. */
  maxResponseBytes?: number
  /** Shortest freshness, whatever Cache-Control says. Default 30 s. */
  minCacheAgeMs?: number
  /** Longest freshness, whatever Cache-Control says. Default 24 h. */
  maxCacheAgeMs?: number
  /** Freshness when the response has no max-age. Default 10 min. */
  defaultCacheAgeMs?: number
  /** How long past freshness the last good set is served while fetches fail. Default 1 h. */
  staleIfErrorMs?: number
  /** Least time between two refetches caused by unknown `kid`s. Default 30 s. */
  cooldownMs?: number
  /** The wait after a first failed fetch, doubled per failure, with jitter. Default 1000 ms. */
  backoffInitialMs?: number
  /** The longest wait between failed fetches. Default 5 min. */
  backoffMaxMs?: number
  /** For a token without `kid`, how many fitting keys are tried. Default 3. */
  maxCandidates?: number
  /** Extra request headers (a User-Agent, say). Cookies and credentials are refused. */
  headers?: Record<string, string>
  /** A cache exported by `exportCache()`, to start warm. */
  cache?: JWKSCacheExport
  /** Receives every event (fetches, failures, unknown kids, stale use, removed keys). */
  onEvent?: (event: JWKSEvent) => void
  /** The clock, in ms since the epoch. Default Date.now; tests may move time themselves. */
  now?: () => number
  /** The jitter source, in [0, 1). Default Math.random. */
  random?: () => number
}

/** A key resolver backed by a JWK set fetched from a URL, with its cache and its counters. */
export interface RemoteJWKSet extends JWKSResolver<Promise<Key | Key[]>> {
  readonly url: string
  /** Fetches the set now (joining a fetch under way); rejects with the fetch's own error code. */
  reload(): Promise<void>
  /** The cached set as JSON, or undefined before the first successful fetch. */
  exportCache(): JWKSCacheExport | undefined
  /** Installs an exported cache unless the current one is newer; says whether it did. */
  importCache(cache: JWKSCacheExport): boolean
  stats(): JWKSStats
}

const REMOTE_JWKS_SET_OPTIONS = declareOptions<RemoteJWKSetOptions>({
  allowInsecureHttp: true,
  timeoutMs: true,
  maxResponseBytes: true,
  minCacheAgeMs: true,
  maxCacheAgeMs: true,
  defaultCacheAgeMs: true,
  staleIfErrorMs: true,
  cooldownMs: true,
  backoffInitialMs: true,
  backoffMaxMs: true,
  maxCandidates: true,
  headers: true,
  cache: true,
  onEvent: true,
  now: true,
  random: true,
})

const REFUSED_HEADERS = new Set(['cookie', 'authorization', 'proxy-authorization'])

function resolveUrl(input: unknown, allowInsecureHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(input instanceof URL ? input.href : (input as string))
  } catch {
    throw new TypeError('"url" must be an absolute URL')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowInsecureHttp)) {
    throw new TypeError('"url" must be https: (http: only with "allowInsecureHttp")')
  }
  if (url.username !== '' || url.password !== '') throw new TypeError('"url" must not carry credentials')
  return url
}

function resolveHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {}
  if (typeof headers !== 'object' || headers === null) throw new TypeError('"headers" must be an object')
  const copy: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new TypeError(`"headers" value for ${name} must be a string`)
    if (REFUSED_HEADERS.has(name.toLowerCase())) throw new TypeError(`"headers" must not set ${name}`)
    copy[name] = value
  }
  return copy
}

function assertFunction(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'function')
    throw new TypeError(`"${option}" must be a function`)
}

/**
 * Makes a key resolver from the JWK set at `url` (an issuer's `jwks_uri`). The set is cached for
 * its Cache-Control max-age clamped into [minCacheAgeMs, maxCacheAgeMs]; an unknown `kid` refetches
 * at once but at most once per cooldown, and concurrent lookups share one request. When the issuer
 * fails, fetches back off exponentially with jitter and the last good set is served for up to
 * staleIfErrorMs past its freshness; after that lookups fail with ERR_JWKS_UNAVAILABLE.
 *
 * @example
 * import { createJWTVerifier, createRemoteJWKSet } from '@tessera/jose'
 * const jwks = createRemoteJWKSet('https://issuer.example/.well-known/jwks.json')
 * const verify = createJWTVerifier({ key: jwks, algorithms: ['ES256'], issuer: 'https://issuer.example' })
 * const { payload } = await verify(token)
 */
export function createRemoteJWKSet(url: string | URL, options: RemoteJWKSetOptions = {}): RemoteJWKSet {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" must be an object')
  assertKnownOptions(options, REMOTE_JWKS_SET_OPTIONS, 'createRemoteJWKSet')
  const target = resolveUrl(url, options.allowInsecureHttp === true)
  const { timeoutMs = 5000, maxResponseBytes = 512 * 1024, cooldownMs = 30_000 } = options
  assertPositiveInteger(timeoutMs, 'timeoutMs')
  assertPositiveInteger(maxResponseBytes, 'maxResponseBytes')
  assertDuration(cooldownMs, 'cooldownMs')
  for (const name of ['onEvent', 'now', 'random'] as const) assertFunction(options[name], name)
  const now = options.now ?? Date.now
  const policy = resolveCachePolicy(options)
  const backoff = new Backoff(
    resolveBackoff({ initialMs: options.backoffInitialMs, maxMs: options.backoffMaxMs }),
    options.random ?? Math.random,
  )
  const indexOptions = { maxCandidates: resolveMaxCandidates(options.maxCandidates), allowSymmetric: false }
  const telemetry = new JWKSTelemetry(options.onEvent)
  const state = new RemoteKeySetState({
    url: target,
    fetch: { timeoutMs, maxResponseBytes, headers: resolveHeaders(options.headers) },
    policy,
    cooldownMs,
    backoff,
    index: indexOptions,
    telemetry,
    now,
  })

  const importCache = (cache: JWKSCacheExport): boolean => {
    const current = state.snapshot
    const snapshot = importSnapshot(target, cache, policy, indexOptions, now(), current?.index)
    if (current && current.window.fetchedAt >= snapshot.window.fetchedAt) return false
    state.install(snapshot)
    return true
  }
  if (options.cache !== undefined) importCache(options.cache)

  const resolver = (protectedHeader: JOSEHeaderParameters): Promise<Key | Key[]> =>
    state.resolve(protectedHeader)
  return Object.assign(resolver, {
    url: target.href,
    hasKey: (key: Key): boolean => state.hasKey(key),
    reload: async (): Promise<void> => {
      await state.refresh('reload')
    },
    exportCache: (): JWKSCacheExport | undefined => {
      const { snapshot } = state
      return snapshot ? exportSnapshot(target, snapshot) : undefined
    },
    importCache,
    stats: (): JWKSStats => telemetry.snapshot(),
  })
}
