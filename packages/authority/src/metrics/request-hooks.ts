import type { FastifyInstance } from 'fastify'
import type { AuthorityMetrics } from './authority-metrics.js'

/**
 * Counts every answered request by its route pattern (`request.routeOptions.url`, the path as
 * registered — never the raw URL, whose ids and query strings would make labels unbounded), and
 * every successful token response by grant type. A callback hook: no promise per request.
 */
export function registerRequestMetrics(
  app: FastifyInstance,
  metrics: AuthorityMetrics,
  tokenPath: string,
): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url
    const status = reply.statusCode
    metrics.countRequest(route, request.method, status)
    if (status === 200 && route === tokenPath) {
      metrics.countToken((request.body as { grant_type?: unknown } | undefined)?.grant_type)
    }
    done()
  })
}
