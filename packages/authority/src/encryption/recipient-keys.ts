import {
  compactEncrypt,
  createRemoteJWKSet,
  isJOSEError,
  type JWK,
  type Key,
  type RemoteJWKSet,
} from '@tessera/jose'
import { OAuthError } from '../lib/oauth-error.js'
import type { EncryptionChoice } from './algorithms.js'
import { selectEncryptionKey } from './select-key.js'

/** Where a recipient (a client or a resource) publishes its encryption key, and what it accepts. */
export interface EncryptionTarget extends EncryptionChoice {
  readonly jwks?: { readonly keys: readonly JWK[] } | undefined
  readonly jwksUri?: string | undefined
  /** Who the recipient is, for error messages and logs: `client abc` or `resource https://api`. */
  readonly label: string
}

export interface RecipientKeysOptions {
  /** Accept http: jwks_uri values (loopback tests only). */
  readonly allowInsecureHttp: boolean
  /** Bound on one jwks_uri fetch. Default 3000 ms. */
  readonly timeoutMs?: number
  /** Largest accepted jwks_uri body. Default 64 KiB: a recipient publishes a handful of keys. */
  readonly maxResponseBytes?: number
  /** Least time between two refetches caused by a failed encryption. Default 30 s. */
  readonly refetchCooldownMs?: number
  readonly now?: () => number
}

const MAX_REMOTE_SETS = 1000
/** After a failed fetch, token requests fail fast for this long instead of each waiting on a fetch. */
const FAILURE_BACKOFF_MS = 5000
/** How long past its freshness a set is still used while it cannot be fetched. */
const STALE_LIMIT_MS = 60 * 60 * 1000

interface RemoteEntry {
  readonly set: RemoteJWKSet
  lastRefetch: number
  retryAt: number
  lastError: unknown
}

/**
 * Encrypts tokens to their recipients: the key comes from the registered `jwks`, or from `jwks_uri`
 * fetched by @tessera/jose's remote JWK set client (its limits: size, time, no redirects, https
 * only), cached for what its Cache-Control allows, and refetched once when no key fits or encrypting
 * fails — the recipient may have rotated. Never falls back to sending the token unencrypted.
 */
export class RecipientKeys {
  readonly #options: Required<Omit<RecipientKeysOptions, 'now'>>
  readonly #now: () => number
  readonly #sets = new Map<string, RemoteEntry>()

  constructor(options: RecipientKeysOptions) {
    this.#options = {
      allowInsecureHttp: options.allowInsecureHttp,
      timeoutMs: options.timeoutMs ?? 3000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024,
      refetchCooldownMs: options.refetchCooldownMs ?? 30_000,
    }
    this.#now = options.now ?? Date.now
  }

  /** Encrypts a signed JWT (the compact JWS) to the target: a nested JWT with `cty: "JWT"`. */
  async encrypt(jws: string, target: EncryptionTarget): Promise<string> {
    if (target.jwks !== undefined) {
      const key = selectEncryptionKey(target.jwks.keys, target.alg)
      if (!key) throw unusable(target, 'its registered jwks has no encryption key for that algorithm')
      return this.#encryptWith(jws, key, target)
    }
    if (target.jwksUri === undefined) throw unusable(target, 'it registered no encryption key')
    const entry = this.#remote(target.jwksUri)
    const first = await this.#attempt(jws, entry, target, false)
    if (first.token !== undefined) return first.token
    // A set that could not be fetched is not refetched at once: the fetch itself just failed.
    if (first.error.error === 'temporarily_unavailable') throw first.error
    // Refetch once, however many requests failed at the same moment, and at most once per cooldown.
    const now = this.#now()
    if (now - entry.lastRefetch < this.#options.refetchCooldownMs) throw first.error
    entry.lastRefetch = now
    const second = await this.#attempt(jws, entry, target, true)
    if (second.token !== undefined) return second.token
    throw second.error
  }

  /**
   * One try: fetch the set when it is missing, stale or a refetch is asked for — unless a fetch
   * failed moments ago — then select and encrypt. A stale set serves for up to an hour while fetches
   * fail; a missing one fails the request (503).
   */
  async #attempt(
    jws: string,
    entry: RemoteEntry,
    target: EncryptionTarget,
    reload: boolean,
  ): Promise<{ token: string; error?: undefined } | { token?: undefined; error: OAuthError }> {
    const now = this.#now()
    const cached = entry.set.exportCache()
    const due = reload || cached === undefined || cached.freshUntil <= now
    if (due && now >= entry.retryAt) {
      try {
        await entry.set.reload()
        entry.retryAt = 0
      } catch (error) {
        entry.retryAt = now + FAILURE_BACKOFF_MS
        entry.lastError = error
        if (reload) return { error: unavailable(target, error) }
      }
    }
    const current = entry.set.exportCache()
    if (current === undefined || current.freshUntil + STALE_LIMIT_MS <= now)
      return { error: unavailable(target, entry.lastError) }
    const keys = current.jwks.keys
    const key = selectEncryptionKey(keys, target.alg)
    if (!key) return { error: unusable(target, 'its jwks_uri has no encryption key for that algorithm') }
    try {
      return { token: await this.#encryptWith(jws, key, target) }
    } catch (error) {
      if (error instanceof OAuthError) return { error }
      throw error
    }
  }

  async #encryptWith(jws: string, key: Key, target: EncryptionTarget): Promise<string> {
    const header: Record<string, string> = { alg: target.alg, enc: target.enc, cty: 'JWT' }
    if (key.kid !== undefined) header.kid = key.kid
    try {
      return await compactEncrypt(jws, key, header)
    } catch (error) {
      if (isJOSEError(error)) throw unusable(target, `its key could not be used (${error.code})`)
      throw error
    }
  }

  #remote(uri: string): RemoteEntry {
    let entry = this.#sets.get(uri)
    if (!entry) {
      const set = createRemoteJWKSet(uri, {
        allowInsecureHttp: this.#options.allowInsecureHttp,
        timeoutMs: this.#options.timeoutMs,
        maxResponseBytes: this.#options.maxResponseBytes,
      })
      entry = { set, lastRefetch: Number.NEGATIVE_INFINITY, retryAt: 0, lastError: undefined }
      if (this.#sets.size >= MAX_REMOTE_SETS) this.#sets.clear()
      this.#sets.set(uri, entry)
    }
    return entry
  }
}

/** The recipient's registration is unusable: fail closed, and say whose key it is. */
function unusable(target: EncryptionTarget, why: string): OAuthError {
  return new OAuthError('invalid_request', `cannot encrypt to ${target.label}: ${why}`)
}

function unavailable(target: EncryptionTarget, error: unknown): OAuthError {
  const code = isJOSEError(error) ? ` (${error.code})` : ''
  return new OAuthError(
    'temporarily_unavailable',
    `the encryption key set of ${target.label} is unavailable${code}`,
    {
      headers: { 'retry-after': '5' },
    },
  )
}
