import { OAuthError } from '../lib/oauth-error.js'
import type { CounterStore } from './counter-store.js'
import { WindowLimit } from './window-limit.js'

/**
 * Failed device logins and refreshes, `perMinute` a minute, counted in the shared store. Only
 * failures are charged, so a healthy device refreshing often is never slowed, and they are charged
 * where they can be attributed:
 * - every failure to the address it came from, which binds first for a single source;
 * - a failure of something that verified — an assertion the device's key signed (replayed, too long,
 *   wrong audience), a refresh token issued to this client — also to the (device, client) pair.
 * A forged assertion naming a device proves nothing about the device, so it never touches the
 * device's budget: nobody can lock a device out by naming it, and another fleet's client cannot
 * spend the budget of this one. The check reads and the failure counts atomically; failures already
 * in flight when the budget runs out may still be charged past it.
 */
export class DeviceFailureLimits {
  readonly #perDevice: WindowLimit
  readonly #perAddress: WindowLimit

  constructor(store: CounterStore, perMinute: number) {
    this.#perDevice = new WindowLimit(store, 'device-failures:pair', perMinute, 60_000)
    this.#perAddress = new WindowLimit(store, 'device-failures:address', perMinute, 60_000)
  }

  /** Refuses (429 slow_down) when the address has no failures left. */
  async checkAddress(address: string): Promise<void> {
    refuse(await this.#perAddress.wait(address))
  }

  /** Refuses when this client has spent the device's failures (only verified failures count). */
  async checkDevice(deviceId: string, clientId: string): Promise<void> {
    refuse(await this.#perDevice.wait(pairKey(deviceId, clientId)))
  }

  /** A failure nothing vouches for: charged to the address alone. */
  async failUnverified(address: string): Promise<void> {
    await this.#perAddress.take(address)
  }

  /** A failure of a verified assertion or of a token issued to this client. */
  async failVerified(address: string, deviceId: string, clientId: string): Promise<void> {
    await Promise.all([this.#perAddress.take(address), this.#perDevice.take(pairKey(deviceId, clientId))])
  }
}

/** Device ids and client ids hold no space (lib/identifiers.ts), so the pair key is unambiguous. */
const pairKey = (deviceId: string, clientId: string) => `${deviceId} ${clientId}`

function refuse(wait: number): void {
  if (wait > 0) {
    throw new OAuthError('slow_down', 'too many failed device logins or refreshes', {
      headers: { 'retry-after': String(wait) },
    })
  }
}
