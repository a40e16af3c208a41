import type { FastifyBaseLogger } from 'fastify'
import type { AuditEvent, Storage } from '../storage/types.js'
import type { Clock } from './clock.js'

export type AuditObserver = (
  event: string,
  subject: string,
  detail: Readonly<Record<string, unknown>>,
) => void

/**
 * The audit trail of issued, revoked and rotated events. Events are buffered and written in batches,
 * so issuing a token never waits on a database write; the buffer is flushed every second, when it
 * fills, and on shutdown.
 */
export class AuditLog {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #log: FastifyBaseLogger
  #buffer: AuditEvent[] = []
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  readonly #batchSize: number
  readonly #observers: AuditObserver[] = []

  constructor(storage: Storage, clock: Clock, log: FastifyBaseLogger, batchSize = 500) {
    this.#batchSize = batchSize
    this.#storage = storage
    this.#clock = clock
    this.#log = log
  }

  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs)
    this.#timer.unref()
  }

  /** Calls `observer` with each event as it is recorded (metrics and security rules watch them). */
  observe(observer: AuditObserver): void {
    this.#observers.push(observer)
  }

  /** Events buffered and not yet written. */
  get pending(): number {
    return this.#buffer.length
  }

  record(event: string, subject: string, detail: Record<string, unknown>): void {
    this.#buffer.push({ at: this.#clock.now(), event, subject, detail: JSON.stringify(detail) })
    for (const observer of this.#observers) observer(event, subject, detail)
    if (this.#buffer.length >= this.#batchSize) void this.flush()
  }

  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const events = this.#buffer
      if (events.length === 0) return
      this.#buffer = []
      try {
        await this.#storage.appendAudit(events)
      } catch (error) {
        this.#log.error({ err: error, lost: events.length }, 'audit write failed')
      }
    })
    return this.#flushing
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    await this.flush()
  }
}
