import type { FastifyInstance } from 'fastify'
import type { KeyManager } from '../keys/key-manager.js'
import type { Storage } from '../storage/types.js'

export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const

/** How long the database may take to answer the readiness probe before it counts as unreachable. */
const DATABASE_PROBE_TIMEOUT_MS = 2000

export interface HealthSources {
  storage: Storage
  keys: KeyManager
}

type Check = 'ok' | 'failed'

async function probeDatabase(storage: Storage): Promise<Check> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve('failed'), DATABASE_PROBE_TIMEOUT_MS)
  })
  try {
    // Any real round trip proves the connection; the meta table is tiny and always there.
    const probe = storage.getMeta('schema_version').then(
      () => 'ok' as const,
      () => 'failed' as const,
    )
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Liveness and readiness, unauthenticated (they reveal only ok/failed):
 * - `/healthz`: the process answers HTTP — restart it if not;
 * - `/readyz`: it can do its work — the database answers, the keys are loaded and a current key
 *   signs. 503 otherwise, so a load balancer takes the instance out until it recovers.
 */
export function registerHealth(app: FastifyInstance, sources: HealthSources): void {
  app.get(HEALTH_PATHS.live, (_request, reply) => {
    reply.header('cache-control', 'no-store').send({ status: 'ok' })
  })
  app.get(HEALTH_PATHS.ready, async (_request, reply) => {
    const database = await probeDatabase(sources.storage)
    let keys: Check = 'failed'
    let signingKey: Check = 'failed'
    try {
      const ring = sources.keys.ring
      keys = ring.records.length > 0 ? 'ok' : 'failed'
      signingKey =
        ring.signing !== undefined && ring.records.some((r) => r.state === 'current') ? 'ok' : 'failed'
    } catch {
      // The key manager has not started: neither check passes.
    }
    const ready = database === 'ok' && keys === 'ok' && signingKey === 'ok'
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not_ready', checks: { database, keys, signing_key: signingKey } })
  })
}
