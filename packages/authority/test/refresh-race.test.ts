import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage } from '../src/storage/create-storage.js'
import type { RefreshTokenRecord } from '../src/storage/types.js'
import { freePort, tempDir } from './helpers/authority.js'
import { type AuthorityProcess, buildServer, spawnAuthority } from './helpers/authority-process.js'
import {
  assertion,
  deviceKey,
  introspect,
  login,
  refresh,
  registerDevice,
  registerFleetClient,
} from './helpers/devices.js'
import { createDatabase } from './helpers/postgres.js'

const CONCURRENCY = 50

/** The chain must be one line: consecutive generations, each token the only child of the one before. */
function expectNoFork(tokens: RefreshTokenRecord[]): void {
  expect(tokens.map((t) => t.generation)).toEqual(tokens.map((_, i) => i))
  tokens.slice(1).forEach((token, i) => {
    expect(token.parentHash).toBe(tokens[i]?.hash)
  })
  const parents = tokens.map((t) => t.parentHash).filter((p) => p !== null)
  expect(new Set(parents).size).toBe(parents.length)
}

/**
 * THE RACE: two authority processes (the real entry point, bundled from the current sources) on one
 * PostgreSQL database; 50 concurrent refreshes of one token, alternating between them.
 */
describe('refresh race across two processes on one PostgreSQL', () => {
  let server: { entry: string; remove: () => void }
  const processes: AuthorityProcess[] = []
  const dirs: { remove: () => void }[] = []

  beforeAll(async () => {
    server = await buildServer()
  }, 120_000)
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()))
    server?.remove()
    for (const dir of dirs) dir.remove()
  })

  async function race(graceWindow: number) {
    const databaseUrl = await createDatabase()
    const [portA, portB] = [await freePort(), await freePort()]
    const issuer = `http://127.0.0.1:${portA}`
    const env = (port: number) => {
      const dir = tempDir()
      dirs.push(dir)
      return {
        env: {
          DATABASE_URL: databaseUrl,
          TESSERA_ISSUER: issuer,
          TESSERA_DATA_DIR: dir.path,
          TESSERA_RATE_LIMIT_CLIENT: '0',
          TESSERA_RATE_LIMIT_ADDRESS: '0',
          TESSERA_DEVICE_FAILURE_LIMIT: '0',
          TESSERA_REFRESH_GRACE_WINDOW: String(graceWindow),
        },
        port,
      }
    }
    const started = await Promise.all(
      [env(portA), env(portB)].map(({ env: vars, port }) => spawnAuthority(server.entry, vars, port)),
    )
    processes.push(...started)
    const [a, b] = started as [AuthorityProcess, AuthorityProcess]
    expect(a.child.pid).not.toBe(b.child.pid)

    const fleet = await registerFleetClient(a.url)
    const key = await deviceKey('ES256')
    const deviceId = (await registerDevice(b.url, key)).id
    const first = await login(a.url, fleet, await assertion(key, deviceId, issuer))
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const t0 = first.body.refresh_token as string

    const results = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => refresh(i % 2 === 0 ? a.url : b.url, fleet, t0)),
    )
    for (const result of results) {
      expect([200, 400], JSON.stringify(result.body)).toContain(result.status)
      if (result.status === 400) expect(result.body.error).toBe('invalid_grant')
    }
    const issued = results.filter((r) => r.status === 200).map((r) => r.body.refresh_token as string)

    const storage = createStorage(databaseUrl)
    try {
      const [family, ...others] = await storage.listRefreshFamilies(deviceId)
      expect(others).toEqual([])
      const tokens = await storage.listRefreshTokens(family?.id as string)
      expectNoFork(tokens)
      // Every successful answer minted exactly one token of the chain; nothing else was minted.
      expect(tokens).toHaveLength(issued.length + 1)
      return { a, b, fleet, family, tokens, issued }
    } finally {
      await storage.close()
    }
  }

  it('without a grace window: exactly one refresh wins; the concurrent reuse revokes the family', async () => {
    const { a, fleet, family, tokens, issued } = await race(0)
    expect(issued).toHaveLength(1)
    expect(tokens).toHaveLength(2)
    expect(family?.revokeReason).toBe('reuse')
    expect((await refresh(a.url, fleet, issued[0] as string)).body.error).toBe('invalid_grant')
  })

  it('with a grace window: the retries replace each other; exactly one live token, the family intact', async () => {
    const { a, b, fleet, family, tokens, issued } = await race(30)
    expect(issued.length).toBeGreaterThanOrEqual(1)
    expect(family?.revokedAt).toBeNull()
    expect(tokens.filter((t) => t.consumedAt === null)).toHaveLength(1)
    const active = []
    for (const token of issued) if ((await introspect(b.url, fleet, token)).active) active.push(token)
    expect(active).toHaveLength(1)
    const next = await refresh(a.url, fleet, active[0] as string)
    expect(next.status, JSON.stringify(next.body)).toBe(200)
  })
})
