import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceFailureLimits } from '../src/limits/device-failure-limits.js'
import { MemoryCounters } from '../src/limits/memory-counters.js'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import {
  admin,
  assertion,
  auditEvents,
  type Credentials,
  deviceKey,
  introspect,
  JWT_BEARER,
  login,
  refresh,
  registerDevice,
  registerFleetClient,
  tokenRequest,
} from './helpers/devices.js'
import { createDatabase } from './helpers/postgres.js'

const dialects: [string, () => Promise<string | undefined>][] = [
  ['sqlite', async () => undefined],
  ['postgres', createDatabase],
]

/** Device registry and device login (RFC 7523 §2.1) over real HTTP, on each database. */
describe.each(dialects)('devices and device login: %s', (_name, databaseUrl) => {
  const dir = tempDir()
  let server: RunningAuthority
  let fleet: Credentials

  beforeAll(async () => {
    const url = await databaseUrl()
    server = await startAuthority({
      dataDir: dir.path,
      deviceFailureLimit: 0,
      ...(url ? { databaseUrl: url } : {}),
    })
    fleet = await registerFleetClient(server.url)
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('registers, reads, updates and deletes devices, refusing private and unsupported keys', async () => {
    const key = await deviceKey('Ed25519')
    const device = await registerDevice(server.url, key, { id: 'sensor-1', metadata: { site: 'north' } })
    expect(device).toMatchObject({
      id: 'sensor-1',
      status: 'active',
      alg: 'Ed25519',
      metadata: { site: 'north' },
    })
    expect(device.jwk_thumbprint).toBe(await calculateJwkThumbprint(key.jwk))
    expect((await admin(server.url, 'GET', '/devices/sensor-1')).body.jwk_thumbprint).toBe(
      device.jwk_thumbprint,
    )
    expect(
      (await admin(server.url, 'POST', '/devices', { id: 'sensor-1', jwk: key.jwk, acl: {} })).status,
    ).toBe(409)

    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const rsa = await generateKeyPair('RS256', { extractable: true })
    const refused = [
      { jwk: await exportJWK(privateKey), acl: {} },
      { jwk: await exportJWK(rsa.publicKey), acl: {} },
      { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, acl: {} },
      { jwk: key.jwk, acl: { publish: ['a/#/b'] } },
      { jwk: key.jwk, acl: { subscribe: ['a/b+'] } },
      { jwk: key.jwk, acl: { publish: ['{other}/x'] } },
      { jwk: key.jwk, acl: {}, id: 'a/b' },
      { jwk: key.jwk, acl: {}, id: '#' },
    ]
    for (const body of refused) {
      const { status, body: error } = await admin(server.url, 'POST', '/devices', body)
      expect(status, JSON.stringify(body)).toBe(400)
      expect(error.error).toBe('invalid_request')
    }

    const patched = await admin(server.url, 'PATCH', '/devices/sensor-1', {
      status: 'disabled',
      acl: { publish: ['x/{device}'], subscribe: [] },
    })
    expect(patched.body).toMatchObject({
      status: 'disabled',
      acl: { publish: ['x/{device}'], subscribe: [] },
    })
    expect((await admin(server.url, 'PATCH', '/devices/sensor-1', { jwk: key.jwk })).status).toBe(400)
    expect((await admin(server.url, 'PATCH', '/devices/none', { status: 'active' })).status).toBe(404)
    const listed = (await admin(server.url, 'GET', '/devices')).body.devices as { id: string }[]
    expect(listed.map((d) => d.id)).toContain('sensor-1')
    expect((await admin(server.url, 'DELETE', '/devices/sensor-1')).status).toBe(204)
    expect((await admin(server.url, 'GET', '/devices/sensor-1')).status).toBe(404)
    expect((await admin(server.url, 'DELETE', '/devices/sensor-1')).status).toBe(404)
  })

  it('logs a device in; jose verifies its access token against the JWKS and the acl matches', async () => {
    for (const kind of ['ES256', 'Ed25519'] as const) {
      const key = await deviceKey(kind)
      const device = await registerDevice(server.url, key)
      expect(device.id).toMatch(/^dev-/)
      const { status, headers, body } = await login(
        server.url,
        fleet,
        await assertion(key, device.id, server.url),
      )
      expect(status, JSON.stringify(body)).toBe(200)
      expect(headers.get('cache-control')).toBe('no-store')
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 })
      expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/)

      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`))
      const { payload } = await jwtVerify(body.access_token, jwks, { issuer: server.url, typ: 'at+jwt' })
      expect(payload).toMatchObject({ sub: device.id, client_id: fleet.client_id, aud: server.url })
      expect((payload.exp as number) - (payload.iat as number)).toBe(300)
      expect(payload.acl).toEqual({
        publish: [`devices/${device.id}/telemetry`],
        subscribe: [`devices/${device.id}/commands/#`],
      })
      expect(await introspect(server.url, fleet, body.access_token)).toMatchObject({
        active: true,
        acl: payload.acl,
      })
    }
  })

  it('refuses wrong keys, bad claims, replays, disabled and unknown devices with invalid_grant and audits them', async () => {
    const key = await deviceKey('ES256')
    const other = await deviceKey('ES256')
    const device = await registerDevice(server.url, key)
    const now = Math.floor(Date.now() / 1000)
    const jti = crypto.randomUUID()
    expect(
      (await login(server.url, fleet, await assertion(key, device.id, server.url, { jti }))).status,
    ).toBe(200)
    const cases = [
      await assertion(key, device.id, server.url, { jti }), // replayed
      await assertion(other, device.id, server.url), // wrong key
      await assertion(key, device.id, server.url, { exp: now - 120, iat: now - 200 }), // expired
      await assertion(key, device.id, server.url, { exp: now + 3600 }), // more than 10 minutes ahead
      await assertion(key, device.id, server.url, { iat: now + 600 }), // issued in the future
      await assertion(key, device.id, server.url, { aud: 'https://elsewhere.example' }),
      await assertion(key, device.id, server.url, { sub: 'someone-else' }),
      await assertion(key, 'no-such-device', server.url),
      'not-a-jwt',
    ]
    for (const jwt of cases) {
      const { status, body } = await login(server.url, fleet, jwt)
      expect(status, jwt).toBe(400)
      expect(body.error).toBe('invalid_grant')
    }
    await admin(server.url, 'PATCH', `/devices/${device.id}`, { status: 'disabled' })
    expect((await login(server.url, fleet, await assertion(key, device.id, server.url))).body.error).toBe(
      'invalid_grant',
    )
    await admin(server.url, 'PATCH', `/devices/${device.id}`, { status: 'active' })
    expect((await login(server.url, fleet, await assertion(key, device.id, server.url))).status).toBe(200)

    const failures = await auditEvents(server.url, 'device.login_failed')
    const reasons = failures.map((e) => JSON.parse(e.detail).reason)
    for (const reason of ['replayed', 'invalid_assertion', 'too_long', 'unknown', 'malformed', 'disabled']) {
      expect(reasons).toContain(reason)
    }
  })

  it('lets only clients registered for the grant log devices in', async () => {
    const plain = await registerFleetClient(server.url, { grant_types: ['client_credentials'] })
    const key = await deviceKey('ES256')
    const device = await registerDevice(server.url, key)
    const { status, body } = await login(server.url, plain, await assertion(key, device.id, server.url))
    expect([status, body.error]).toEqual([400, 'unauthorized_client'])
    expect((await tokenRequest(server.url, fleet, { grant_type: 'client_credentials' })).body.error).toBe(
      'unauthorized_client',
    )
    expect((await tokenRequest(server.url, fleet, { grant_type: JWT_BEARER })).body.error).toBe(
      'invalid_request',
    )
  })
})

