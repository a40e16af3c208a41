import { RateLimiter } from '../lib/rate-limit.js'

/**
 * How many sign-in emails may be sent: `perAddress` an hour to one email address (so nobody can
 * flood a mailbox, and each address gets at most that many codes × 5 guesses an hour), and
 * `perIp` an hour requested from one client address. Buckets start full and refill evenly over the
 * hour. Unknown addresses are charged exactly like known ones, so the limit reveals nothing.
 */
export class SendLimits {
  readonly #perAddress: RateLimiter
  readonly #perIp: RateLimiter

  constructor(perAddressPerHour: number, perIpPerHour: number, now: () => number) {
    this.#perAddress = new RateLimiter(perAddressPerHour / 3600, now, 100_000, perAddressPerHour)
    this.#perIp = new RateLimiter(perIpPerHour / 3600, now, 100_000, perIpPerHour)
  }

  /** Seconds to wait, or 0 when a message may be sent now (and then it is counted against both). */
  take(email: string, ip: string): number {
    const ipWait = this.#perIp.wait(ip)
    const addressWait = this.#perAddress.wait(email)
    if (ipWait > 0 || addressWait > 0) return Math.max(ipWait, addressWait)
    this.#perIp.take(ip)
    this.#perAddress.take(email)
    return 0
  }
}
