import type { DeviceIdentity } from './device-identity.js'

const MAX_SESSIONS = 100_000

/**
 * What an external broker's CONNECT established, for its later PUBLISH and SUBSCRIBE hooks, which
 * carry no token: keyed by mountpoint and client id, kept until the token's deadline. When full,
 * expired entries are swept first, then the oldest dropped (that device's next hook is denied and
 * it reconnects), so the table never grows without bound.
 */
export class PluginSessions {
  readonly #sessions = new Map<string, { identity: DeviceIdentity; deadline: number }>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  static key(mountpoint: string, clientId: string): string {
    return `${mountpoint}\u0000${clientId}`
  }

  set(key: string, identity: DeviceIdentity, deadline: number): void {
    this.#sessions.delete(key)
    if (this.#sessions.size >= MAX_SESSIONS) this.#sweep()
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value
      if (oldest !== undefined) this.#sessions.delete(oldest)
    }
    this.#sessions.set(key, { identity, deadline })
  }

  /** The live identity for the key, or undefined when there is none or its token has expired. */
  get(key: string): DeviceIdentity | undefined {
    const entry = this.#sessions.get(key)
    if (!entry) return undefined
    if (entry.deadline <= this.#now()) {
      this.#sessions.delete(key)
      return undefined
    }
    return entry.identity
  }

  delete(key: string): void {
    this.#sessions.delete(key)
  }

  #sweep(): void {
    const now = this.#now()
    for (const [key, entry] of this.#sessions) if (entry.deadline <= now) this.#sessions.delete(key)
  }
}
