import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock, type ManualClock } from '../src/lib/clock.js'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import {
  admin,
  assertion,
  type Credentials,
  type DeviceKey,
  deviceKey,
  type Json,
  login,
  registerDevice,
  registerFleetClient,
  revoke,
} from './helpers/devices.js'
import { createDatabase } from './helpers/postgres.js'

const dialects: [string, () => Promise<string | undefined>][] = [
  ['sqlite', async () => undefined],
  ['postgres', createDatabase],
]

async function snapshot(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/revocations`, { headers })
  return { response, text: await response.text() }
}

async function verifiedClaims(url: string, jwt: string): Promise<Json> {
  const jwks = createLocalJWKSet(
    (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet,
  )
  const { payload } = await jwtVerify(jwt, jwks, { issuer: url, typ: 'revocations+jwt' })
  return payload
}

/** GET /revocations: the signed snapshot that gateways poll (issue 15). */
describe.each(dialects)('revocation snapshot: %s', (_name, databaseUrl) => {
  const dir = tempDir()
  let server: RunningAuthority
  let clock: ManualClock
  let fleet: Credentials
  let key: DeviceKey
  let deviceId: string

  beforeAll(async () => {
    const url = await databaseUrl()
    clock = createManualClock(Date.now())
    server = await startAuthority(
      { dataDir: dir.path, deviceFailureLimit: 0, ...(url ? { databaseUrl: url } : {}) },
      clock,
    )
    fleet = await registerFleetClient(server.url)
    key = await deviceKey('ES256')
    deviceId = (await registerDevice(server.url, key)).id
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  const deviceLogin = async () => {
    const now = Math.floor(clock.now() / 1000)
    const answer = await login(server.url, fleet, await assertion(key, deviceId, server.url, { now }))
    expect(answer.status).toBe(200)
    return answer.body as { access_token: string; refresh_token: string }
  }

  it('is a JWT signed by the current key, typ revocations+jwt, with iat, exp, version, ETag and a short max-age', async () => {
    const { response, text } = await snapshot(server.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=2')
    expect(response.headers.get('etag')).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/)
    const header = decodeProtectedHeader(text)
    expect(header).toMatchObject({ typ: 'revocations+jwt', alg: 'ES256' })
    expect(header.kid).toBe(server.authority.context.keys.ring.signing?.kid)
    const claims = await verifiedClaims(server.url, text)
    expect(claims.iat).toBe(Math.floor(clock.now() / 1000))
    expect(claims.exp).toBe((claims.iat as number) + 300)
    expect(typeof claims.version).toBe('number')
    expect(claims).toMatchObject({ jtis: {}, refresh_families: {}, issued_before: {} })
    // Unchanged content: the same entity tag answers 304.
    const again = await snapshot(server.url, { 'if-none-match': response.headers.get('etag') as string })
    expect(again.response.status).toBe(304)
    expect(again.text).toBe('')
  })

  it('RFC 7009 revocation of an access token by its client adds its jti, until the token expires', async () => {
    const before = await verifiedClaims(server.url, (await snapshot(server.url)).text)
    const tokens = await deviceLogin()
    const { jti, exp } = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1] as string, 'base64url').toString(),
    )
    expect((await revoke(server.url, fleet, tokens.access_token)).status).toBe(200)
    clock.advance(1500) // past the cache's max-age
    const first = await snapshot(server.url)
    const claims = await verifiedClaims(server.url, first.text)
    // Keyed by jti, kept until exp plus the clock tolerance, never by the token text.
    expect(claims.jtis[jti]).toBe(exp + 60)
    expect(first.text).not.toContain(tokens.access_token.split('.')[2])
    expect(claims.version).toBeGreaterThan(before.version)
    // The refresh family that login started is not revoked by revoking its access token.
    expect(Object.keys(claims.refresh_families)).toHaveLength(Object.keys(before.refresh_families).length)
    // Another client cannot revoke it (§2.1), and it stays listed.
    const other = await registerFleetClient(server.url)
    expect((await revoke(server.url, other, tokens.access_token)).status).toBe(400)
    // After the token expired (plus tolerance), it is dropped and the version moves on.
    clock.advance((exp + 61) * 1000 - clock.now())
    const later = await verifiedClaims(server.url, (await snapshot(server.url)).text)
    expect(later.jtis[jti]).toBeUndefined()
    expect(later.version).toBeGreaterThan(claims.version)
  })

  it('lists revoked refresh families and kill-switch cut-offs by subject, device and client', async () => {
    const tokens = await deviceLogin()
    expect((await revoke(server.url, fleet, tokens.refresh_token)).status).toBe(200)
    const killedAt = clock.now()
    expect((await admin(server.url, 'POST', '/kill-switch', { device: deviceId })).status).toBe(200)
    expect((await admin(server.url, 'POST', '/kill-switch', { client: fleet.client_id })).status).toBe(200)
    expect((await admin(server.url, 'POST', '/kill-switch', { subject: 'user-7' })).status).toBe(200)
    clock.advance(1500)
    const claims = await verifiedClaims(server.url, (await snapshot(server.url)).text)
    const families = await server.authority.context.storage.listRefreshFamilies(deviceId)
    for (const family of families) expect(claims.refresh_families[family.id]).toBeTypeOf('number')
    expect(claims.issued_before).toEqual({
      device: { [deviceId]: killedAt / 1000 },
      client: { [fleet.client_id]: killedAt / 1000 },
      subject: { 'user-7': killedAt / 1000 },
    })
    // A cut-off older than any live access token can be is no longer published.
    clock.advance(3661_000)
    const later = await verifiedClaims(server.url, (await snapshot(server.url)).text)
    expect(later.issued_before).toEqual({ device: {}, client: {}, subject: {} })
    expect(later.refresh_families).toEqual({})
  })
})

describe('revocation snapshot size', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let clock: ManualClock

  beforeAll(async () => {
    clock = createManualClock(Date.now())
    server = await startAuthority({ dataDir: dir.path }, clock)
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('stays bounded with 100,000 live revocations; expired ones are not published', async () => {
    const db = new Database(join(dir.path, 'tessera.db'))
    const insert = db.prepare('INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)')
    const live = clock.now() + 900_000
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run(crypto.randomUUID(), live)
      for (let i = 0; i < 20_000; i++) insert.run(`expired-${i}`, clock.now() - 1)
    })()
    db.close()
    const started = performance.now()
    const { response, text } = await snapshot(server.url)
    const elapsed = performance.now() - started
    expect(response.status).toBe(200)
    const claims = await verifiedClaims(server.url, text)
    expect(Object.keys(claims.jtis)).toHaveLength(100_000)
    expect(Object.keys(claims.jtis).some((jti) => jti.startsWith('expired-'))).toBe(false)
    // About 70 bytes per revocation once signed: well inside a gateway's 16 MiB limit.
    expect(text.length).toBeLessThan(7.5 * 1024 * 1024)
    expect(elapsed).toBeLessThan(5000)
  })
})
