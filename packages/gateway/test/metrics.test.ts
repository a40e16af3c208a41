import { describe, expect, test } from 'vitest'
import { GatewayMetrics } from '../src/metrics/gateway-metrics.js'

const value = (text: string, series: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** The hot-path counts wait in plain numbers until a scrape: every scrape must still see them all. */
describe('gateway metrics', () => {
  test('allowed, public and cache-hit counts add up exactly across scrapes', async () => {
    const metrics = new GatewayMetrics()
    const hit = { type: 'verified', cached: true, durationMs: 0, skewSeconds: undefined } as const
    const miss = { type: 'verified', cached: false, durationMs: 2, skewSeconds: -1 } as const
    const allowed = 'tessera_gateway_requests_total{outcome="allowed",reason="none"}'
    const hits = 'tessera_gateway_verifications_total{cache="hit"}'
    const misses = 'tessera_gateway_verifications_total{cache="miss"}'
    let text = await metrics.registry.metrics()
    expect([value(text, allowed), value(text, hits), value(text, misses)]).toEqual([0, 0, 0])
    for (let i = 0; i < 3; i++) {
      metrics.request('allowed')
      metrics.observe(hit)
    }
    metrics.request('public')
    metrics.observe(miss)
    text = await metrics.registry.metrics()
    expect([value(text, allowed), value(text, hits), value(text, misses)]).toEqual([3, 3, 1])
    expect(value(text, 'tessera_gateway_requests_total{outcome="public",reason="none"}')).toBe(1)
    // Only the signature check is timed.
    expect(value(text, 'tessera_gateway_verification_duration_seconds_count')).toBe(1)
    metrics.request('allowed')
    metrics.request('allowed')
    metrics.request('refused', 'expired')
    text = await metrics.registry.metrics()
    expect(value(text, allowed)).toBe(5)
    expect(value(text, 'tessera_gateway_requests_total{outcome="refused",reason="expired"}')).toBe(1)
  })
})
