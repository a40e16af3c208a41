import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { REFUSAL_REASONS, type RefusalReason } from '../errors.js'
import type { UpstreamFailure } from '../proxy/upstream-errors.js'
import type { VerifierEvent } from '../verify/create-token-verifier.js'

export type RequestOutcome = 'allowed' | 'refused' | 'public'

/**
 * The gateway's Prometheus metrics. Every label value comes from a closed set (outcomes, refusal
 * reasons, fetch results); subjects, token ids, paths and clients never become labels.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'outcome' | 'reason'>
  readonly #upstreamErrors: Counter<'kind'>
  readonly #verification: Histogram<'cache'>
  readonly #jwksFetches: Counter<'result'>
  readonly #unknownKid: Counter
  readonly #skew: Histogram
  // Label children resolved once: prom-client hashes the label object on every un-bound call.
  readonly #allowed: ReturnType<Counter<'outcome' | 'reason'>['labels']>
  readonly #public: ReturnType<Counter<'outcome' | 'reason'>['labels']>
  readonly #refused = new Map<string, ReturnType<Counter<'outcome' | 'reason'>['labels']>>()
  readonly #hit: ReturnType<Histogram<'cache'>['labels']>
  readonly #miss: ReturnType<Histogram<'cache'>['labels']>

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.#requests = new Counter({
      name: 'tessera_gateway_requests_total',
      help: 'Requests by outcome and refusal reason',
      labelNames: ['outcome', 'reason'],
      registers,
    })
    this.#upstreamErrors = new Counter({
      name: 'tessera_gateway_upstream_errors_total',
      help: 'Upstream failures answered with 502 (unreachable) or 504 (timeout)',
      labelNames: ['kind'],
      registers,
    })
    this.#verification = new Histogram({
      name: 'tessera_gateway_verification_duration_seconds',
      help: 'Token verification latency, by whether the verified-token cache answered',
      labelNames: ['cache'],
      buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25, 1],
      registers,
    })
    this.#jwksFetches = new Counter({
      name: 'tessera_gateway_jwks_fetches_total',
      help: 'Fetches of the issuer JWK set by result',
      labelNames: ['result'],
      registers,
    })
    this.#unknownKid = new Counter({
      name: 'tessera_gateway_jwks_unknown_kid_total',
      help: 'Tokens naming a kid the cached JWK set does not hold',
      registers,
    })
    this.#skew = new Histogram({
      name: 'tessera_gateway_clock_skew_seconds',
      help: 'iat minus the gateway clock at first verification; far from 0 means a drifting issuer or a bad deploy',
      buckets: [-600, -60, -10, -5, -1, 0, 1, 5, 10, 60, 600],
      registers,
    })
    // Every known series exists from the start, so a dashboard sees it before its first increment.
    this.#allowed = this.#requests.labels({ outcome: 'allowed', reason: 'none' })
    this.#public = this.#requests.labels({ outcome: 'public', reason: 'none' })
    for (const reason of REFUSAL_REASONS) {
      const child = this.#requests.labels({ outcome: 'refused', reason })
      child.inc(0)
      this.#refused.set(reason, child)
    }
    this.#allowed.inc(0)
    this.#public.inc(0)
    this.#hit = this.#verification.labels({ cache: 'hit' })
    this.#miss = this.#verification.labels({ cache: 'miss' })
    for (const result of ['success', 'failure']) this.#jwksFetches.inc({ result }, 0)
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'tessera_gateway_' })
  }

  request(outcome: RequestOutcome, reason: RefusalReason | 'none' = 'none'): void {
    if (outcome === 'allowed') this.#allowed.inc()
    else if (outcome === 'public') this.#public.inc()
    else this.#refused.get(reason)?.inc()
  }

  upstreamError(kind: UpstreamFailure): void {
    this.#upstreamErrors.inc({ kind })
  }

  /** The verifier's `onEvent`. */
  readonly observe = (event: VerifierEvent): void => {
    if (event.type === 'verified') {
      ;(event.cached ? this.#hit : this.#miss).observe(event.durationMs / 1000)
      if (event.skewSeconds !== undefined) this.#skew.observe(event.skewSeconds)
    } else if (event.type === 'refused') {
      if (event.durationMs > 0) this.#miss.observe(event.durationMs / 1000)
    } else if (event.event.type === 'fetch') this.#jwksFetches.inc({ result: 'success' })
    else if (event.event.type === 'fetch-failed') this.#jwksFetches.inc({ result: 'failure' })
    else if (event.event.type === 'unknown-kid') this.#unknownKid.inc()
  }
}
