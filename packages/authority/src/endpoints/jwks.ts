import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../lib/context.js'
import { PATHS } from '../lib/context.js'

/** RFC 7232 §3.2: If-None-Match is a list of entity tags, or `*`. */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/**
 * The JWK Set (RFC 7517 §5) from memory. `max-age` is below the publish lead (checked at start-up),
 * so a cache honouring it holds the next key before that key signs anything.
 */
export function registerJwks(app: FastifyInstance, ctx: AuthorityContext): void {
  const cacheControl = `public, max-age=${Math.floor(ctx.config.jwksMaxAge)}`
  app.get(PATHS.jwks, async (request, reply) => {
    const { body, etag } = ctx.keys.ring.jwks
    reply.header('cache-control', cacheControl).header('etag', etag)
    if (matchesETag(request.headers['if-none-match'], etag)) return reply.code(304).send()
    return reply.type('application/jwk-set+json').send(body)
  })
}
