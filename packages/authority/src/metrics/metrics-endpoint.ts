import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../lib/admin-auth.js'
import type { AuthorityMetrics } from './authority-metrics.js'

export const METRICS_PATH = '/metrics'

/** `/metrics` on the authority's own port, behind the admin bearer token (the default). */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: AuthorityMetrics,
  adminToken: string,
): void {
  app.get(METRICS_PATH, async (request, reply) => {
    requireAdmin(request.headers.authorization, adminToken)
    const { body, contentType } = await metrics.scrape()
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body)
  })
}

/**
 * `/metrics` on a port of its own (`metricsPort`), without a token: for a scraper on a private
 * network or loopback (`metricsHost`, 127.0.0.1 by default). It answers nothing else.
 */
export class MetricsServer {
  readonly #server: Server
  #url: string | undefined

  constructor(metrics: AuthorityMetrics, onError: (error: unknown) => void) {
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0]
      if (path !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n')
        return
      }
      metrics.scrape().then(
        ({ body, contentType }) => {
          response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' })
          response.end(request.method === 'HEAD' ? undefined : body)
        },
        (error: unknown) => {
          onError(error)
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('scrape failed\n')
        },
      )
    })
  }

  /** The URL of `/metrics` once listening. */
  get url(): string | undefined {
    return this.#url
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        const { address, port: bound } = this.#server.address() as AddressInfo
        const hostPart = address.includes(':') ? `[${address}]` : address
        this.#url = `http://${hostPart}:${bound}${METRICS_PATH}`
        resolve(this.#url)
      })
    })
  }

  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve()
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }
}
