import type { CounterStore } from '../limits/counter-store.js'
import { WindowLimit } from '../limits/window-limit.js'

const HOUR = 3_600_000

/**
 * How many sign-in emails may be sent: `perAddress` an hour to one email address (so nobody can
 * flood a mailbox, and each address gets at most that many codes × 5 guesses an hour), and
 * `perIp` an hour requested from one client address, counted by every instance together (the
 * shared counter store), each in an hour-long window from its first send. Unknown addresses are
 * charged exactly like known ones, so the limit reveals nothing.
 */
export class SendLimits {
  readonly #perAddress: WindowLimit
  readonly #perIp: WindowLimit

  constructor(store: CounterStore, perAddressPerHour: number, perIpPerHour: number) {
    this.#perAddress = new WindowLimit(store, 'signin-sends:address', perAddressPerHour, HOUR)
    this.#perIp = new WindowLimit(store, 'signin-sends:ip', perIpPerHour, HOUR)
  }

  /**
   * Seconds to wait, or 0 when a message may be sent now. Each count is one atomic hit, so
   * concurrent sends on several instances never pass together; the client address is charged
   * first, so a flood refused there spends nothing of the mailbox's budget.
   */
  async take(email: string, ip: string): Promise<number> {
    const ipWait = await this.#perIp.take(ip)
    if (ipWait > 0) return ipWait
    return this.#perAddress.take(email)
  }
}