describe('failed device logins are rate limited per device and per address', () => {
  const dir = tempDir()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, deviceFailureLimit: 3 })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('answers 429 slow_down with Retry-After once the failures are spent, even for a valid assertion', async () => {
    const fleet = await registerFleetClient(server.url)
    const key = await deviceKey('ES256')
    const wrong = await deviceKey('ES256')
    const device = await registerDevice(server.url, key)
    for (let i = 0; i < 3; i++) {
      expect((await login(server.url, fleet, await assertion(wrong, device.id, server.url))).status).toBe(400)
    }
    const limited = await login(server.url, fleet, await assertion(key, device.id, server.url))
    expect(limited.status).toBe(429)
    expect(limited.body.error).toBe('slow_down')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // Refreshes share the budget: this address has spent it.
    expect((await refresh(server.url, fleet, 'A'.repeat(43))).status).toBe(429)
  })

  it('charges unverified failures to the address only, verified ones also to (device, client)', async () => {
    const limits = new DeviceFailureLimits(new MemoryCounters(Date.now), 2)
    for (let i = 0; i < 5; i++) await limits.checkDevice('dev-ok', 'client-a')
    await limits.failUnverified('192.0.2.1')
    await limits.failUnverified('192.0.2.1')
    await expect(limits.checkAddress('192.0.2.1')).rejects.toThrow(/too many failed/)
    await limits.failVerified('192.0.2.2', 'dev-a', 'client-a')
    await limits.failVerified('192.0.2.3', 'dev-a', 'client-a')
    await expect(limits.checkDevice('dev-a', 'client-a')).rejects.toThrow(/too many failed/)
    await expect(limits.checkDevice('dev-a', 'client-b')).resolves.toBeUndefined()
    await expect(limits.checkAddress('192.0.2.2')).resolves.toBeUndefined()
  })
})
