import type { EncryptionTarget } from '../encryption/recipient-keys.js'
import type { Clock } from '../lib/clock.js'
import type { ResourceRecord, Storage } from '../storage/types.js'
import type { ResourceMetadata } from './resource-metadata.js'

export interface Resource {
  readonly metadata: ResourceMetadata
  readonly createdAt: number
  readonly updatedAt: number
  /** Where its access tokens are encrypted to. */
  readonly target: EncryptionTarget
}

const CACHE_LIMIT = 10_000

function toResource(record: ResourceRecord): Resource {
  const metadata: ResourceMetadata = {
    resource: record.resource,
    name: record.name,
    encryption_alg: record.alg,
    encryption_enc: record.enc,
  }
  if (record.jwks !== null) metadata.jwks = JSON.parse(record.jwks) as NonNullable<ResourceMetadata['jwks']>
  if (record.jwksUri !== null) metadata.jwks_uri = record.jwksUri
  return {
    metadata,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    target: {
      alg: record.alg,
      enc: record.enc,
      jwks: metadata.jwks,
      jwksUri: metadata.jwks_uri,
      label: `resource ${record.resource}`,
    },
  }
}

/**
 * The APIs registered for encrypted access tokens, looked up by audience on every token issued: a
 * few seconds' cache (misses included, since most audiences are not registered) keeps that off the
 * database. A change clears this instance's cache at once; other instances see it within the TTL.
 */
export class ResourceRegistry {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #ttl: number
  readonly #cache = new Map<string, { resource: Resource | undefined; until: number }>()

  constructor(storage: Storage, clock: Clock, options: { ttlMs?: number } = {}) {
    this.#storage = storage
    this.#clock = clock
    this.#ttl = options.ttlMs ?? 5000
  }

  async find(audience: string): Promise<Resource | undefined> {
    // Real time, like the client cache: a test moving the authority's clock must not pin entries.
    const now = Date.now()
    const cached = this.#cache.get(audience)
    if (cached && cached.until > now) return cached.resource
    const record = await this.#storage.findResource(audience)
    const resource = record ? toResource(record) : undefined
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear()
    this.#cache.set(audience, { resource, until: now + this.#ttl })
    return resource
  }

  async register(metadata: ResourceMetadata): Promise<Resource> {
    const now = this.#clock.now()
    await this.#storage.upsertResource({
      resource: metadata.resource,
      name: metadata.name,
      jwks: metadata.jwks === undefined ? null : JSON.stringify(metadata.jwks),
      jwksUri: metadata.jwks_uri ?? null,
      alg: metadata.encryption_alg,
      enc: metadata.encryption_enc,
      createdAt: now,
      updatedAt: now,
    })
    this.#cache.delete(metadata.resource)
    const stored = await this.#storage.findResource(metadata.resource)
    if (!stored) throw new Error('the resource vanished after its registration')
    return toResource(stored)
  }

  async list(): Promise<Resource[]> {
    return (await this.#storage.listResources()).map(toResource)
  }

  async remove(resource: string): Promise<boolean> {
    const removed = await this.#storage.deleteResource(resource)
    this.#cache.delete(resource)
    return removed
  }
}
