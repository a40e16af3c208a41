import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { JWKSDocument } from '../keys/key-ring.js'
import type { FrontDoor } from '../lib/graceful-shutdown.js'
import { PATHS } from '../lib/paths.js'

/** RFC 7232 §3.2: If-None-Match is a list of entity tags, or `*`. */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/**
 * The JWK Set (RFC 7517 §5) from memory. `max-age` is below the publish lead (checked at start-up),
 * so a cache honouring it holds the next key before that key signs anything.
 */
export function registerJwks(app: FastifyInstance, ctx: AuthorityContext, front?: FrontDoor): void {
  const cacheControl = `public, max-age=${Math.floor(ctx.config.jwksMaxAge)}`
  // The body as bytes and the headers, built once per key-set snapshot rather than per request.
  let served:
    | {
        jwks: JWKSDocument
        body: Buffer
        headers: Record<string, string>
        /** For the raw response: with content-length, and the 304's. */
        full: Record<string, string | number>
        notModified: Record<string, string>
      }
    | undefined
  const current = () => {
    const { jwks } = ctx.keys.ring
    if (served?.jwks !== jwks) {
      served = {
        jwks,
        body: Buffer.from(jwks.body, 'utf8'),
        headers: {
          // Public keys, no credentials: any origin may read them (see cors.ts).
          'access-control-allow-origin': '*',
          'cache-control': cacheControl,
          etag: jwks.etag,
          'content-type': 'application/jwk-set+json; charset=utf-8',
        },
        full: {},
        notModified: { 'cache-control': cacheControl, etag: jwks.etag },
      }
      served.full = { ...served.headers, 'content-length': served.body.length }
    }
    return served
  }
  if (front !== undefined) {
    // The plain GET, the one every verifier sends, answered before Fastify's routing and hooks (a
    // third of a JWKS response's CPU); with a query string or HEAD it goes the usual way below.
    front.route('GET', PATHS.jwks, (request, response) => {
      const { jwks, body, full, notModified } = current()
      const ifNoneMatch = request.headers['if-none-match']
      if (ifNoneMatch !== undefined && matchesETag(ifNoneMatch, jwks.etag)) {
        response.writeHead(304, notModified)
        response.end()
      } else {
        response.writeHead(200, full)
        response.end(body)
      }
      return true
    })
  }
  // Synchronous: nothing here awaits, so no promise per request (the handler must not return the reply).
  app.get(PATHS.jwks, (request, reply) => {
    const { jwks, body, headers } = current()
    reply.headers(headers)
    const ifNoneMatch = request.headers['if-none-match']
    if (ifNoneMatch !== undefined && matchesETag(ifNoneMatch, jwks.etag)) {
      reply.removeHeader('content-type').code(304).send()
    } else {
      reply.send(body)
    }
  })
}
