import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock, type ManualClock } from '../src/lib/clock.js'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import {
  admin,
  assertion,
  auditEvents,
  type Credentials,
  type DeviceKey,
  deviceKey,
  introspect,
  login,
  refresh,
  registerDevice,
  registerFleetClient,
  revoke,
} from './helpers/devices.js'
import { createDatabase } from './helpers/postgres.js'

const dialects: [string, () => Promise<string | undefined>][] = [
  ['sqlite', async () => undefined],
  ['postgres', createDatabase],
]
const GRACE = 5
const IDLE = 120
const ABSOLUTE = 600

/** Refresh-token rotation, reuse detection, grace window, lifetimes, revocation and the kill switch. */
describe.each(dialects)('refresh tokens: %s', (_name, databaseUrl) => {
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
      {
        dataDir: dir.path,
        deviceFailureLimit: 0,
        refreshGraceWindow: GRACE,
        refreshTokenIdleTimeout: IDLE,
        refreshTokenLifetime: ABSOLUTE,
        ...(url ? { databaseUrl: url } : {}),
      },
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

  async function deviceLogin(client = fleet, id = deviceId, device = key) {
    const now = Math.floor(clock.now() / 1000)
    const { status, body } = await login(server.url, client, await assertion(device, id, server.url, { now }))
    expect(status, JSON.stringify(body)).toBe(200)
    return body as { access_token: string; refresh_token: string }
  }
  const families = async (id = deviceId) =>
    (await admin(server.url, 'GET', `/devices/${id}/refresh-families`)).body.families as {
      id: string
      revoke_reason: string | null
      tokens: { id: string; parent: string | null; generation: number; consumed_at: string | null }[]
    }[]

  it('rotates 100 times in a row; each token works once and the chain never forks', async () => {
    const first = await deviceLogin()
    const issued = [first.refresh_token]
    for (let i = 0; i < 100; i++) {
      const { status, body } = await refresh(server.url, fleet, issued.at(-1) as string)
      expect(status, JSON.stringify(body)).toBe(200)
      expect(body.refresh_token).not.toBe(issued.at(-1))
      issued.push(body.refresh_token)
    }
    expect(new Set(issued).size).toBe(101)
    expect(await introspect(server.url, fleet, issued.at(-1) as string)).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      client_id: fleet.client_id,
      sub: deviceId,
    })
    expect((await introspect(server.url, fleet, issued[99] as string)).active).toBe(false)
    const family = (await families()).at(-1)
    const tokens = family?.tokens ?? []
    expect(tokens.map((t) => t.generation)).toEqual(Array.from({ length: 101 }, (_, i) => i))
    tokens.slice(1).forEach((token, i) => {
      expect(token.parent).toBe(tokens[i]?.id)
    })
    expect(tokens.filter((t) => t.consumed_at === null)).toHaveLength(1)

    // Reuse of an old token (outside any grace: its successor has been used) revokes the family.
    const reused = await refresh(server.url, fleet, issued[50] as string)
    expect([reused.status, reused.body.error]).toEqual([400, 'invalid_grant'])
    expect((await refresh(server.url, fleet, issued.at(-1) as string)).body.error).toBe('invalid_grant')
    expect((await families()).at(-1)?.revoke_reason).toBe('reuse')
    const reuse = await auditEvents(server.url, 'refresh_token_reuse')
    expect(reuse.some((e) => e.subject === deviceId && JSON.parse(e.detail).family === family?.id)).toBe(true)
  })

  it('retries within the grace window by replacing the unused successor, never leaving two live tokens', async () => {
    const t0 = (await deviceLogin()).refresh_token
    const t1 = (await refresh(server.url, fleet, t0)).body.refresh_token as string
    // The response carrying t1 was "lost": the client retries t0 within the window.
    clock.advance((GRACE - 1) * 1000)
    const retried = await refresh(server.url, fleet, t0)
    expect(retried.status, JSON.stringify(retried.body)).toBe(200)
    const t2 = retried.body.refresh_token as string
    expect((await introspect(server.url, fleet, t1)).active).toBe(false)
    expect((await introspect(server.url, fleet, t2)).active).toBe(true)
    const chain = (await families()).at(-1)?.tokens ?? []
    expect(chain.map((t) => t.generation)).toEqual([0, 1, 2])
    expect(chain.filter((t) => t.consumed_at === null)).toHaveLength(1)
    const t3 = (await refresh(server.url, fleet, t2)).body.refresh_token as string
    expect(t3).toEqual(expect.any(String))
    // t0's answer (t2) has now been used: presenting t0 again is reuse, even inside the window.
    expect((await refresh(server.url, fleet, t0)).body.error).toBe('invalid_grant')
    expect((await families()).at(-1)?.revoke_reason).toBe('reuse')
    expect((await introspect(server.url, fleet, t3)).active).toBe(false)

    // Past the window, a consumed token is reuse at once.
    const u0 = (await deviceLogin()).refresh_token
    const u1 = (await refresh(server.url, fleet, u0)).body.refresh_token as string
    clock.advance((GRACE + 1) * 1000)
    expect((await refresh(server.url, fleet, u0)).body.error).toBe('invalid_grant')
    expect((await refresh(server.url, fleet, u1)).body.error).toBe('invalid_grant')
  })

  it('enforces the idle timeout and the absolute lifetime', async () => {
    const idle = (await deviceLogin()).refresh_token
    clock.advance((IDLE + 1) * 1000)
    expect((await refresh(server.url, fleet, idle)).body).toMatchObject({ error: 'invalid_grant' })

    let token = (await deviceLogin()).refresh_token
    for (let elapsed = 0; elapsed + 100 < ABSOLUTE; elapsed += 100) {
      clock.advance(100_000)
      const { status, body } = await refresh(server.url, fleet, token)
      expect(status, JSON.stringify(body)).toBe(200)
      token = body.refresh_token
    }
    clock.advance(100_000)
    expect((await refresh(server.url, fleet, token)).body).toMatchObject({
      error: 'invalid_grant',
      error_description: 'the refresh token has expired',
    })
  })

  it('binds tokens to their client, revokes families by RFC 7009, and stops disabled devices', async () => {
    const other = await registerFleetClient(server.url)
    const { refresh_token: token } = await deviceLogin()
    expect((await refresh(server.url, other, token)).body.error).toBe('invalid_grant')
    expect((await introspect(server.url, other, token)).active).toBe(false)
    expect((await revoke(server.url, other, token)).status).toBe(400)
    // The family survived the other client's attempts.
    const next = (await refresh(server.url, fleet, token)).body.refresh_token as string
    expect((await revoke(server.url, fleet, next)).status).toBe(200)
    expect((await refresh(server.url, fleet, next)).body.error).toBe('invalid_grant')
    expect((await families()).at(-1)?.revoke_reason).toBe('revoked')

    const live = (await deviceLogin()).refresh_token
    await admin(server.url, 'PATCH', `/devices/${deviceId}`, { status: 'disabled' })
    expect((await refresh(server.url, fleet, live)).body.error).toBe('invalid_grant')
    await admin(server.url, 'PATCH', `/devices/${deviceId}`, { status: 'active' })
    expect((await refresh(server.url, fleet, live)).status).toBe(200)
  })

  it('kill switch: everything of a device, a client or a subject issued before now stops working', async () => {
    for (const kind of ['device', 'client', 'subject'] as const) {
      const client = await registerFleetClient(server.url)
      const device = await deviceKey('Ed25519')
      const id = (await registerDevice(server.url, device)).id
      const a = await deviceLogin(client, id, device)
      const b = await deviceLogin(client, id, device)
      expect((await introspect(server.url, client, a.access_token)).active).toBe(true)
      const value = kind === 'client' ? client.client_id : id
      const killed = await admin(server.url, 'POST', '/kill-switch', { [kind]: value })
      expect(killed.body).toMatchObject({ kind, value, refresh_families_revoked: 2 })
      for (const tokens of [a, b]) {
        expect((await refresh(server.url, client, tokens.refresh_token)).body.error).toBe('invalid_grant')
        expect((await introspect(server.url, client, tokens.access_token)).active).toBe(false)
      }
      // Issued after the kill (iat has one-second resolution): works again.
      clock.advance(1000)
      const after = await deviceLogin(client, id, device)
      expect((await introspect(server.url, client, after.access_token)).active).toBe(true)
      expect((await refresh(server.url, client, after.refresh_token)).status).toBe(200)
    }
    expect((await admin(server.url, 'POST', '/kill-switch', { everything: 'x' })).status).toBe(400)
  })
})
