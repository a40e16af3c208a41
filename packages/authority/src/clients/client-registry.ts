import { randomBytes } from 'node:crypto'
import { createRemoteJWKSet, importJWKSync, type JWK, type Key, type KeyResolver } from '@tessera/jose'
import type { Clock } from '../lib/clock.js'
import { isClientId } from '../lib/identifiers.js'
import type { ClientRecord, Storage } from '../storage/types.js'
import type { ClientMetadata } from './client-metadata.js'
import { SecretHasher } from './client-secret.js'

/**
 * A registered OAuth client: its id, its RFC 7591 metadata, the hash of its secret (never the secret)
 * and its assertion keys.
 */
export interface Client {
  readonly clientId: string
  readonly metadata: ClientMetadata
  readonly secretHash: string | null
  readonly disabled: boolean
  /** The client's assertion keys (private_key_jwt), imported once. */
  readonly keys: readonly Key[]
  /** For a jwks_uri client: the remote set, kept across cache refreshes so its own cache survives. */
  readonly remoteKeys: KeyResolver<string> | undefined
  readonly scopes: ReadonlySet<string>
}

/**
 * Clients as the token endpoint needs them, cached for a few seconds so a token request costs no
 * database read. Disabling a client clears this instance's cache at once; other instances see it
 * within the cache lifetime.
 */
export class ClientRegistry {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #hasher: SecretHasher
  readonly #cache = new Map<string, { client: Client | undefined; until: number }>()
  readonly #ttl: number
  readonly #remoteSets = new Map<string, KeyResolver<string>>()
  readonly #allowHttpJwksUri: boolean

  constructor(
    storage: Storage,
    clock: Clock,
    hasher: SecretHasher,
    options: { ttlMs?: number; allowHttpJwksUri?: boolean } = {},
  ) {
    this.#storage = storage
    this.#clock = clock
    this.#hasher = hasher
    this.#ttl = options.ttlMs ?? 5000
    this.#allowHttpJwksUri = options.allowHttpJwksUri ?? false
  }

  #remoteSet(uri: string): KeyResolver<string> {
    let set = this.#remoteSets.get(uri)
    if (!set) {
      // The remote set's response-size limit also bounds the RSA keys it imports (see client-metadata.ts).
      set = createRemoteJWKSet(uri, { allowInsecureHttp: this.#allowHttpJwksUri, timeoutMs: 3000 })
      if (this.#remoteSets.size > 10_000) this.#remoteSets.clear()
      this.#remoteSets.set(uri, set)
    }
    return set
  }

  #toClient(record: ClientRecord): Client {
    const metadata = JSON.parse(record.metadata) as ClientMetadata
    // Registration kept only public members within its length limits (see client-metadata.ts on RSA).
    // Encryption keys (`use: enc`) are the client's to receive with, never to authenticate with.
    const keys = (metadata.jwks?.keys ?? [])
      .filter((jwk: JWK) => jwk.use !== 'enc')
      .map((jwk: JWK) => importJWKSync(jwk))
    return {
      clientId: record.clientId,
      metadata,
      secretHash: record.secretHash,
      disabled: record.disabled,
      keys,
      remoteKeys: metadata.jwks_uri === undefined ? undefined : this.#remoteSet(metadata.jwks_uri),
      scopes: new Set(metadata.scope ? metadata.scope.split(' ') : []),
    }
  }

  get hasher(): SecretHasher {
    return this.#hasher
  }

  async find(clientId: string): Promise<Client | undefined> {
    // Real time, not the authority's clock: a test jumping the clock by days must not pin the cache.
    const now = Date.now()
    const cached = this.#cache.get(clientId)
    if (cached && cached.until > now) return cached.client
    // A malformed id names no client: answered without a query, and not cached (it could fill the cache).
    if (!isClientId(clientId)) return undefined
    const record = await this.#storage.findClient(clientId)
    const client = record ? this.#toClient(record) : undefined
    if (this.#cache.size > 10_000) this.#cache.clear()
    this.#cache.set(clientId, { client, until: now + this.#ttl })
    return client
  }

  /** Registers a client; returns it with the one-time plaintext secret for the secret methods. */
  async register(
    metadata: ClientMetadata,
  ): Promise<{ client: Client; secret: string | undefined; createdAt: number }> {
    const clientId = randomBytes(16).toString('base64url')
    const method = metadata.token_endpoint_auth_method
    // Key-authenticated and public clients have no secret to hand out.
    const secret =
      method === 'private_key_jwt' || method === 'none' ? undefined : SecretHasher.generateSecret()
    const record: ClientRecord = {
      clientId,
      metadata: JSON.stringify(metadata),
      tokenEndpointAuthMethod: metadata.token_endpoint_auth_method,
      secretHash: secret === undefined ? null : this.#hasher.hash(secret),
      disabled: false,
      createdAt: this.#clock.now(),
    }
    await this.#storage.insertClient(record)
    this.#cache.delete(clientId)
    return { client: this.#toClient(record), secret, createdAt: record.createdAt }
  }

  async list(): Promise<Client[]> {
    return (await this.#storage.listClients()).map((record) => this.#toClient(record))
  }

  async setDisabled(clientId: string, disabled: boolean): Promise<boolean> {
    if (!isClientId(clientId)) return false
    const changed = await this.#storage.setClientDisabled(clientId, disabled)
    this.#cache.delete(clientId)
    return changed
  }
}
