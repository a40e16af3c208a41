import { createServer, type Server } from 'node:http'
import { createRemoteJWKSet } from '@tessera/jose'
import { generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RevocationPoller } from '../../src/revocation/poll-revocations.js'
import { RevocationState } from '../../src/revocation/revocation-state.js'
import type { RevocationSnapshot } from '../../src/revocation/snapshot.js'
import { createSnapshotVerifier } from '../../src/revocation/verify-snapshot.js'
import { startAuthority, type TestAuthority, tempDir } from '../helpers/authority.js'
import {
  admin,
  claimsOf,
  deviceLogin,
  registerDevice,
  registerFleet,
  revokeToken,
} from '../helpers/devices.js'

/** Revocation snapshots from a real authority: verified, applied, and refused when forged or replayed. */
describe('revocation snapshots', () => {
  const dir = tempDir()
  let authority: TestAuthority
  let fleet: string
  let login: () => Promise<{ access_token: string; refresh_token: string }>
  let verify: (jwt: string) => Promise<RevocationSnapshot>
  let deviceId: string
  // A relay between poller and authority, so a test can hand the gateway any body it likes.
  let relay: Server
  let relayUrl: string
  let forged: string | undefined

  beforeAll(async () => {
    authority = await startAuthority(dir.path)
    fleet = await registerFleet(authority.url)
    deviceId = 'snapshot-device'
    const device = await registerDevice(authority.url, deviceId)
    login = () => deviceLogin(authority.url, authority.issuer, fleet, device)
    const keys = createRemoteJWKSet(`${authority.url}/.well-known/jwks.json`, {
      allowInsecureHttp: true,
      cooldownMs: 0,
    })
    verify = createSnapshotVerifier({ keys, issuer: authority.url, algorithms: ['ES256'] })
    relay = createServer(async (request, response) => {
      if (forged !== undefined) {
        response.writeHead(200, { 'content-type': 'application/jwt' }).end(forged)
        return
      }
      const upstream = await fetch(`${authority.url}/revocations`, {
        headers: request.headers['if-none-match']
          ? { 'if-none-match': request.headers['if-none-match'] }
          : {},
      })
      const headers: Record<string, string> = {}
      for (const name of ['etag', 'cache-control', 'content-type']) {
        const value = upstream.headers.get(name)
        if (value) headers[name] = value
      }
      response.writeHead(upstream.status, headers).end(await upstream.text())
    })
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
    const address = relay.address()
    relayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/revocations`
  })
  afterAll(async () => {
    await new Promise((resolve) => relay?.close(resolve))
    await authority?.close()
    dir.remove()
  })

  const fetchSnapshot = async () => (await fetch(`${authority.url}/revocations`)).text()

  it('a token revoked at the authority is refused within two poll intervals', async () => {
    const interval = 1000
    const state = new RevocationState({ maxStaleness: 10_000, onStale: 'closed' })
    const results: string[] = []
    const poller = new RevocationPoller({
      url: `${authority.url}/revocations`,
      verify,
      state,
      intervalMs: interval,
      onPoll: (result) => results.push(result),
    })
    const tokens = await login()
    const claims = claimsOf(tokens.access_token)
    poller.start()
    try {
      await expect.poll(() => state.status().version, { timeout: 3000 }).toBeTypeOf('number')
      expect(state.verdict(claims)).toBe('valid')
      expect(await revokeToken(authority.url, fleet, tokens.access_token)).toBe(200)
      const revokedAt = Date.now()
      await expect
        .poll(() => state.verdict(claims), { timeout: 2 * interval + 500, interval: 50 })
        .toBe('revoked')
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(2 * interval + 500)
      // Later polls of unchanged content are answered 304 and keep the state fresh.
      await expect.poll(() => results.includes('not_modified'), { timeout: 4 * interval }).toBe(true)
    } finally {
      poller.stop()
    }
  })

  it('applies kill-switch cut-offs by device, subject and client, for tokens issued before them', async () => {
    const state = new RevocationState({ maxStaleness: 10_000, onStale: 'closed' })
    const tokens = await login()
    const claims = claimsOf(tokens.access_token)
    expect((await admin(authority.url, 'POST', '/kill-switch', { device: deviceId })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1100)) // past the authority's snapshot cache
    state.apply(await verify(await fetchSnapshot()))
    expect(state.verdict(claims)).toBe('revoked')
    // The same subject without an acl is not a device token: the device cut-off does not reach it.
    const { acl: _acl, ...human } = claims
    expect(state.verdict(human)).toBe('valid')
    expect(state.verdict({ ...human, iat: Date.now() / 1000 + 1 })).toBe('valid')
  })

  it('refuses a snapshot signed by a wrong key, a tampered body, an access token and an older version', async () => {
    const state = new RevocationState({ maxStaleness: 10_000, onStale: 'closed' })
    const poller = new RevocationPoller({ url: relayUrl, verify, state })
    forged = undefined
    expect(await poller.poll()).toBe('applied')
    const held = state.status().version as number
    const genuine = await fetchSnapshot()
    const payload = claimsOf(genuine)
    const [header, , signature] = genuine.split('.') as [string, string, string]

    const outsider = await generateKeyPair('ES256')
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString())
    forged = await new SignJWT({ ...payload, version: held + 1000, jtis: {} })
      .setProtectedHeader({ alg: 'ES256', typ: 'revocations+jwt', kid })
      .sign(outsider.privateKey)
    expect(await poller.poll()).toBe('refused')

    const tampered = Buffer.from(JSON.stringify({ ...payload, version: held + 1000, jtis: {} })).toString(
      'base64url',
    )
    forged = `${header}.${tampered}.${signature}`
    expect(await poller.poll()).toBe('refused')

    forged = (await login()).access_token
    expect(await poller.poll()).toBe('refused')

    // Something new is revoked: the newer snapshot is applied, then the older one replayed.
    const older = await fetchSnapshot()
    await revokeToken(authority.url, fleet, (await login()).access_token)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    forged = undefined
    expect(await poller.poll()).toBe('applied')
    forged = older
    const codes: (string | undefined)[] = []
    const replay = new RevocationPoller({
      url: relayUrl,
      verify,
      state,
      onPoll: (_r, code) => codes.push(code),
    })
    expect(await replay.poll()).toBe('refused')
    expect(codes).toEqual(['ERR_REVOCATION_OLDER_VERSION'])
    expect(state.status().version).toBeGreaterThan(claimsOf(older).version as number)
    forged = undefined
  })

  it('fails closed or open, by setting, when the snapshot cannot be refreshed', async () => {
    let now = Date.now()
    const claims = claimsOf((await login()).access_token)
    const snapshot = await verify(await fetchSnapshot())
    for (const policy of ['closed', 'open'] as const) {
      const state = new RevocationState({ maxStaleness: 30_000, onStale: policy, now: () => now })
      expect(state.verdict(claims)).toBe(policy === 'closed' ? 'unknown' : 'valid') // nothing held yet
      state.apply(snapshot)
      expect(state.status().stale).toBe(false)
      expect(state.verdict(claims)).toBe('valid')
      now += 91_000 // past the staleness bound plus the clock tolerance
      expect(state.status()).toMatchObject({ stale: true, policy })
      expect(state.verdict(claims)).toBe(policy === 'closed' ? 'unknown' : 'valid')
      now = Date.now()
    }
    const unreachable = new RevocationPoller({
      url: 'http://127.0.0.1:9/revocations',
      verify,
      state: new RevocationState({ maxStaleness: 1000, onStale: 'closed' }),
    })
    expect(await unreachable.poll()).toBe('failed')
  })
})
