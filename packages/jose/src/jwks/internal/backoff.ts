import { assertDuration } from './cache-policy.js'

export interface BackoffOptions {
  /** The wait after the first failure; it doubles with each further one. */
  readonly initialMs: number
  /** The longest wait between attempts. */
  readonly maxMs: number
}

/**
 * Exponential backoff with "equal jitter": the wait after n failures is half the exponential delay
 * plus a random share of the other half. The fixed half protects a failing issuer; the random half
 * keeps a fleet that failed together from retrying together.
 */
export class Backoff {
  readonly #options: BackoffOptions
  readonly #random: () => number
  #failures = 0
  #nextAttemptAt = Number.NEGATIVE_INFINITY
  #lastError: unknown

  constructor(options: BackoffOptions, random: () => number) {
    this.#options = options
    this.#random = random
  }

  /** Whether a fetch may start at `now`. */
  allows(now: number): boolean {
    return now >= this.#nextAttemptAt
  }

  get failures(): number {
    return this.#failures
  }

  get nextAttemptAt(): number {
    return this.#nextAttemptAt
  }

  /** The failure of the latest attempt, while the issuer keeps failing. */
  get lastError(): unknown {
    return this.#lastError
  }

  failed(now: number, error: unknown): void {
    this.#failures++
    this.#lastError = error
    const exponential = Math.min(this.#options.maxMs, this.#options.initialMs * 2 ** (this.#failures - 1))
    const jitter = Math.min(1, Math.max(0, this.#random()))
    this.#nextAttemptAt = now + exponential / 2 + (exponential / 2) * jitter
  }

  succeeded(): void {
    this.#failures = 0
    this.#lastError = undefined
    this.#nextAttemptAt = Number.NEGATIVE_INFINITY
  }
}

export function resolveBackoff(options: {
  initialMs?: number | undefined
  maxMs?: number | undefined
}): BackoffOptions {
  const resolved = { initialMs: options.initialMs ?? 1000, maxMs: options.maxMs ?? 5 * 60_000 }
  assertDuration(resolved.initialMs, 'backoffInitialMs')
  assertDuration(resolved.maxMs, 'backoffMaxMs')
  if (resolved.initialMs > resolved.maxMs) {
    throw new TypeError('"backoffInitialMs" must not be greater than "backoffMaxMs"')
  }
  return Object.freeze(resolved)
}
