import { Redis } from 'ioredis'
import type { Counter, CounterStore } from './counter-store.js'

/**
 * INCR and the window's expiry in one server-side script, so the first hit's PEXPIRE can never be
 * lost between two commands (a key without expiry would count for ever). Returns the count and the
 * milliseconds left.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }
`
const READ = `
local count = redis.call('GET', KEYS[1])
if not count then return false end
return { tonumber(count), redis.call('PTTL', KEYS[1]) }
`

/**
 * The counters in Redis (TESSERA_REDIS_URL): every operation one round trip, atomic on the server.
 * Keys are namespaced under `tessera:`. Commands fail fast while the connection is down (no offline
 * queue), so a request that needs a limit is refused rather than left waiting.
 */
export class RedisCounters implements CounterStore {
  readonly backend = 'redis'
  readonly #redis: Redis
  readonly #now: () => number

  private constructor(redis: Redis, now: () => number) {
    this.#redis = redis
    this.#now = now
  }

  /** Connects (rejecting when Redis cannot be reached) and defines the scripts. */
  static async connect(url: string, now: () => number): Promise<RedisCounters> {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      keyPrefix: 'tessera:',
    })
    redis.on('error', () => {
      // Reconnects on its own; each command that fails meanwhile rejects and its caller fails closed.
    })
    try {
      await redis.connect()
    } catch (error) {
      redis.disconnect()
      throw error
    }
    redis.defineCommand('tesseraHit', { numberOfKeys: 1, lua: HIT })
    redis.defineCommand('tesseraRead', { numberOfKeys: 1, lua: READ })
    return new RedisCounters(redis, now)
  }

  async hit(key: string, windowMs: number): Promise<Counter> {
    const commands = this.#redis as unknown as Scripts
    const [count, left] = await commands.tesseraHit(`counter:${key}`, String(windowMs))
    return { count, expiresAt: this.#now() + (left > 0 ? left : windowMs) }
  }

  async read(key: string): Promise<Counter | undefined> {
    const commands = this.#redis as unknown as Scripts
    const answer = await commands.tesseraRead(`counter:${key}`)
    if (answer === null) return undefined
    const [count, left] = answer
    return { count, expiresAt: this.#now() + Math.max(left, 0) }
  }

  async reset(key: string): Promise<void> {
    await this.#redis.del(`counter:${key}`)
  }

  async useOnce(id: string, expiresAt: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - this.#now()))
    return (await this.#redis.set(`used:${id}`, '1', 'PX', ttl, 'NX')) === 'OK'
  }

  now(): number {
    return this.#now()
  }

  withClock(now: () => number): CounterStore {
    return new RedisCounters(this.#redis, now)
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect())
  }
}

interface Scripts {
  tesseraHit(key: string, windowMs: string): Promise<[number, number]>
  tesseraRead(key: string): Promise<[number, number] | null>
}
