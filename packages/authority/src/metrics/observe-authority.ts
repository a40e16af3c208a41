import type { FastifyInstance } from 'fastify'
import type { AuthorityConfig } from '../config/load-config.js'
import type { KeyManager } from '../keys/key-manager.js'
import type { AuditLog } from '../lib/audit.js'
import type { Clock } from '../lib/clock.js'
import type { Storage } from '../storage/types.js'
import { AuthorityMetrics } from './authority-metrics.js'
import { MetricsServer, registerMetricsRoute } from './metrics-endpoint.js'
import { registerRequestMetrics } from './request-hooks.js'
import { timedStorage } from './timed-storage.js'

export interface ObservedParts {
  app: FastifyInstance
  keys: KeyManager
  audit: AuditLog
  adminToken: string
  tokenPath: string
}

/**
 * The authority's metrics, wired in two steps because storage is opened before everything else:
 * `storage()` wraps it with timing; `attach()` adds the request hook, the audit observer and the
 * `/metrics` endpoint once the parts exist. With `metrics: false` every step is a no-op.
 */
export class AuthorityObservability {
  readonly metrics: AuthorityMetrics | undefined
  readonly #config: AuthorityConfig
  #parts: ObservedParts | undefined
  #server: MetricsServer | undefined

  constructor(config: AuthorityConfig, clock: Clock) {
    this.#config = config
    this.metrics = config.metrics
      ? new AuthorityMetrics({
          keys: () => {
            try {
              return this.#parts?.keys.ring.records ?? []
            } catch {
              return []
            }
          },
          auditQueueDepth: () => this.#parts?.audit.pending ?? 0,
          now: () => clock.now(),
        })
      : undefined
  }

  storage(storage: Storage): Storage {
    return this.metrics ? timedStorage(storage, this.metrics) : storage
  }

  attach(parts: ObservedParts): void {
    this.#parts = parts
    const { metrics } = this
    if (!metrics) return
    registerRequestMetrics(parts.app, metrics, parts.tokenPath)
    parts.audit.observe((event, _subject, detail) => {
      metrics.observeAudit(event, detail)
    })
    if (this.#config.metricsPort === undefined) registerMetricsRoute(parts.app, metrics, parts.adminToken)
    else {
      this.#server = new MetricsServer(metrics, (error) =>
        parts.app.log.error({ err: error }, 'metrics scrape failed'),
      )
    }
  }

  /** The separate metrics listener's URL, when there is one and it listens. */
  get url(): string | undefined {
    return this.#server?.url
  }

  async listen(): Promise<void> {
    if (this.#server && this.#config.metricsPort !== undefined) {
      await this.#server.listen(this.#config.metricsPort, this.#config.metricsHost)
    }
  }

  close(): Promise<void> {
    return this.#server?.close() ?? Promise.resolve()
  }
}
