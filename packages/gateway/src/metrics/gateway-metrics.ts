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
    // Known label values start at zero, so a dashboard sees a series before its first increment.
    this.#requests.inc({ outcome: 'allowed', reason: 'none' }, 0)
    this.#requests.inc({ outcome: 'public', reason: 'none' }, 0)
    for (const reason of REFUSAL_REASONS) this.#requests.inc({ outcome: 'refused', reason }, 0)
    for (const result of ['success', 'failure']) this.#jwksFetches.inc({ result }, 0)
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'tessera_gateway_' })
  }

  request(outcome: RequestOutcome, reason: RefusalReason | 'none' = 'none'): void {
    this.#requests.inc({ outcome, reason })
  }

  upstreamError(kind: UpstreamFailure): void {
    this.#upstreamErrors.inc({ kind })
  }

  /** The verifier's `onEvent`. */
  readonly observe = (event: VerifierEvent): void => {
    if (event.type === 'verified') {
      this.#verification.observe({ cache: event.cached ? 'hit' : 'miss' }, event.durationMs / 1000)
      if (event.skewSeconds !== undefined) this.#skew.observe(event.skewSeconds)
    } else if (event.type === 'refused') {
      if (event.durationMs > 0) this.#verification.observe({ cache: 'miss' }, event.durationMs / 1000)
    } else if (event.event.type === 'fetch') this.#jwksFetches.inc({ result: 'success' })
    else if (event.event.type === 'fetch-failed') this.#jwksFetches.inc({ result: 'failure' })
    else if (event.event.type === 'unknown-kid') this.#unknownKid.inc()
  }
}
