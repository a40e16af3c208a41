import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CounterStore } from '../src/limits/counter-store.js'
import { DatabaseCounters } from '../src/limits/database-counters.js'
import { MemoryCounters } from '../src/limits/memory-counters.js'
import { RedisCounters } from '../src/limits/redis-counters.js'
import { createStorage } from '../src/storage/create-storage.js'
import type { Storage } from '../src/storage/types.js'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { assertion, deviceKey, login, registerDevice, registerFleetClient } from './helpers/devices.js'
import { createDatabase } from './helpers/postgres.js'
import { type RunningRedis, startRedis } from './helpers/redis.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Shared limits (issue 17, scale-out): the counter store behind every rate limit, failure counter
 * and the replay cache. Two stores stand for two instances — two PostgreSQL pools on one database,
 * two Redis connections on one server — hitting the same keys at once.
 */
describe('shared counter stores', () => {
  const dir = tempDir()
  let redis: RunningRedis
  let postgresUrl: string
  const opened: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    redis = await startRedis()
    postgresUrl = await createDatabase()
  })
  afterAll(async () => {
    for (const store of opened.reverse()) await store.close()
    await redis?.stop()
    dir.remove()
  })

  async function database(url: string): Promise<Storage> {
    const storage = createStorage(url)
    opened.push(storage)
    await storage.migrate()
    return storage
  }

  /** Two stores on the same backing state, as two instances would have. */
  const pairs: Record<string, () => Promise<[CounterStore, CounterStore]>> = {
    postgres: async () => {
      const first = await database(postgresUrl)
      const second = await database(postgresUrl)
      return [new DatabaseCounters(first, Date.now), new DatabaseCounters(second, Date.now)]
    },
    sqlite: async () => {
      const url = `sqlite:${dir.path}/counters.db`
      const first = await database(url)
      const second = await database(url)
      return [new DatabaseCounters(first, Date.now), new DatabaseCounters(second, Date.now)]
    },
    redis: async () => {
      const first = await RedisCounters.connect(redis.url, Date.now)
      const second = await RedisCounters.connect(redis.url, Date.now)
      opened.push(first, second)
      return [first, second]
    },
    memory: async () => {
      // One process only: the same store twice.
      const store = new MemoryCounters(Date.now)
      return [store, store]
    },
  }

  describe.each(Object.keys(pairs))('%s', (backend) => {
    let stores: [CounterStore, CounterStore]
    beforeAll(async () => {
      stores = await (pairs[backend] as () => Promise<[CounterStore, CounterStore]>)()
    })

    it('counts 200 concurrent hits from two instances exactly once each', async () => {
      const key = `concurrent-${backend}`
      const hits = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (stores[i % 2] as CounterStore).hit(key, 60_000)),
      )
      // Atomic: every hit saw a different count, 1 to 200, and the window never moved.
      expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => i + 1),
      )
      expect(new Set(hits.map((hit) => Math.round(hit.expiresAt / 1000))).size).toBeLessThanOrEqual(2)
      expect((await stores[1].read(key))?.count).toBe(200)
      expect((await stores[0].read(key))?.count).toBe(200)
    })

    it('starts over once the window ends, and forgets a reset key', async () => {
      const key = `window-${backend}`
      expect((await stores[0].hit(key, 150)).count).toBe(1)
      expect((await stores[1].hit(key, 150)).count).toBe(2)
      await sleep(250)
      expect(await stores[1].read(key)).toBeUndefined()
      expect((await stores[0].hit(key, 60_000)).count).toBe(1)
      await stores[1].reset(key)
      expect(await stores[0].read(key)).toBeUndefined()
      expect(await stores[0].read('never-hit')).toBeUndefined()
    })

    it('lets exactly one of 50 concurrent uses of an id through (the replay cache)', async () => {
      const id = `client:jti-${backend}`
      const uses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (stores[i % 2] as CounterStore).useOnce(id, Date.now() + 60_000),
        ),
      )
      expect(uses.filter(Boolean)).toHaveLength(1)
      expect(await stores[1].useOnce(id, Date.now() + 60_000)).toBe(false)
    })
  })
})

/**
 * The same through HTTP: two authority instances, one PostgreSQL (then one Redis). Each takes three
 * failed device logins at once; the shared budget of four is spent, so both refuse the next one — each
 * alone, counting on its own (three failures at most), would still have one left.
 */
describe.each(['database', 'redis'] as const)('two instances sharing the %s', (backend) => {
  const dir = tempDir()
  let redis: RunningRedis | undefined
  const instances: RunningAuthority[] = []

  beforeAll(async () => {
    const databaseUrl = await createDatabase()
    if (backend === 'redis') redis = await startRedis()
    for (const name of ['a', 'b']) {
      instances.push(
        await startAuthority({
          dataDir: `${dir.path}/${name}`,
          databaseUrl,
          deviceFailureLimit: 4,
          ...(redis ? { redisUrl: redis.url } : {}),
        }),
      )
    }
  })
  afterAll(async () => {
    for (const instance of instances) await instance.close()
    await redis?.stop()
    dir.remove()
  })

  it('refuses on both once the failures on both together reach the limit', async () => {
    const [a, b] = instances as [RunningAuthority, RunningAuthority]
    expect(a.authority.context.counters.backend).toBe(backend)
    const fleet = await registerFleetClient(a.url)
    const key = await deviceKey()
    const wrong = await deviceKey()
    const device = await registerDevice(a.url, key)
    const failures = await Promise.all(
      [a, b, a, b, a, b].map(async (instance) =>
        login(instance.url, fleet, await assertion(wrong, device.id, instance.url)),
      ),
    )
    // Those that arrive after four were charged are refused already; at least four are failures.
    const statuses = failures.map((answer) => answer.status)
    expect(statuses.filter((status) => status !== 400 && status !== 429)).toEqual([])
    expect(statuses.filter((status) => status === 400).length).toBeGreaterThanOrEqual(4)
    for (const instance of [a, b]) {
      const refused = await login(instance.url, fleet, await assertion(key, device.id, instance.url))
      expect(refused.status).toBe(429)
      expect(refused.body.error).toBe('slow_down')
    }
  })
})
