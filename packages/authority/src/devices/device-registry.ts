import { randomBytes } from 'node:crypto'
import type { JWK, Key } from '@tessera/jose'
import type { Clock } from '../lib/clock.js'
import { DEVICE_ID } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { DeviceRecord, DeviceStatus, Storage } from '../storage/types.js'
import { type DeviceAcl, parseAcl } from './device-acl.js'
import { importDeviceKey, parseDeviceJwk } from './device-key.js'

const MAX_METADATA = 4096
/** Free-form metadata is for labels, not documents: a few levels, a bounded number of objects. */
const MAX_METADATA_DEPTH = 8
const MAX_METADATA_NODES = 1000

export interface Device {
  readonly id: string
  readonly jwk: JWK
  readonly alg: string
  readonly thumbprint: string
  readonly status: DeviceStatus
  readonly acl: DeviceAcl
  readonly metadata: Record<string, unknown>
  readonly createdAt: number
  readonly updatedAt: number
  /** The imported public key, bound to `alg`. */
  readonly key: Key
}

function invalid(message: string, status = 400): never {
  throw new OAuthError('invalid_request', message, { status })
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('the body must be a JSON object')
  return body as Record<string, unknown>
}

/**
 * Whether `value` nests no deeper than `limit` objects or arrays, checked without recursion: a body of
 * 5,000 nested objects would otherwise overflow the stack of JSON.stringify below (a 500).
 */
function withinDepth(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]]
  let visited = 0
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number]
    if (typeof current !== 'object' || current === null) continue
    if (depth > limit || ++visited > MAX_METADATA_NODES) return false
    for (const child of Object.values(current)) pending.push([child, depth + 1])
  }
  return true
}

function parseMetadata(input: unknown): string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('"metadata" must be an object')
  if (!withinDepth(input, MAX_METADATA_DEPTH)) {
    invalid(`"metadata" may nest at most ${MAX_METADATA_DEPTH} levels of objects and arrays`)
  }
  const text = JSON.stringify(input)
  if (text.length > MAX_METADATA) invalid(`"metadata" must be at most ${MAX_METADATA} characters of JSON`)
  return text
}

function toDevice(record: DeviceRecord): Device {
  return {
    id: record.id,
    jwk: JSON.parse(record.publicJwk) as JWK,
    alg: record.alg,
    thumbprint: record.thumbprint,
    status: record.status,
    acl: JSON.parse(record.acl) as DeviceAcl,
    metadata: JSON.parse(record.metadata) as Record<string, unknown>,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    key: importDeviceKey(record.publicJwk, record.alg),
  }
}

/**
 * The device registry. Devices are read from storage on every login and refresh, without a cache, so
 * that disabling one takes effect at once on every instance.
 */
export class DeviceRegistry {
  readonly #storage: Storage
  readonly #clock: Clock

  constructor(storage: Storage, clock: Clock) {
    this.#storage = storage
    this.#clock = clock
  }

  async register(body: unknown): Promise<Device> {
    const input = bodyObject(body)
    const id = input.id ?? `dev-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
    if (typeof id !== 'string' || !DEVICE_ID.test(id)) {
      invalid('"id" must be 1–100 characters of A–Z, a–z, 0–9, "_", "." and "-", starting alphanumeric')
    }
    const key = parseDeviceJwk(input.jwk)
    const acl = parseAcl(input.acl)
    const metadata = input.metadata === undefined ? '{}' : parseMetadata(input.metadata)
    const now = this.#clock.now()
    const record: DeviceRecord = {
      id,
      publicJwk: JSON.stringify(key.jwk),
      thumbprint: key.thumbprint,
      alg: key.alg,
      status: 'active',
      acl: JSON.stringify(acl),
      metadata,
      createdAt: now,
      updatedAt: now,
    }
    if (await this.#storage.findDevice(id)) invalid(`device "${id}" already exists`, 409)
    try {
      await this.#storage.insertDevice(record)
    } catch {
      // Two registrations of one id raced; the primary key let only one in.
      invalid(`device "${id}" already exists`, 409)
    }
    return toDevice(record)
  }

  async find(id: string): Promise<Device | undefined> {
    if (!DEVICE_ID.test(id)) return undefined
    const record = await this.#storage.findDevice(id)
    return record ? toDevice(record) : undefined
  }

  async list(): Promise<Device[]> {
    return (await this.#storage.listDevices()).map(toDevice)
  }

  /** PATCH: `status` ('active' | 'disabled'), `acl`, `metadata`; the key and id never change. */
  async update(id: string, body: unknown): Promise<Device | undefined> {
    const input = bodyObject(body)
    const unknown = Object.keys(input).filter((key) => !['status', 'acl', 'metadata'].includes(key))
    if (unknown.length > 0)
      invalid(`cannot change ${JSON.stringify(unknown[0])}; register a new device instead`)
    const { status } = input
    if (status !== undefined && status !== 'active' && status !== 'disabled') {
      invalid('"status" must be "active" or "disabled"')
    }
    if (!DEVICE_ID.test(id)) return undefined
    const record = await this.#storage.updateDevice(id, {
      updatedAt: this.#clock.now(),
      ...(status !== undefined ? { status } : {}),
      ...(input.acl !== undefined ? { acl: JSON.stringify(parseAcl(input.acl)) } : {}),
      ...(input.metadata !== undefined ? { metadata: parseMetadata(input.metadata) } : {}),
    })
    return record ? toDevice(record) : undefined
  }

  async remove(id: string): Promise<boolean> {
    return DEVICE_ID.test(id) && (await this.#storage.deleteDevice(id))
  }
}

/** The admin API's view of a device: everything but the imported key object. */
export function deviceView(device: Device): Record<string, unknown> {
  return {
    id: device.id,
    status: device.status,
    jwk: device.jwk,
    alg: device.alg,
    jwk_thumbprint: device.thumbprint,
    acl: device.acl,
    metadata: device.metadata,
    created_at: new Date(device.createdAt).toISOString(),
    updated_at: new Date(device.updatedAt).toISOString(),
  }
}
