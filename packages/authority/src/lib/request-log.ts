import type { FastifyRequest } from 'fastify'

/**
 * How a request appears in the logs: method, path, address. Never the query string: a client that
 * mistakenly sends `?client_secret=…` or `?token=…` must not leave its secret in the info log.
 */
export function requestLogView(request: FastifyRequest): Record<string, unknown> {
  const query = request.url.indexOf('?')
  return {
    method: request.method,
    url: query < 0 ? request.url : request.url.slice(0, query),
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}
