import {
  createRemoteJWKSet,
  type JOSEHeaderParameters,
  type JWKSEvent,
  type Key,
  type RemoteJWKSet,
  type RemoteJWKSetOptions,
} from '@tessera/jose'
import { DiscoveryError } from '../errors.js'
import { type DiscoveryOptions, discoverIssuer } from './discover.js'

/** After a failed discovery, wait this long before asking again, so a down issuer is not hammered. */
const DISCOVERY_RETRY_MS = 2000

export interface IssuerKeysOptions {
  issuer: string
  jwksUri: string | undefined
  discovery: DiscoveryOptions
  jwks: RemoteJWKSetOptions
  onEvent: ((event: JWKSEvent) => void) | undefined
}

/**
 * The issuer's signing keys: Tessera's remote JWK set (refetch on unknown kid with cooldown,
 * stale-if-error, size limits), at `jwksUri` or at the `jwks_uri` that discovery finds. Discovery
 * runs on first use and is shared by concurrent callers; a failure is retried after a pause.
 */
export class IssuerKeys {
  readonly #options: IssuerKeysOptions
  #set: RemoteJWKSet | undefined
  #pending: Promise<RemoteJWKSet> | undefined
  #failedAt = 0
  #lastFailure: DiscoveryError | undefined

  constructor(options: IssuerKeysOptions) {
    this.#options = options
    if (options.jwksUri !== undefined) this.#set = this.#create(options.jwksUri)
  }

  /** The remote set, once known (for stats, exportCache and the cache's key check). */
  get set(): RemoteJWKSet | undefined {
    return this.#set
  }

  /** A jose key resolver; `hasKey` lets cached verifications notice a key leaving the set. */
  readonly resolver = Object.assign(
    async (header: JOSEHeaderParameters): Promise<Key | Key[]> => {
      const set = this.#set ?? (await this.#discover())
      return set(header)
    },
    { hasKey: (key: Key): boolean => this.#set?.hasKey(key) ?? false },
  )

  /** Discovers (if needed) and fetches the set now; rejects when either fails. */
  async ready(): Promise<void> {
    const set = this.#set ?? (await this.#discover())
    await set.reload()
  }

  #create(url: string): RemoteJWKSet {
    const { onEvent } = this.#options
    return createRemoteJWKSet(url, onEvent ? { ...this.#options.jwks, onEvent } : this.#options.jwks)
  }

  #discover(): Promise<RemoteJWKSet> {
    if (this.#pending) return this.#pending
    if (this.#lastFailure && Date.now() - this.#failedAt < DISCOVERY_RETRY_MS)
      return Promise.reject(this.#lastFailure)
    this.#pending = discoverIssuer(this.#options.issuer, this.#options.discovery).then(
      (metadata) => {
        this.#set ??= this.#create(metadata.jwks_uri)
        this.#pending = undefined
        this.#lastFailure = undefined
        return this.#set
      },
      (error: unknown) => {
        this.#pending = undefined
        this.#failedAt = Date.now()
        this.#lastFailure =
          error instanceof DiscoveryError ? error : new DiscoveryError('discovery failed', { cause: error })
        throw this.#lastFailure
      },
    )
    return this.#pending
  }
}
