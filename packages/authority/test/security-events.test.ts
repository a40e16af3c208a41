import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, basic, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import {
  assertion,
  type Credentials,
  deviceKey,
  type Json,
  login,
  refresh,
  registerDevice,
  registerFleetClient,
} from './helpers/devices.js'
import { parseExposition, sampleValue } from './helpers/prometheus.js'

interface Delivery {
  at: number
  body: Record<string, unknown>
}

/** A webhook receiver on 127.0.0.1 that answers the first deliveries slowly and with errors. */
function receiver(
  failures: number,
  delayMs: number,
): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = []
  let seen = 0
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      deliveries.push({
        at: Date.now(),
        body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
      })
      const failing = seen++ < failures
      setTimeout(() => response.writeHead(failing ? 503 : 204).end(), failing ? delayMs : 0)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, deliveries, server }),
    ),
  )
}

/** A refresh sent from `localAddress` (any 127.0.0.0/8 address is this machine's loopback). */
function refreshFrom(url: string, client: Credentials, token: string, localAddress: string) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString()
  return new Promise<{ status: number; body: Json }>((resolve, reject) => {
    const request = httpRequest(
      `${url}/oauth/token`,
      {
        method: 'POST',
        localAddress,
        headers: {
          authorization: basic(client.client_id, client.client_secret),
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString()) as Json,
          }),
        )
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

async function securityEvents(url: string) {
  const response = await fetch(`${url}/admin/security-events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as {
    rules: { rule: string; threshold: number; window_s: number; doc: string }[]
    events: { rule: string; subject: string; at: string; detail: Record<string, unknown> }[]
  }
}

async function until<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('security events: rules, audit events, metrics and the alert webhook', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let hook: Awaited<ReturnType<typeof receiver>>
  beforeAll(async () => {
    // Two refused deliveries, each answered after 1.5 s: the retries must never hold up a request.
    hook = await receiver(2, 1500)
    server = await startAuthority({ dataDir: dir.path, alertWebhook: hook.url, deviceFailureLimit: 0 })
  })
  afterAll(async () => {
    await server.close()
    hook.server.close()
    dir.remove()
  })

  it('lists the rules with their thresholds, behind the admin token', async () => {
    expect((await fetch(`${server.url}/admin/security-events`)).status).toBe(401)
    const { rules, events } = await securityEvents(server.url)
    expect(rules.map((rule) => [rule.rule, rule.threshold, rule.window_s])).toEqual([
      ['refresh_token_reuse', 1, 0],
      ['passkey_counter_regression', 1, 0],
      ['credential_stuffing', 10, 300],
      ['device_brute_force', 20, 300],
      ['device_many_addresses', 5, 600],
    ])
    expect(events).toEqual([])
  })

  it('credential stuffing: 10 different devices failing from one address fire once, without blocking a request', async () => {
    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey()
    const started = Date.now()
    for (let i = 0; i < 10; i++) {
      // Devices that do not exist, as a stuffing run guesses them; each answer comes back at once.
      const before = Date.now()
      const response = await login(server.url, fleet, await assertion(key, `dev-stuffed-${i}`, server.url))
      expect(response.status).toBe(400)
      expect(response.body.error).toBe('invalid_grant')
      expect(Date.now() - before).toBeLessThan(1000)
    }
    await server.authority.context.audit.flush()
    const { events } = await securityEvents(server.url)
    expect(events.map((event) => [event.rule, event.subject, event.detail.devices])).toEqual([
      ['credential_stuffing', '127.0.0.1', 10],
    ])
    // Delivered after two refusals, with backoff (1 s, then 2 s) after each slow refusal.
    const deliveries = await until(
      () => hook.deliveries,
      (list) => list.length >= 3,
    )
    expect(deliveries.map((delivery) => delivery.body.rule)).toEqual([
      'credential_stuffing',
      'credential_stuffing',
      'credential_stuffing',
    ])
    expect(deliveries[0]?.body).toMatchObject({
      subject: '127.0.0.1',
      detail: { devices: 10, window_s: 300 },
    })
    const [first, second, third] = deliveries.map((delivery) => delivery.at) as [number, number, number]
    expect(first - started).toBeLessThan(5000)
    expect(second - first).toBeGreaterThanOrEqual(2400)
    expect(third - second).toBeGreaterThanOrEqual(3400)
  })

  it('refresh-token reuse fires at once; every rule is counted in tessera_security_events_total', async () => {
    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey()
    const device = await registerDevice(server.url, key)
    const first = await login(server.url, fleet, await assertion(key, device.id, server.url))
    expect((await refresh(server.url, fleet, first.body.refresh_token)).status).toBe(200)
    expect((await refresh(server.url, fleet, first.body.refresh_token)).status).toBe(400)
    await server.authority.context.audit.flush()
    const reuse = (await securityEvents(server.url)).events.filter(
      (event) => event.rule === 'refresh_token_reuse',
    )
    expect(reuse.map((event) => event.subject)).toEqual([device.id])
    const delivered = await until(
      () => hook.deliveries.filter((delivery) => delivery.body.rule === 'refresh_token_reuse'),
      (list) => list.length === 1,
    )
    expect(delivered).toHaveLength(1)

    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const exposition = parseExposition(await metrics.text())
    expect(sampleValue(exposition, 'tessera_security_events_total', { rule: 'credential_stuffing' })).toBe(1)
    expect(sampleValue(exposition, 'tessera_security_events_total', { rule: 'refresh_token_reuse' })).toBe(1)
    expect(sampleValue(exposition, 'tessera_security_events_total', { rule: 'device_brute_force' })).toBe(0)
  })

  it('one device refreshing from 5 different addresses within the window fires once', async () => {
    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey()
    const device = await registerDevice(server.url, key)
    let current = (await login(server.url, fleet, await assertion(key, device.id, server.url))).body
      .refresh_token as string
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.2', '127.0.0.5']) {
      const next = await refreshFrom(server.url, fleet, current, address)
      expect(next.status).toBe(200)
      current = next.body.refresh_token as string
    }
    await server.authority.context.audit.flush()
    const fired = (await securityEvents(server.url)).events.filter(
      (event) => event.rule === 'device_many_addresses',
    )
    expect(fired.map((event) => [event.subject, event.detail.addresses])).toEqual([[device.id, 5]])
  })

  it('device brute force: 20 failures against one device within the window fire once', async () => {
    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey()
    const device = await registerDevice(server.url, key)
    const wrong = await deviceKey()
    for (let i = 0; i < 20; i++) {
      const response = await login(server.url, fleet, await assertion(wrong, device.id, server.url))
      expect(response.status).toBe(400)
    }
    await server.authority.context.audit.flush()
    const fired = (await securityEvents(server.url)).events.filter(
      (event) => event.rule === 'device_brute_force',
    )
    expect(fired.map((event) => [event.subject, event.detail.failures])).toEqual([[device.id, 20]])
  })
})
