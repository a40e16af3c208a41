import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { PATHS } from '../lib/paths.js'
import { RevocationSnapshots, SNAPSHOT_MAX_AGE } from '../revocations/snapshot.js'

/** RFC 7232 §3.2 with weak comparison: If-None-Match is a list of entity tags, or `*`. */
function matchesETag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const opaque = etag.replace(/^W\//, '')
  return header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}

/**
 * The revocation snapshot for gateways: a JWT signed by the current key (`typ: revocations+jwt`),
 * public like the JWKS it is verified with — it names only opaque identifiers of revoked things.
 */
export function registerRevocations(app: FastifyInstance, ctx: AuthorityContext): void {
  const snapshots = new RevocationSnapshots(ctx)
  app.get(PATHS.revocations, async (request, reply) => {
    const snapshot = await snapshots.current()
    reply.header('cache-control', `public, max-age=${SNAPSHOT_MAX_AGE}`).header('etag', snapshot.etag)
    if (matchesETag(request.headers['if-none-match'], snapshot.etag)) return reply.code(304).send()
    return reply.type('application/jwt').send(snapshot.jwt)
  })
}
