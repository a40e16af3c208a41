import { afterEach, describe, expect, it } from 'vitest'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { createDatabase } from './helpers/postgres.js'

async function get(url: string) {
  const response = await fetch(url)
  return {
    status: response.status,
    cache: response.headers.get('cache-control'),
    body: await response.json(),
  }
}

describe.each([
  ['SQLite', async (dir: string) => ({ dataDir: dir })],
  ['PostgreSQL', async (dir: string) => ({ dataDir: dir, databaseUrl: await createDatabase() })],
])('health and readiness on %s', (_name, settings) => {
  const dir = tempDir()
  let server: RunningAuthority | undefined
  afterEach(async () => {
    await server?.close().catch(() => undefined)
    dir.remove()
  })

  it('is live and ready with keys loaded; readiness flips to 503 when the database goes away', async () => {
    server = await startAuthority(await settings(dir.path))
    expect(await get(`${server.url}/healthz`)).toEqual({
      status: 200,
      cache: 'no-store',
      body: { status: 'ok' },
    })
    expect(await get(`${server.url}/readyz`)).toEqual({
      status: 200,
      cache: 'no-store',
      body: { status: 'ready', checks: { database: 'ok', keys: 'ok', signing_key: 'ok' } },
    })

    await server.authority.context.storage.close()

    expect(await get(`${server.url}/readyz`)).toEqual({
      status: 503,
      cache: 'no-store',
      body: { status: 'not_ready', checks: { database: 'failed', keys: 'ok', signing_key: 'ok' } },
    })
    // Liveness is about the process only: it still answers.
    expect((await get(`${server.url}/healthz`)).status).toBe(200)
  })

  it('is not ready while it holds no keys (another instance holds the rotation lease)', async () => {
    server = await startAuthority(await settings(dir.path))
    const { keys, storage } = server.authority.context
    // Another instance takes the lease (as if this one's had lapsed), and every key row disappears:
    // this instance reloads an empty set and may not create keys itself.
    const later = Date.now() + 3_600_000
    expect(await storage.acquireLease('key-rotation', 'other-instance', later, later + 3_600_000)).toBe(true)
    for (const record of keys.ring.records) await storage.deleteKey(record.kid)
    await keys.tick()
    expect(await get(`${server.url}/readyz`)).toEqual({
      status: 503,
      cache: 'no-store',
      body: { status: 'not_ready', checks: { database: 'ok', keys: 'failed', signing_key: 'failed' } },
    })
  })
})
