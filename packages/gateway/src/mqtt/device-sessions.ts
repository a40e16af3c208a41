import type { DeviceIdentity } from './device-identity.js'

export type EndReason = 'expired' | 'revoked'

interface Session {
  readonly identity: DeviceIdentity
  readonly timer: NodeJS.Timeout
}

/**
 * The live device sessions, each with a timer at its token's deadline. Keyed by the broker's
 * connection object, so a reconnect with a fresh token starts a new session with a new deadline.
 */
export class DeviceSessions<C extends object> {
  readonly #sessions = new Map<C, Session>()
  readonly #end: (connection: C, reason: EndReason) => void

  constructor(end: (connection: C, reason: EndReason) => void) {
    this.#end = end
  }

  get size(): number {
    return this.#sessions.size
  }

  start(connection: C, identity: DeviceIdentity, deadline: number, now: number): void {
    this.stop(connection)
    // setTimeout holds at most ~24.8 days; tokens live minutes, so the clamp never shortens one.
    const delay = Math.min(Math.max(0, deadline - now), 2_147_483_647)
    const timer = setTimeout(() => this.#finish(connection, 'expired'), delay)
    timer.unref()
    this.#sessions.set(connection, { identity, timer })
  }

  identity(connection: C): DeviceIdentity | undefined {
    return this.#sessions.get(connection)?.identity
  }

  stop(connection: C): void {
    const session = this.#sessions.get(connection)
    if (!session) return
    clearTimeout(session.timer)
    this.#sessions.delete(connection)
  }

  /** Ends every session whose identity `shouldEnd` picks (revocations applied); returns how many. */
  endWhere(shouldEnd: (identity: DeviceIdentity) => boolean, reason: EndReason): number {
    let ended = 0
    for (const [connection, session] of [...this.#sessions]) {
      if (shouldEnd(session.identity)) {
        this.#finish(connection, reason)
        ended++
      }
    }
    return ended
  }

  #finish(connection: C, reason: EndReason): void {
    if (!this.#sessions.has(connection)) return
    this.stop(connection)
    this.#end(connection, reason)
  }

  clear(): void {
    for (const session of this.#sessions.values()) clearTimeout(session.timer)
    this.#sessions.clear()
  }
}
