import type { ErrorCode } from '../../errors.js'
import type { JWKSEvent, JWKSStats } from '../types.js'

/** Counts and forwards events; a throwing listener must not break verification, so it is contained. */
export class JWKSTelemetry {
  readonly #listener: ((event: JWKSEvent) => void) | undefined
  readonly #stats: JWKSStats = {
    fetches: 0,
    fetchFailures: 0,
    failuresByCode: {},
    cacheHits: 0,
    unknownKids: 0,
    refetchesSuppressed: 0,
    staleServed: 0,
    unavailable: 0,
  }

  constructor(listener: ((event: JWKSEvent) => void) | undefined) {
    this.#listener = listener
  }

  count(counter: Exclude<keyof JWKSStats, 'failuresByCode'>): void {
    this.#stats[counter]++
  }

  countFailure(code: ErrorCode): void {
    this.#stats.fetchFailures++
    this.#stats.failuresByCode[code] = (this.#stats.failuresByCode[code] ?? 0) + 1
  }

  emit(event: JWKSEvent): void {
    if (!this.#listener) return
    try {
      this.#listener(event)
    } catch {
      // A listener's bug is the listener's; the verification it observes goes on.
    }
  }

  snapshot(): JWKSStats {
    return { ...this.#stats, failuresByCode: { ...this.#stats.failuresByCode } }
  }
}
