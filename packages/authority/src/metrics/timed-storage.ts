import type { Storage } from '../storage/types.js'
import type { AuthorityMetrics } from './authority-metrics.js'

/**
 * Storage whose every operation is timed into `tessera_storage_operation_duration_seconds`, labelled
 * with the method name (a closed set). Delegates to `storage` itself, so its private state and
 * transactions are untouched; the result (or rejection) is passed through unchanged.
 */
export function timedStorage(storage: Storage, metrics: AuthorityMetrics): Storage {
  const timed: Record<string, unknown> = {}
  for (const name of methodNames(storage)) {
    const method = (storage as unknown as Record<string, (...args: unknown[]) => unknown>)[name]
    if (typeof method !== 'function') continue
    timed[name] = (...args: unknown[]) => {
      const end = metrics.storageTimer(name)
      // The timer's end takes labels: call it with none, never with the operation's result.
      const stop = () => {
        end()
      }
      const result = method.apply(storage, args)
      if (result instanceof Promise) result.then(stop, stop)
      else stop()
      return result
    }
  }
  return timed as unknown as Storage
}

function methodNames(object: object): Set<string> {
  const names = new Set<string>()
  for (
    let proto = object;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name)
  }
  return names
}
