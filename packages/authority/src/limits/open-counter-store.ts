import type { Storage } from '../storage/types.js'
import type { CounterStore } from './counter-store.js'
import { DatabaseCounters } from './database-counters.js'
import { MemoryCounters } from './memory-counters.js'
import { RedisCounters } from './redis-counters.js'

export type LimitsStore = 'redis' | 'database' | 'memory'

/** The store the configuration names: Redis when a URL is set, else the database, memory only when asked. */
export async function openCounterStore(
  config: { limitsStore: LimitsStore | undefined; redisUrl: string | undefined },
  storage: Storage,
  now: () => number,
): Promise<CounterStore> {
  const backend = config.limitsStore ?? (config.redisUrl === undefined ? 'database' : 'redis')
  if (backend === 'redis') {
    if (config.redisUrl === undefined) throw new TypeError('limitsStore redis needs redisUrl')
    return RedisCounters.connect(config.redisUrl, now)
  }
  return backend === 'memory' ? new MemoryCounters(now) : new DatabaseCounters(storage, now)
}
