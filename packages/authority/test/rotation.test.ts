import { afterAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../src/lib/clock.js'
import {
  ADMIN_TOKEN,
  freePort,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { createDatabase } from './helpers/postgres.js'
import { type IssuedToken, issue, MINUTE, StrictRelyingParty, verifyLive } from './helpers/rotation-driver.js'

/** Hourly rotation, a 10-minute publish lead, JWKS cached for 5 minutes, tokens living 15. */
const SCHEDULE = {
  rotationPeriod: '1h',
  publishLead: '10m',
  jwksMaxAge: '5m',
  accessTokenLifetime: '15m',
  clockTolerance: 60,
  keyReloadInterval: 0.05,
} as const

async function jwksKids(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
  return body.keys.map((key) => key.kid)
}

describe('rotation driven by a manual clock, tokens issued and verified every minute', () => {
  const dir = tempDir()
  const servers: RunningAuthority[] = []
  afterAll(async () => {
    for (const server of servers) await server.close()
    dir.remove()
  })

  it('rotates three times, across a restart, with zero failed verifications', async () => {
    const clock = createManualClock(Date.UTC(2030, 0, 1))
    const port = await freePort()
    let server = await startAuthority({ dataDir: dir.path, ...SCHEDULE }, clock, port)
    servers.push(server)
    const issuer = server.url
    const client = await registerClient(server.url)
    const party = new StrictRelyingParty(clock, issuer)
    const tokens: IssuedToken[] = []
    const failures: string[] = []
    const signingKids = new Set<string>()
    let restarted = false
    let maxPublished = 0

    for (let minute = 0; minute < 200; minute++) {
      clock.advance(MINUTE)
      await server.authority.context.keys.tick()
      const ring = server.authority.context.keys.ring
      // Restart in the middle of a rotation: the next key is published but not yet signing.
      if (!restarted && minute > 60 && ring.records.some((key) => key.state === 'next')) {
        const before = ring.fingerprint
        await server.close()
        server = await startAuthority({ dataDir: dir.path, ...SCHEDULE }, clock, port)
        servers.push(server)
        expect(server.authority.context.keys.ring.fingerprint).toBe(before)
        restarted = true
      }
      const issued = await issue(server, client)
      tokens.push(issued)
      signingKids.add(issued.kid)
      failures.push(...(await verifyLive(party, tokens, clock, server.url)))
      maxPublished = Math.max(maxPublished, (await jwksKids(server.url)).length)
    }

    expect(failures).toEqual([])
    expect(restarted).toBe(true)
    // 200 minutes at one rotation an hour: the first key and three successors.
    expect(signingKids.size).toBe(4)
    // next + current + retired at most; removed keys leave the JWKS.
    expect(maxPublished).toBeLessThanOrEqual(3)
    const states = server.authority.context.keys.ring.records.map((key) => key.state).sort()
    expect(states).not.toContain('revoked')
    expect(states.filter((state) => state === 'current')).toHaveLength(1)
  })
})

describe('two instances on one PostgreSQL database', () => {
  const dirs = [tempDir(), tempDir()]
  const servers: RunningAuthority[] = []
  afterAll(async () => {
    for (const server of servers) await server.close()
    for (const dir of dirs) dir.remove()
  })

  it('share keys and clients; one rotates, both follow within seconds; zero failures', async () => {
    const databaseUrl = await createDatabase()
    const clock = createManualClock(Date.UTC(2031, 0, 1))
    const portA = await freePort()
    const issuer = `http://127.0.0.1:${portA}`
    const common = { ...SCHEDULE, databaseUrl, issuer }
    const [a, b] = await Promise.all([
      startAuthority({ dataDir: (dirs[0] as { path: string }).path, ...common }, clock, portA),
      startAuthority({ dataDir: (dirs[1] as { path: string }).path, ...common }, clock),
    ])
    servers.push(a, b)
    expect(b.authority.context.keys.ring.signing?.kid).toBe(a.authority.context.keys.ring.signing?.kid)
    // A client registered through one instance authenticates at the other.
    const client = await registerClient(a.url)
    const party = new StrictRelyingParty(clock, issuer)
    const tokens: IssuedToken[] = []
    const failures: string[] = []
    const signingKids = new Set<string>()

    for (let minute = 0; minute < 140; minute++) {
      clock.advance(MINUTE)
      // Only the timers drive the schedule here: let both tick, then wait until they agree.
      await new Promise((resolve) => setTimeout(resolve, 80))
      const deadline = Date.now() + 3000
      while (a.authority.context.keys.ring.fingerprint !== b.authority.context.keys.ring.fingerprint) {
        if (Date.now() > deadline) throw new Error('instances disagree on the key set for 3 s')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      for (const server of [a, b]) {
        const issued = await issue(server, client)
        tokens.push(issued)
        signingKids.add(issued.kid)
      }
      const jwksFrom = minute % 2 === 0 ? a.url : b.url
      failures.push(...(await verifyLive(party, tokens, clock, jwksFrom)))
    }

    expect(failures).toEqual([])
    expect(signingKids.size).toBe(3)
    const records = a.authority.context.keys.ring.records
    expect(records.filter((key) => key.state === 'current')).toHaveLength(1)
    // Whichever instance rotated, each key was created once: no double rotation.
    await a.authority.context.audit.flush()
    await b.authority.context.audit.flush()
    const created = (await a.authority.context.storage.listAudit(1000)).filter(
      (e) => e.event === 'key.created',
    )
    expect(new Set(created.map((e) => e.subject)).size).toBe(created.length)

    // Emergency revocation through one instance reaches the other within seconds.
    const compromised = a.authority.context.keys.ring.signing?.kid as string
    const revoked = await fetch(`${a.url}/admin/keys/${compromised}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(revoked.status).toBe(200)
    const deadline = Date.now() + 3000
    while ((await jwksKids(b.url)).includes(compromised)) {
      if (Date.now() > deadline) throw new Error('instance B still publishes the revoked key after 3 s')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect((await issue(b, client)).kid).not.toBe(compromised)
  }, 90_000)
})
