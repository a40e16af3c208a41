import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { REFUSAL_REASONS, type RefusalReason } from '../errors.js'
import type { UpstreamFailure } from '../proxy/upstream-errors.js'
import type { VerifierEvent } from '../verify/create-token-verifier.js'

export type RequestOutcome = 'allowed' | 'refused' | 'public'

/**
 * The gateway's Prometheus metrics. Every label value comes from a closed set (outcomes, refusal
 * reasons, fetch results); subjects, token ids, paths and clients never become labels.
 *
 * The two things every admitted request does — count itself allowed (or public) and, with a cached
 * token, count a cache hit — add to plain numbers that reach prom-client when it is scraped: a
 * prom-client update validates and hashes its labels on every call, which cost more than the rest
 * of the gateway's own work on a cached request. Signature verifications (cache misses) are timed
 * in the latency histogram; cache hits are counted, not timed, since they take no verification.
 */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'outcome' | 'reason'>
  readonly #upstreamErrors: Counter<'kind'>
  readonly #verification: Histogram
  readonly #verifications: Counter<'cache'>
  readonly #jwksFetches: Counter<'result'>
  readonly #unknownKid: Counter
  readonly #skew: Histogram
  readonly #refused = new Map<string, ReturnType<Counter<'outcome' | 'reason'>['labels']>>()
  // Counted since the last scrape, not yet in prom-client.
  #allowed = 0
  #public = 0
  #hits = 0
  #misses = 0

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    const flushRequests = () => {
      this.#requests.inc({ outcome: 'allowed', reason: 'none' }, this.#allowed)
      this.#requests.inc({ outcome: 'public', reason: 'none' }, this.#public)
      this.#allowed = 0
      this.#public = 0
    }
    const flushVerifications = () => {
      this.#verifications.inc({ cache: 'hit' }, this.#hits)
      this.#verifications.inc({ cache: 'miss' }, this.#misses)
      this.#hits = 0
      this.#misses = 0
    }
    this.#requests = new Counter({
      name: 'tessera_gateway_requests_total',
      help: 'Requests by outcome and refusal reason',
      labelNames: ['outcome', 'reason'],
      registers,
      collect: flushRequests,
    })
    this.#upstreamErrors = new Counter({
      name: 'tessera_gateway_upstream_errors_total',
      help: 'Upstream failures answered with 502 (unreachable) or 504 (timeout)',
      labelNames: ['kind'],
      registers,
    })
    this.#verifications = new Counter({
      name: 'tessera_gateway_verifications_total',
      help: 'Accepted tokens, by whether the verified-token cache answered or the signature was checked',
      labelNames: ['cache'],
      registers,
      collect: flushVerifications,
    })
    this.#verification = new Histogram({
      name: 'tessera_gateway_verification_duration_seconds',
      help: 'Latency of token verifications that checked a signature (cache misses, accepted or refused)',
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
    flushRequests()
    flushVerifications()
    for (const reason of REFUSAL_REASONS) {
      const child = this.#requests.labels({ outcome: 'refused', reason })
      child.inc(0)
      this.#refused.set(reason, child)
    }
    for (const result of ['success', 'failure']) this.#jwksFetches.inc({ result }, 0)
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'tessera_gateway_' })
  }

  request(outcome: RequestOutcome, reason: RefusalReason | 'none' = 'none'): void {
    if (outcome === 'allowed') this.#allowed++
    else if (outcome === 'public') this.#public++
    else this.#refused.get(reason)?.inc()
  }

  upstreamError(kind: UpstreamFailure): void {
    this.#upstreamErrors.inc({ kind })
  }

  /** The verifier's `onEvent`. */
  readonly observe = (event: VerifierEvent): void => {
    if (event.type === 'verified') {
      if (event.cached) {
        this.#hits++
        return
      }
      this.#misses++
      this.#verification.observe(event.durationMs / 1000)
      if (event.skewSeconds !== undefined) this.#skew.observe(event.skewSeconds)
    } else if (event.type === 'refused') {
      if (event.durationMs > 0) this.#verification.observe(event.durationMs / 1000)
    } else if (event.event.type === 'fetch') this.#jwksFetches.inc({ result: 'success' })
    else if (event.event.type === 'fetch-failed') this.#jwksFetches.inc({ result: 'failure' })
    else if (event.event.type === 'unknown-kid') this.#unknownKid.inc()
  }
}
