import type { FastifyBaseLogger } from 'fastify'
import type { SecurityEvent } from './rules.js'

export interface AlertWebhookOptions {
  url: string
  log: FastifyBaseLogger
  /** Attempts per event, the first included. */
  attempts?: number
  /** Wait before the first retry; doubled for each next one. */
  initialBackoffMs?: number
  timeoutMs?: number
  /** Events waiting beyond this many are dropped (and logged): an alert storm must not eat memory. */
  maxQueue?: number
}

/**
 * Delivers security events as JSON POSTs, one at a time in the background: a request that triggers
 * an event never waits for the webhook. A delivery that fails (network error, timeout or non-2xx) is
 * retried with exponential backoff, then given up and logged.
 */
export class AlertWebhook {
  readonly #options: Required<AlertWebhookOptions>
  readonly #queue: SecurityEvent[] = []
  #running: Promise<void> | undefined
  #closed = false
  readonly #timers = new Set<NodeJS.Timeout>()

  constructor(options: AlertWebhookOptions) {
    this.#options = { attempts: 5, initialBackoffMs: 1000, timeoutMs: 5000, maxQueue: 1000, ...options }
  }

  send(event: SecurityEvent): void {
    if (this.#closed) return
    if (this.#queue.length >= this.#options.maxQueue) {
      this.#options.log.error({ rule: event.rule }, 'alert webhook queue full; event dropped')
      return
    }
    this.#queue.push(event)
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined
    })
  }

  /** Stops retrying; events not yet delivered are logged as abandoned. */
  async close(): Promise<void> {
    this.#closed = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    if (this.#queue.length > 0) {
      this.#options.log.warn(
        { abandoned: this.#queue.length },
        'alert webhook closed with events undelivered',
      )
      this.#queue.length = 0
    }
  }

  async #drain(): Promise<void> {
    for (let event = this.#queue.shift(); event !== undefined && !this.#closed; event = this.#queue.shift()) {
      await this.#deliver(event)
    }
  }

  async #deliver(event: SecurityEvent): Promise<void> {
    const { url, attempts, initialBackoffMs, timeoutMs, log } = this.#options
    const body = JSON.stringify({ ...event, at: new Date(event.at).toISOString() })
    for (let attempt = 1; attempt <= attempts && !this.#closed; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        })
        await response.body?.cancel()
        if (response.ok) return
        log.warn({ rule: event.rule, status: response.status, attempt }, 'alert webhook refused the event')
      } catch (error) {
        log.warn({ rule: event.rule, err: error, attempt }, 'alert webhook unreachable')
      }
      if (attempt < attempts) await this.#sleep(initialBackoffMs * 2 ** (attempt - 1))
    }
    if (!this.#closed) log.error({ rule: event.rule, attempts }, 'alert webhook gave up on an event')
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        resolve()
      }, ms)
      timer.unref()
      this.#timers.add(timer)
    })
  }
}
