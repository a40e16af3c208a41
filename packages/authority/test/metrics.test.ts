import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import {
  admin,
  assertion,
  deviceKey,
  login,
  refresh,
  registerDevice,
  registerFleetClient,
} from './helpers/devices.js'
import { type Exposition, parseExposition, sampleValue } from './helpers/prometheus.js'

async function scrape(url: string, authorization?: string): Promise<Exposition> {
  const response = await fetch(url, authorization ? { headers: { authorization } } : {})
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(await response.text())
}

describe('/metrics on the main port, behind the admin token', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let deviceId: string
  beforeAll(async () => {
    // A per-address limit low enough to trip: the token requests below spend it, then one is refused.
    server = await startAuthority({ dataDir: dir.path, rateLimitPerAddress: 20 })
  })
  afterAll(async () => {
    await server.close()
    dir.remove()
  })

  it('refuses a scrape without the admin token (401, RFC 6750 challenge)', async () => {
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token')
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('counts requests by route pattern and status, tokens by grant, refresh outcomes, limits, keys', async () => {
    const client = await registerClient(server.url)
    for (let i = 0; i < 3; i++) expect((await requestToken(server.url, client)).status).toBe(200)
    expect((await requestToken(server.url, client, { grant_type: 'password' })).status).toBe(400)

    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey()
    deviceId = (await registerDevice(server.url, key)).id
    const first = await login(server.url, fleet, await assertion(key, deviceId, server.url))
    expect(first.status).toBe(200)
    const rotated = await refresh(server.url, fleet, first.body.refresh_token)
    expect(rotated.status).toBe(200)
    // Presenting the consumed token again is reuse: the family is revoked.
    expect((await refresh(server.url, fleet, first.body.refresh_token)).status).toBe(400)
    expect((await admin(server.url, 'GET', `/devices/${deviceId}`)).status).toBe(200)
    expect((await fetch(`${server.url}/no/such/${deviceId}?secret=x`)).status).toBe(404)
    expect((await admin(server.url, 'POST', '/keys/rotate')).status).toBe(200)

    // A burst beyond the per-address bucket (20): some are refused with 429.
    const burst = await Promise.all(Array.from({ length: 40 }, () => requestToken(server.url, client)))
    const refused = burst.filter((response) => response.status === 429).length
    expect(refused).toBeGreaterThan(0)
    expect(refused + burst.filter((response) => response.status === 200).length).toBe(40)

    const metrics = await scrape(`${server.url}/metrics`, `Bearer ${ADMIN_TOKEN}`)
    const requests = (labels: Record<string, string>) =>
      sampleValue(metrics, 'tessera_http_requests_total', labels)
    expect(requests({ route: '/oauth/token', method: 'POST', status: '400' })).toBe(2)
    expect(requests({ route: '/oauth/token', method: 'POST', status: '429' })).toBe(refused)
    expect(requests({ route: '/oauth/register', method: 'POST', status: '201' })).toBe(2)
    expect(requests({ route: '/admin/devices/:id', method: 'GET', status: '200' })).toBe(1)
    expect(requests({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1)
    // client_credentials: 3 before the rotation, then up to the refusal; all successes counted.
    const tokenOk = requests({ route: '/oauth/token', method: 'POST', status: '200' }) as number
    expect(sampleValue(metrics, 'tessera_tokens_issued_total', { grant_type: 'client_credentials' })).toBe(
      tokenOk - 2,
    )
    expect(
      sampleValue(metrics, 'tessera_tokens_issued_total', {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      }),
    ).toBe(1)
    expect(sampleValue(metrics, 'tessera_tokens_issued_total', { grant_type: 'refresh_token' })).toBe(1)
    expect(sampleValue(metrics, 'tessera_refresh_tokens_total', { outcome: 'rotated' })).toBe(1)
    expect(sampleValue(metrics, 'tessera_refresh_tokens_total', { outcome: 'reuse' })).toBe(1)
    expect(sampleValue(metrics, 'tessera_rate_limit_refusals_total', { route: '/oauth/token' })).toBe(refused)
    expect(sampleValue(metrics, 'tessera_key_events_total', { event: 'rotated' })).toBe(1)
    expect(sampleValue(metrics, 'tessera_signing_keys', { state: 'current' })).toBe(1)
    expect(sampleValue(metrics, 'tessera_signing_keys', { state: 'retired' })).toBe(1)
    const age = sampleValue(metrics, 'tessera_signing_key_age_seconds', { state: 'current' }) as number
    expect(age).toBeGreaterThanOrEqual(0)
    expect(age).toBeLessThan(60)
    expect(sampleValue(metrics, 'tessera_audit_queue_depth')).toBeGreaterThanOrEqual(0)
    expect(
      sampleValue(metrics, 'tessera_storage_operation_duration_seconds_count', { operation: 'listKeys' }),
    ).toBeGreaterThan(0)
    expect(sampleValue(metrics, 'tessera_process_cpu_seconds_total')).toBeGreaterThan(0)
  })

  it('follows Prometheus naming and keeps every label value bounded (no raw paths or ids)', async () => {
    const metrics = await scrape(`${server.url}/metrics`, `Bearer ${ADMIN_TOKEN}`)
    for (const [name, type] of metrics.types) {
      expect(name).toMatch(/^tessera_[a-z0-9_]+$/)
      if (type === 'counter') expect(name).toMatch(/_total$/)
      expect(metrics.help.get(name)).toBeTruthy()
    }
    const routes = new Set(
      metrics.samples.filter((s) => s.name === 'tessera_http_requests_total').map((s) => s.labels.route),
    )
    for (const route of routes) expect(route === 'unmatched' || route?.startsWith('/')).toBe(true)
    const everyLabel = metrics.samples.flatMap((sample) => Object.values(sample.labels))
    expect(everyLabel.some((value) => value.includes(deviceId) || value.includes('?'))).toBe(false)
  })
})

describe('/metrics on a port of its own (metricsPort)', () => {
  const dir = tempDir()
  let server: RunningAuthority
  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, metricsPort: 0 })
  })
  afterAll(async () => {
    await server.close()
    dir.remove()
  })

  it('serves the exposition without a token there, and nothing at /metrics on the main port', async () => {
    const url = server.authority.metricsUrl as string
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    expect(url).not.toBe(`${server.url}/metrics`)
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(200)
    const metrics = await scrape(url)
    expect(
      sampleValue(metrics, 'tessera_http_requests_total', {
        route: '/.well-known/jwks.json',
        method: 'GET',
        status: '200',
      }),
    ).toBe(1)
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status,
    ).toBe(404)
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404)
  })
})

describe('metrics off (metrics: false)', () => {
  it('registers no /metrics at all', async () => {
    const dir = tempDir()
    const server = await startAuthority({ dataDir: dir.path, metrics: false })
    try {
      const response = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      expect(response.status).toBe(404)
      expect(server.authority.metricsUrl).toBeUndefined()
    } finally {
      await server.close()
      dir.remove()
    }
  })
})
