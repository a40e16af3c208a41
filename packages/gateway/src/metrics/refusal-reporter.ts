import { assertKnownOptions } from '../lib/options.js'
import type { VerifierEvent } from '../verify/create-token-verifier.js'

/** Where and how often a gateway pushes its unknown-kid and clock-skew refusal counts to the authority. */
export interface RefusalReporterOptions {
  /** The authority's base URL; reports go to `<authority>/admin/gateway-reports`. */
  authority: string
  /** The authority's admin bearer token. */
  adminToken: string
  /** This gateway's name in the authority's security events (1–64 of A–Z a–z 0–9 . _ : -). */
  gateway: string
  /** How often to report, in milliseconds. Default 30 000. */
  intervalMs?: number
  /** Bound on each report request. Default 5000 ms. */
  timeoutMs?: number
  /** Told about a report that failed (it is retried with the next one). Must not throw. */
  onError?: (error: unknown) => void
}

const OPTIONS = ['authority', 'adminToken', 'gateway', 'intervalMs', 'timeoutMs', 'onError'] as const
/** Refusals that mean the clocks disagree: `iat` or `nbf` ahead of this gateway's clock. */
const SKEW_REASONS = new Set(['issued_in_future', 'not_yet_valid'])

/**
 * Pushes this gateway's verification refusals that point at a deploy gone wrong — tokens naming a
 * kid the gateway's JWK set lacks, and tokens issued in the future — to the authority, whose
 * `gateway_verification_skew` rule raises a security event on a spike. It sends increments since
 * the last accepted report; a failed report keeps its counts for the next one, so none are lost or
 * counted twice. Wire `observe` as (or into) the token verifier's `onEvent`.
 */
export class RefusalReporter {
  readonly #options: Required<Omit<RefusalReporterOptions, 'onError'>> &
    Pick<RefusalReporterOptions, 'onError'>
  readonly #url: string
  #pending = { unknown_kid: 0, clock_skew: 0 }
  #timer: NodeJS.Timeout | undefined
  #reporting: Promise<boolean> | undefined

  constructor(options: RefusalReporterOptions) {
    assertKnownOptions(options, OPTIONS, 'RefusalReporter')
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(options.gateway)) {
      throw new TypeError('"gateway" must be 1–64 characters of A–Z a–z 0–9 . _ : -')
    }
    this.#url = new URL('/admin/gateway-reports', options.authority).href
    this.#options = { intervalMs: 30_000, timeoutMs: 5000, ...options }
  }

  /** The verifier's `onEvent` (or part of it). */
  readonly observe = (event: VerifierEvent): void => {
    if (event.type !== 'refused') return
    if (event.reason === 'unknown_key') this.#pending.unknown_kid++
    else if (SKEW_REASONS.has(event.reason)) this.#pending.clock_skew++
  }

  /** Counts not yet accepted by the authority. */
  get pending(): { readonly unknown_kid: number; readonly clock_skew: number } {
    return { ...this.#pending }
  }

  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => void this.report(), this.#options.intervalMs)
    this.#timer.unref()
  }

  /** Stops the timer and sends what is pending, once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.report()
  }

  /** Sends the pending counts now; true when the authority accepted them (or there were none). */
  report(): Promise<boolean> {
    this.#reporting ??= this.#send().finally(() => {
      this.#reporting = undefined
    })
    return this.#reporting
  }

  async #send(): Promise<boolean> {
    const sent = this.#pending
    if (sent.unknown_kid + sent.clock_skew === 0) return true
    this.#pending = { unknown_kid: 0, clock_skew: 0 }
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#options.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ gateway: this.#options.gateway, ...sent }),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
        redirect: 'error',
      })
      await response.body?.cancel()
      if (!response.ok) throw new Error(`the authority refused the report: ${response.status}`)
      return true
    } catch (error) {
      this.#pending.unknown_kid += sent.unknown_kid
      this.#pending.clock_skew += sent.clock_skew
      this.#options.onError?.(error)
      return false
    }
  }
}
